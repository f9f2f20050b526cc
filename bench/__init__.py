"""Benchmarks that print numbers; run with ``python -m bench`` (or ``make bench``)."""
