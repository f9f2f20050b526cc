"""``sanctionnet export neo4j-admin``: the files neo4j-admin imports give back the graph.

No Neo4j here, so a small reader below implements the rules neo4j-admin documents for
these files (header types, ID spaces, array delimiter, an empty field is no property,
an empty array is no property either), and the graph it reads is built again in a
fresh FalkorDB graph. Labels cannot be query parameters, so that graph is created by
FalkorDB's bulk command through the project's encoder (graph_model/store/
falkordb_bulk.py, which tests/graph_model/store/test_bulk_load.py holds to the Cypher path); then
``finish_import`` runs on it as it would on the imported Neo4j database, and the two
graphs are compared node by node and relationship by relationship, with types."""

from __future__ import annotations

import csv
import itertools
import json
import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from falkordb import FalkorDB
from hypothesis import event, given
from hypothesis import strategies as st

from analysis.candidates import derive_candidates
from analysis.leads import find_leads
from demo.generate import generate_bundle
from demo.tenders import write_tenders
from exports.neo4j_admin import ARRAY_DELIMITER, FILL, PAGE, SPACES, export_store, finish_import
from exports.neo4j_admin_bundle import export_bundle
from graph_model.errors import InvalidInput
from graph_model.leads import save_leads
from graph_model.lifecycle.acts import Act, Resolution
from graph_model.lifecycle.propagation import propagate
from graph_model.lifecycle.transitions import transition
from graph_model.store.falkordb import FalkorStore
from graph_model.store.falkordb_bulk import edge_blobs, node_blobs
from loaders.bundle import load_bundle
from loaders.divisions import load_divisions
from loaders.rows import OPTIONAL_FILES
from loaders.tenders import load_tenders
from tests.serving import run_cli

_graphs = itertools.count()


# --- neo4j-admin's reading of the files, as its documentation and CSV parser state it ---

def _fields(text: str) -> list[list[tuple[str, bool]]]:
    """RFC 4180 records of (field, was it quoted); `""` inside quotes is one quote, and a
    quoted field may hold line breaks (--multiline-fields)."""
    rows, row, i = [], [], 0
    while i < len(text):
        if text[i] == '"':
            parts, j = [], i + 1
            while True:
                k = text.index('"', j)
                parts.append(text[j:k])
                if text.startswith('""', k):
                    parts.append('"')
                    j = k + 2
                else:
                    i = k + 1
                    break
            value, quoted = "".join(parts), True
        else:
            end = min((p for p in (text.find(",", i), text.find("\n", i)) if p >= 0), default=len(text))
            value, quoted, i = text[i:end], False, end
            assert '"' not in value and "\r" not in value, value
        row.append((value, quoted))
        if i >= len(text) or text[i] == "\n":
            rows.append(row)
            row = []
        else:
            assert text[i] == ",", (text[i - 20:i + 20])
        i += 1
    return rows


def _value(kind: str, text: str, quoted: bool, delimiter: str):
    """A field as neo4j-admin stores it; None: no property."""
    if kind.endswith("[]"):
        if not text:
            return None  # an empty array is no property (CsvInputParser skips it)
        return [_value(kind[:-2], item, True, delimiter) for item in text.split(delimiter)]
    if kind == "string":
        return text if (text or quoted) else None
    if not text:
        return None
    return {"long": int, "double": float, "boolean": lambda v: v == "true"}[kind](text)


