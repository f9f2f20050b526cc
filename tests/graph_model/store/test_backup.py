"""``sanctionnet backup`` while the API serves, and ``sanctionnet restore`` into a fresh
folder: the restored store answers every check as the live one did at the backup, by id,
USCC and ID number, and its audit log verifies and ends where the live one stood."""

from __future__ import annotations

import csv
import io
import json
import os
import tarfile
import threading
from pathlib import Path

from demo.generate import generate_bundle
from graph_model.store import EmbeddedServer
from graph_model.store.backup import read_manifest
from graph_model.store.falkordb import FalkorStore
from tests.serving import api_key, client, free_port, run_cli, serve, stop

WHO = {"actor": "测试登记员", "department": "哈尔滨市市场监督管理局"}


def _env(data: Path) -> dict:
    # No SANCTIONNET_ID_HASH_KEY: the key file of the data folder must travel with the backup.
    return {**{k: v for k, v in os.environ.items() if not k.startswith("SANCTIONNET_")},
            "SANCTIONNET_DATA_DIR": str(data)}


def _rows(bundle: Path, name: str) -> list[dict]:
    with open(bundle / name, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _sample(bundle: Path) -> tuple[list[str], list[str]]:
    """Subjects to check (listed ones and their role holders, by id, USCC and ID number,
    and others), and enterprises to list: three before the backup, one during it, the
    others after."""
    subjects = {s["id"]: s for s in _rows(bundle, "subjects.csv")}
    reps = {r["to_id"]: r["from_id"] for r in _rows(bundle, "relations.csv") if r["type"] == "LEGAL_REP_OF"}
    listed = [e["subject_id"] for e in _rows(bundle, "entries.csv")]
    later = [e for e in sorted(reps) if e not in listed and subjects[e]["kind"] == "enterprise"][:7]
    keys = []
    for sid in [s for s in listed + later[:3] + later[4:] + sorted(subjects)[::40] if s != later[3]]:
        subject = subjects[sid]
        keys += [sid, subject["uscc"] or subject["id_number"]]
        if sid in reps and subjects[reps[sid]]["id_number"]:
            keys += [reps[sid], subjects[reps[sid]]["id_number"]]
    return [k for k in dict.fromkeys(keys) if k], later


def _list(http, n: int, subject: str) -> str:
    """A joint_punishment entry on ``subject`` that is in force (notified in 2024)."""
    entry_id = f"B{n:03d}"
    created = http.post("/v1/entries", json={
        "entry_id": entry_id, "subject": subject, "list": "joint_punishment", "deciding_dept": WHO["department"],
        "basis": f"哈市监处〔2024〕{n}号", "basis_kind": "penalty", "determined": "2024-01-01", "region": "230103",
        "on": "2024-01-02", "reason": "认定", **WHO})
    assert created.status_code == 201, created.text
    notified = http.post(f"/v1/entries/{entry_id}/notify", json={"on": "2024-01-05", "reason": "告知", **WHO})
    assert notified.status_code == 200, notified.text
    return entry_id


def _traffic(http, subject: str, decided: str, done: threading.Event, failures: list) -> None:
    """Checks of ``subject`` and proposed entries on ``decided`` until ``done``."""
    n = 0
    while not done.is_set():
        checked = http.get("/v1/check", params={"subject": subject})
        created = http.post("/v1/entries", json={
            "entry_id": f"W{n:04d}", "subject": decided, "list": "commitment_breach",
            "deciding_dept": WHO["department"], "basis": f"哈市监处〔2024〕W{n}号", "basis_kind": "penalty",
            "determined": "2024-01-01", "region": "230103", "on": "2024-01-02", "reason": "认定", **WHO})
        failures += [r.text for r in (checked, created) if not r.is_success]
        n += 1


def _answers(http, sample: list[str]) -> dict[str, dict]:
    answers = {}
    for key in sample:
        got = http.get("/v1/check", params={"subject": key})
        assert got.status_code == 200, got.text
        answers[key] = got.json()
    return answers


def _without_version(answers: dict[str, dict]) -> dict[str, dict]:
    return {key: {k: v for k, v in answer.items() if k != "data_version"} for key, answer in answers.items()}


def test_a_backup_taken_while_serving_restores_into_a_fresh_folder_with_the_same_answers_and_audit(tmp_path):
    bundle, live, restored, archive = tmp_path / "bundle", tmp_path / "live", tmp_path / "restored", tmp_path / "b.tgz"
    generate_bundle(bundle, enterprises=300)
    sample, later = _sample(bundle)
    assert run_cli(_env(live), "load", "bundle", str(bundle)).returncode == 0
    key = api_key(_env(live))
    port = free_port()
    api = serve(_env(live), port)
    try:
        with client(port, key) as http:
            before = [_list(http, n, subject) for n, subject in enumerate(later[:3])]
            at_backup = _answers(http, sample)
            # Checks and decisions (on a subject outside the sample) go on during the backup:
            # their audit entries and graph writes land on either side of it.
            done, failures = threading.Event(), []
            background = threading.Thread(target=_traffic, args=(http, sample[0], later[3], done, failures))
            background.start()
            backed_up = run_cli(_env(live), "backup", str(archive))
            done.set()
            background.join()
            assert backed_up.returncode == 0, backed_up.stderr
            assert not failures, failures
            # Changes after the backup: listed enterprises, a revoked entry.
            for n, subject in enumerate(later[4:], start=4):
                _list(http, n, subject)
            revoked = http.post(f"/v1/entries/{before[0]}/revoke", json={"on": "2024-03-01", "reason": "撤销", **WHO})
            assert revoked.status_code == 200, revoked.text
            now = _answers(http, sample)
            assert sum(now[k] != at_backup[k] for k in sample) >= 8
    finally:
        stop(api)
        run_cli(_env(live), "db", "stop")  # `load` started it; the API only reused it

    done = run_cli(_env(restored), "restore", str(archive), "--data-dir", str(restored))
    assert done.returncode == 0, done.stderr
    manifest = read_manifest(archive)
    assert "every member matched" in done.stdout and manifest["counts"]["relationships"] > 1000
    assert set(manifest["members"]) == {"graph.rdb", "files/audit.log", "files/audit.head", "files/id_hash.key",
                                        "files/keys.json"}
    assert (restored / "id_hash.key").read_bytes() == (live / "id_hash.key").read_bytes()
    # The audit log: the live log's beginning up to the backup, ending at its head, intact.
    log = (restored / "audit.log").read_bytes()
    assert (live / "audit.log").read_bytes().startswith(log) and len((live / "audit.log").read_bytes()) > len(log)
    assert json.loads(log.splitlines()[-1])["seq"] == json.loads((restored / "audit.head").read_text())["seq"]
    verified = run_cli(_env(restored), "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    # One moment: every decision the restored log records is in the restored graph, and no
    # entry of the log saw a data version the restored graph has not reached.
    entries = [json.loads(line) for line in log.splitlines()]
    server = EmbeddedServer(restored)
    server.start()
    store = FalkorStore(unix_socket_path=str(server.socket))
    made = [e["entry"] for e in entries if e["event"] == "entry_create" and e["entry"].startswith("W")]
    assert made and all(store.read_one("entry_by_id", entry_id=entry_id) for entry_id in made)
    assert max(e["data_version"] for e in entries) <= store.read_one("data_version")["version"]
    store.close()
    server.stop()
    # A folder with something in it is refused, unless --force (with its store stopped).
    assert run_cli(_env(restored), "restore", str(archive), "--data-dir", str(restored)).returncode == 1
    assert run_cli(_env(restored), "restore", str(archive), "--data-dir", str(restored), "--force").returncode == 0

    api = serve(_env(restored), port)
    try:
        with client(port, key) as http:  # the API keys came back too
            restored_answers = _answers(http, sample)
        # The same answers; read at a later data version (the decisions made during the
        # backup, outside the sample, are in it), never an earlier one.
        assert all(restored_answers[k]["data_version"] >= at_backup[k]["data_version"] for k in sample)
        assert _without_version(restored_answers) == _without_version(at_backup)
    finally:
        stop(api)


def test_a_damaged_backup_is_refused_and_neo4j_backups_are_the_operators(tmp_path):
    data, archive = tmp_path / "data", tmp_path / "b.tar.gz"
    generate_bundle(tmp_path / "bundle", enterprises=30)
    assert run_cli(_env(data), "load", "bundle", str(tmp_path / "bundle")).returncode == 0
    try:
        assert run_cli(_env(data), "backup", str(archive)).returncode == 0
    finally:
        run_cli(_env(data), "db", "stop")
    # One byte of the snapshot changed, the manifest kept: restore says so and lays out nothing.
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as out:
        for info in source:
            body = bytearray(source.extractfile(info).read())
            if info.name == "graph.rdb":
                body[len(body) // 2] ^= 1
            out.addfile(info, io.BytesIO(bytes(body)))
    refused = run_cli(_env(tmp_path / "r"), "restore", str(damaged), "--data-dir", str(tmp_path / "r"))
    assert refused.returncode == 1 and "SHA-256" in refused.stderr
    assert not (tmp_path / "r" / "appendonlydir").exists()
    neo4j = run_cli({**_env(data), "SANCTIONNET_STORE": "neo4j"}, "backup", str(tmp_path / "n.tar.gz"))
    assert neo4j.returncode == 1 and "neo4j-admin database dump" in " ".join(neo4j.stderr.split())
