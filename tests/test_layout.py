"""The layout of docs/architecture.md, kept: no import cycle between the project's
modules, and no import against the layering (a lower layer never imports a higher
one, and packages of one layer do not import each other)."""

from __future__ import annotations

import networkx as nx

from tools.layout import cycles, import_graph, modules

# docs/architecture.md, "Layers": lowest first. A unit is a top-level package, or a
# subpackage (or module) of graph_model.
LAYERS = [
    {"graph_model.vocabulary", "graph_model.errors", "graph_model.settings"},
    {"cypher"},
    {"graph_model.store"},
    {"graph_model.identity", "graph_model.catalogue", "graph_model.leads"},
    {"graph_model.lifecycle"},
    {"graph_model.check"},
    {"graph_model.views"},
    {"graph_model.privacy"},
    {"graph_model.reports"},
    {"loaders", "demo", "analysis"},
    {"exports", "viz"},
    {"api"},
    {"bench"},
]
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}


def unit_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "graph_model":
        return ".".join(parts[:2]) if len(parts) > 1 else "graph_model"
    return parts[0]


def test_every_package_has_a_layer():
    units = {unit_of(m) for m in modules()} - {"graph_model"}
    assert units <= set(RANK), sorted(units - set(RANK))


def test_no_module_import_cycle_not_even_for_type_checking():
    assert cycles(import_graph(runtime_only=False)) == []


def test_every_import_goes_down_the_layers():
    against = []
    for a, b in import_graph(runtime_only=False).edges():
        ua, ub = unit_of(a), unit_of(b)
        if ua != ub and "graph_model" not in (ua, ub) and RANK[ub] >= RANK[ua]:
            against.append(f"{a} -> {b}")
    assert against == []


def test_the_query_library_imports_nothing_of_the_project():
    graph = import_graph(runtime_only=False)
    assert [b for a, b in graph.edges() if unit_of(a) == "cypher" and unit_of(b) != "cypher"] == []


def test_the_layers_have_no_cycle_between_packages():
    graph = nx.DiGraph((unit_of(a), unit_of(b)) for a, b in import_graph(runtime_only=False).edges()
                       if unit_of(a) != unit_of(b))
    assert nx.is_directed_acyclic_graph(graph)
