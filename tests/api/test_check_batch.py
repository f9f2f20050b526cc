"""The batch check: ``check_many`` answers as one ``check`` per key does, on every store;
``POST /v1/check/batch`` over real HTTP answers in order, masks and audits as
``GET /v1/check`` does; ``sanctionnet check --file`` prints the same answers."""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
from datetime import date
from pathlib import Path

import pytest

from demo.generate import generate_bundle
from graph_model.check.rules import check, check_many
from graph_model.errors import InvalidInput, NotFound
from graph_model.identity.identifiers import make_resident_id, make_uscc
from graph_model.identity.pii import IdHasher
from loaders.bundle import load_bundle
from tests.serving import CLI, api_key, client, free_port, run_cli, serve, stop

# Every way of asking: today; a past date; an action in a region; an incentive action
# (which reads the clean years before the date); a region in another province.
ASKED = [{}, {"on": date(2023, 6, 1)}, {"action": "procurement.bid", "on": date(2024, 5, 1), "region": "230103"},
         {"action": "admin.green_channel"}, {"region": "440300"}]


def _subjects(folder: Path) -> list[dict]:
    with open(folder / "subjects.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# Keys that name nobody: an id, a valid USCC and a valid ID number nobody has, a
# mistyped ID number, blanks and a quote.
_RNG = random.Random(5)
UNKNOWN = ["E999999", make_uscc(_RNG, "230103"), make_resident_id(_RNG, "110101", date(1960, 1, 2), male=True),
           "11010119750517001Y", "   ", "' OR 1=1 //"]


def _keys(subjects: list[dict]) -> list[str]:
    """Every subject by bundle id, USCC and ID number, as people type them too, keys
    that name nobody, and repeats."""
    rng = random.Random(5)
    firms = [s for s in subjects if s["uscc"]]
    persons = [s for s in subjects if s["id_number"]]
    keys = [s["id"] for s in subjects] + [s["uscc"] for s in firms] + [s["id_number"] for s in persons]
    keys += [f" {firms[0]['uscc'].lower()} ", persons[0]["id_number"][:6] + "-" + persons[0]["id_number"][6:],
             "P000001 ", *UNKNOWN]
    keys += rng.sample(keys, 40)
    rng.shuffle(keys)
    return keys


class Counting:
    """A store that counts its reads (every call goes to the real store)."""

    def __init__(self, store) -> None:
        self.store, self.reads = store, 0

    def read(self, name, /, **params):
        self.reads += 1
        return self.store.read(name, **params)

    def __getattr__(self, name):
        return getattr(self.store, name)


@pytest.fixture
def demo(store, catalogue, hasher, tmp_path, batch_size):
    folder = tmp_path / "demo"
    generate_bundle(folder, enterprises=100, seed=0)
    assert load_bundle(store, catalogue, hasher, folder, batch_size=batch_size).rejects == []
    return _subjects(folder)


def _one(store, catalogue, hasher, key, **asked):
    try:
        return check(store, catalogue, hasher, key, **asked)
    except NotFound:
        return None


def _for(store_keys: list[str], batch_size: int) -> tuple[list[str], int]:
    """The keys and chunk size a store takes. FalkorDB's Bolt port (batch_size 1) pastes
    parameters into the query text unescaped and crashes on a statement of a few
    kilobytes (docs/neo4j.md): no quote, and small chunks, there."""
    if batch_size == 1:
        return [key for key in store_keys if "'" not in key], 16
    return store_keys, 97  # several chunks: each read ahead while the last is judged


def test_check_many_answers_as_check_does_for_every_kind_of_key(store, catalogue, hasher, demo, batch_size):
    keys, chunk = _for(_keys(demo), batch_size)
    for asked in ASKED:
        many = check_many(store, catalogue, hasher, keys, chunk=chunk, **asked)
        assert many == [_one(store, catalogue, hasher, key, **asked) for key in keys], asked
    today = check_many(store, catalogue, hasher, keys, chunk=chunk)
    assert {a.reasons[0].state.value for a in today if a and a.reasons} >= {"active", "objection_pending"}
    assert {key for key, a in zip(keys, today) if a is None} == set(UNKNOWN) & set(keys)
    assert sum(bool(a and a.restricted) for a in today) > 3


def test_check_many_reads_a_constant_number_of_times_per_chunk(store, catalogue, hasher, demo, batch_size):
    keys, chunk = _for(_keys(demo), batch_size)
    chunk = min(chunk, 100)
    counting = Counting(store)
    assert check_many(counting, catalogue, hasher, keys, chunk=chunk) == check_many(store, catalogue, hasher, keys,
                                                                                     chunk=chunk + 1)
    chunks = -(-len(set(keys)) // chunk)
    # Per chunk: bundle ids and ID-number hashes; USCCs, organisation codes and names not
    # found as ids; and the names on paths.
    assert counting.reads <= 6 * chunks
    assert check_many(counting, catalogue, hasher, []) == []


def test_check_many_refuses_what_check_refuses(store, catalogue, hasher, demo):
    for bad in ({"action": "travel.fligh"}, {"region": "990000"}):
        with pytest.raises(InvalidInput) as many:
            check_many(store, catalogue, hasher, ["E000001"], **bad)
        with pytest.raises(InvalidInput) as one:
            check(store, catalogue, hasher, "E000001", **bad)
        assert many.value.detail == one.value.detail
        with pytest.raises(InvalidInput):
            check_many(store, catalogue, hasher, [], **bad)


# --------------------------------------------------------------------------- over HTTP


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batch")
    env = {**os.environ, "SANCTIONNET_DATA_DIR": str(folder / "data"), "SANCTIONNET_ID_HASH_KEY": "k"}
    generate_bundle(folder / "bundle", enterprises=100, seed=0)
    assert run_cli(env, "load", "bundle", str(folder / "bundle")).returncode == 0
    keys = {role: api_key(env, role) for role in ("public", "screener", "investigator", "admin")}
    keys["registrar"] = api_key(env, "registrar", department="哈尔滨市市场监督管理局", dept_type="市场监督管理部门",
                                 region="230000")
    port = free_port()
    proc = serve(env, port)
    try:
        yield {"env": env, "port": port, "keys": keys, "subjects": _subjects(folder / "bundle"),
               "audit": Path(env["SANCTIONNET_DATA_DIR"]) / "audit.log"}
    finally:
        assert stop(proc) == 0
        run_cli(env, "db", "stop")


def _as(site, role: str | None):
    return client(site["port"], site["keys"][role] if role else None)


def _single(api, key: str, **params) -> dict | None:
    answer = api.get("/v1/check", params={"subject": key, **params})
    assert answer.status_code in (200, 404), answer.text
    return answer.json() if answer.status_code == 200 else None


def _audit(site) -> list[dict]:
    if not site["audit"].exists():
        return []
    return [json.loads(line) for line in site["audit"].read_text("utf-8").splitlines()]


@pytest.mark.parametrize("role", ["screener", "public"])
def test_the_batch_answers_in_order_as_the_single_check_does(site, role):
    keys = _keys(site["subjects"])
    params = {"action": "procurement.bid", "date": "2024-05-01", "region": "230103"}
    with _as(site, role) as api:
        answers = api.post("/v1/check/batch", json={"subjects": keys, **params})
        assert answers.status_code == 200, answers.text
        body = answers.json()
        expected = [_single(api, key, **params) for key in keys]
    assert body["answers"] == expected
    assert body["not_found"] == [i for i, a in enumerate(expected) if a is None]
    assert body["restricted"] == [i for i, a in enumerate(expected) if a and a["restricted"]]
    assert body["restricted"] and set(body) == {"answers", "not_found", "restricted", "date", "consortium",
                                                "catalogue_version"}
    if role == "public":
        # Today only, no person, and nothing shaped like an ID number looked up.
        assert body["date"] == date.today().isoformat()
        shown = [a for a in body["answers"] if a]
        assert shown and all(a["subject"]["kind"] != "person" for a in shown)
        assert all(r["role"] == "entity" and r["state"] == "active" for a in shown for r in a["reasons"])
        numbers = {s["id_number"] for s in site["subjects"] if s["id_number"]}
        assert all(body["answers"][i] is None for i, key in enumerate(keys) if key in numbers)
    else:
        assert body["date"] == "2024-05-01"
        assert any(a["subject"]["kind"] == "person" for a in body["answers"] if a)


def test_the_batch_is_open_to_the_roles_of_the_single_check_and_only_with_a_key(site):
    for key in (None, "snk_00000000_nonsense"):
        with client(site["port"], key) as api:
            refused = api.post("/v1/check/batch", json={"subjects": ["E000001"]})
            assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
            assert refused.headers["content-type"] == "application/problem+json"
    # GET /v1/check answers every role (each as its role may see): so does the batch.
    for role in site["keys"]:
        with _as(site, role) as api:
            single = api.get("/v1/check", params={"subject": "E000001"}).status_code
            batch = api.post("/v1/check/batch", json={"subjects": ["E000001"]}).status_code
            assert single == batch == 200, role


def test_the_batch_refuses_bad_requests_with_a_clear_problem(site):
    with _as(site, "screener") as api:
        too_many = api.post("/v1/check/batch", json={"subjects": ["E000001"] * 10_001})
        assert too_many.status_code == 422 and too_many.headers["content-type"] == "application/problem+json"
        problem = too_many.json()
        assert problem["errors"][0]["loc"] == ["body", "subjects"] and "10000" in problem["detail"]
        full = api.post("/v1/check/batch", json={"subjects": [f"E{i:06d}" for i in range(10_000)]})
        assert full.status_code == 200 and len(full.json()["answers"]) == 10_000
        for body, where in (({"subjects": []}, "subjects"), ({"subjects": ["E1"], "bogus": 1}, "bogus"),
                            ({"subjects": ["A" * 129]}, "subjects"), ({"subjects": ["E1"], "date": "2024-13-01"}, "date"),
                            ({"subject": "E1"}, "subject")):
            refused = api.post("/v1/check/batch", json=body)
            assert refused.status_code == 422 and where in json.dumps(refused.json()["errors"]), body
        unknown = api.post("/v1/check/batch", json={"subjects": ["E000001"], "action": "travel.fligh"})
        assert unknown.status_code == 422 and "unknown action 'travel.fligh'" in unknown.json()["detail"]


def test_one_audit_entry_records_the_batch_without_an_id_number(site):
    persons = [s for s in site["subjects"] if s["id_number"]]
    unknown = make_resident_id(random.Random(1), "110101", date(1960, 1, 2), male=True)
    keys = ["E000001", persons[0]["id_number"], "E999999", unknown, persons[1]["id"], "E000001"]
    before = len(_audit(site))
    with _as(site, "screener") as api:
        body = api.post("/v1/check/batch", json={"subjects": keys, "action": "procurement.bid"}).json()
    entries = _audit(site)[before:]
    # The batch, and the persons it answered as a read of personal data (issue 17, 5).
    assert [e["event"] for e in entries] == ["check_batch", "read_person"]
    assert entries[1]["persons"] == [persons[0]["id"]] and entries[1]["what"] == "check_batch"
    entry = entries[0]
    assert entry["who"]["role"] == "screener" and entry["action"] == "procurement.bid"
    hasher = IdHasher(site["env"]["SANCTIONNET_ID_HASH_KEY"].encode())
    # A key that named nobody by its keyed hash: it may be a mistyped ID number or a name.
    # A person asked by bundle id is nobody to a screener: the check is no directory.
    hashed = ["?" + hasher(key)[:24] for key in ("E999999", unknown, persons[1]["id"])]
    assert entry["subjects"] == ["E000001", persons[0]["id"], *hashed, "E000001"]
    # The version the answers were read at: the same as a single check's now (no write between).
    with _as(site, "investigator") as api:
        assert entry["data_version"] == _single(api, "E000001")["data_version"]
    assert entry["asked"] == 6 and entry["not_found"] == 3 == len(body["not_found"])
    assert entry["restricted"] == len(body["restricted"])
    assert isinstance(entry["data_version"], int) and entry["catalogue_version"] == body["catalogue_version"]
    assert not any(s["id_number"] in json.dumps(entry) for s in persons)
    assert unknown not in site["audit"].read_text("utf-8")
    verified = run_cli(site["env"], "audit", "verify")
    assert verified.returncode == 0 and verified.stdout.startswith("ok:"), verified.stdout + verified.stderr
    # An auditor asking who looked at a person finds the batch that named them.
    exported = run_cli(site["env"], "audit", "export", "--subject", persons[0]["id"], "--event", "check_batch")
    assert exported.returncode == 0, exported.stderr
    found = [json.loads(line) for line in exported.stdout.splitlines()]
    assert entry["seq"] in [e["seq"] for e in found]
    assert all(persons[0]["id"] in e["subjects"] for e in found)


def test_the_cli_checks_a_file_or_stdin_and_prints_the_apis_answers(site, tmp_path):
    keys = ["E000001", site["subjects"][0]["id_number"], "", "E999999", "E000001"]
    listed = tmp_path / "keys.txt"
    listed.write_text("\n".join(keys) + "\n", encoding="utf-8")
    done = run_cli(site["env"], "check", "--file", str(listed), "--json", "--date", "2024-05-01")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["line"] for line in lines] == [1, 2, 4, 5]  # the blank line is left out
    assert site["subjects"][0]["id_number"] not in done.stdout
    with _as(site, "admin") as api:
        batch = api.post("/v1/check/batch", json={"subjects": [k for k in keys if k], "date": "2024-05-01"}).json()
    assert [line["answer"] for line in lines] == batch["answers"]
    piped = subprocess.run([CLI, "check", "--file", "-"], input="E000001\nE999999\n", env=site["env"],
                           capture_output=True, text=True, timeout=60)
    assert piped.returncode == 0 and piped.stdout.splitlines()[1].split()[:2] == ["2", "E999999"]
    assert "2 keys: 1 found" in piped.stderr
    both = run_cli(site["env"], "check", "E000001", "--file", str(listed))
    assert both.returncode == 1 and "one of them" in both.stderr
    assert json.loads(run_cli(site["env"], "check", "E000001", "--json").stdout)["subject"]["id"] == "E000001"
