"""Derived controllers: candidates restrict nobody; a confirmed one is restricted by
PR1 like a registered controller (when the setting binds it); rejecting it undoes that."""

from __future__ import annotations

import datetime as dt

from analysis.controllers import CandidateReview, CandidateStatus, derive_candidates, list_candidates, review_candidate
from graph_model.rules import check
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
    b.entry("JX", "X", determined="2023-01-10")
    report = load_bundle(store, catalogue, hasher, b.write(tmp_path / "b"), batch_size=batch_size)
    assert not report.rejects
    assert derive_candidates(store, ON) == 2  # P of H and of X; R is registered for Y
    got = {(c.controller, c.enterprise): (c.status, c.chain) for c in list_candidates(store)}
    assert got == {("P", "H"): (CandidateStatus.candidate, ["P", "H"]),
                   ("P", "X"): (CandidateStatus.candidate, ["P", "H", "X"])}
    assert not _restricted(store, catalogue, hasher, "P", ON)  # a candidate restricts nobody

    review = dict(controller="P", enterprise="X", reviewer="王五", department="某市市场监督管理局",
                  reason="股权穿透核实", on=ON)
    confirmed, stats = review_candidate(store, catalogue, CandidateReview(status="confirmed", **review))
    assert confirmed.status is CandidateStatus.confirmed and stats.entries == 1
    assert confirmed.since == dt.date(2015, 1, 1)
    # The controllership is dated from the chain, so the 2023 listing binds P.
    assert _restricted(store, catalogue, hasher, "P", ON)
    assert derive_candidates(store, ON) == 2  # found again: the review is kept
    assert list_candidates(store, subject="X")[0].status is CandidateStatus.confirmed

    later = ON + dt.timedelta(days=30)
    rejected, _ = review_candidate(store, catalogue, CandidateReview(status="rejected", **{**review, "on": later}))
    assert rejected.status is CandidateStatus.rejected and rejected.reviewed_on == later
    # A wrong confirmation is undone for every day, not only from the rejection on.
    for day in (ON, later, dt.date(2023, 6, 1)):
        assert not _restricted(store, catalogue, hasher, "P", day)


def test_without_binding_a_confirmation_restricts_nobody(store, catalogue, hasher, tmp_path, batch_size):
    b = Bundle()
    b.enterprise("X")
    b.person("P")
    b.role("P", "HOLDS_SHARES", "X", share="80", valid_from="2015-01-01")
    b.entry("JX", "X", determined="2023-01-10")
    assert not load_bundle(store, catalogue, hasher, b.write(tmp_path / "b"), batch_size=batch_size).rejects
    derive_candidates(store, ON)
    review_candidate(store, catalogue, CandidateReview(controller="P", enterprise="X", status="confirmed",
                                                      reviewer="王五", department="某局", reason="核实", on=ON),
                     bind=False)
    assert list_candidates(store, subject="P")[0].status is CandidateStatus.confirmed
    assert not _restricted(store, catalogue, hasher, "P", ON)
