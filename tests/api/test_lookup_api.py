"""Every key a screener holds, over real HTTP and the CLI: `matched_by` on single and
batch answers, a 409 listing the candidates of a shared name, the subject and graph
endpoints by organisation code and name, and a 15-digit number that may be an old ID
number never looked up for the public nor echoed in clear."""

from __future__ import annotations

import json
import os

import pytest

from graph_model.identity.identifiers import org_code_of, upgrade_resident_id
from tests.factories import Bundle
from tests.serving import api_key, client, free_port, run_cli, serve, stop

OLD_ID = "230103640301002"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lookup")
    env = {**os.environ, "SANCTIONNET_DATA_DIR": str(folder / "data"), "SANCTIONNET_ID_HASH_KEY": "k"}
    b = Bundle()
    b.enterprise("E1", "哈尔滨泰富电气（集团）有限公司")
    b.enterprise("E2", "同名贸易有限公司")
    b.enterprise("E3", "同名贸易有限公司")
    b.person("P1", "杨天夫", id_number=upgrade_resident_id(OLD_ID))
    b.role("P1", "LEGAL_REP_OF", "E1")
    b.entry("J1", "E1", determined="2018-04-08")
    assert run_cli(env, "load", "bundle", str(b.write(folder / "bundle"))).returncode == 0
    port = free_port()
    proc = serve(env, port)
    try:
        yield {"env": env, "port": port, "org": org_code_of(b.subjects[0]["uscc"]),
               "keys": {role: api_key(env, role) for role in ("public", "screener", "investigator")}}
    finally:
        assert stop(proc) == 0
        run_cli(env, "db", "stop")


def _api(site, role="screener"):
    return client(site["port"], site["keys"][role], timeout=10)


def test_single_and_batch_answers_say_what_matched(site):
    org = site["org"]
    with _api(site) as api:
        single = api.get("/v1/check", params={"subject": f"{org[:8]}-{org[8]}"}).json()
        assert (single["subject"]["id"], single["matched_by"]) == ("E1", "org_code")
        batch = api.post("/v1/check/batch", json={"subjects": ["E1", org, "哈尔滨泰富电气(集团)有限公司", OLD_ID,
                                                               "杨天夫"]}).json()
    assert [(a["subject"]["id"], a["matched_by"]) if a else None for a in batch["answers"]] == [
        ("E1", "id"), ("E1", "org_code"), ("E1", "name"), ("P1", "id_number"), None]
    assert batch["not_found"] == [4]  # a person is never found by name


def test_a_shared_name_is_a_409_listing_the_candidates(site):
    with _api(site) as api:
        for answer in (api.get("/v1/check", params={"subject": "同名贸易有限公司"}),
                       api.post("/v1/check/batch", json={"subjects": ["E1", "同名贸易有限公司"]}),
                       api.get("/v1/subjects/同名贸易有限公司")):
            assert answer.status_code == 409, answer.text
            assert answer.headers["content-type"] == "application/problem+json"
            assert [(c["id"], c["name"]) for c in answer.json()["candidates"]] == [
                ("E2", "同名贸易有限公司"), ("E3", "同名贸易有限公司")]
        assert "candidates" not in api.get("/v1/check", params={"subject": "E404"}).json()


def test_the_subject_and_graph_endpoints_take_every_key(site):
    with _api(site) as api:
        assert api.get(f"/v1/subjects/{site['org']}").json()["id"] == "E1"
        assert api.get("/v1/subjects/哈尔滨泰富电气（集团）有限公司").json()["id"] == "E1"
        assert api.get(f"/v1/subjects/{OLD_ID}").json()["id"] == "P1"
    with _api(site, "investigator") as api:
        graph = api.get("/v1/graph/哈尔滨泰富电气(集团)有限公司").json()
    assert {n["id"] for n in graph["nodes"]} >= {"E1", "P1"}


def test_an_old_id_number_is_hidden_from_the_public_and_never_echoed(site, tmp_path):
    with _api(site, "public") as api:
        answer = api.get("/v1/check", params={"subject": OLD_ID})
        batch = api.post("/v1/check/batch", json={"subjects": [OLD_ID]}).json()
    assert answer.status_code == 404 and OLD_ID not in answer.text and "640301" not in answer.text
    assert batch["not_found"] == [0]
    (tmp_path / "keys.txt").write_text(f"{OLD_ID}\n", "utf-8")
    cli = run_cli(site["env"], "check", "--file", str(tmp_path / "keys.txt"), "--json")
    [line] = [json.loads(row) for row in cli.stdout.splitlines()]
    assert line["key"] == "230103******002" and line["answer"]["matched_by"] == "id_number"
