"""Benchmarks: run them, read the numbers. They print; they never pass or fail."""
