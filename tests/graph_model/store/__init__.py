"""Tests of graph_model.store: the embedded server, crashes, backups, bulk loads, read time limits."""
