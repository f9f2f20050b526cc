"""Registrars and implementing departments over real HTTP: entries and their acts,
tasks, feedback and statistics, grades, and the published catalogue."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.api.test_api_cli import _run, api, env, loaded  # noqa: F401  (fixtures)

WHO = {"actor": "王五", "department": "哈尔滨市发展和改革委员会"}


def _entry(api, subject: str, list_: str, **kw) -> dict:
    body = {"subject": subject, "list": list_, "deciding_dept": "哈尔滨市市场监督管理局",
            "basis": "哈市监处〔2024〕12号", "basis_kind": "penalty", "determined": "2024-01-02",
            "region": "230103", "reason": "违背信用承诺", "on": "2024-01-05", **WHO, **kw}
    created = api.post("/v1/entries", json=body)
    assert created.status_code == 201, created.text
    return created.json()


def _act(api, entry_id: str, path: str, on: str, **kw) -> dict:
    done = api.post(f"/v1/entries/{entry_id}/{path}", json={"reason": f"{path} 理由", "on": on, **WHO, **kw})
    assert done.status_code == 200, done.text
    return done.json()


def _check(api, **params) -> dict:
    return api.get("/v1/check", params=params).json()


def test_an_entry_from_decision_to_revocation(env, api):
    entry = _entry(api, "E2", "commitment_breach")
    assert entry["state"] == "proposed" and entry["transitions"][0]["actor"] == "王五"
    entry_id = entry["id"]
    notified = _act(api, entry_id, "notify", "2024-01-10")
    assert notified["effective_from"] == "2024-01-20" and notified["state"] == "active"
    ask = {"subject": "E2", "action": "admin.notify_commit"}
    assert not _check(api, **ask, date="2024-01-19")["restricted"]
    assert _check(api, **ask, date="2024-02-01")["restricted"]
    _act(api, entry_id, "objection", "2024-03-01")
    suspended = _check(api, **ask, date="2024-03-02")
    assert suspended["suspended"] and not suspended["restricted"]
    revoked = _act(api, entry_id, "objection/resolve", "2024-04-01", outcome="wrong")
    assert revoked["state"] == "revoked" and revoked["restoration"]["subject_ids"] == ["E2"]
    assert [t["kind"] for t in revoked["transitions"]] == ["create", "notify", "objection", "resolve"]
    assert [p["state"] for p in revoked["periods"]] == ["proposed", "notified", "active", "objection_pending",
                                                        "revoked"]
    before = _check(api, **ask, date="2024-02-01")
    assert before["restricted"] and before["reasons"][0]["current_state"] == "revoked"
    assert not _check(api, **ask)["restricted"]
    audit = [json.loads(line) for line in (Path(env["SANCTIONNET_DATA_DIR"]) / "audit.log").read_text().splitlines()]
    assert [a["event"] for a in audit if a["event"].startswith("entry_")] == [
        "entry_create", "entry_notify", "entry_objection", "entry_resolve"]


def test_acts_out_of_order_and_bad_bodies_are_problems(api):
    entry_id = _entry(api, "E1", "commitment_breach")["id"]
    repair = api.post(f"/v1/entries/{entry_id}/repair", json={"reason": "r", **WHO})
    assert repair.status_code == 409 and repair.headers["content-type"] == "application/problem+json"
    assert "is proposed on" in repair.json()["detail"]
    assert api.post("/v1/entries/nope/notify", json={"reason": "r", **WHO}).status_code == 404
    missing = api.post(f"/v1/entries/{entry_id}/notify", json={"reason": "r", "actor": "王五"})
    assert missing.status_code == 422 and missing.json()["errors"][0]["loc"] == ["body", "department"]
    unknown_list = api.post("/v1/entries", json={"subject": "E1", "list": "nope", "deciding_dept": "d", "basis": "b",
                                                 "basis_kind": "penalty", "determined": "2024-01-02",
                                                 "reason": "r", **WHO})
    assert unknown_list.status_code == 422 and "unknown list 'nope'" in unknown_list.json()["detail"]
    # A domain refusal names its field as a request's own validation does.
    assert [e["loc"] for e in unknown_list.json()["errors"]] == [["list"]]


def test_tasks_feedback_and_stats(api):
    poor = _entry(api, "E1", "public_credit_poor")
    _act(api, poor["id"], "notify", "2024-01-10")
    tasks = api.get("/v1/tasks", params={"rule": "PR11"}).json()
    assert [(t["subject_id"], t["recipient"], t["due_on"]) for t in tasks] == [
        ("E1", "deciding_dept", "2024-01-20")]
    task_id = tasks[0]["id"]
    report = {"reason": "已约谈法定代表人", "on": "2024-02-01", **WHO}
    closed = api.post(f"/v1/tasks/{task_id}/close", json=report)
    assert closed.status_code == 200, closed.text
    assert (closed.json()["status"], closed.json()["closed_by"], closed.json()["closed_on"]) == (
        "done", "王五", "2024-02-01")
    assert api.get("/v1/tasks", params={"rule": "PR11"}).json() == []  # open ones only, by default
    again = api.post(f"/v1/tasks/{task_id}/close", json=report)
    assert again.status_code == 409 and "is done, not open" in again.json()["detail"]
    assert api.post("/v1/tasks/nope/close", json=report).status_code == 404
    for outcome, reason in (("applied", ""), ("applied", ""), ("not_applied", "项目已于认定前签约")):
        sent = api.post("/v1/feedback", json={"entry_id": "J1", "subject_id": "P1", "action": "finance.credit",
                                              "department": "某银行哈尔滨分行", "region": "230103",
                                              "outcome": outcome, "reason": reason, "on": "2024-06-01"})
        assert sent.status_code == 201, sent.text
    # A report must match a hit the check could have given.
    hit = {"entry_id": "J1", "subject_id": "P1", "action": "finance.credit", "department": "d", "region": "230103",
           "outcome": "applied", "on": "2024-06-01"}
    for change, problem in (({"subject_id": "E2"}, "does not bind this subject"),
                            ({"on": "2017-01-01"}, "it restricted nobody that day"),
                            ({"action": "procurement.bid"}, "does not carry 'bidding' for this subject")):
        refused = api.post("/v1/feedback", json=hit | change)
        assert refused.status_code == 422 and problem in refused.json()["detail"], refused.text
        assert "E2" not in refused.json()["detail"]
    suspended = hit | {"entry_id": "J2", "subject_id": "E2", "on": None}  # J2 is under objection
    refused = api.post("/v1/feedback", json=suspended)
    assert refused.status_code == 422 and "its measures were suspended" in refused.json()["detail"]
    not_applied = suspended | {"outcome": "not_applied", "reason": "异议核实中"}
    assert api.post("/v1/feedback", json=not_applied).status_code == 201
    stats = api.get("/v1/stats").json()
    assert stats["total"] == 4
    assert stats["by_list"] == [{"key": "joint_punishment", "applied": 2, "not_applied": 2, "applied_rate": 0.5}]
    assert stats["by_region"][0]["key"] == "230103" and stats["by_action"][0]["key"] == "finance.credit"
    assert api.get("/v1/stats", params={"since": "2025-01-01"}).json()["total"] == 1  # the one dated today


def test_grade_explains_the_tier_and_is_audited_for_persons(env, api):
    grade = api.get("/v1/subjects/P1/grade", params={"date": "2024-05-01"}).json()
    assert grade["tier"] == "high" and grade["entries"] == ["J1"] and grade["sampling_multiplier"] > 1
    assert "LEGAL_REP_OF" in grade["grounds"][0]
    audit = (Path(env["SANCTIONNET_DATA_DIR"]) / "audit.log").read_text()
    assert '"what": "grade"' in audit


def test_catalogue_export_in_three_formats(env, api):
    version = api.get("/v1/catalogue").json()["version"]
    as_json = _run(env, "catalogue", "export", "--format", "json")
    assert as_json.returncode == 0 and json.loads(as_json.stdout)["version"] == version
    as_csv = list(csv.DictReader(io.StringIO(_run(env, "catalogue", "export", "--format", "csv").stdout)))
    assert {row["catalogue_version"] for row in as_csv} == {version}
    assert {"travel.flight", "office.legal_rep", "admin.green_channel"} <= {row["action"] for row in as_csv}
    assert all(row["legal_basis"] and row["source"] for row in as_csv)
    as_md = _run(env, "catalogue", "export", "--format", "md").stdout
    assert version in as_md and "失信联合惩戒对象名单" in as_md and "| `travel.flight` |" in as_md
