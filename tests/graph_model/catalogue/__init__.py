"""Tests of graph_model.catalogue: the catalogue files, their models and their content against the policy documents."""
