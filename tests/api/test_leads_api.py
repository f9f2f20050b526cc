"""Leads through the CLI and a real HTTP server: found, listed the same way by both,
reviewed with a reason, and the review kept when the analysis runs again."""

from __future__ import annotations

import json
from pathlib import Path


from tests.api.test_api_cli import _free_port, _run, _serve, _stop
from tests.conformance.test_leads import _network
from tests.serving import api_key, client


def test_leads_are_found_listed_and_reviewed_from_cli_and_api(tmp_path):
    import os
    env = {**os.environ, "SANCTIONNET_DATA_DIR": str(tmp_path / "data"), "SANCTIONNET_ID_HASH_KEY": "k"}
    assert _run(env, "load", "bundle", str(_network().write(tmp_path / "b"))).returncode == 0
    found = _run(env, "leads", "find", "--date", "2025-06-01")
    assert found.returncode == 0 and "phoenix: 1 lead(s)" in found.stdout
    port = _free_port()
    proc = _serve(env, port)
    try:
        with client(port, api_key(env, "admin"), timeout=10) as api:
            listed = api.get("/v1/leads", params={"kind": "phoenix"}).json()
            cli = json.loads(_run(env, "leads", "--kind", "phoenix", "--json").stdout)
            assert listed == cli and [lead["key"] for lead in listed] == [["P1", "N1"]]
            lead_id = listed[0]["id"]
            bad = api.post(f"/v1/leads/{lead_id}/review", json={"status": "confirmed", "reviewer": "李四"})
            assert bad.status_code == 422  # a decision needs its reason
            assert api.post("/v1/leads/Lnone/review",
                            json={"status": "dismissed", "reviewer": "李四", "reason": "查无此线索"}).status_code == 404
            done = api.post(f"/v1/leads/{lead_id}/review",
                            json={"status": "dismissed", "reviewer": "李四", "reason": "同名不同人，已核实身份证号"})
            assert done.status_code == 200 and done.json()["status"] == "dismissed"
            assert _run(env, "leads", "find", "--kind", "phoenix", "--date", "2025-06-01").returncode == 0
            again = api.get("/v1/leads", params={"subject": "P1"}).json()
            assert [(lead["id"], lead["status"], lead["reason"]) for lead in again] == [
                (lead_id, "dismissed", "同名不同人，已核实身份证号")]
            assert {lead["kind"] for lead in api.get("/v1/leads", params={"status": "open"}).json()} == {
                "shared_controller", "circular_ownership", "shell_chain"}
        audit = [json.loads(line) for line in (Path(env["SANCTIONNET_DATA_DIR"]) / "audit.log").read_text().splitlines()]
        assert [(a["lead"], a["status"]) for a in audit if a["event"] == "lead_review"] == [(lead_id, "dismissed")]
        disclosed = [a["persons"] for a in audit if a["event"] == "read_person" and a["what"] == "leads"]
        assert disclosed[0] == ["P1"] and all("P1" in persons for persons in disclosed[:2])
    finally:
        assert _stop(proc) == 0
        _run(env, "db", "stop")


def test_controller_candidates_from_cli_and_api(tmp_path):
    import os
    from tests.factories import Bundle
    env = {**os.environ, "SANCTIONNET_DATA_DIR": str(tmp_path / "data"), "SANCTIONNET_ID_HASH_KEY": "k"}
    b = Bundle()
    b.enterprise("H")
    b.enterprise("X")
    b.person("P", "钱控")
    b.role("P", "HOLDS_SHARES", "H", share="60", valid_from="2015-01-01")
    b.role("H", "HOLDS_SHARES", "X", share="70", valid_from="2015-01-01")
    b.entry("JX", "X", determined="2023-01-10")
    assert _run(env, "load", "bundle", str(b.write(tmp_path / "b"))).returncode == 0
    derived = _run(env, "controllers", "derive")
    assert derived.returncode == 0 and "2 candidate controller(s)" in derived.stdout
    assert not json.loads(_run(env, "check", "P", "--json").stdout)["restricted"]
    port = _free_port()
    proc = _serve(env, port)
    try:
        with client(port, api_key(env, "admin"), timeout=10) as api:
            listed = api.get("/v1/controller-candidates", params={"subject": "X"}).json()
            assert [(c["controller"], c["chain"], c["status"]) for c in listed] == [("P", ["P", "H", "X"], "candidate")]
            assert listed == json.loads(_run(env, "controllers", "list", "--subject", "X", "--json").stdout)
            body = {"controller": "P", "enterprise": "X", "status": "confirmed", "reviewer": "王五",
                    "department": "某市市场监督管理局", "reason": "股权穿透核实"}
            done = api.post("/v1/controller-candidates/review", json=body).json()
            assert done["bound"] and done["entries_derived"] == 1 and done["candidate"]["status"] == "confirmed"
            assert api.get("/v1/check", params={"subject": "P"}).json()["restricted"]
            assert api.post("/v1/controller-candidates/review", json={**body, "enterprise": "H9"}).status_code == 404
        rejected = _run(env, "controllers", "review", "P", "X", "--status", "rejected", "--reviewer", "王五",
                        "--department", "某局", "--reason", "误认")
        assert rejected.returncode == 0 and "rejected" in rejected.stdout
        assert not json.loads(_run(env, "check", "P", "--json").stdout)["restricted"]
    finally:
        assert _stop(proc) == 0
        _run(env, "db", "stop")
