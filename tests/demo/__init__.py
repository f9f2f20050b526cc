"""Tests of demo: the generated data and its planted rings."""
