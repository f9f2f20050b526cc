"""The bundle loader on every store: bad rows are reported, good rows load, reloads change nothing."""

from __future__ import annotations

import csv
import random
from collections import Counter

import pytest

from graph_model.errors import InvalidInput
from loaders.bundle import load_bundle, write_rejects
from tests.factories import Bundle


def _snapshot(store) -> tuple[Counter, Counter]:
    """The whole graph as comparable multisets (store-internal ids excluded)."""
    nodes = Counter(repr((sorted(r["labels"]), sorted(r["props"].items())))
                    for r in store.read("snapshot_nodes"))
    rels = Counter(repr((r["from_id"], r["type"], r["to_id"], sorted(r["props"].items())))
                   for r in store.read("snapshot_relationships"))
    return nodes, rels


def _good() -> Bundle:
    b = Bundle()
    b.enterprise("E1")
    b.enterprise("E2", ownership="soe")
    b.person("P1")
    b.role("P1", "LEGAL_REP_OF", "E1", valid_from="2019-01-01")
    b.role("E1", "HOLDS_SHARES", "E2", share="51.5")
    b.entry("J1", "E1")
    return b


def test_loading_twice_changes_nothing(store, catalogue, hasher, bundle_dir):
    folder = _good().write(bundle_dir)
    first = load_bundle(store, catalogue, hasher, folder)
    assert first.loaded == {"subjects.csv": 3, "relations.csv": 2, "entries.csv": 1}
    before = _snapshot(store)
    assert sum(1 for key in before[0] if "Restriction" in key) == 2
    second = load_bundle(store, catalogue, hasher, folder)
    assert second.loaded == first.loaded and second.rejects == []
    assert _snapshot(store) == before


def test_bad_rows_are_rejected_with_line_field_and_reason(store, catalogue, hasher, bundle_dir):
    b = _good()
    b.subjects.append({"id": "E9", "kind": "enterprise", "name": "坏码公司", "uscc": "91230199744190927A"})
    b.subjects.append({"id": "P9", "kind": "person", "name": "坏号", "id_number": "110101197505170010"})
    b.subjects.append({"id": "X9", "kind": "robot", "name": "?"})
    b.subjects.append({"id": "E1", "kind": "enterprise", "name": "重复"})
    b.subjects.append({"id": "R9", "kind": "enterprise", "name": "坏区", "region": "990101"})
    b.role("P1", "LEGAL_REP_OF", "E404")
    b.role("E1", "LEGAL_REP_OF", "E2")
    b.role("P1", "HOLDS_SHARES", "E1")
    b.role("P1", "PRINCIPAL_OF", "E1", valid_from="2020-01-01", valid_to="2019-01-01")
    b.entry("J2", "E1", list_="no_such_list")
    b.entry("J3", "E404")
    b.entries.append({**b.entries[0], "entry_id": "J4", "determined": "2022-02-30"})
    report = load_bundle(store, catalogue, hasher, b.write(bundle_dir))
    got = {(r.file, r.line, r.field) for r in report.rejects}
    assert got == {
        ("subjects.csv", 5, "uscc"), ("subjects.csv", 6, "id_number"), ("subjects.csv", 7, "kind"),
        ("subjects.csv", 8, "id"), ("subjects.csv", 9, "region"),
        ("relations.csv", 4, "to_id"), ("relations.csv", 5, "from_id"), ("relations.csv", 6, "(row)"),
        ("relations.csv", 7, "(row)"),
        ("entries.csv", 3, "list"), ("entries.csv", 4, "subject_id"), ("entries.csv", 5, "determined"),
    }
    reasons = {(r.file, r.line): r.reason for r in report.rejects}
    assert "expected 'K'" in reasons[("subjects.csv", 5)]
    assert "110101197505170010" not in repr(report.rejects)  # no ID number echoed
    assert "duplicate id 'E1', first on line 2" == reasons[("subjects.csv", 8)]
    assert "no subject 'E404'" in reasons[("relations.csv", 4)]
    assert "share is required" in reasons[("relations.csv", 6)]
    # The good rows are all there.
    assert report.loaded == {"subjects.csv": 3, "relations.csv": 2, "entries.csv": 1}
    assert store.read_one("subject_by", variant="id", key="E2")["subject"]["ownership"] == "soe"

    out = bundle_dir / "rejects.csv"
    write_rejects(report.rejects, out)
    rows = list(csv.DictReader(open(out, encoding="utf-8")))
    assert len(rows) == len(report.rejects) and set(rows[0]) == {"file", "line", "field", "reason"}


def test_relations_may_refer_to_subjects_already_stored(store, catalogue, hasher, tmp_path):
    first = Bundle()
    first.enterprise("E1")
    load_bundle(store, catalogue, hasher, first.write(tmp_path / "a"))
    second = Bundle()
    second.person("P1")
    second.role("P1", "LEGAL_REP_OF", "E1", valid_from="2015-01-01")
    second.entry("J1", "E1")
    report = load_bundle(store, catalogue, hasher, second.write(tmp_path / "b"))
    assert report.rejects == []
    assert report.propagation.restrictions == 2


def test_kind_cannot_change(store, catalogue, hasher, tmp_path):
    first = Bundle()
    first.enterprise("S1")
    load_bundle(store, catalogue, hasher, first.write(tmp_path / "a"))
    second = Bundle()
    second.person("S1")
    report = load_bundle(store, catalogue, hasher, second.write(tmp_path / "b"))
    assert [(r.field, r.reason) for r in report.rejects] == [("kind", "subject 'S1' is already stored as enterprise")]


