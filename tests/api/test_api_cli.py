"""The API over real HTTP and the CLI as a user runs them, on the embedded store."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.factories import Bundle
from tests.serving import api_key, client
from tests.serving import free_port as _free_port
from tests.serving import require_chromium
from tests.serving import run_cli as _run
from tests.serving import serve as _serve
from tests.serving import stop as _stop

@pytest.fixture
def env(tmp_path) -> dict:
    return {**os.environ, "SANCTIONNET_DATA_DIR": str(tmp_path / "data"), "SANCTIONNET_ID_HASH_KEY": "k"}


@pytest.fixture
def loaded(env, tmp_path):
    b = Bundle()
    b.enterprise("E1", "哈尔滨泰富电气有限公司")
    _, id_number = b.person("P1", "杨天夫")
    b.role("P1", "LEGAL_REP_OF", "E1", valid_from="2003-04-10")
    b.entry("J1", "E1", determined="2018-04-08")
    b.enterprise("E2")
    b.entry("J2", "E2", state="objection_pending")
    done = _run(env, "load", "bundle", str(b.write(tmp_path / "bundle")))
    assert done.returncode == 0, done.stderr
    assert "subjects.csv" in done.stdout and "propagated 2 entries into 3 restrictions" in done.stdout
    yield {"id_number": id_number, "uscc": b.subjects[0]["uscc"]}
    _run(env, "db", "stop")


@pytest.fixture
def api(env, loaded):
    port = _free_port()
    proc = _serve(env, port)
    yield client(port, api_key(env, "admin"), timeout=10)
    assert _stop(proc) == 0


def test_cli_and_api_give_the_same_answer(env, loaded, api):
    for subject, extra in (("P1", ["--date", "2024-05-01"]), (loaded["uscc"], ["--action", "procurement.bid"]),
                           ("E2", [])):
        cli = _run(env, "check", subject, "--json", *extra)
        assert cli.returncode == 0, cli.stderr
        params = {"subject": subject, **dict(zip([a.lstrip("-") for a in extra[::2]], extra[1::2]))}
        http = api.get("/v1/check", params=params)
        assert http.status_code == 200
        if "date" not in params:  # "today" is the same day for both
            assert json.loads(cli.stdout)["date"] == http.json()["date"]
        assert json.loads(cli.stdout) == http.json()
    person = api.get("/v1/check", params={"subject": loaded["id_number"], "date": "2024-05-01"}).json()
    assert person["restricted"] and person["subject"]["id"] == "P1"
    assert person["reasons"][0]["path"][1]["subject"]["name"] == "哈尔滨泰富电气有限公司"
    assert api.get("/v1/check", params={"subject": "E2"}).json()["suspended"] is True


def test_errors_are_problem_json(api):
    missing = api.get("/v1/check", params={"subject": "E404"})
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["detail"].startswith("no subject has the key 'E404' (a bundle id, USCC,")
    bad = api.get("/v1/check", params={"subject": "E1", "date": "2024-13-01"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["query", "date"]
    extra = api.get("/v1/check", params={"subject": "E1", "bogus": "1"})
    assert extra.status_code == 422


def test_an_id_number_in_the_path_never_comes_back(api):
    unknown = "11010119750517001X"
    body = api.get(f"/v1/subjects/{unknown}").json()
    assert body["status"] == 404 and body["instance"] == "/v1/subjects/{key}"
    assert "19750517" not in json.dumps(body)


def test_subject_view_masks_and_audits(env, loaded, api):
    person = api.get(f"/v1/subjects/{loaded['id_number']}").json()
    assert person["id"] == "P1"
    assert person["id_masked"] == loaded["id_number"][:6] + "********" + loaded["id_number"][-4:]
    api.get("/v1/check", params={"subject": "P1"})
    audit = [json.loads(line) for line in (Path(env["SANCTIONNET_DATA_DIR"]) / "audit.log").read_text().splitlines()]
    assert [(a["event"], a["subject"]) for a in audit] == [("read_person", "P1"), ("check", "P1")]
    assert loaded["id_number"] not in json.dumps(audit)


def test_owners_and_controlled_from_the_cli_and_the_api(env, tmp_path):
    b = Bundle()
    b.enterprise("H", "控股有限公司")
    b.enterprise("X", "目标有限公司")
    b.person("P", "张控")
    b.role("P", "HOLDS_SHARES", "H", share="80", valid_from="2015-01-01")
    b.role("H", "HOLDS_SHARES", "X", share="60", valid_from="2015-01-01")
    assert _run(env, "load", "bundle", str(b.write(tmp_path / "own"))).returncode == 0
    port = _free_port()
    proc = _serve(env, port)
    try:
        with client(port, api_key(env, "admin"), timeout=10) as api:
            for command, path, subject in (("owners", "owners", "X"), ("controlled", "controlled", "P")):
                cli = _run(env, command, subject, "--date", "2024-01-01", "--json")
                assert cli.returncode == 0, cli.stderr
                http = api.get(f"/v1/subjects/{subject}/{path}", params={"date": "2024-01-01"})
                assert http.status_code == 200 and json.loads(cli.stdout) == http.json()
            owners = api.get("/v1/subjects/X/owners", params={"date": "2024-01-01"}).json()
            assert [(o["subject"]["id"], o["basis"], o["share"], o["paths"][0]["ids"])
                    for o in owners["ultimate_owners"]] == [("P", "equity", 48.0, ["P", "H", "X"])]
            assert [c["subject"]["id"] for c in api.get("/v1/subjects/P/controlled").json()["controlled"]] == ["H", "X"]
            assert api.get("/v1/subjects/X/owners", params={"date": "2014-01-01"}).json()["ultimate_owners"] == []
        audit = [json.loads(line) for line in (Path(env["SANCTIONNET_DATA_DIR"]) / "audit.log").read_text().splitlines()]
        assert {(a["what"], tuple(a["persons"])) for a in audit if a["event"] == "read_person"} == {
            ("owners", ("P",)), ("controlled", ("P",))}
        assert "张控" in _run(env, "owners", "X").stdout
    finally:
        assert _stop(proc) == 0
        _run(env, "db", "stop")


def test_page_and_catalogue_are_served(api):
    page = api.get("/")
    assert page.status_code == 200 and "sanctionnet" in page.text
    assert api.get("/static/check.js").status_code == 200
    assert api.get("/static/vendor/vis/vis-network.min.js").status_code == 200
    catalogue = api.get("/v1/catalogue").json()
    assert catalogue["lists"]["joint_punishment"]["propagation"][0]["rule"] == "PR1"
    assert catalogue["version"] == api.get("/v1/check", params={"subject": "E1"}).json()["catalogue_version"]


def test_page_shows_the_verdict_and_reasons_in_chromium(api, tmp_path):
    """A person opens a link to a check: the page runs it and shows what they need."""
    chromium = require_chromium()
    url = f"{api.base_url}/check?subject=E2#key={api.headers['authorization'][7:]}"
    done = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=10000", "--dump-dom",
                           url], capture_output=True, text=True, timeout=120)
    dom = done.stdout
    assert 'data-state="suspended"' in dom, done.stderr[-2000:]
    assert "E2有限公司 (E2): SUSPENDED" in dom
    assert "J2 on joint_punishment — objection_pending" in dom
    assert "Not enforced while the objection is checked" in dom
    assert 'class="measure">bidding<' in dom


def test_api_starts_the_store_and_ctrl_c_stops_both(env):
    # A store that exists but is stopped (a folder without one is refused: test_cli_store_audit).
    assert _run(env, "db", "start").returncode == 0 and _run(env, "db", "stop").returncode == 0
    assert _run(env, "db", "status").returncode == 3
    port = _free_port()
    proc = _serve(env, port)  # the store was not running: the API starts it
    assert _run(env, "db", "status").returncode == 0
    assert _stop(proc) == 0
    assert _run(env, "db", "status").returncode == 3


def test_a_store_started_by_hand_outlives_the_api(env):
    assert _run(env, "db", "start").returncode == 0
    again = _run(env, "db", "start")
    assert again.returncode == 0 and "already running" in again.stdout
    proc = _serve(env, _free_port())
    assert _stop(proc) == 0
    assert _run(env, "db", "status").returncode == 0
    assert _run(env, "db", "stop").returncode == 0


def test_cli_exit_codes(env, loaded, tmp_path):
    unknown = _run(env, "check", "E404")
    assert unknown.returncode == 1 and "no subject" in unknown.stderr
    blocker = tmp_path / "file"
    blocker.write_text("x")
    nowhere = {**env, "SANCTIONNET_DATA_DIR": str(blocker / "data")}
    down = _run(nowhere, "check", "E1")
    assert down.returncode == 3 and f"no store in {blocker / 'data'}" in down.stderr.replace("\n", "")
    unusable = _run(nowhere, "load", "bundle", str(tmp_path / "bundle"))  # a load would make one: it cannot
    assert unusable.returncode == 3 and "cannot use data folder" in unusable.stderr


def test_db_propagate_derives_everything_again_idempotently(env, loaded):
    for _ in range(2):
        done = _run(env, "db", "propagate")
        assert done.returncode == 0, done.stderr
        assert "propagated 2 entries into 3 restrictions" in done.stdout


def test_demo_generates_and_loads_cleanly(env):
    done = _run(env, "demo", "--enterprises", "300", "--seed", "3")
    try:
        assert done.returncode == 0, done.stderr
        assert "rejected" not in done.stderr
        folder = Path(env["SANCTIONNET_DATA_DIR"]) / "demo-bundle"
        listed, determined = next((f[1], f[6]) for f in (line.split(",") for line in
                                  (folder / "entries.csv").read_text().splitlines()[1:]) if f[7] == "active")
        answer = json.loads(_run(env, "check", listed, "--json", "--date", determined).stdout)
        assert answer["restricted"] and answer["reasons"][0]["entry_id"]
    finally:
        _run(env, "db", "stop")
