"""Every transition of an entry, on every store: due process and dated answers.

proposed -> notified -> active (after the notice period) -> objection_pending ->
active or revoked; active -> repaired. Every act is recorded; a dated check answers
from the history, so "was P restricted on that day?" survives a repair.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import pytest
import yaml

from graph_model.catalogue.model import BUNDLED_DIR, load_catalogue
from graph_model.check.rules import check
from graph_model.errors import Conflict, InvalidInput, NotFound
from graph_model.lifecycle.acts import Act, NewEntry, Resolution
from graph_model.lifecycle.transitions import create_entry, transition
from loaders.bundle import load_bundle
from tests.factories import Bundle

NOTICE = 10  # joint_punishment.yaml notice_days


@pytest.fixture
def people(store, catalogue, hasher, bundle_dir):
    b = Bundle()
    b.enterprise("E1", "哈尔滨泰富电气有限公司")
    b.person("P1")
    b.role("P1", "LEGAL_REP_OF", "E1", valid_from="2015-01-01")
    b.enterprise("E2")
    b.person("P2")
    b.role("P2", "ACTUAL_CONTROLLER_OF", "E2", valid_from="2015-01-01")
    assert load_bundle(store, catalogue, hasher, b.write(bundle_dir)).rejects == []
    return b


def act(on: str, reason: str = "依据（2024）黑0103执1号") -> Act:
    return Act(actor="王五", department="哈尔滨市发展和改革委员会", reason=reason, on=date.fromisoformat(on))


def new(subject: str, on: str = "2024-01-05", **kw) -> NewEntry:
    return NewEntry(subject=subject, list="joint_punishment", deciding_dept="哈尔滨市南岗区人民法院",
                    basis="（2024）黑0103执1号", basis_kind="judgment", determined=date(2024, 1, 2),
                    region="230103", actor="李四", department="哈尔滨市南岗区人民法院", reason="拒不履行生效判决",
                    on=date.fromisoformat(on), **kw)


def restricted(store, catalogue, hasher, key: str, on: str) -> tuple[bool, bool]:
    answer = check(store, catalogue, hasher, key, on=date.fromisoformat(on))
    return answer.restricted, answer.suspended


def test_due_process_from_proposal_to_repair(store, catalogue, hasher, people):
    entry_id = create_entry(store, catalogue, hasher, new("E1"))
    for key in ("E1", "P1"):
        assert restricted(store, catalogue, hasher, key, "2024-01-08") == (False, False)  # proposed: nothing yet
    transition(store, catalogue, entry_id, "notify", act("2024-01-10", "告知书已送达"))
    effective = date(2024, 1, 10) + timedelta(days=NOTICE)
    for key in ("E1", "P1"):
        assert restricted(store, catalogue, hasher, key, str(effective - timedelta(days=1))) == (False, False)
        assert restricted(store, catalogue, hasher, key, str(effective)) == (True, False)
    transition(store, catalogue, entry_id, "objection", act("2024-03-01", "主体提出异议：已履行判决"))
    for key in ("E1", "P1"):
        # GZ (十七): measures are not enforced while the objection is checked, from that day on.
        assert restricted(store, catalogue, hasher, key, "2024-03-01") == (False, True)
        assert restricted(store, catalogue, hasher, key, "2024-02-29") == (True, False)
    transition(store, catalogue, entry_id, "resolve",
               Resolution(**act("2024-04-01", "核实：未履行").model_dump(), outcome="upheld"))
    assert restricted(store, catalogue, hasher, "P1", "2024-04-01") == (True, False)
    transition(store, catalogue, entry_id, "repair", act("2024-09-01", "完成信用修复：作出信用承诺、完成整改"))
    for key in ("E1", "P1"):
        assert restricted(store, catalogue, hasher, key, "2024-09-01") == (False, False)
        # The past keeps its answer after the repair, and says what happened since.
        before = check(store, catalogue, hasher, key, on=date(2024, 5, 1))
        assert before.restricted
        assert [(r.state, r.current_state) for r in before.reasons] == [("active", "repaired")]
    detail = store.read_one("entry_detail", entry_id=entry_id)
    transitions = sorted(detail["transitions"], key=lambda t: t["seq"])
    assert [(t["kind"], t["to_state"], t["on"]) for t in transitions] == [
        ("create", "proposed", "2024-01-05"), ("notify", "notified", "2024-01-10"),
        ("objection", "objection_pending", "2024-03-01"), ("resolve", "active", "2024-04-01"),
        ("repair", "repaired", "2024-09-01")]
    assert all(t["actor"] and t["department"] and t["reason"] and t["at"] for t in transitions)


def test_objection_in_the_notice_period_then_revocation(store, catalogue, hasher, people):
    """Acts recorded as they happen: notified three days ago, the objection comes today,
    inside the notice period, so the entry never takes effect."""
    today = date.today()
    entry_id = create_entry(store, catalogue, hasher, new("E2", on=str(today - timedelta(days=5))))
    transition(store, catalogue, entry_id, "notify", act(str(today - timedelta(days=3))))
    scheduled = today - timedelta(days=3) + timedelta(days=NOTICE)
    transition(store, catalogue, entry_id, "objection", act(str(today), "认定对象有误"))
    # The scheduled end of the notice period never comes: the objection replaced it.
    assert restricted(store, catalogue, hasher, "E2", str(scheduled)) == (False, True)
    result = transition(store, catalogue, entry_id, "resolve",
                        Resolution(**act(str(today), "核实有误").model_dump(), outcome="wrong"))
    assert result["state"] == "revoked"
    for on in (today, scheduled):
        assert restricted(store, catalogue, hasher, "P2", str(on)) == (False, False)
        assert restricted(store, catalogue, hasher, "E2", str(on)) == (False, False)
    detail = store.read_one("entry_detail", entry_id=entry_id)
    assert detail["restoration"]["subject_ids"] == ["E2", "P2"]
    assert "恢复其信誉" in detail["restoration"]["statement"]
    assert store.read("entry_bound", entry_id=entry_id) == [
        {"id": "E2", "kind": "enterprise", "name": "E2有限公司", "role": "entity", "rule": "PR1"}]


def test_an_objection_upheld_inside_the_notice_period_keeps_the_rest_of_it(store, catalogue, hasher, people):
    """The subject objects three days into its notice period and the listing is upheld
    two days later: it takes effect when the notice period ends, not on the day the
    objection is resolved."""
    today = date.today()
    entry_id = create_entry(store, catalogue, hasher, new("E2", on=str(today - timedelta(days=6))))
    transition(store, catalogue, entry_id, "notify", act(str(today - timedelta(days=5))))
    transition(store, catalogue, entry_id, "objection", act(str(today - timedelta(days=2)), "已履行"))
    result = transition(store, catalogue, entry_id, "resolve",
                        Resolution(**act(str(today), "核实：未履行").model_dump(), outcome="upheld"))
    effective = today - timedelta(days=5) + timedelta(days=NOTICE)
    assert (result["state"], result["on"]) == ("notified", str(today))
    assert restricted(store, catalogue, hasher, "P2", str(today)) == (False, False)
    assert restricted(store, catalogue, hasher, "P2", str(effective - timedelta(days=1))) == (False, False)
    assert restricted(store, catalogue, hasher, "P2", str(effective)) == (True, False)
    detail = store.read_one("entry_detail", entry_id=entry_id)
    [resolve] = [t for t in detail["transitions"] if t["kind"] == "resolve"]
    assert (resolve["to_state"], resolve["effective_from"]) == ("notified", str(effective))


def test_revoking_an_active_entry_removes_person_records_and_keeps_the_entity_history(store, catalogue, hasher,
                                                                                      people, tmp_path):
    entry_id = create_entry(store, catalogue, hasher, new("E1"))
    transition(store, catalogue, entry_id, "notify", act("2024-01-10"))
    assert restricted(store, catalogue, hasher, "P1", "2024-06-01") == (True, False)
    transition(store, catalogue, entry_id, "revoke", act("2024-07-01", "原判决被撤销"))
    assert restricted(store, catalogue, hasher, "P1", "2024-06-01") == (False, False)
    assert restricted(store, catalogue, hasher, "E1", "2024-07-01") == (False, False)
    past = check(store, catalogue, hasher, "E1", on=date(2024, 6, 1))
    assert past.restricted and past.reasons[0].current_state == "revoked"
    # Propagating again (a reload, a role change) does not bring the person back.
    load_bundle(store, catalogue, hasher, people.write(tmp_path / "again"))
    assert restricted(store, catalogue, hasher, "P1", "2024-06-01") == (False, False)


@pytest.mark.parametrize("steps, kind, message", [
    ([], "repair", "is proposed on"),
    ([], "objection", "is proposed on"),
    ([("notify", "2024-01-10")], "notify", "is active on"),
    ([("notify", "2024-01-10"), ("objection", "2024-02-01")], "objection", "is objection_pending"),
    ([("notify", "2024-01-10"), ("revoke", "2024-02-01")], "repair", "is revoked"),
    ([("notify", "2024-01-10"), ("objection", "2024-02-01")], "notify", "needs proposed"),
])
def test_transitions_out_of_order_are_refused(store, catalogue, hasher, people, steps, kind, message):
    entry_id = create_entry(store, catalogue, hasher, new("E1"))
    for step, on in steps:
        transition(store, catalogue, entry_id, step, act(on))
    with pytest.raises(Conflict, match=message):
        payload = act("2024-06-01")
        if kind == "resolve":
            payload = Resolution(**payload.model_dump(), outcome="upheld")
        transition(store, catalogue, entry_id, kind, payload)


def test_history_is_append_only_and_acts_are_not_in_the_future(store, catalogue, hasher, people):
    entry_id = create_entry(store, catalogue, hasher, new("E1"))
    transition(store, catalogue, entry_id, "notify", act("2024-01-10"))
    with pytest.raises(Conflict, match="append-only"):
        transition(store, catalogue, entry_id, "objection", act("2024-01-12"))  # before the effective day
    tomorrow = date.today() + timedelta(days=1)
    with pytest.raises(InvalidInput, match="in the future"):
        transition(store, catalogue, entry_id, "objection", act(tomorrow.isoformat()))
    with pytest.raises(NotFound):
        transition(store, catalogue, "nope", "notify", act("2024-01-10"))


def test_a_stale_transition_loses(store, catalogue, hasher, people):
    """Two registrars act on the same entry: the second, based on an old read, is refused."""
    entry_id = create_entry(store, catalogue, hasher, new("E1"))
    stale = store.read_one("entry_by_id", entry_id=entry_id)["entry"]
    transition(store, catalogue, entry_id, "notify", act("2024-01-10"))
    # The other registrar's act carries its own token, as transition() gives every call.
    written = store.write("transition_entry", entry_id=entry_id, version=stale["version"],
                          tx_id=f"{entry_id}|{stale['version'] + 1}|0badc0de", state="revoked",
                          history=stale["history"], closed_on=None, tx={"kind": "revoke"})
    assert written.rows == []
    assert store.read_one("entry_by_id", entry_id=entry_id)["entry"]["state"] == "notified"


def test_creation_checks_the_decision(store, catalogue, hasher, people):
    with pytest.raises(InvalidInput, match="unknown list"):
        create_entry(store, catalogue, hasher, new("E1").model_copy(update={"list": "nope"}))
    with pytest.raises(InvalidInput, match="has no permanent entries"):
        create_entry(store, catalogue, hasher, new("E1", permanent=True))
    with pytest.raises(InvalidInput, match="determined: after the day"):
        create_entry(store, catalogue, hasher, new("E1", on="2023-12-01"))
    with pytest.raises(InvalidInput, match="binds no persons named"):
        create_entry(store, catalogue, hasher, new("E1", named=["P1"]))
    entry_id = create_entry(store, catalogue, hasher, new("E1", entry_id="JX"))
    with pytest.raises(Conflict, match="already exists"):
        create_entry(store, catalogue, hasher, new("E1", entry_id="JX"))
    # The list's default duration applies when the decision gives none.
    entry = store.read_one("entry_by_id", entry_id=entry_id)["entry"]
    assert entry["valid_to"] == "2027-01-01"


def test_a_bundle_cannot_overwrite_an_entry_managed_by_transitions(store, catalogue, hasher, people, tmp_path):
    entry_id = create_entry(store, catalogue, hasher, new("E1", entry_id="JM"))
    transition(store, catalogue, entry_id, "notify", act("2024-01-10"))
    b = Bundle(subjects=list(people.subjects))
    b.entry("JM", "E1", state="repaired", state_since="2024-05-01")
    report = load_bundle(store, catalogue, hasher, b.write(tmp_path / "b2"))
    assert [(r.field, r.reason) for r in report.rejects] == [
        ("entry_id", "entry 'JM' is managed through the API; change it by a transition")]
    assert store.read_one("entry_by_id", entry_id="JM")["entry"]["state"] == "notified"
    # The statement itself refuses, for a row that got past the loader's check before
    # the API took the entry over (or that names another subject for an entry).
    create_entry(store, catalogue, hasher, new("E1", entry_id="JB"))
    props = {"list": "joint_punishment", "state": "repaired", "source": "bundle"}
    written = store.write("load_entries", rows=[{"id": "JM", "subject_id": "E1", "props": props},
                                                {"id": "JB", "subject_id": "E2", "props": props}])
    assert written.rows == []
    for entry_id, state in (("JM", "notified"), ("JB", "proposed")):
        found = store.read_one("entry_by_id", entry_id=entry_id)
        assert (found["entry"]["state"], found["subject"]["id"]) == (state, "E1")


def test_a_lists_maximum_duration_binds_api_and_bundle(store, hasher, people, tmp_path):
    """A policy officer caps a list's duration (``duration.max_years``): no entry, made
    through the API or loaded, may run longer, and an open-ended one is refused."""
    folder = tmp_path / "catalogue"
    shutil.copytree(BUNDLED_DIR, folder)
    path = folder / "lists" / "joint_punishment.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["duration"].update(default_years=None, max_years=2)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    capped = load_catalogue(folder)
    with pytest.raises(InvalidInput, match="at most 2 years: valid_to must be on or before 2026-01-01"):
        create_entry(store, capped, hasher, new("E1"))
    with pytest.raises(InvalidInput, match="at most 2 years"):
        create_entry(store, capped, hasher, new("E1", valid_to=date(2026, 1, 2)))
    assert create_entry(store, capped, hasher, new("E1", valid_to=date(2026, 1, 1)))
    b = Bundle(subjects=list(people.subjects))
    b.entry("B_open", "E2")
    b.entry("B_ok", "E2", valid_to="2024-02-29")  # decided 2022-03-01
    report = load_bundle(store, capped, hasher, b.write(tmp_path / "b"))
    assert [(r.field, r.reason) for r in report.rejects] == [
        ("valid_to", "the list binds for at most 2 years: valid_to must be on or before 2024-02-29")]
    assert report.loaded["entries.csv"] == 1
