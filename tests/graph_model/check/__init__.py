"""Tests of graph_model.check under the national rules."""
