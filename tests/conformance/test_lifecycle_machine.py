"""The lifecycle as a state machine: any sequence of acts (notify, objection, resolve,
repair, revoke) on any days gives, on every day, the answers a plain model of the
rules predicts, for the listed enterprise and for its legal representative; acts the
rules do not allow are refused and change nothing. On every store."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from graph_model.check.rules import check
from graph_model.errors import Conflict
from graph_model.lifecycle.acts import Act, NewEntry, Resolution
from graph_model.lifecycle.transitions import create_entry, transition
from graph_model.vocabulary.days import latest
from loaders.bundle import load_bundle
from tests.factories import Bundle

START = date(2020, 1, 6)
NOTICE = 10  # joint_punishment.yaml notice_days
ALLOWED = {"notify": {"proposed"}, "objection": {"notified", "active"}, "resolve": {"objection_pending"},
           "repair": {"active"}, "revoke": {"proposed", "notified", "active", "objection_pending", "repaired"}}


class Lifecycle(RuleBasedStateMachine):
    """``steps`` is the model: the (day, state) history the rules imply."""

    store = catalogue = hasher = batch_size = None  # set by the test

    @initialize()
    def list_the_enterprise(self) -> None:
        self.store.write("delete_all")
        b = Bundle()
        b.enterprise("E1")
        b.person("P1")
        b.role("P1", "LEGAL_REP_OF", "E1", valid_from="2015-01-01")
        with tempfile.TemporaryDirectory() as tmp:
            assert load_bundle(self.store, self.catalogue, self.hasher, b.write(Path(tmp) / "b"),
                               batch_size=self.batch_size).rejects == []
        create_entry(self.store, self.catalogue, self.hasher, NewEntry(
            subject="E1", list="joint_punishment", deciding_dept="某法院", basis="（2020）黑0103执1号",
            basis_kind="judgment", determined=START, valid_to=latest(), region="230103",
            actor="a", department="d", reason="r", on=START, entry_id="J1"))
        self.steps: list[tuple[date, str]] = [(START, "proposed")]
        self.day = START

    def state_on(self, day: date) -> str | None:
        states = [s for d, s in self.steps if d <= day]
        return states[-1] if states else None

    def act(self, kind: str, gap: int, outcome: str | None = None) -> None:
        self.day = min(self.day + timedelta(days=gap), date.today())
        day, before = self.day, self.state_on(self.day)
        act = Act(actor="a", department="d", reason=kind, on=day)
        if outcome:
            act = Resolution(**act.model_dump(), outcome=outcome)
        # The past is append-only: an act may not be dated before a day the history already
        # has (a notice period that has run out is part of it).
        latest = max(d for d, _ in self.steps if d <= date.today())
        if before not in ALLOWED[kind] or day < latest:
            try:
                transition(self.store, self.catalogue, "J1", kind, act)
            except Conflict:
                return
            raise AssertionError(f"{kind} from {before} on {day} (history to {latest}) was accepted")
        transition(self.store, self.catalogue, "J1", kind, act)
        # A scheduled future state is replaced by what happens first.
        self.steps = [(d, s) for d, s in self.steps if d <= day]
        if kind == "notify":
            self.steps += [(day, "notified"), (day + timedelta(days=NOTICE), "active")]
        elif kind == "objection":
            self.steps.append((day, "objection_pending"))
        elif kind == "resolve" and outcome == "upheld":
            notified = [d for d, s in self.steps if s == "notified"]
            effective = notified[-1] + timedelta(days=NOTICE) if notified else day
            self.steps += [(day, "notified"), (effective, "active")] if effective > day else [(day, "active")]
        else:
            self.steps.append((day, {"resolve": "revoked", "repair": "repaired", "revoke": "revoked"}[kind]))

    @rule(gap=st.integers(0, 20))
    def notify(self, gap):
        self.act("notify", gap)

    @rule(gap=st.integers(0, 20))
    def object_(self, gap):
        self.act("objection", gap)

    @rule(gap=st.integers(0, 20), outcome=st.sampled_from(["upheld", "wrong"]))
    def resolve(self, gap, outcome):
        self.act("resolve", gap, outcome)

    @rule(gap=st.integers(0, 20))
    def repair(self, gap):
        self.act("repair", gap)

    @rule(gap=st.integers(0, 60))
    def revoke(self, gap):
        self.act("revoke", gap)

    @invariant()
    def checks_answer_as_the_model_says(self):
        revoked = any(s == "revoked" for _, s in self.steps)
        days = sorted({d + timedelta(days=k) for d, _ in self.steps for k in (-1, 0, 1)} - {START - timedelta(days=1)})
        for day in days:
            state = self.state_on(day)
            for key in ("E1", "P1"):
                answer = check(self.store, self.catalogue, self.hasher, key, on=day)
                # A revoked listing never bound the persons: their records are gone for every day.
                bound = not (key == "P1" and revoked)
                assert answer.restricted == (bound and state == "active"), (key, day, self.steps)
                assert answer.suspended == (bound and state == "objection_pending"), (key, day, self.steps)


def test_any_sequence_of_acts_answers_as_the_rules_say(store, catalogue, hasher, batch_size):
    Lifecycle.store, Lifecycle.catalogue, Lifecycle.hasher, Lifecycle.batch_size = store, catalogue, hasher, batch_size
    run_state_machine_as_test(Lifecycle, settings=settings(max_examples=15, stateful_step_count=8, deadline=None))
