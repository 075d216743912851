"""Benchmarks for the tutorial's apps: run them with `python -m bench`."""
