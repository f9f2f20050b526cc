"""The audit log on real files, from real processes, through the CLI and over HTTP."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from api.audit import CALLER, GENESIS, AuditLog
from api.audit_read import read_entries, verify
from tests.factories import Bundle
from tests.serving import api_key, client, free_port, run_cli, serve, stop


def _lines(path: Path) -> list[str]:
    return path.read_text("utf-8").splitlines(keepends=True)


def _entries(path: Path) -> list[dict]:
    return [json.loads(line) for line in _lines(path)]


def _forge(path: Path, bodies: list[dict]) -> None:
    """A log written by hand from the documented format alone (docs/audit.md)."""
    prev, lines = GENESIS, []
    for seq, body in enumerate(bodies, 1):
        entry = {"seq": seq, **body, "prev": prev}
        text = json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        entry["hash"] = prev = hashlib.sha256(text.encode("utf-8")).hexdigest()
        lines.append(json.dumps(entry, ensure_ascii=False) + "\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(lines), encoding="utf-8")
    path.with_name("audit.head").write_text(json.dumps({"seq": len(bodies), "hash": prev}), encoding="utf-8")


@pytest.fixture
def log(tmp_path) -> Path:
    path = tmp_path / "audit.log"
    audit = AuditLog(path, version=lambda: 7, catalogue_version="2025-06-01")
    for i in range(1, 11):
        audit.write("check", subject=f"E{i}", restricted=i % 2 == 0)
    return path


def test_entries_are_chained_in_the_documented_format(tmp_path):
    path = tmp_path / "audit.log"
    audit = AuditLog(path, version=lambda: 3, catalogue_version="2025-06-01")
    token = CALLER.set({"key": "k_1a2b", "role": "screener", "name": "招标平台"})
    try:
        first = audit.write("check", subject="E1", restricted=True, persons={"P2", "P1"})
    finally:
        CALLER.reset(token)
    second = audit.write("read_person", subject="P1", catalogue_version="2024-01-01")
    stored = _entries(path)
    assert stored == [first, second]
    assert list(first) == ["seq", "at", "event", "who", "data_version", "catalogue_version", "subject", "restricted",
                           "persons", "prev", "hash"]
    assert first["who"] == {"key": "k_1a2b", "role": "screener", "name": "招标平台"} and "who" not in second
    assert (first["data_version"], first["catalogue_version"], first["persons"]) == (3, "2025-06-01", ["P1", "P2"])
    assert second["catalogue_version"] == "2024-01-01"  # the caller's own wins
    assert (first["seq"], first["prev"], second["seq"], second["prev"]) == (1, GENESIS, 2, first["hash"])
    for entry in stored:
        body = {k: v for k, v in entry.items() if k != "hash"}
        canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        assert entry["hash"] == hashlib.sha256(canonical).hexdigest()
    assert "招标平台" in path.read_text("utf-8")  # ensure_ascii=False on disk too
    assert json.loads((tmp_path / "audit.head").read_text()) == {"seq": 2, "hash": second["hash"]}
    assert verify(path).ok and verify(path).entries == 2
    with pytest.raises(ValueError, match="set by the log itself"):
        audit.write("check", seq=99)


def test_an_entry_is_written_when_the_data_version_cannot_be_read(tmp_path):
    def down() -> int:
        raise ConnectionError("store gone")

    entry = AuditLog(tmp_path / "audit.log", version=down).write("check", subject="E1")
    assert entry["data_version"] is None and verify(tmp_path / "audit.log").ok


def _writer(path: str, worker: int, count: int) -> None:
    audit = AuditLog(Path(path), version=lambda: worker)
    for i in range(count):
        audit.write("check", subject=f"W{worker}-{i}", worker=worker, i=i)


def test_writers_in_several_processes_keep_one_chain(tmp_path):
    path = tmp_path / "audit.log"
    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=_writer, args=(str(path), w, 200)) for w in range(4)]
    for proc in workers:
        proc.start()
    for proc in workers:
        proc.join(120)
        assert proc.exitcode == 0
    result = verify(path)
    assert result.ok, result.where()
    entries = _entries(path)
    assert [e["seq"] for e in entries] == list(range(1, 801)) and result.entries == 800
    for w in range(4):  # each writer's entries, in its own order
        assert [e["i"] for e in entries if e["worker"] == w] == list(range(200))


def _edit(lines):
    lines[4] = lines[4].replace('"E5"', '"E6"')


def _rehash(lines):
    """An edit whose author recomputed the entry's own hash."""
    entry = json.loads(lines[4])
    entry["restricted"] = not entry["restricted"]
    body = json.dumps({k: v for k, v in entry.items() if k != "hash"}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))
    entry["hash"] = hashlib.sha256(body.encode()).hexdigest()
    lines[4] = json.dumps(entry, ensure_ascii=False) + "\n"


