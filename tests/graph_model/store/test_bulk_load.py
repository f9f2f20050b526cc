"""The first load into an empty embedded store creates subjects and relations with
one GRAPH.BULK command (our encoder, graph_model/store/falkordb_bulk.py). Every
test compares it with the UNWIND ... MERGE path on a real FalkorDB: the graph it
leaves must be the one the Cypher path leaves, to the last property."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from demo.generate import generate_bundle
from graph_model.store import EmbeddedServer
from graph_model.store.falkordb import FalkorStore
import graph_model.store.falkordb_bulk as bulk
from loaders.bundle import load_bundle
from loaders.csvfile import read_rows
from loaders.rows import COLUMNS


def _snapshot(store) -> tuple[list[str], list[str]]:
    nodes = sorted(repr((sorted(n["labels"]), sorted(n["props"].items()))) for n in store.read("snapshot_nodes"))
    rels = sorted(repr((r["from_id"], r["type"], r["to_id"], sorted(r["props"].items())))
                  for r in store.read("snapshot_relationships"))
    return nodes, rels


def _seed(bundle: Path, into: Path) -> None:
    """A bundle of the first subject of ``bundle`` alone, as the bundle has it."""
    into.mkdir()
    lines = (bundle / "subjects.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (into / "subjects.csv").write_text("".join(lines[:2]), encoding="utf-8")
    for name in ("relations.csv", "entries.csv"):
        header = (bundle / name).read_text(encoding="utf-8").splitlines(keepends=True)[0]
        (into / name).write_text(header, encoding="utf-8")


@pytest.fixture
def second_store(falkordb_server):
    s = FalkorStore(unix_socket_path=str(falkordb_server.socket), graph=f"cypher-path-{os.getpid()}-{time.time_ns()}")
    s.ensure_schema()
    yield s
    s.drop_graph()
    s.close()


def test_a_first_load_is_one_bulk_write_and_leaves_the_graph_the_cypher_path_leaves(
        falkor_store, second_store, catalogue, hasher, tmp_path):
    demo = tmp_path / "demo"
    generate_bundle(demo, enterprises=300)
    first = load_bundle(falkor_store, catalogue, hasher, demo)
    assert first.bulk and not first.rejects
    # The same bundle into a store that already holds one of its subjects: the
    # bulk path is closed (the graph is not empty) and every row goes through MERGE.
    _seed(demo, tmp_path / "seed")
    load_bundle(second_store, catalogue, hasher, tmp_path / "seed")
    merged = load_bundle(second_store, catalogue, hasher, demo)
    assert not merged.bulk and not merged.rejects
    assert first.loaded == merged.loaded and first.propagation == merged.propagation
    bulk_graph = _snapshot(falkor_store)
    assert bulk_graph == _snapshot(second_store)
    relations = sum(1 for _ in read_rows(demo / "relations.csv", COLUMNS["relations.csv"], [], {}))
    assert len(bulk_graph[1]) > relations  # roles, plus entries and restrictions
    # Loading it again is a MERGE load that changes nothing.
    again = load_bundle(falkor_store, catalogue, hasher, demo)
    assert not again.bulk and _snapshot(falkor_store) == bulk_graph


def test_look_ups_use_the_indexes_built_after_the_bulk_write(falkor_store, catalogue, hasher, tmp_path):
    generate_bundle(tmp_path / "demo", enterprises=50)
    assert load_bundle(falkor_store, catalogue, hasher, tmp_path / "demo").bulk
    states = falkor_store.read("index_states")
    assert {"Subject", "Entry"} <= {row["label"] for row in states}
    assert not [row for row in states if row["label"] == "Subject" and "UNDER CONSTRUCTION" in row["state"]]
    lookup = falkor_store.queries.get("subject_kinds", None)
    assert "Node By Index Scan" in str(falkor_store._graph.explain(lookup.text, {"ids": ["E000001"]}))
    assert falkor_store.read("subject_kinds", ids=["E000001"]) == [{"id": "E000001", "kind": "enterprise"}]
    # A subject's ties start from its index entry, never from a scan of every subject
    # (graph_in once did: a second at 100,000 enterprises for a subject with 17 ties).
    for name in ("graph_out", "graph_in", "graph_degree"):
        plan = str(falkor_store._graph.explain(falkor_store.queries.get(name, None).text,
                                               {"id": "E000001", "types": ["LEGAL_REP_OF"], "on": None,
                                                "only": None, "limit": 50}))
        assert "Node By Index Scan | (s:Subject)" in plan and "Label Scan" not in plan, (name, plan)


def test_a_graph_with_a_node_is_never_replaced(falkor_store):
    falkor_store.write("load_subjects", variant="Person", rows=[{"id": "P1", "props": {"kind": "person", "name": "甲"}}])
    before = _snapshot(falkor_store)
    assert not falkor_store.create_graph({("Subject", "Person"): [{"id": "P2", "props": {"name": "乙"}}]}, {})
    assert _snapshot(falkor_store) == before


def test_values_the_format_cannot_carry_fall_back_and_write_nothing(falkor_store):
    nul = {("Subject", "Person"): [{"id": "P1", "props": {"name": "a\x00b"}}]}
    dangling = ({("Subject", "Person"): [{"id": "P1", "props": {}}]},
                {"RELATIVE_OF": [{"from_id": "P1", "to_id": "P9", "valid_from": "2020-01-01"}]})
    too_big = {("Subject", "Person"): [{"id": "P1", "props": {"n": 2**70}}]}
    assert not falkor_store.create_graph(nul, {})
    assert not falkor_store.create_graph(*dangling)
    assert not falkor_store.create_graph(too_big, {})
    assert _snapshot(falkor_store) == ([], [])


def test_blobs_split_at_the_size_limit_create_the_same_graph(falkor_store, second_store, monkeypatch):
    nodes = {("Subject", "Enterprise"): [{"id": f"E{i}", "props": {"name": f"企业{i}", "n": i}} for i in range(300)]}
    edges = {"BRANCH_OF": [{"from_id": f"E{i}", "to_id": f"E{i // 2}", "valid_from": "2020-01-01"} for i in range(1, 300)]}
    assert falkor_store.create_graph(nodes, edges)
    monkeypatch.setattr(bulk, "BLOB_BYTES", 64)
    assert len(bulk.node_blobs(("Subject", "Enterprise"), nodes[("Subject", "Enterprise")])) > 10
    assert second_store.create_graph(nodes, edges)
    assert _snapshot(falkor_store) == _snapshot(second_store)


_text = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=12)
_scalar = (_text | st.integers(-2**63, 2**63 - 1) | st.booleans() | st.none()
           | st.floats(allow_nan=False, allow_infinity=False, width=64))
_props = st.dictionaries(st.sampled_from(["name", "region", "n", "flag", "tags", "x"]),
                         _scalar | st.lists(_text | st.integers(-1000, 1000), max_size=3), max_size=5)


@given(subjects=st.lists(_props, min_size=1, max_size=8),
       edges=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7), _text, st.none() | st.floats(0.01, 100),
                                st.none() | _text), max_size=12))
def test_any_values_bulk_encode_to_what_the_cypher_path_stores(falkor_store, second_store, subjects, edges):
    for store in (falkor_store, second_store):
        store.drop_graph()
        store.ensure_schema()
    nodes = [{"id": f"S{i}", "props": props} for i, props in enumerate(subjects)]
    rels: dict[tuple, dict] = {}
    for a, b, valid_from, share, title in edges:
        a, b = a % len(nodes), b % len(nodes)
        rels[(a, b, valid_from)] = {"from_id": f"S{a}", "to_id": f"S{b}", "valid_from": valid_from,
                                    "valid_to": "9999-12-31", "share": share, "title": title}
    assert falkor_store.create_graph({("Subject", "Enterprise"): nodes}, {"HOLDS_SHARES": list(rels.values())})
    second_store.write("load_subjects", variant="Enterprise", rows=nodes)
    if rels:
        second_store.write("load_relations", variant="HOLDS_SHARES", rows=list(rels.values()))
    assert _snapshot(falkor_store) == _snapshot(second_store)


def test_a_bulk_write_survives_a_killed_server(tmp_path):
    """GRAPH.BULK goes to the append-only file like any write: no checkpoint needed."""
    server = EmbeddedServer(tmp_path / "data")
    server.start()
    store = FalkorStore(unix_socket_path=str(server.socket), graph="g", recover=server.ensure_running)
    try:
        store.ensure_schema()
        nodes = {("Subject", "Person"): [{"id": f"P{i}", "props": {"name": f"人{i}"}} for i in range(2000)]}
        edges = {"RELATIVE_OF": [{"from_id": f"P{i}", "to_id": f"P{i + 1}", "valid_from": "2020-01-01"}
                                 for i in range(1999)]}
        assert store.create_graph(nodes, edges)
        before = _snapshot(store)
        os.kill(server.status().pid, signal.SIGKILL)
        time.sleep(0.2)
        assert _snapshot(store) == before  # restarted by the store, replayed from the AOF
        assert len(before[0]) == 2000 and len(before[1]) == 1999
    finally:
        store.close()
        server.stop()


def test_a_write_by_someone_else_during_the_check_aborts_the_bulk_write(falkor_store, falkordb_server, monkeypatch):
    """Another client writes between the emptiness check and the command (WATCH): the
    bulk write does nothing, the other write stands, and the load would use MERGE."""
    other = FalkorStore(unix_socket_path=str(falkordb_server.socket), graph=falkor_store.graph_name)
    checks = []
    real_check = FalkorStore._has_nodes

    def check_then_someone_writes(self):
        empty = real_check(self)
        checks.append(empty)
        if len(checks) == 2:  # the check inside the transaction, after WATCH
            other.write("load_subjects", variant="Person", rows=[{"id": "P-other", "props": {"name": "乙"}}])
        return empty

    monkeypatch.setattr(FalkorStore, "_has_nodes", check_then_someone_writes)
    try:
        assert not falkor_store.create_graph({("Subject", "Person"): [{"id": "P1", "props": {"name": "甲"}}]}, {})
    finally:
        other.close()
    assert checks == [False, False]
    nodes, _ = _snapshot(falkor_store)
    assert len(nodes) == 1 and "P-other" in nodes[0]
