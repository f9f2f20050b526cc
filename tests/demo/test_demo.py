"""The demo bundle generator: valid identifiers, consistent roles and shares, reproducible output."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from demo.generate import ENTRY_HEADER, RELATION_HEADER, SUBJECT_HEADER, generate_bundle
from graph_model.identity.identifiers import is_valid_resident_id, is_valid_uscc
from graph_model.identity.regions import province_of

FILES = ("subjects.csv", "relations.csv", "entries.csv")
STATES = {"active", "objection_pending", "repaired", "revoked", "expired"}
# type: (kinds allowed at the source, kinds allowed at the target)
DIRECTIONS = {
    "LEGAL_REP_OF": ({"person"}, {"enterprise"}),
    "PRINCIPAL_OF": ({"person"}, {"enterprise"}),
    "ACTUAL_CONTROLLER_OF": ({"person"}, {"enterprise"}),
    "MANAGES": ({"person"}, {"enterprise"}),
    "STAFF_OF": ({"person"}, {"public_body", "enterprise"}),
    "HOLDS_SHARES": ({"person", "enterprise"}, {"enterprise"}),
    "BRANCH_OF": ({"enterprise"}, {"enterprise"}),
    "SUPERVISED_BY": ({"enterprise", "public_body"}, {"public_body"}),
}


def _read(folder: Path, name: str) -> tuple[list[str], list[dict[str, str]]]:
    with open(folder / name, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


class Bundle:
    """One generated bundle, read back."""

    def __init__(self, folder: Path, stats) -> None:
        self.folder, self.stats = folder, stats
        self.headers, rows = {}, {}
        for name in FILES:
            self.headers[name], rows[name] = _read(folder, name)
        self.subjects = {row["id"]: row for row in rows["subjects.csv"]}
        self.relations, self.entries = rows["relations.csv"], rows["entries.csv"]
        self.enterprises = [s for s in self.subjects.values() if s["kind"] == "enterprise"]
        self.branches = {r["from_id"] for r in self.relations if r["type"] == "BRANCH_OF"}
        self.reps = defaultdict(list)
        for r in self.relations:
            if r["type"] == "LEGAL_REP_OF":
                self.reps[r["to_id"]].append((_date(r["valid_from"]), _date(r["valid_to"]), r["from_id"]))
        for periods in self.reps.values():
            periods.sort(key=lambda p: p[0])


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Bundle:
    folder = tmp_path_factory.mktemp("demo")
    return Bundle(folder, generate_bundle(folder, enterprises=1500, seed=0))


def _check_invariants(b: Bundle) -> None:
    """What any bundle, of any size and seed, must satisfy."""
    assert b.headers == {
        "subjects.csv": list(SUBJECT_HEADER),
        "relations.csv": list(RELATION_HEADER),
        "entries.csv": list(ENTRY_HEADER),
    }
    for s in b.subjects.values():
        assert s["kind"] in {"enterprise", "person", "public_body"}
        if s["kind"] == "person":
            assert is_valid_resident_id(s["id_number"]) and not s["uscc"]
            assert s["id_number"][:6] == s["region"]
        else:
            assert is_valid_uscc(s["uscc"]) and not s["id_number"]
            assert s["uscc"][:2] == ("91" if s["kind"] == "enterprise" else "11")
        assert province_of(s["region"]) is not None
    usccs = [s["uscc"] for s in b.subjects.values() if s["uscc"]]
    assert len(usccs) == len(set(usccs))
    for r in b.relations:
        sources, targets = DIRECTIONS[r["type"]]
        assert b.subjects[r["from_id"]]["kind"] in sources and b.subjects[r["to_id"]]["kind"] in targets
        assert bool(r["share"]) == (r["type"] == "HOLDS_SHARES")
        assert not r["valid_to"] or r["valid_from"] <= r["valid_to"]
    for e in b.enterprises:
        if e["id"] in b.branches:
            continue
        periods = b.reps[e["id"]]
        assert periods[0][0] == _date(e["established"]), e["id"]
        assert periods[-1][1] is None, e["id"]
        for (_, end, _), (start, _, _) in itertools.pairwise(periods):
            assert end is not None and start == end + dt.timedelta(days=1), e["id"]
    for entry in b.entries:
        assert b.subjects[entry["subject_id"]]["kind"] == "enterprise"
        assert entry["list"] == "joint_punishment" and entry["state"] in STATES
        assert entry["basis_kind"] in {"judgment", "penalty", "coercive"}
        assert entry["region"] == province_of(entry["region"])
        assert "2016-01-01" <= entry["determined"] <= "2026-06-30"  # the generator's fixed today
        assert not entry["valid_to"] or entry["valid_to"] > entry["determined"]
    assert (b.stats.subjects, b.stats.relations, b.stats.entries) == (
        len(b.subjects),
        len(b.relations),
        len(b.entries),
    )


def test_bundle_satisfies_the_format_and_identifier_invariants(bundle):
    _check_invariants(bundle)
    assert bundle.stats.by_kind["enterprise"] == 1500
    assert bundle.stats.by_kind["person"] == 2250


def test_shares_into_an_enterprise_never_exceed_100_percent_at_any_time(bundle):
    holdings = defaultdict(list)
    for r in bundle.relations:
        if r["type"] == "HOLDS_SHARES":
            share = Decimal(r["share"])
            assert Decimal(0) < share <= Decimal(100)
            holdings[r["to_id"]].append((_date(r["valid_from"]), _date(r["valid_to"]) or dt.date.max, share))
    assert holdings
    for periods in holdings.values():
        for moment in {p[0] for p in periods} | {p[1] for p in periods}:
            assert sum(s for start, end, s in periods if start <= moment <= end) <= 100


def test_branches_have_a_principal_and_every_soe_is_supervised(bundle):
    principals = {r["to_id"] for r in bundle.relations if r["type"] == "PRINCIPAL_OF"}
    supervised = {r["from_id"] for r in bundle.relations if r["type"] == "SUPERVISED_BY"}
    assert bundle.branches and bundle.branches <= principals
    assert all(b not in bundle.reps for b in bundle.branches)
    soes = [e["id"] for e in bundle.enterprises if e["ownership"] == "soe"]
    assert soes and all(s in supervised for s in soes)


def test_every_entry_state_occurs_and_about_3_percent_are_listed(bundle):
    assert {e["state"] for e in bundle.entries} == STATES
    listed = {e["subject_id"] for e in bundle.entries}
    assert 0.01 * 1500 <= len(listed) <= 0.06 * 1500


def test_listed_enterprises_changed_legal_rep_both_before_and_after_determination(bundle):
    first = {}
    for e in bundle.entries:
        day = _date(e["determined"])
        first[e["subject_id"]] = min(day, first.get(e["subject_id"], day))
    after = [s for s, day in first.items() if len(bundle.reps[s]) > 1 and bundle.reps[s][0][1] >= day]
    before = [s for s, day in first.items() if len(bundle.reps[s]) > 1 and bundle.reps[s][0][1] < day]
    assert after and before
    # The former rep was in office on the determination day, so the rules still hold them liable.
    subject = after[0]
    assert bundle.reps[subject][0][0] <= first[subject] <= bundle.reps[subject][0][1]


def test_cross_region_role_holders_exist(bundle):
    provinces = defaultdict(set)
    for r in bundle.relations:
        if r["type"] in {"LEGAL_REP_OF", "ACTUAL_CONTROLLER_OF"}:
            provinces[r["from_id"]].add(province_of(bundle.subjects[r["to_id"]]["region"]))
    multi = [p for p, seen in provinces.items() if len(seen) >= 2]
    assert len(multi) >= 0.02 * bundle.stats.by_kind["person"]


def test_holding_chains_reach_several_levels(bundle):
    holders = defaultdict(set)
    for r in bundle.relations:
        if r["type"] == "HOLDS_SHARES" and bundle.subjects[r["from_id"]]["kind"] == "enterprise":
            holders[r["to_id"]].add(r["from_id"])

    def depth(e: str) -> int:
        return 1 + max((depth(h) for h in holders[e]), default=0)

    assert max(depth(e["id"]) for e in bundle.enterprises) >= 3


def test_same_seed_gives_identical_files_and_another_seed_does_not(tmp_path):
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        generate_bundle(tmp_path / name, enterprises=300, seed=seed)
    for f in FILES:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()
    assert (tmp_path / "a" / "subjects.csv").read_bytes() != (tmp_path / "c" / "subjects.csv").read_bytes()


@settings(max_examples=10, deadline=None)
@given(enterprises=st.integers(1, 60), persons=st.integers(1, 90), seed=st.integers(0, 2**16))
def test_tiny_bundles_keep_the_invariants(tmp_path_factory, enterprises, persons, seed):
    folder = tmp_path_factory.mktemp("tiny")
    _check_invariants(Bundle(folder, generate_bundle(folder, enterprises, seed, persons)))


def test_rejects_empty_sizes(tmp_path):
    with pytest.raises(ValueError):
        generate_bundle(tmp_path, enterprises=0)
    with pytest.raises(ValueError):
        generate_bundle(tmp_path, enterprises=10, persons=0)
