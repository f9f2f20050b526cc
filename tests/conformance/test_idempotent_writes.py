"""Writes that a retry runs again, on every store: the second run changes nothing.

A managed transaction "might get invoked more than once" (the neo4j driver): on a
cluster a commit can go through while the driver sees an error and runs the
transaction function again, with the same parameters. ``_Retried`` does exactly that
for the writes it names, and hands the caller what the second run returned.
"""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest

from graph_model.leads import LeadKind, LeadStatus, get_lead, make_lead, review_lead, save_leads
from graph_model.lifecycle.acts import Act, NewEntry
from graph_model.lifecycle.transitions import create_entry, transition
from loaders.bundle import load_bundle
from tests.factories import Bundle

T1 = dt.datetime(2025, 6, 1, 9, 30, tzinfo=dt.UTC)
T2 = dt.datetime(2025, 6, 2, 14, 0, tzinfo=dt.UTC)


class _Retried:
    """The test's store: each write named runs a second time with the same parameters
    once the first has committed, and the caller gets the second run's answer."""

    def __init__(self, store, names: set[str]) -> None:
        self._store = store
        self._names = names

    def write(self, name, /, **params):
        summary = self._store.write(name, **params)
        if name in self._names:
            summary = self._store.write(name, **params)
        return summary

    def __getattr__(self, attr):
        return getattr(self._store, attr)


@pytest.fixture
def lead(store):
    lead = make_lead(LeadKind.shared_controller, ["C1"], ["C1", "L2", "L3"], 0.5, "C1 controls L2 and L3",
                     {"listed": ["L2", "L3"]}, ["31", "44"])
    save_leads(store, [lead])
    return lead


def test_a_retried_lead_review_is_recorded_once(store, lead):
    reviewed = review_lead(_Retried(store, {"lead_review"}), lead.id, LeadStatus.confirmed, "investigator 7",
                           "same controller", at=T1)
    assert reviewed.status is LeadStatus.confirmed
    assert reviewed.reviews == ["2025-06-01T09:30:00+00:00 confirmed investigator 7: same controller"]
    assert get_lead(store, lead.id).reviews == reviewed.reviews


def test_a_late_retry_of_a_review_does_not_undo_the_next_one(store, lead):
    review_lead(store, lead.id, LeadStatus.confirmed, "investigator 7", "same controller", at=T1)
    review_lead(store, lead.id, LeadStatus.dismissed, "investigator 9", "two namesakes", at=T2)
    # The first review's transaction runs again after the second committed.
    again = review_lead(store, lead.id, LeadStatus.confirmed, "investigator 7", "same controller", at=T1)
    assert again.status is LeadStatus.dismissed and again.reviewed_by == "investigator 9"
    assert [line.split(" ", 1)[1] for line in again.reviews] == ["confirmed investigator 7: same controller",
                                                                "dismissed investigator 9: two namesakes"]


def test_two_reviews_with_different_reasons_are_both_kept(store, lead):
    review_lead(store, lead.id, LeadStatus.confirmed, "investigator 7", "same controller", at=T1)
    reviewed = review_lead(store, lead.id, LeadStatus.confirmed, "investigator 7", "and same address", at=T1)
    assert len(reviewed.reviews) == 2 and reviewed.reason == "and same address"


@pytest.fixture
def entry(store, catalogue, hasher, bundle_dir):
    b = Bundle()
    b.enterprise("E1", "哈尔滨泰富电气有限公司")
    b.person("P1")
    b.role("P1", "LEGAL_REP_OF", "E1", valid_from="2015-01-01")
    assert load_bundle(store, catalogue, hasher, b.write(bundle_dir)).rejects == []
    new = NewEntry(subject="E1", list="joint_punishment", deciding_dept="哈尔滨市南岗区人民法院",
                   basis="（2024）黑0103执1号", basis_kind="judgment", determined=date(2024, 1, 2), region="230103",
                   actor="李四", department="哈尔滨市南岗区人民法院", reason="拒不履行生效判决", on=date(2024, 1, 5))
    entry_id = create_entry(store, catalogue, hasher, new)
    transition(store, catalogue, entry_id, "notify", _act("2024-01-10"))
    return entry_id


def _act(on: str, reason: str = "告知书已送达") -> Act:
    return Act(actor="王五", department="哈尔滨市发展和改革委员会", reason=reason, on=date.fromisoformat(on))


def test_a_retried_revocation_keeps_who_was_restored(store, catalogue, entry):
    result = transition(_Retried(store, {"revoke_entry"}), catalogue, entry, "revoke",
                        _act("2024-07-01", "原判决被撤销"))
    assert result["state"] == "revoked"
    detail = store.read_one("entry_detail", entry_id=entry)
    assert sorted(detail["restoration"]["subject_ids"]) == ["E1", "P1"]
    assert [t["kind"] for t in sorted(detail["transitions"], key=lambda t: t["seq"])] == ["create", "notify", "revoke"]
    assert detail["entry"]["version"] == 3
    assert [(r["id"], r["role"]) for r in store.read("entry_bound", entry_id=entry)] == [("E1", "entity")]


def test_a_retried_transition_is_accepted_once(store, catalogue, entry):
    result = transition(_Retried(store, {"transition_entry"}), catalogue, entry, "objection",
                        _act("2024-02-01", "异议申请"))
    assert result["state"] == "objection_pending" and result["seq"] == 3
    detail = store.read_one("entry_detail", entry_id=entry)
    assert detail["entry"]["version"] == 3
    assert [t["kind"] for t in sorted(detail["transitions"], key=lambda t: t["seq"])] == [
        "create", "notify", "objection"]
