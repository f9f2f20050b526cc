"""Tests of graph_model.identity: identifiers, keys, the keyed hash, masking of ID numbers in text, regions."""
