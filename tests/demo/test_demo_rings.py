"""Planted rings: a bundle that still loads cleanly, and rings that are what truth.json says."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path

import networkx as nx
import pytest

from bench.leads import reference_findings
from demo.generate import ENTRY_HEADER, RELATION_HEADER, SUBJECT_HEADER, generate_bundle
from demo.rings import KINDS, matches, plant_rings, read_truth
from graph_model.identity.identifiers import is_valid_resident_id, is_valid_uscc
from loaders.bundle import load_bundle

FILES = ("subjects.csv", "relations.csv", "entries.csv", "truth.json")
PER_KIND = 5


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


class Planted:
    """A small demo with rings planted in it, read back."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.truth = plant_rings(folder, per_kind=PER_KIND)
        self.subjects = {row["id"]: row for row in _rows(folder, "subjects.csv")}
        self.relations, self.entries = _rows(folder, "relations.csv"), _rows(folder, "entries.csv")
        self.into, self.out = defaultdict(list), defaultdict(list)
        for r in self.relations:
            self.into[r["to_id"]].append(r)
            self.out[r["from_id"]].append(r)
        self.listed = defaultdict(list)
        for e in self.entries:
            self.listed[e["subject_id"]].append(e)

    def province(self, sid: str) -> str:
        return self.subjects[sid]["region"][:2]

    def roles(self, a: str, b: str, types: set[str]) -> list[dict[str, str]]:
        return [r for r in self.out[a] if r["to_id"] == b and r["type"] in types]


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Planted:
    folder = tmp_path_factory.mktemp("rings")
    generate_bundle(folder, enterprises=300)
    return Planted(folder)


def test_the_bundle_loads_without_rejects(planted, falkor_store, catalogue, hasher):
    report = load_bundle(falkor_store, catalogue, hasher, planted.folder)
    assert report.rejects == []
    assert report.loaded["subjects.csv"] == len(planted.subjects)
    assert report.loaded["relations.csv"] == len(planted.relations)
    assert report.loaded["entries.csv"] == len(planted.entries)


def test_rows_keep_the_generator_format_and_identifiers_stay_valid_and_unique(planted):
    for name, header in zip(FILES, (SUBJECT_HEADER, RELATION_HEADER, ENTRY_HEADER)):
        with open(planted.folder / name, encoding="utf-8", newline="") as f:
            assert next(csv.reader(f)) == list(header)
    mine = [s for s in planted.subjects.values() if s["id"].startswith("R")]
    assert len(planted.subjects) == len(_rows(planted.folder, "subjects.csv"))  # ids unique
    assert all(is_valid_uscc(s["uscc"]) for s in mine if s["kind"] == "enterprise")
    assert all(is_valid_resident_id(s["id_number"]) for s in mine if s["kind"] == "person")
    for column in ("uscc", "id_number"):
        assert max(Counter(s[column] for s in planted.subjects.values() if s[column]).values()) == 1, column
    names = Counter(s["name"] for s in planted.subjects.values() if s["kind"] == "enterprise")
    assert max(names.values()) == 1  # persons may share a name, enterprises may not
    for s in mine:
        if s["kind"] == "enterprise":
            assert planted.into[s["id"]] and any(r["type"] == "LEGAL_REP_OF" for r in planted.into[s["id"]])
            assert s["region"][:2] in {"11", "12", "31", "32", "33", "44", "23", "52"}
    assert all(r["valid_from"] < "2026-06-30" for r in planted.relations if r["from_id"].startswith("R"))
    for e in (e for e in planted.entries if e["entry_id"].startswith("R")):
        assert (e["list"], e["state"], e["basis_kind"], e["valid_to"]) == ("joint_punishment", "active", "judgment", "")
        assert e["region"] == planted.subjects[e["subject_id"]]["region"] and e["determined"] < "2026-06-30"


def test_truth_has_every_kind_and_names_existing_subjects(planted):
    assert read_truth(planted.folder / "truth.json") == planted.truth
    assert list(planted.truth.kinds) == list(KINDS)
    for kind, rings in planted.truth.kinds.items():
        assert len(rings) == PER_KIND
        for ring in rings:
            assert set(ring.key) <= set(ring.members) <= set(planted.subjects)


def test_phoenix_moves_after_a_listing_into_a_new_enterprise_of_another_province(planted):
    for ring in planted.truth.kinds["phoenix"]:
        p, listed, new = ring.members
        assert ring.key == [p, new]
        (entry,) = planted.listed[listed]
        day = _day(entry["determined"])
        assert entry["state"] == "active"
        held = planted.roles(p, listed, {"LEGAL_REP_OF", "ACTUAL_CONTROLLER_OF", "PRINCIPAL_OF"})
        assert any(_day(r["valid_from"]) < day and (not r["valid_to"] or _day(r["valid_to"]) >= day) for r in held)
        taken = [r for r in planted.roles(p, new, {"LEGAL_REP_OF", "ACTUAL_CONTROLLER_OF", "HOLDS_SHARES"})
                 if r["type"] != "HOLDS_SHARES" or 30 <= float(r["share"]) <= 100]
        assert any(30 <= (_day(r["valid_from"]) - day).days <= 700 for r in taken)
        assert planted.province(listed) != planted.province(new)
        assert _day(planted.subjects[new]["established"]) > day


