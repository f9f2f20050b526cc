"""Tests of the domain, one folder per subpackage of graph_model; what must hold on every store is in tests/conformance."""