def _read_import(folder: Path) -> tuple[dict, list]:
    """Nodes {(space, key): (labels, props)} and relationships [(type, start, end, props)]
    as `neo4j-admin database import full` would create them from import.args."""
    options = (folder / "import.args").read_text(encoding="utf-8").split()
    delimiter = next(o for o in options if o.startswith("--array-delimiter=")).split("=", 1)[1]
    assert delimiter.startswith("U+")
    delimiter = chr(int(delimiter[2:], 16))
    assert "--id-type=string" in options and "--ignore-empty-strings=false" in options
    nodes, rels, named = {}, [], set()
    for option in options:
        kind, _, rest = option.partition("=")
        if kind not in ("--nodes", "--relationships"):
            continue
        labels, path = rest.split("=")
        named.add(path)
        header, *rows = _fields((folder / path).read_bytes().decode("utf-8"))  # line breaks as written
        if any("\n" in v or "\r" in v for row in rows for v, _ in row):
            assert "--multiline-fields=true" in options, path
        columns = [cell.partition(":")[::2] for cell, _ in header]
        for row in rows:
            assert len(row) == len(columns), (path, row)  # no short rows: each file is fixed-width
            props, start = {}, {}
            for (name, kind_), (text_, quoted) in zip(columns, row):
                if kind_.startswith(("ID(", "START_ID(", "END_ID(")):
                    start[kind_.split("(")[0]] = (kind_[kind_.index("(") + 1:-1], text_)
                    if kind_.startswith("ID(") and name:
                        props[name] = text_
                    continue
                value = _value(kind_, text_, quoted, delimiter)
                if value is not None:
                    props[name] = value
            if kind == "--nodes":
                assert start["ID"] not in nodes, f"duplicate ID {start['ID']}"
                nodes[start["ID"]] = (tuple(labels.split(":")), props)
            else:
                rels.append((labels, start["START_ID"], start["END_ID"], props))
    for _, a, b, _ in rels:
        assert a in nodes and b in nodes, (a, b)  # neo4j-admin fails on a missing end
    on_disk = {str(p.relative_to(folder)) for p in folder.rglob("*.csv")}
    assert on_disk == named
    return nodes, rels


def _bulk(server, graph: str, nodes: int, edges: int, node_parts: list, edge_parts: list) -> FalkorStore:
    """Create ``graph`` with FalkorDB's bulk command (blobs from graph_model/store/falkordb_bulk.py)."""
    db = FalkorDB(unix_socket_path=str(server.socket))
    try:
        db.connection.execute_command("GRAPH.BULK", graph, "BEGIN", nodes, edges, len(node_parts), len(edge_parts),
                                      *node_parts, *edge_parts)
    finally:
        db.connection.close()
    return FalkorStore(unix_socket_path=str(server.socket), graph=graph)


def _rebuild(server, folder: Path, *, indexes: bool = True) -> FalkorStore:
    """A fresh FalkorDB graph holding what neo4j-admin would import from ``folder``, then
    finished as the imported database would be."""
    nodes, rels = _read_import(folder)
    name = f"n4a-{os.getpid()}-{next(_graphs)}"
    ids: dict = {}
    by_labels: dict = {}
    for key, (labels, props) in nodes.items():
        by_labels.setdefault(labels, []).append((key, props))
    node_parts = []
    for labels, members in by_labels.items():
        rows = []
        for key, props in members:
            ids[key] = len(ids)
            rest = dict(props)
            rows.append({"id": rest.pop("id", None), "props": rest})
        node_parts += node_blobs(labels, rows)
    by_type: dict = {}
    for rel_type, a, b, props in rels:
        by_type.setdefault(rel_type, []).append({"from_id": a, "to_id": b, **props})
    edge_parts = [blob for rel_type, rows in by_type.items() for blob in edge_blobs(rel_type, rows, ids)]
    store = _bulk(server, name, len(ids), len(rels), node_parts, edge_parts)
    if indexes:
        store.ensure_schema()
    finish_import(store, folder)
    return store


def _graph(store) -> dict:
    """Every node and relationship with its labels or type and typed properties (repr
    keeps 1, 1.0 and True apart); Region ends by their code, the data version too."""
    nodes = sorted(repr((sorted(n["labels"]), sorted(n["props"].items()))) for n in store.read("snapshot_nodes"))
    rels = sorted(repr((r["from_id"], r["type"], r["to_id"], sorted(r["props"].items())))
                  for r in store.read("snapshot_relationships"))
    regions, after = [], ""
    while page := store.read("neo4j_admin_region", after=after):
        regions += [repr((row["key"], sorted((o["type"], o["code"], sorted(o["props"].items())) for o in row["out"])))
                    for row in page]
        after = page[-1]["key"]
    meta = store.read_one("data_version")
    return {"nodes": nodes, "relationships": rels, "regions": regions, "meta": (meta["version"], meta["changed_at"])}


@pytest.fixture
def rebuilt(falkordb_server):
    stores = []

    def rebuild(folder: Path) -> FalkorStore:
        stores.append(_rebuild(falkordb_server, folder))
        return stores[-1]

    yield rebuild
    for store in stores:
        store.drop_graph()
        store.close()


