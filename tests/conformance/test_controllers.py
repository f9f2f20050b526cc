"""Derived controllers: candidates restrict nobody; a confirmed one is restricted by
PR1 like a registered controller (when the setting binds it); rejecting it undoes that."""

from __future__ import annotations

import datetime as dt

from analysis.candidates import CandidateReview, CandidateStatus, derive_candidates, list_candidates, review_candidate
from graph_model.check.rules import check
from graph_model.vocabulary.kinds import OPEN_END
from loaders.bundle import load_bundle
from tests.factories import Bundle

ON = dt.date(2024, 6, 1)


def _restricted(store, catalogue, hasher, pid, on):
    return check(store, catalogue, hasher, pid, on=on).restricted


def test_a_confirmed_candidate_is_restricted_and_a_rejected_one_no_longer(store, catalogue, hasher, tmp_path,
                                                                          batch_size):
    b = Bundle()
    for sid in ("H", "X", "Y"):
        b.enterprise(sid)
    b.person("P")
    b.person("R")
    b.role("P", "HOLDS_SHARES", "H", share="60", valid_from="2015-01-01")
    b.role("H", "HOLDS_SHARES", "X", share="70", valid_from="2015-01-01")
    b.role("R", "ACTUAL_CONTROLLER_OF", "Y", valid_from="2015-01-01")
    b.role("R", "HOLDS_SHARES", "Y", share="90", valid_from="2015-01-01")
    # R2 holds nothing but is registered for Y2, which holds 60 % of Z2.
    b.enterprise("Y2")
    b.enterprise("Z2")
    b.person("R2")
    b.role("R2", "ACTUAL_CONTROLLER_OF", "Y2", valid_from="2016-01-01")
    b.role("Y2", "HOLDS_SHARES", "Z2", share="60", valid_from="2017-01-01")
    b.entry("JX", "X", determined="2023-01-10")
    report = load_bundle(store, catalogue, hasher, b.write(tmp_path / "b"), batch_size=batch_size)
    assert not report.rejects
    # P of H and of X; R is registered for Y; R2 through its registration for Y2.
    assert derive_candidates(store, catalogue, ON).candidates == 3
    got = {(c.controller, c.enterprise): (c.status, c.chain, c.share, c.since) for c in list_candidates(store)}
    assert got == {("P", "H"): (CandidateStatus.candidate, ["P", "H"], 60.0, dt.date(2015, 1, 1)),
                   ("P", "X"): (CandidateStatus.candidate, ["P", "H", "X"], 42.0, dt.date(2015, 1, 1)),
                   ("R2", "Z2"): (CandidateStatus.candidate, ["R2", "Y2", "Z2"], 0.0, dt.date(2017, 1, 1))}
    assert not _restricted(store, catalogue, hasher, "P", ON)  # a candidate restricts nobody

    review = dict(controller="P", enterprise="X", reviewer="王五", department="某市市场监督管理局",
                  reason="股权穿透核实", on=ON)
    confirmed, stats = review_candidate(store, catalogue, CandidateReview(status="confirmed", **review))
    assert confirmed.status is CandidateStatus.confirmed and stats.entries == 1
    assert confirmed.since == dt.date(2015, 1, 1)
    # The controllership is dated from the chain, so the 2023 listing binds P.
    assert _restricted(store, catalogue, hasher, "P", ON)
    assert derive_candidates(store, catalogue, ON).candidates == 3  # found again: the review is kept
    assert list_candidates(store, subject="X")[0].status is CandidateStatus.confirmed

    later = ON + dt.timedelta(days=30)
    rejected, _ = review_candidate(store, catalogue, CandidateReview(status="rejected", **{**review, "on": later}))
    assert rejected.status is CandidateStatus.rejected and rejected.reviewed_on == later
    # A wrong confirmation is undone for every day, not only from the rejection on.
    for day in (ON, later, dt.date(2023, 6, 1)):
        assert not _restricted(store, catalogue, hasher, "P", day)


def test_a_confirmation_adds_nothing_while_a_registered_controllership_runs(store, catalogue, hasher, tmp_path,
                                                                          batch_size):
    b = Bundle()
    for sid in ("H", "X"):
        b.enterprise(sid)
    b.person("P")
    b.role("P", "HOLDS_SHARES", "H", share="60", valid_from="2015-01-01")
    b.role("H", "HOLDS_SHARES", "X", share="70", valid_from="2015-01-01")
    b.role("P", "ACTUAL_CONTROLLER_OF", "H", valid_from="2016-01-01")  # registered for H, not X
    assert not load_bundle(store, catalogue, hasher, b.write(tmp_path / "b"), batch_size=batch_size).rejects
    derive_candidates(store, catalogue, ON)
    assert [(c.controller, c.enterprise) for c in list_candidates(store)] == [("P", "X")]
    # The registrar then records P as X's controller too, and confirms the candidate.
    store.write("load_relations", variant="ACTUAL_CONTROLLER_OF", rows=[
        {"from_id": "P", "to_id": "X", "valid_from": "2020-01-01", "valid_to": OPEN_END, "share": None, "title": None}])
    review_candidate(store, catalogue, CandidateReview(controller="P", enterprise="X", status="confirmed",
                                                      reviewer="王五", department="某局", reason="核实", on=ON))
    assert [r["props"].get("source") for r in _relations(store, "P", "X")] == [None]


