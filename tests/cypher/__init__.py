"""Tests of the query library: every text parses and follows the rules of its dialect."""
