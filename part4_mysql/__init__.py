"""Part 4: the prompt library on MySQL, configured from the environment."""
