"""Tests of bench: the baselines answer as sanctionnet does."""