def _act(store, catalogue, entry_id: str, kind: str, **extra) -> None:
    act = {"actor": "tester", "department": "信用科", "reason": "核实", "on": date.today() - timedelta(days=1)}
    model = Resolution if kind == "resolve" else Act
    transition(store, catalogue, entry_id, kind, model(**act, **extra))


@pytest.fixture
def populated(falkor_store, catalogue, hasher, tmp_path):
    """A demo graph with every kind of node sanctionnet writes: subjects, entries after
    lifecycle acts, restrictions, tasks, transitions, a restoration, regions, tenders,
    leads and controller candidates."""
    bundle = tmp_path / "bundle"
    generate_bundle(bundle, enterprises=2500)
    assert not load_bundle(falkor_store, catalogue, hasher, bundle).rejects
    write_tenders(bundle, tenders=300, rings=5)
    load_tenders(falkor_store, catalogue, hasher, [bundle / "tenders.csv"])
    active = sorted(row["entry_id"] for row in falkor_store.read("export_entries", after="") if row["state"] == "active")
    _act(falkor_store, catalogue, active[0], "objection")
    _act(falkor_store, catalogue, active[0], "resolve", outcome="upheld")
    _act(falkor_store, catalogue, active[1], "repair")
    _act(falkor_store, catalogue, active[2], "revoke")
    _act(falkor_store, catalogue, active[3], "objection")
    load_divisions(falkor_store)
    save_leads(falkor_store, find_leads(falkor_store, catalogue))
    derive_candidates(falkor_store, catalogue)
    return bundle


def test_an_import_of_the_files_is_the_graph_of_the_store(falkor_store, populated, rebuilt, tmp_path):
    labels = {tuple(sorted(row["labels"])) for row in falkor_store.read("neo4j_admin_inventory")}
    assert {("Restoration",), ("Transition",), ("Task",), ("Lead",), ("Region",), ("Tender",)} <= labels
    out = tmp_path / "neo4j"
    written = export_store(falkor_store, out)
    assert written.nodes == falkor_store.read_one("count_nodes")["n"]
    assert written.relationships == falkor_store.read_one("neo4j_admin_relationship_count")["n"] > 20_000
    assert ["measures", "named"] in written.empty_lists  # neo4j-admin would drop these: restored after
    assert not out.with_name("neo4j.part").exists()
    imported = rebuilt(out)
    assert _graph(imported) == _graph(falkor_store)
    # Personal data: no ID number of the bundle, in any form but the store's own hash and mask.
    with open(populated / "subjects.csv", encoding="utf-8") as handle:
        numbers = [row["id_number"] for row in csv.DictReader(handle) if row["id_number"]]
    assert len(numbers) > 1000
    text = "\n".join(p.read_bytes().decode("utf-8") for p in out.rglob("*") if p.is_file())
    assert not [n for n in numbers if n in text or n[:-1] in text]
    assert "id_hash:string" in text and "id_masked:string" in text


def test_the_command_line_names_every_file_and_the_options_the_format_needs(falkor_store, catalogue, hasher,
                                                                           tmp_path):
    generate_bundle(tmp_path / "bundle", enterprises=100)
    load_bundle(falkor_store, catalogue, hasher, tmp_path / "bundle")
    written = export_store(falkor_store, tmp_path / "out")
    args = (tmp_path / "out" / "import.args").read_text().split()
    assert "--array-delimiter=U+001F" in args and "--bad-tolerance=0" in args
    assert "--nodes=Subject:Person=nodes/Subject-Person.1.csv" in args
    assert "--relationships=LEGAL_REP_OF=relationships/LEGAL_REP_OF.Subject-Subject.1.csv" in args
    assert "--multiline-fields=true" not in args  # no value has a line break: parsing stays parallel
    script = (tmp_path / "out" / "import.sh")
    assert os.access(script, os.X_OK) and 'database import full "${1:-neo4j}" @import.args' in script.read_text()
    readme = (tmp_path / "out" / "README.txt").read_text()
    assert written.command in readme and "neo4j-admin-finish" in readme
    assert written.command.startswith("neo4j-admin database import full neo4j --id-type=string")
    header = (tmp_path / "out" / "nodes" / "Subject-Enterprise.1.csv").read_text().splitlines()[0]
    assert header.startswith("id:ID(Subject),kind:string,name:string")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert sum(f["rows"] for f in manifest["files"]) == written.nodes + written.relationships