def _delete(lines):
    del lines[4]


def _swap(lines):
    lines[4], lines[5] = lines[5], lines[4]


def _truncate(lines):
    del lines[-1]


def _duplicate(lines):
    lines.insert(5, lines[4])


def _garble(lines):
    lines[4] = lines[4][:40] + "\n"


@pytest.mark.parametrize(("tamper", "reason", "line", "seq"), [
    (_edit, "edited", 5, 5),
    (_rehash, "edited", 5, 5),
    (_delete, "removed", 5, 5),
    (_swap, "reordered", 5, 6),
    (_truncate, "truncated", 10, 10),
    (_duplicate, "duplicated", 6, 5),
    (_garble, "bad JSON", 5, None),
], ids=["edited", "edited-and-rehashed", "middle-removed", "swapped", "last-removed", "duplicated", "bad-json"])
def test_tampering_is_detected_where_it_happened(log, tamper, reason, line, seq):
    assert verify(log).ok
    lines = _lines(log)
    tamper(lines)
    log.write_text("".join(lines), encoding="utf-8")
    result = verify(log)
    assert (result.ok, result.reason, result.line, result.seq) == (False, reason, line, seq), result.where()
    assert f"line {line}" in result.where()


def test_a_removed_tail_stays_detected_after_more_writes(log):
    log.write_text("".join(_lines(log)[:8]), encoding="utf-8")
    AuditLog(log).write("check", subject="E11")
    result = verify(log)
    assert (result.reason, result.line, result.seq) == ("removed", 9, 9)
    assert "seqs 9-10 missing" in result.detail


def test_a_head_behind_the_log_is_a_crash_the_log_verifies_and_the_next_write_heals(log):
    entries = _entries(log)
    # What a writer killed between its log line and the head leaves.
    (log.with_name("audit.head")).write_text(json.dumps({"seq": 9, "hash": entries[8]["hash"]}))
    result = verify(log)
    assert result.ok and result.entries == 10 and "behind the log" in result.notes[0]
    entry = AuditLog(log).write("check", subject="E11")
    assert entry["seq"] == 11 and entry["prev"] == entries[9]["hash"]
    assert verify(log).ok and verify(log).notes == []


def test_a_head_that_disagrees_with_the_log_tells_a_rewrite(log):
    log.with_name("audit.head").write_text(json.dumps({"seq": 10, "hash": "f" * 64}))
    result = verify(log)
    assert (result.ok, result.reason, result.line, result.seq) == (False, "edited", 10, 10)
    log.with_name("audit.head").unlink()
    assert verify(log).reason == "head missing"


def test_a_torn_last_line_is_cut_by_the_next_writer(log):
    with open(log, "ab") as handle:
        handle.write(b'{"seq": 11, "at": "20')  # a writer died inside its write
    assert (verify(log).reason, verify(log).line) == ("bad JSON", 11)
    assert AuditLog(log).write("check", subject="E11")["seq"] == 11
    assert verify(log).ok and len(_lines(log)) == 11


def test_a_log_from_before_the_chain_is_set_aside(tmp_path):
    path = tmp_path / "audit.log"
    old = '{"at": "2025-01-01T00:00:00.000+00:00", "event": "check", "subject": "E1"}\n'
    path.write_text(old, encoding="utf-8")
    assert AuditLog(path).write("check", subject="E2")["seq"] == 1
    assert (tmp_path / "audit.log.unchained").read_text("utf-8") == old
    assert verify(path).ok


def test_the_cli_verifies_and_says_where(env, log):
    data = Path(env["SANCTIONNET_DATA_DIR"])
    data.mkdir()
    for name in ("audit.log", "audit.head"):
        (data / name).write_bytes(log.with_name(name).read_bytes())
    ok = run_cli(env, "audit", "verify")
    assert ok.returncode == 0 and ok.stdout.startswith("ok: 10 entries, last seq 10"), ok.stdout + ok.stderr
    lines = _lines(data / "audit.log")
    _swap(lines)
    (data / "audit.log").write_text("".join(lines), encoding="utf-8")
    bad = run_cli(env, "audit", "verify")
    assert bad.returncode == 1 and bad.stdout.startswith("TAMPERED: reordered at line 5, seq 6"), bad.stdout
    as_json = json.loads(run_cli(env, "audit", "verify", "--json").stdout)
    assert (as_json["ok"], as_json["reason"], as_json["line"], as_json["seq"]) == (False, "reordered", 5, 6)


@pytest.fixture
def env(tmp_path) -> dict:
    return {**os.environ, "SANCTIONNET_DATA_DIR": str(tmp_path / "data"), "SANCTIONNET_ID_HASH_KEY": "k"}


