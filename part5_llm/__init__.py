"""Part 5: the prompt library calls a model, streams its tokens, records each run."""