def test_the_cli_writes_the_folder_and_finishes_an_import(tmp_path):
    env = {**os.environ, "SANCTIONNET_DATA_DIR": str(tmp_path / "data"), "SANCTIONNET_ID_HASH_KEY": "k"}
    generate_bundle(tmp_path / "bundle", enterprises=150)
    try:
        assert run_cli(env, "load", "bundle", str(tmp_path / "bundle")).returncode == 0
        done = run_cli(env, "export", "neo4j-admin", str(tmp_path / "out"))
        assert done.returncode == 0, done.stderr
        assert "relationships in" in done.stdout and "import.sh" in done.stdout
        assert (tmp_path / "out" / "import.args").is_file() and list((tmp_path / "out" / "nodes").glob("*.csv"))
        again = run_cli(env, "export", "neo4j-admin", str(tmp_path / "out"))
        assert again.returncode == 1 and "not an empty folder" in again.stderr
        # The store is the database the folder came from: nothing to restore, counts equal.
        finished = run_cli(env, "export", "neo4j-admin-finish", str(tmp_path / "out"))
        assert finished.returncode == 0, finished.stderr
        assert "the database holds the" in finished.stdout
        converted = run_cli(env, "export", "neo4j-admin", str(tmp_path / "from-bundle"),
                            "--bundle", str(tmp_path / "bundle"))
        assert converted.returncode == 0, converted.stderr
        assert json.loads((tmp_path / "from-bundle" / "manifest.json").read_text())["source"].startswith("the bundle")
        keyless = run_cli({**env, "SANCTIONNET_ID_HASH_KEY": ""}, "export", "neo4j-admin", str(tmp_path / "x"),
                          "--bundle", str(tmp_path / "bundle"))
        assert keyless.returncode == 1 and "needs SANCTIONNET_ID_HASH_KEY" in keyless.stderr
        assert not (tmp_path / "x").exists()
    finally:
        run_cli(env, "db", "stop")


