"""Part 3: the prompt library on SQLite through SQLModel; data survives a restart."""
