"""Part 2: a prompt-library CRUD API, stored in memory."""