def test_missing_column_and_missing_folder(store, catalogue, hasher, bundle_dir):
    folder = _good().write(bundle_dir)
    (folder / "entries.csv").write_text("entry_id,subject_id\nJ1,E1\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="entries.csv: header lacks column\\(s\\) list, deciding_dept"):
        load_bundle(store, catalogue, hasher, folder)
    with pytest.raises(InvalidInput, match="not a folder"):
        load_bundle(store, catalogue, hasher, bundle_dir / "absent")


def test_invalid_utf8_and_ragged_rows_reject_only_that_row(store, catalogue, hasher, bundle_dir):
    folder = _good().write(bundle_dir)
    with open(folder / "subjects.csv", "ab") as handle:
        handle.write("E7,enterprise,好公司,,,,,,,,\n".encode())  # eleven columns: stock_code, reg_no last
        handle.write(b"E8,enterprise,\xff\xfe\xb0,,,,,,,,\n")
        handle.write("E9,enterprise,少列\n".encode())
    report = load_bundle(store, catalogue, hasher, folder)
    assert {(r.line, r.field) for r in report.rejects} == {(6, "name"), (7, "")}
    assert report.loaded["subjects.csv"] == 4


def test_one_uscc_or_id_number_cannot_name_two_subjects(store, catalogue, hasher, tmp_path):
    first = Bundle()
    first.enterprise("E1")
    _, id_number = first.person("P1")
    load_bundle(store, catalogue, hasher, first.write(tmp_path / "a"))
    second = Bundle(rng=random.Random(99))
    second.subjects.append({**first.subjects[0], "id": "E1-again"})
    second.person("P1-again", id_number=id_number)
    second.enterprise("E2")
    second.subjects.append({**second.subjects[-1], "id": "E2-twin"})
    report = load_bundle(store, catalogue, hasher, second.write(tmp_path / "b"))
    reasons = {(r.line, r.field): r.reason for r in report.rejects}
    assert reasons == {(2, "uscc"): "USCC already belongs to subject 'E1'",
                       (3, "id_number"): "ID number already belongs to subject 'P1'",
                       (5, "uscc"): "USCC also given to subject 'E2' on line 4"}
    assert id_number not in repr(report.rejects)
    assert store.read_one("subject_by", variant="uscc", key=first.subjects[0]["uscc"])["subject"]["id"] == "E1"


def test_an_empty_cell_never_erases_a_stored_value(store, catalogue, hasher, tmp_path):
    first = Bundle()
    _, id_number = first.person("P1")
    load_bundle(store, catalogue, hasher, first.write(tmp_path / "a"))
    second = Bundle()
    second.subjects.append({"id": "P1", "kind": "person", "name": "改名"})
    assert load_bundle(store, catalogue, hasher, second.write(tmp_path / "b")).rejects == []
    found = store.read_one("subject_by", variant="id_hash", key=hasher(id_number))["subject"]
    assert found["id"] == "P1" and found["name"] == "改名"


def test_ids_that_look_like_id_numbers_are_refused(store, catalogue, hasher, bundle_dir):
    b = Bundle()
    b.subjects.append({"id": "11010519491231002X", "kind": "person", "name": "用号作键"})
    report = load_bundle(store, catalogue, hasher, b.write(bundle_dir))
    assert [(r.field, r.reason.split(":")[0]) for r in report.rejects] == [("id", "must not be an ID number")]
    assert "11010519491231002X" not in repr(report.rejects)


def test_control_characters_and_huge_cells_reject_only_their_row(store, catalogue, hasher, bundle_dir):
    folder = _good().write(bundle_dir)
    with open(folder / "subjects.csv", "a", encoding="utf-8", newline="") as handle:
        handle.write("E7,enterprise,带\x00空字符,,,,,,,,\n")
        handle.write("E8,enterprise," + "长" * 300_000 + ",,,,,,,,\n")
        handle.write("E9,enterprise,最后一行,,,,,,,,\n")
    report = load_bundle(store, catalogue, hasher, folder)
    assert {(r.line, r.field) for r in report.rejects} == {(5, "name"), (6, "name")}
    assert report.loaded["subjects.csv"] == 4
    assert store.read_one("subject_by", variant="id", key="E9") is not None


def test_two_loads_at_once_keep_every_restriction(store, catalogue, hasher, tmp_path, request):
    if request.node.callspec.params["store"] == "neo4j-bolt":
        pytest.skip("FalkorDB's Bolt test server serves one connection")
    from concurrent.futures import ThreadPoolExecutor

    from graph_model.store.falkordb import FalkorStore

    b = Bundle()
    for n in range(40):
        b.enterprise(f"E{n}")
        b.person(f"P{n}")
        b.role(f"P{n}", "LEGAL_REP_OF", f"E{n}", valid_from="2015-01-01")
        b.entry(f"J{n}", f"E{n}")
    folder = b.write(tmp_path / "b")
    # A second client of the embedded server; Neo4j's driver gives each thread a
    # connection and session of its own, as in a process with several workers.
    other = FalkorStore(unix_socket_path=store._where, graph=store.graph_name) if isinstance(store, FalkorStore) \
        else store
    with ThreadPoolExecutor(2) as pool:
        reports = list(pool.map(lambda s: load_bundle(s, catalogue, hasher, folder, batch_size=7), [store, other]))
    if other is not store:
        other.close()
    assert all(r.rejects == [] for r in reports)
    assert sorted(store.read("count_restrictions"), key=str) == [{"n": 40, "role": "LEGAL_REP_OF"},
                                                                {"n": 40, "role": "entity"}]
