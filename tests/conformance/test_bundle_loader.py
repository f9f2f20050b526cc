"""The bundle loader on every store: bad rows are reported, good rows load, reloads change nothing."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from graph_model.errors import InvalidInput
from loaders.bundle import load_bundle, write_rejects
from tests.factories import Bundle


def _snapshot(store) -> tuple[Counter, Counter]:
    """The whole graph as comparable multisets (store-internal ids excluded)."""
    nodes = Counter(repr((sorted(r["labels"]), sorted(r["props"].items())))
                    for r in store.read("snapshot_nodes")
                    if "Restriction" not in r["labels"])  # carry a per-run marker
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
    restrictions = store.read("count_restrictions")
    second = load_bundle(store, catalogue, hasher, folder)
    assert second.loaded == first.loaded and second.rejects == []
    assert _snapshot(store) == before
    assert sorted(store.read("count_restrictions"), key=str) == sorted(restrictions, key=str)


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
    assert store.read_one("subject_by_id", key="E2")["subject"]["ownership"] == "soe"

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
        handle.write("E7,enterprise,好公司,,,,,,\n".encode())
        handle.write(b"E8,enterprise,\xff\xfe\xb0,,,,,,\n")
        handle.write("E9,enterprise,少列\n".encode())
    report = load_bundle(store, catalogue, hasher, folder)
    assert {(r.line, r.field) for r in report.rejects} == {(6, "name"), (7, "")}
    assert report.loaded["subjects.csv"] == 4