def test_shared_controller_runs_listed_enterprises_in_two_provinces(planted):
    for ring in planted.truth.kinds["shared_controller"]:
        c, *firms = ring.members
        assert 2 <= len(firms) <= 3 and len({planted.province(e) for e in firms}) >= 2
        for e in firms:
            assert any(x["state"] == "active" for x in planted.listed[e])
            assert any(not r["valid_to"] for r in planted.roles(c, e, {"LEGAL_REP_OF", "ACTUAL_CONTROLLER_OF"}))


def test_circular_ownership_is_a_cycle_in_relations_csv(planted):
    for ring in planted.truth.kinds["circular_ownership"]:
        ids = set(ring.key)
        assert 2 <= len(ids) <= 4 and ring.key == sorted(ids)
        edges = [(r["from_id"], r["to_id"]) for r in planted.relations if r["type"] == "HOLDS_SHARES"
                 and r["from_id"] in ids and r["to_id"] in ids and not r["valid_to"] and 10 <= float(r["share"]) <= 60]
        graph = nx.DiGraph(edges)
        assert len(edges) == len(ids) and set(graph) == ids
        assert all(graph.out_degree(n) == 1 for n in ids) and nx.is_strongly_connected(graph)


def test_shell_chain_nodes_have_one_holder_and_one_holding(planted):
    for ring in planted.truth.kinds["shell_chain"]:
        q, *shells, target = ring.members
        assert ring.key == shells and len(shells) in (2, 3)
        for holder, held in zip([q, *shells], [*shells, target]):
            (edge,) = planted.roles(holder, held, {"HOLDS_SHARES"})
            assert not edge["valid_to"] and float(edge["share"]) >= (51 if held == target else 100)
        for s in shells:
            incoming = [r for r in planted.relations if r["type"] == "HOLDS_SHARES" and r["to_id"] == s]
            outgoing = [r for r in planted.relations if r["type"] == "HOLDS_SHARES" and r["from_id"] == s]
            assert len(incoming) == 1 and len(outgoing) == 1
            assert not {r["type"] for r in planted.into[s]} & {"STAFF_OF", "MANAGES", "KEY_PERSON_OF", "PRINCIPAL_OF"}


def test_collusion_group_is_a_tight_community_with_at_most_two_outside_ties(planted):
    for ring in planted.truth.kinds["collusion_group"]:
        firms, persons = set(ring.key), set(ring.members) - set(ring.key)
        assert 5 <= len(firms) <= 8 and 3 <= len(persons) <= 5
        assert len({planted.province(e) for e in firms}) >= 2 and any(planted.listed[e] for e in firms)
        roles = {(r["from_id"], r["to_id"]) for p in persons for r in planted.out[p]}
        assert {b for _, b in roles} == firms
        assert all(2 <= len({b for a, b in roles if a == p}) <= 4 for p in persons)
        assert nx.is_connected(nx.Graph(roles))
        outside = [r for e in firms for r in planted.into[e] if r["from_id"] not in persons]
        outside += [r for e in firms for r in planted.out[e]]
        assert len(outside) <= 2


def test_the_definitions_find_exactly_the_planted_rings_among_planted_subjects(planted):
    """No ring of one kind makes an unplanted instance of another kind."""
    found = reference_findings(planted.folder)
    for kind, keys in found.items():
        mine = {key for key in keys if any(i.startswith("R") for i in key)}
        assert mine == {tuple(r.key) for r in planted.truth.kinds[kind]}, kind


def test_same_arguments_give_identical_files_and_a_second_planting_is_refused(tmp_path):
    for name in ("a", "b"):
        generate_bundle(tmp_path / name, enterprises=120, seed=3)
        plant_rings(tmp_path / name, seed=9, per_kind=3)
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    with pytest.raises(ValueError, match="exist already"):
        plant_rings(tmp_path / "a", seed=9, per_kind=3)
    generate_bundle(tmp_path / "c", enterprises=120, seed=3)
    plant_rings(tmp_path / "c", seed=10, per_kind=3)
    assert (tmp_path / "c" / "relations.csv").read_bytes() != (tmp_path / "a" / "relations.csv").read_bytes()


def test_collusion_groups_match_by_jaccard_and_other_kinds_exactly():
    assert matches("collusion_group", ["E1", "E2", "E3"], ["E1", "E2", "E3", "E4"])
    assert not matches("collusion_group", ["E1", "E2"], ["E1", "E3", "E4"])
    assert matches("phoenix", ["P", "N"], ["P", "N"]) and not matches("phoenix", ["N", "P"], ["P", "N"])


def test_the_detectors_find_what_the_definitions_find_planted_or_not(tmp_path, falkor_store, catalogue, hasher):
    """analysis.leads against the definitions written again over the CSV files
    (bench.leads.reference_findings): the same keys for every exactly defined kind, in
    a demo big enough for the generator to make some instances of its own."""
    from analysis.leads import find_leads

    folder = tmp_path / "demo"
    generate_bundle(folder, enterprises=3000)
    plant_rings(folder, per_kind=PER_KIND)
    assert not load_bundle(falkor_store, catalogue, hasher, folder).rejects
    today = dt.date.today()
    reference = reference_findings(folder, today)
    assert sum(len(keys) for keys in reference.values()) > 4 * PER_KIND  # the background made some too
    for kind, keys in reference.items():
        found = {tuple(lead.key) for lead in find_leads(falkor_store, catalogue, [kind], today)}
        assert found == keys, kind
