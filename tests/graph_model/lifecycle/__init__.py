"""Tests of graph_model.lifecycle: an entry's dated history."""