def _sources(bundle: Path) -> None:
    """A sources.csv naming some demo subjects and entries, one record about two subjects.
    (Not one pair twice: FalkorDB keeps the first row's `why` of a pair repeated within one
    batch, Neo4j the last.)"""
    with open(bundle / "entries.csv", encoding="utf-8") as handle:
        entries = list(csv.DictReader(handle))
    other = next(e["subject_id"] for e in entries if e["subject_id"] != entries[0]["subject_id"])
    entries = entries[:5]
    with open(bundle / "sources.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(OPTIONAL_FILES["sources.csv"])
        for i, entry in enumerate(entries):
            writer.writerow({"record_id": f"R{i}", "source": "court", "subject_id": entry["subject_id"],
                             "entry_id": entry["entry_id"], "why": "same USCC", "raw": '{"a": "b, c"}'}.get(c, "")
                            for c in OPTIONAL_FILES["sources.csv"])
        writer.writerow({"record_id": "R0", "source": "court", "subject_id": other,
                         "why": "named again"}.get(c, "") for c in OPTIONAL_FILES["sources.csv"])


def test_a_bundle_converted_without_a_store_is_the_loaded_graph(falkor_store, catalogue, hasher, rebuilt, tmp_path):
    bundle = tmp_path / "bundle"
    generate_bundle(bundle, enterprises=800)
    _sources(bundle)
    loaded = load_bundle(falkor_store, catalogue, hasher, bundle)
    written = export_bundle(catalogue, hasher, bundle, tmp_path / "out")
    assert not loaded.rejects and not written.report.rejects and written.report.loaded == loaded.loaded
    imported = rebuilt(tmp_path / "out")
    # Restrictions and tasks are derived in the database after the import, as documented.
    propagate(imported, catalogue)
    expected, got = _graph(falkor_store), _graph(imported)
    assert got["meta"][0] == expected["meta"][0] == 1
    assert {k: v for k, v in got.items() if k != "meta"} == {k: v for k, v in expected.items() if k != "meta"}
    # The store's own export has the same subjects, entries and the relationships between them.
    export_store(falkor_store, tmp_path / "from-store")
    nodes_b, rels_b = _read_import(tmp_path / "out")
    nodes_s, rels_s = _read_import(tmp_path / "from-store")
    assert {k: v for k, v in nodes_s.items() if k[0] in ("Subject", "Entry", "SourceRecord")} == {
        k: v for k, v in nodes_b.items() if k[0] != "Meta"}
    assert sorted(map(repr, rels_b)) == sorted(repr(r) for r in rels_s if r[0] not in ("TARGETS", "DERIVED_FROM"))


def test_rejected_bundle_rows_are_reported_and_nothing_else_changes(catalogue, hasher, tmp_path):
    generate_bundle(tmp_path / "bundle", enterprises=50)
    with open(tmp_path / "bundle" / "relations.csv", "a", encoding="utf-8") as handle:
        handle.write("P999999,E000001,LEGAL_REP_OF,,2020-01-01,\n")
    written = export_bundle(catalogue, hasher, tmp_path / "bundle", tmp_path / "out")
    assert [(r.file, r.field) for r in written.report.rejects] == [("relations.csv", "from_id")]
    assert written.relationships == written.report.loaded["relations.csv"] + written.report.loaded["entries.csv"]


def _plant(server, nodes: dict, rels: dict) -> FalkorStore:
    """A graph holding exactly ``nodes`` ({labels: [props]}) and ``rels``."""
    name = f"plant-{os.getpid()}-{next(_graphs)}"
    ids, parts, count = {}, [], 0
    for labels, rows in nodes.items():
        for props in rows:
            ids[props.get("id")] = count
            count += 1
        parts += node_blobs(labels, [{"id": p.get("id"), "props": {k: v for k, v in p.items() if k != "id"}}
                                     for p in rows])
    edges = [blob for t, rows in rels.items() for blob in edge_blobs(t, rows, ids)]
    return _bulk(server, name, count, sum(map(len, rels.values())), parts, edges)


def test_pages_follow_one_another_without_a_gap_or_a_repeat(falkordb_server, tmp_path):
    count = 2 * PAGE + 1
    store = _plant(falkordb_server, {("Task",): [{"id": f"T{i:07d}", "n": i} for i in range(count)]},
                   {"FOLLOWS": [{"from_id": f"T{i:07d}", "to_id": f"T{i - 1:07d}"} for i in range(1, count)]})
    try:
        written = export_store(store, tmp_path / "out")
    finally:
        store.drop_graph()
        store.close()
    nodes, rels = _read_import(tmp_path / "out")
    assert written.nodes == len(nodes) == count and written.relationships == len(rels) == count - 1
    assert sorted(props["n"] for _, props in nodes.values()) == list(range(count))
    assert {(a[1], b[1]) for _, a, b, _ in rels} == {(f"T{i:07d}", f"T{i - 1:07d}") for i in range(1, count)}


def test_two_nodes_with_one_key_are_refused(falkordb_server, tmp_path):
    store = _plant(falkordb_server, {("Task",): [{"id": "T1", "n": 1}, {"id": "T1", "n": 2}]}, {})
    try:
        with pytest.raises(InvalidInput, match="two Task nodes have the id 'T1'"):
            export_store(store, tmp_path / "out")
    finally:
        store.drop_graph()
        store.close()


def test_a_write_during_the_export_and_an_incomplete_import_are_caught(falkordb_server, tmp_path):
    store = _plant(falkordb_server, {("Task",): [{"id": "T1"}, {"id": "T2"}]}, {})
    try:
        def someone_writes(stage: str, n: int) -> None:
            store.write("merge_tasks", rows=[{"id": f"T-{stage}", "props": {}}])

        with pytest.raises(InvalidInput, match="the store changed while it was being exported"):
            export_store(store, tmp_path / "out", progress=someone_writes)
        assert not (tmp_path / "out").exists()
        written = export_store(store, tmp_path / "out")
        assert finish_import(store, tmp_path / "out")["nodes"] == written.nodes == 4
        store.write("merge_tasks", rows=[{"id": "T3", "props": {}}])
        with pytest.raises(InvalidInput, match="the database holds 5 nodes"):
            finish_import(store, tmp_path / "out")
    finally:
        store.drop_graph()
        store.close()


@pytest.mark.parametrize("nodes, rels, message", [
    ({("Stray",): [{"id": "x"}]}, {}, "labelled Stray belong to no ID space"),
    ({("Entry",): [{"id": "J1"}, {"list": "red_list"}]}, {}, "1 of the 2 nodes labelled Entry have no `id`"),
    ({("Subject", "Person"): [{"id": "P1", "tags": ["a", "b\x1fc"]}]}, {},
     "Subject:Person node 'P1', property 'tags': a list item holds U+001F"),
    ({("Subject", "Person"): [{"id": "P1", "n": [1, "a"]}]}, {}, "property 'n': a list must hold items of one type"),
    ({("Subject", "Person"): [{"id": "P1", "tags": [""]}]}, {}, "property 'tags': a list of one empty string"),
    ({("Subject", "Person"): [{"id": "P1", "bad:name": "x"}]}, {}, "property 'bad:name': a name with ':'"),
    ({("Subject", "Person"): [{"id": "P1"}, {"id": "P2"}]},
     {"RELATIVE_OF": [{"from_id": "P1", "to_id": "P2", "chain": []}]},
     "RELATIVE_OF relationship from Subject 'P1' to Subject 'P2', property 'chain': an empty list"),
])
def test_what_the_format_cannot_carry_is_refused_naming_record_and_field(falkordb_server, tmp_path, nodes, rels,
                                                                          message):
    store = _plant(falkordb_server, nodes, rels)
    try:
        with pytest.raises(InvalidInput, match=re.escape(message)):
            export_store(store, tmp_path / "out")
        assert not (tmp_path / "out").exists() and not (tmp_path / "out.part").exists()
    finally:
        store.drop_graph()
        store.close()


_nasty = st.lists(st.sampled_from(list('a,"\n\r;|\\ 中文\x1f\t𠀋') + ["企业", '""', "\r\n"]), max_size=6).map("".join)
_item = st.lists(st.sampled_from(list('a,"\n;中') + ["", "\x1f"]), max_size=3).map("".join)  # U+001F: refused
_values = (_nasty | st.integers(-2**63, 2**63 - 1) | st.booleans() | st.floats(allow_nan=False, allow_infinity=False)
           | st.lists(_item, max_size=3) | st.lists(st.integers(-10**12, 10**12), max_size=3)
           | st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=2) | st.lists(st.booleans(), max_size=2))


