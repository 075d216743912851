"""Part 1: a first FastAPI app for AI backends."""