def test_without_binding_a_confirmation_restricts_nobody(store, catalogue, hasher, tmp_path, batch_size):
    b = Bundle()
    b.enterprise("X")
    b.person("P")
    b.role("P", "HOLDS_SHARES", "X", share="80", valid_from="2015-01-01")
    b.entry("JX", "X", determined="2023-01-10")
    assert not load_bundle(store, catalogue, hasher, b.write(tmp_path / "b"), batch_size=batch_size).rejects
    derive_candidates(store, catalogue, ON)
    review_candidate(store, catalogue, CandidateReview(controller="P", enterprise="X", status="confirmed",
                                                      reviewer="王五", department="某局", reason="核实", on=ON),
                     bind=False)
    assert list_candidates(store, subject="P")[0].status is CandidateStatus.confirmed
    assert not _restricted(store, catalogue, hasher, "P", ON)


def _relations(store, a, b):
    return [r for r in store.read("snapshot_relationships") if (r["from_id"], r["to_id"]) == (a, b)
            and r["type"] == "ACTUAL_CONTROLLER_OF"]


def test_control_dates_from_the_majority_and_an_ended_registration_is_never_touched(store, catalogue, hasher,
                                                                                   tmp_path, batch_size):
    b = Bundle()
    for sid in ("X", "C"):
        b.enterprise(sid)
    b.person("P")
    # P's 30 % since 2010 and C's 25 % since 2022 make P's majority in X only in 2022.
    b.role("P", "HOLDS_SHARES", "X", share="30", valid_from="2010-01-01")
    b.role("P", "HOLDS_SHARES", "C", share="100", valid_from="2010-01-01")
    b.role("C", "HOLDS_SHARES", "X", share="25", valid_from="2022-01-01")
    # The registry had P as X's controller once, from the same day, and no more.
    b.role("P", "ACTUAL_CONTROLLER_OF", "X", valid_from="2022-01-01", valid_to="2022-12-31")
    b.entry("JX", "X", determined="2023-03-01")
    assert not load_bundle(store, catalogue, hasher, b.write(tmp_path / "b"), batch_size=batch_size).rejects
    derive_candidates(store, catalogue, ON)
    x = next(c for c in list_candidates(store, subject="X") if c.controller == "P")
    assert x.since == dt.date(2022, 1, 1) and x.chain == ["P", "X"]
    review = dict(controller="P", enterprise="X", reviewer="王五", department="某局", reason="核实", on=ON)
    review_candidate(store, catalogue, CandidateReview(status="confirmed", **review))
    periods = sorted((r["props"]["valid_from"], r["props"]["valid_to"], r["props"].get("source"))
                     for r in _relations(store, "P", "X"))
    assert periods == [("2022-01-01", "2022-12-31", None), ("2022-01-01", OPEN_END, "derived")]
    review_candidate(store, catalogue, CandidateReview(status="rejected", **review))
    assert [(r["props"]["valid_to"], r["props"].get("source")) for r in _relations(store, "P", "X")] == [
        ("2022-12-31", None)]


def test_a_loop_does_not_stop_the_derivation_and_lost_control_lapses(store, catalogue, hasher, tmp_path, batch_size):
    b = Bundle()
    for sid in ("A", "B", "C", "Y"):
        b.enterprise(sid)
    for sid in ("P", "Q"):
        b.person(sid)
    b.role("A", "HOLDS_SHARES", "B", share="100", valid_from="2015-01-01")
    b.role("B", "HOLDS_SHARES", "A", share="100", valid_from="2015-01-01")
    b.role("P", "HOLDS_SHARES", "C", share="100", valid_from="2015-01-01")
    b.role("C", "HOLDS_SHARES", "A", share="1", valid_from="2015-01-01")
    b.role("Q", "HOLDS_SHARES", "Y", share="80", valid_from="2015-01-01", valid_to="2024-12-31")
    b.entry("JY", "Y", determined="2023-03-01")
    assert not load_bundle(store, catalogue, hasher, b.write(tmp_path / "b"), batch_size=batch_size).rejects
    found = derive_candidates(store, catalogue, ON)
    assert found.loops and "A, B hold all of one another" in found.loops[0]
    assert {(c.controller, c.enterprise) for c in list_candidates(store)} == {("P", "C"), ("Q", "Y")}
    review_candidate(store, catalogue, CandidateReview(controller="Q", enterprise="Y", status="confirmed",
                                                      reviewer="王五", department="某局", reason="核实", on=ON))
    # Q sold Y at the end of 2024: the next derivation no longer finds the control.
    later = dt.date(2025, 3, 1)
    again = derive_candidates(store, catalogue, later)
    assert again.lapsed == 1 and again.propagation.entries == 1
    y = list_candidates(store, subject="Y")[0]
    assert y.lapsed_on == later
    assert [r["props"]["valid_to"] for r in _relations(store, "Q", "Y")] == ["2025-02-28"]
    # The 2023 listing still binds Q (its controllership then stands); a later one would not.
    assert _restricted(store, catalogue, hasher, "Q", later)