@given(subjects=st.lists(st.dictionaries(st.sampled_from(["name", "note", "n", "flag", "tags", "x"]), _values,
                                         max_size=4), min_size=1, max_size=5),
       titles=st.lists(_nasty, max_size=4))
def test_any_values_round_trip_or_are_refused_by_name(falkordb_server, falkor_store, tmp_path_factory, subjects,
                                                      titles):
    falkor_store.drop_graph()  # no indexes: a few nodes, and building them costs a checkpoint
    rows = [{"id": f"S{i},\"{i}\"\n", "props": props} for i, props in enumerate(subjects)]
    falkor_store.write("load_subjects", variant="Enterprise", rows=rows)
    ties = [{"from_id": rows[i % len(rows)]["id"], "to_id": rows[0]["id"], "valid_from": f"2020-01-0{i + 1}",
             "valid_to": "9999-12-31", "share": 12.5, "title": title} for i, title in enumerate(titles)]
    if ties:
        falkor_store.write("load_relations", variant="HOLDS_SHARES", rows=ties)
    out = tmp_path_factory.mktemp("nasty") / "out"
    refused = [(i, key) for i, props in enumerate(subjects) for key, value in props.items()
               if isinstance(value, list) and (value == [""] or any(ARRAY_DELIMITER in str(v) for v in value))]
    event("refused" if refused else "round trip")
    if refused:
        with pytest.raises(InvalidInput, match=r"Subject:Enterprise node .*, property '\w+': a list"):
            export_store(falkor_store, out)
        return
    export_store(falkor_store, out)
    imported = _rebuild(falkordb_server, out, indexes=False)
    try:
        assert _graph(imported) == _graph(falkor_store)
    finally:
        imported.drop_graph()
        imported.close()


def test_the_page_sizes_are_those_of_the_queries(falkor_store):
    for space, (key, name) in SPACES.items():
        assert f"(n:{space})" in falkor_store.queries.get(name).text
        assert f"ORDER BY n.{key} LIMIT {PAGE}" in falkor_store.queries.get(name).text
        assert falkor_store.read(name, after="") == []
    assert f"LIMIT {FILL}" in falkor_store.queries.get("neo4j_admin_empty_lists").text