def test_the_cli_exports_a_range_as_stored_and_the_range_rechecks(env, tmp_path):
    path = Path(env["SANCTIONNET_DATA_DIR"]) / "audit.log"
    days = ["2026-01-01", "2026-01-02", "2026-01-02", "2026-01-03", "2026-01-31", "2026-02-01"]
    _forge(path, [{"at": f"{day}T09:00:00.000+00:00", "event": "read_person" if i == 2 else "check",
                   "subject": "E1" if i % 2 else "E2"} for i, day in enumerate(days)])
    stored = path.read_bytes().splitlines(keepends=True)
    done = run_cli(env, "audit", "export", "--from", "2026-01-02", "--to", "2026-01-31")
    assert done.returncode == 0, done.stderr
    assert done.stdout.encode("utf-8") == b"".join(stored[1:5])  # byte for byte, days 2 to 31
    assert [json.loads(line)["seq"] for line in run_cli(
        env, "audit", "export", "--from", "2026-01-02", "--to", "2026-01-31", "--event", "check").stdout.splitlines()
    ] == [2, 4, 5]
    assert [json.loads(line)["seq"] for line in run_cli(env, "audit", "export", "--subject", "E1").stdout.splitlines()
            ] == [2, 4, 6]
    exported = tmp_path / "january.jsonl"
    exported.write_text(done.stdout, encoding="utf-8")
    assert run_cli(env, "audit", "verify", "--export", str(exported)).returncode == 0
    lines = _lines(exported)
    _edit_second = lines[1].replace('"E2"', '"E9"')
    exported.write_text(lines[0] + _edit_second + "".join(lines[2:]), encoding="utf-8")
    bad = run_cli(env, "audit", "verify", "--export", str(exported))
    assert bad.returncode == 1 and "edited at line 2, seq 3" in bad.stdout
    # Reading the log out is itself recorded, and the chain goes on.
    reads = [e for _, e in read_entries(path, event="read_audit")]
    assert len(reads) == 3 and reads[0]["range"] == ["2026-01-02", "2026-01-31"] and reads[0]["entries"] == 4
    assert verify(path).ok


def test_a_check_is_audited_and_the_log_is_exported_to_admins_only(env, tmp_path):
    b = Bundle()
    b.enterprise("E1", "哈尔滨泰富电气有限公司")
    b.entry("J1", "E1", determined="2018-04-08")
    assert run_cli(env, "load", "bundle", str(b.write(tmp_path / "bundle"))).returncode == 0
    port = free_port()
    proc = serve(env, port)
    try:
        screener, admin = api_key(env, "screener"), api_key(env, "admin")
        with client(port, screener) as api:
            answer = api.get("/v1/check", params={"subject": "E1"}).json()
            assert api.get("/v1/audit").status_code == 403
        with client(port, None) as anonymous:
            assert anonymous.get("/v1/audit").status_code == 401
        path = Path(env["SANCTIONNET_DATA_DIR"]) / "audit.log"
        check = next(e for e in _entries(path) if e["event"] == "check")
        assert check["who"]["role"] == "screener" and check["who"]["name"] == "test screener"
        assert (check["data_version"], check["catalogue_version"]) == (1, answer["catalogue_version"])
        assert (check["subject"], check["restricted"], check["entries"]) == ("E1", True, ["J1"])
        today = datetime.now(timezone.utc).date().isoformat()
        with client(port, admin) as api:
            page = api.get("/v1/audit", params={"from": today, "to": today, "event": "check"})
            assert page.status_code == 200, page.text
            body = page.json()
            assert [e["hash"] for e in body["entries"]] == [check["hash"]] and body["total"] == 1
            # The whole log was verified, up to this read's own entry.
            assert body["verified"]["ok"] and body["verified"]["entries"] == len(_entries(path)) - 1
            assert api.get("/v1/audit", params={"to": "2000-01-01"}).json()["entries"] == []
            assert api.get("/v1/audit", params={"bogus": "1"}).status_code == 422
            created = api.post("/v1/entries", json={
                "subject": "E1", "list": "commitment_breach", "deciding_dept": "哈尔滨市市场监督管理局",
                "basis": "哈市监处〔2024〕12号", "basis_kind": "penalty", "determined": "2024-01-02",
                "region": "230103", "reason": "违背信用承诺", "on": "2024-01-05", "actor": "王五",
                "department": "哈尔滨市市场监督管理局"})
            assert created.status_code == 201, created.text
            api.get("/v1/check", params={"subject": "E1"})
            last_check = [e for e in _entries(path) if e["event"] == "check"][-1]
            assert last_check["data_version"] == 2 and last_check["who"]["role"] == "admin"
        reads = [e for e in _entries(path) if e["event"] == "read_audit"]
        assert [r["who"]["role"] for r in reads] == ["admin", "admin"]
        assert verify(path).ok
    finally:
        assert stop(proc) == 0
        run_cli(env, "db", "stop")
