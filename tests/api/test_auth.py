"""Who may do what, over real HTTP: keys made and revoked with the CLI, roles, the
public's masked view, and registrars held to their department and region."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.factories import Bundle
from tests.serving import api_key, client, free_port, run_cli, serve, stop

DEPT = "哈尔滨市市场监督管理局"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("auth")
    env = {**os.environ, "SANCTIONNET_DATA_DIR": str(folder / "data"), "SANCTIONNET_ID_HASH_KEY": "k"}
    b = Bundle()
    b.enterprise("E1", "哈尔滨泰富电气有限公司")
    _, id_number = b.person("P1", "杨天夫")
    b.role("P1", "LEGAL_REP_OF", "E1", valid_from="2003-04-10")
    b.entry("J1", "E1", determined="2018-04-08")
    b.enterprise("E2", "异议中有限公司")
    b.entry("J2", "E2", state="objection_pending")
    b.enterprise("E3", "深圳某有限公司", region="440300")
    assert run_cli(env, "load", "bundle", str(b.write(folder / "bundle"))).returncode == 0
    keys = {role: api_key(env, role) for role in ("public", "screener", "investigator", "admin")}
    keys["registrar"] = api_key(env, "registrar", department=DEPT, dept_type="市场监督管理部门", region="230000")
    port = free_port()
    proc = serve(env, port)
    try:
        yield {"env": env, "port": port, "keys": keys, "id_number": id_number}
    finally:
        assert stop(proc) == 0
        run_cli(env, "db", "stop")


def _as(site, role: str | None):
    return client(site["port"], site["keys"][role] if role else None)


def test_no_key_or_a_bad_key_is_401_and_says_nothing_about_the_subject(site):
    answers = []
    for key in (None, "snk_00000000_nonsense", "Bearer"):
        with client(site["port"], key) as api:
            for subject in ("E1", "E404", site["id_number"]):
                answer = api.get("/v1/check", params={"subject": subject})
                assert answer.status_code == 401 and answer.headers["www-authenticate"].startswith("Bearer")
                answers.append(answer.json()["detail"])
    assert len(set(answers[:3])) == 1 and len(set(answers[3:])) == 1  # the same for known and unknown
    assert site["id_number"] not in json.dumps(answers)
    with client(site["port"], None) as api:
        assert api.get("/healthz").status_code == 200 and api.get("/").status_code == 200


def test_each_role_reaches_what_it_needs_and_no_more(site):
    allowed = {
        "public": {"/v1/check?subject=E1", "/v1/catalogue", "/v1/subjects/E1", "/v1/briefings/E1"},
        # The public's briefing too (issue 17: it was a 403 for the roles between).
        "screener": {"/v1/check?subject=E1", "/v1/catalogue", "/v1/subjects/E1", "/v1/subjects/E1/grade",
                     "/v1/tasks", "/v1/stats", "/v1/briefings/E1"},
        "investigator": {"/v1/check?subject=E1", "/v1/catalogue", "/v1/subjects/E1", "/v1/subjects/E1/grade",
                         "/v1/subjects/E1/sources", "/v1/subjects/E1/owners", "/v1/graph/E1", "/v1/search?q=泰富",
                         "/v1/leads", "/v1/briefings/E1", "/v1/tasks", "/v1/stats", "/v1/entries/J1",
                         "/v1/controller-candidates"},
    }
    every = set().union(*allowed.values())
    for role, paths in allowed.items():
        with _as(site, role) as api:
            for path in sorted(every):
                status = api.get(path).status_code
                assert status == (200 if path in paths else 403), (role, path, status)
    with _as(site, "admin") as api:
        assert all(api.get(path).status_code == 200 for path in every)


def test_a_refusal_does_not_say_whether_the_subject_exists(site):
    with _as(site, "screener") as api:
        known, unknown = api.get("/v1/graph/E1"), api.get("/v1/graph/E404")
        assert known.status_code == unknown.status_code == 403 and known.json() == unknown.json()


def test_the_public_sees_enterprises_own_listings_in_force_and_no_person(site):
    with _as(site, "public") as api:
        e1 = api.get("/v1/check", params={"subject": "E1"}).json()
        assert e1["restricted"] and [r["role"] for r in e1["reasons"]] == ["entity"]
        e2 = api.get("/v1/check", params={"subject": "E2"}).json()  # under objection: not published
        assert e2["reasons"] == [] and not e2["restricted"] and not e2["suspended"]
        for subject in ("P1", site["id_number"]):
            hidden = api.get("/v1/check", params={"subject": subject})
            unknown = api.get("/v1/check", params={"subject": "P404"})
            assert hidden.status_code == unknown.status_code == 404
            assert "杨天夫" not in hidden.text and site["id_number"] not in hidden.text
        assert api.get("/v1/subjects/P1").status_code == 404
        briefing = api.get("/v1/briefings/E1", params={"view": "investigator"})  # asks for more: gets public
        assert briefing.status_code == 200 and "杨天夫" not in briefing.text
    with _as(site, "investigator") as api:
        assert "杨天夫" in api.get("/v1/check", params={"subject": "P1"}).text


def _entry(api, subject: str, dept: str = DEPT, region: str = "230103", list_id: str = "market_ban"):
    return api.post("/v1/entries", json={
        "subject": subject, "list": list_id, "deciding_dept": dept, "basis": "哈市监处〔2024〕12号",
        "basis_kind": "penalty", "determined": "2024-01-02", "region": region, "reason": "违背信用承诺",
        "on": "2024-01-05", "actor": "王五", "department": dept})


def test_a_registrar_records_only_for_its_department_and_region(site):
    with _as(site, "registrar") as api:
        mine = _entry(api, "E1")
        assert mine.status_code == 201, mine.text
        notified = api.post(f"/v1/entries/{mine.json()['id']}/notify",
                            json={"reason": "送达", "on": "2024-01-10", "actor": "王五", "department": DEPT})
        assert notified.status_code == 200
        other_dept = _entry(api, "E1", dept="哈尔滨市税务局")
        assert other_dept.status_code == 403 and DEPT in other_dept.json()["detail"]
        other_region = _entry(api, "E3", region="440300")
        assert other_region.status_code == 403 and "230000" in other_region.json()["detail"]
        # A market regulator does not decide 信用承诺 breaches (审批部门) nor court lists (issue 17, 4).
        for list_id, types in (("commitment_breach", "审批部门"), ("dishonest_debtor", "人民法院")):
            other_list = _entry(api, "E1", list_id=list_id)
            assert other_list.status_code == 403, other_list.text
            assert list_id in other_list.json()["detail"] and types in other_list.json()["detail"]
        # J1 was decided by a court: to this registrar it is as unknown as J404.
        court = api.post("/v1/entries/J1/repair",
                         json={"reason": "修复", "on": "2024-02-01", "actor": "王五", "department": DEPT})
        assert court.status_code == 404
        assert api.get("/v1/graph/E1").status_code == 403
    with _as(site, "investigator") as api:
        assert _entry(api, "E1").status_code == 403


def test_keys_are_stored_hashed_listed_without_secrets_and_revoked_at_once(site):
    env = site["env"]
    token = api_key(env, "screener")
    key_id = token.split("_")[1]
    stored = Path(env["SANCTIONNET_DATA_DIR"], "keys.json")
    assert token not in stored.read_text() and oct(stored.stat().st_mode & 0o777) == "0o600"
    listed = json.loads(run_cli(env, "keys", "list", "--json").stdout)
    assert {k["id"]: k["role"] for k in listed}[key_id] == "screener"
    assert all("hash" not in k for k in listed) and token not in json.dumps(listed)
    with client(site["port"], token) as api:
        assert api.get("/v1/check", params={"subject": "E1"}).status_code == 200
        assert run_cli(env, "keys", "revoke", key_id).returncode == 0
        assert api.get("/v1/check", params={"subject": "E1"}).status_code == 401
    bad = run_cli(env, "keys", "create", "--role", "registrar", "--name", "x")
    assert bad.returncode == 1 and "needs --department, --dept-type and --region" in bad.stderr


def test_the_cli_and_the_exports_mask_for_the_public_as_the_api_does(site):
    env = site["env"]
    cli = json.loads(run_cli(env, "check", "E1", "--json", "--view", "public").stdout)
    with _as(site, "public") as api:
        assert cli == api.get("/v1/check", params={"subject": "E1"}).json()
    hidden = run_cli(env, "check", "P1", "--view", "public")
    assert hidden.returncode == 1 and "杨天夫" not in hidden.stdout + hidden.stderr
    full = run_cli(env, "export", "ftm", "-", "--view", "admin").stdout
    public = run_cli(env, "export", "ftm", "-", "--view", "public").stdout
    assert "杨天夫" in full and "杨天夫" not in public and '"Person"' not in public
    sanctions = [json.loads(line) for line in public.splitlines() if '"Sanction"' in line]
    shown = {s["properties"]["recordId"][0] for s in sanctions}
    assert "J1" in shown and "J2" not in shown  # J2 is under objection
    assert all("named" not in json.dumps(s) for s in sanctions)
    bods = run_cli(env, "export", "bods", "-", "--view", "public").stdout
    assert "杨天夫" not in bods and "personStatement" not in bods and '"P1"' not in bods


def test_a_registrar_learns_nothing_of_other_departments_entries(site):
    with _as(site, "registrar") as api:
        unknown, others = api.get("/v1/entries/J404"), api.get("/v1/entries/J1")  # J1: a court's entry
        assert unknown.status_code == others.status_code == 404
        assert unknown.json()["detail"].replace("J404", "J1") == others.json()["detail"]
        act = {"reason": "修复", "on": "2024-02-01", "actor": "王五", "department": "哈尔滨市税务局"}
        assert api.post("/v1/entries/J404/repair", json=act).status_code == 403  # before any look-up
        assert api.post("/v1/entries/J1/repair", json=act).status_code == 403
        review = {"controller": "P1", "enterprise": "E3", "status": "confirmed", "reviewer": "王五",
                  "department": DEPT, "reason": "核实股权链"}
        assert api.post("/v1/controller-candidates/review", json=review).status_code == 403  # E3: Guangdong


def test_the_public_is_answered_as_of_today(site):
    import datetime as dt
    with _as(site, "public") as api:
        answer = api.get("/v1/check", params={"subject": "E1", "date": "2019-01-01"}).json()
        assert answer["date"] == dt.date.today().isoformat()
    bad = run_cli(site["env"], "keys", "create", "--role", "registrar", "--name", "x", "--department", DEPT,
                  "--dept-type", "市场监督管理部门", "--region", "2301")
    assert bad.returncode == 1 and "six-digit GB/T 2260 code" in bad.stderr
