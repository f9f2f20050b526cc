"""Registrars acting at once on one record, on every store: exactly one act wins.

Each conditional write takes the record's write lock before it checks the version or
status it depends on (docs/neo4j.md, "Concurrent acts"). Without the lock, Neo4j's
read-committed isolation lets every writer pass the check and then overwrite the
others. The threads are held at a barrier just before the conditional write, after
each has read the record, so all of them write at the version they read.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest

from analysis.candidates import CandidateReview, derive_candidates, list_candidates, review_candidate
from graph_model.errors import Conflict
from graph_model.lifecycle.acts import Act, NewEntry, Resolution
from graph_model.lifecycle.tasks import close_task
from graph_model.lifecycle.transitions import create_entry, transition
from loaders.bundle import load_bundle
from tests.factories import Bundle

THREADS = 8
ROUNDS = 6  # objection / resolve pairs, then one revocation
NOTICE = 10  # joint_punishment.yaml notice_days


class _Gate:
    """The test's store, holding every thread before the writes named until all of them
    are there: they have all read the record by then, and write at once."""

    def __init__(self, store, names: set[str], parties: int) -> None:
        self._store = store
        self._names = names
        self._barrier = threading.Barrier(parties, timeout=60)

    def write(self, name, /, **params):
        if name in self._names:
            self._barrier.wait()
        return self._store.write(name, **params)

    def __getattr__(self, attr):
        return getattr(self._store, attr)


def _race(call, n: int = THREADS) -> tuple[list, list[Conflict]]:
    """Run ``call(i)`` in n threads at once; return what the winners got and the
    conflicts of the losers (any other error fails the test)."""
    with ThreadPoolExecutor(n) as pool:
        futures = [pool.submit(call, i) for i in range(n)]
    won, lost = [], []
    for future in futures:
        try:
            won.append(future.result())
        except Conflict as exc:
            lost.append(exc)
    return won, lost


def _act(on: date, who: int, **kw) -> Act:
    return Act(actor=f"登记员{who}", department="哈尔滨市发展和改革委员会", reason="依据（2024）黑0103执1号",
               on=on, **kw)


@pytest.fixture
def entry_id(store, catalogue, hasher, bundle_dir) -> str:
    """An entry on joint_punishment, created and notified (two acts): active from day 20."""
    b = Bundle()
    b.enterprise("E1")
    b.person("P1")
    b.role("P1", "LEGAL_REP_OF", "E1", valid_from="2015-01-01")
    assert load_bundle(store, catalogue, hasher, b.write(bundle_dir)).rejects == []
    new = NewEntry(subject="E1", list="joint_punishment", deciding_dept="哈尔滨市南岗区人民法院",
                   basis="（2024）黑0103执1号", basis_kind="judgment", determined=date(2024, 1, 2),
                   region="230103", actor="李四", department="哈尔滨市南岗区人民法院", reason="拒不履行生效判决",
                   on=date(2024, 1, 5))
    entry_id = create_entry(store, catalogue, hasher, new)
    transition(store, catalogue, entry_id, "notify", _act(date(2024, 1, 10), 0))
    return entry_id


def test_one_act_wins_per_version_and_the_sequence_has_no_gap(store, catalogue, entry_id):
    gate = _Gate(store, {"transition_entry", "revoke_entry"}, THREADS)
    seq = 2
    day = date(2024, 3, 1)
    for round_ in range(ROUNDS):
        if round_ == ROUNDS - 1:
            kind, state = "revoke", "revoked"
        elif round_ % 2 == 0:
            kind, state = "objection", "objection_pending"
        else:
            kind, state = "resolve", "active"
        extra = {"outcome": "upheld"} if kind == "resolve" else {}
        act_class = Resolution if kind == "resolve" else Act

        def act(i, kind=kind, day=day, extra=extra, act_class=act_class):
            return transition(gate, catalogue, entry_id, kind, act_class(**_act(day, i).model_dump(), **extra))

        won, lost = _race(act)
        seq += 1
        assert [(w["transition"], w["state"], w["seq"]) for w in won] == [(kind, state, seq)], f"round {round_}"
        assert len(lost) == THREADS - 1
        assert all("changed while" in str(exc) for exc in lost)
        day += timedelta(days=7)

    detail = store.read_one("entry_detail", entry_id=entry_id)
    assert detail["entry"]["version"] == seq and detail["entry"]["state"] == "revoked"
    assert sorted(t["seq"] for t in detail["transitions"]) == list(range(1, seq + 1))
    assert store.read("integrity_acts") == []
    assert store.read("integrity_revoked") == []


def test_a_task_is_closed_once(store, catalogue, hasher, bundle_dir):
    b = Bundle()
    b.subjects.append({"id": "G_sup", "kind": "public_body", "name": "某市人民政府", "region": "230100"})
    b.subjects.append({"id": "G1", "kind": "public_body", "name": "某市交通运输局", "region": "230103"})
    b.role("G1", "SUPERVISED_BY", "G_sup", valid_from="2010-01-01")
    b.entry("J_G1", "G1")
    assert load_bundle(store, catalogue, hasher, b.write(bundle_dir)).rejects == []
    task_id = "PR3|J_G1|G_sup"
    gate = _Gate(store, {"close_task"}, THREADS)
    won, lost = _race(lambda i: close_task(gate, task_id, _act(date(2024, 5, 1), i)))
    assert len(won) == 1 and len(lost) == THREADS - 1
    stored = store.read_one("task_by_id", task_id=task_id)["task"]
    assert stored["status"] == "done" and stored["closed_by"] == won[0]["closed_by"]


def test_confirmations_and_rejections_at_once_leave_a_consistent_candidate(store, catalogue, hasher, bundle_dir):
    """Whichever review commits last decides, and the derived controllership follows it:
    one when confirmed, none when rejected. Each round starts confirmed, and one
    rejection removing the controllership races confirmations that found it in place."""
    b = Bundle()
    for sid in ("H", "X"):
        b.enterprise(sid)
    b.person("P")
    b.role("P", "HOLDS_SHARES", "H", share="60", valid_from="2015-01-01")
    b.role("H", "HOLDS_SHARES", "X", share="70", valid_from="2015-01-01")
    assert load_bundle(store, catalogue, hasher, b.write(bundle_dir)).rejects == []
    on = date(2024, 6, 1)
    derive_candidates(store, catalogue, on)
    gate = _Gate(store, {"confirm_controller_candidate", "reject_controller_candidate"}, THREADS)

    def review(i: int, status: str, via=gate):
        return review_candidate(via, catalogue, CandidateReview(
            controller="P", enterprise="X", status=status, reviewer=f"审核员{i}", department="市场监管局",
            reason="股权穿透核实", on=on))

    outcomes = []
    for _ in range(ROUNDS):
        review(0, "confirmed", via=store)
        won, lost = _race(lambda i: review(i, "rejected" if i == 0 else "confirmed"))
        assert len(won) == THREADS and lost == []
        status = next(c for c in list_candidates(store, subject="X") if c.controller == "P").status.value
        derived = [(r["from_id"], r["to_id"]) for r in store.read("snapshot_relationships")
                   if r["type"] == "ACTUAL_CONTROLLER_OF" and r["props"].get("source") == "derived"]
        outcomes.append((status, derived))
    assert all(derived == ([("P", "X")] if status == "confirmed" else []) for status, derived in outcomes), outcomes
