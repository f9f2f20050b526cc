"""The CLI as a user runs it: a command that reads data never answers from a new, empty
store (issue 16, item 4), and its reads of persons go to the audit log as the API's do
(item 6). Real processes, real FalkorDB, nothing mocked."""

from __future__ import annotations

import getpass
import json
import os
import subprocess
from pathlib import Path

from api.audit_read import verify
from graph_model.identity.identifiers import mask_resident_id
from tests.factories import Bundle
from tests.serving import CLI, run_cli

# Every command that reads the store, as a user would type it in a folder of their own.
READS = [("check", "E000038"), ("check", "--file", "keys.txt"), ("owners", "E1"), ("controlled", "P1"),
         ("briefing", "E1", "-o", "b.html"), ("leads",), ("controllers", "list"), ("export", "ftm", "out.json"),
         ("db", "propagate"), ("serve", "--port", "0"), ("backup", "b.tar.gz")]


def _env(data: Path | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANCTIONNET_")}
    env["SANCTIONNET_ID_HASH_KEY"] = "k"
    if data is not None:
        env["SANCTIONNET_DATA_DIR"] = str(data)
    return env


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def _refused(done: subprocess.CompletedProcess, folder: Path) -> bool:
    said = done.stderr.replace("\n", "")
    return done.returncode == 3 and str(folder) in said and "SANCTIONNET_DATA_DIR" in said


def test_reading_commands_in_a_folder_without_a_store_exit_3_and_leave_nothing(tmp_path):
    (tmp_path / "keys.txt").write_text("E000038\n", encoding="utf-8")
    for args in READS:
        # The default data folder, ./.sanctionnet, as when run from another folder.
        done = subprocess.run([CLI, *args], cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=60)
        assert _refused(done, tmp_path / ".sanctionnet"), (args, done.returncode, done.stderr)
    assert _files(tmp_path) == {"keys.txt"}
    # A folder holding only API keys (made before any load) holds no store either.
    data = tmp_path / "data"
    assert run_cli(_env(data), "keys", "create", "--role", "screener", "--name", "x").returncode == 0
    before = _files(data)
    done = run_cli(_env(data), "check", "E1")
    assert _refused(done, data) and _files(data) == before and "keys.json" in before


def test_load_creates_the_store_and_an_empty_store_answers_nothing(tmp_path):
    loaded, empty = tmp_path / "loaded", tmp_path / "empty"
    keys = tmp_path / "keys.txt"
    keys.write_text("E1\nE404\n", encoding="utf-8")
    b = Bundle()
    b.enterprise("E1")
    b.entry("J1", "E1")
    try:
        assert run_cli(_env(loaded), "load", "bundle", str(b.write(tmp_path / "bundle"))).returncode == 0
        assert (loaded / "appendonlydir").is_dir()
        answered = run_cli(_env(loaded), "check", "--file", str(keys), "--json")
        assert answered.returncode == 0, answered.stderr
        assert [json.loads(line)["answer"] is not None for line in answered.stdout.splitlines()] == [True, False]
        # `db start` makes a store with no subject: not an answer either.
        assert run_cli(_env(empty), "db", "start").returncode == 0
        for args in (("check", "--file", str(keys)), ("check", "E1"), ("owners", "E1")):
            done = run_cli(_env(empty), *args)
            assert done.returncode == 3 and "holds no subjects" in done.stderr, (args, done.stderr)
            assert done.stdout == ""
        # Stopped, the existing store is started again by a reading command, as before.
        assert run_cli(_env(empty), "db", "stop").returncode == 0
        again = run_cli(_env(empty), "check", "--file", str(keys))
        assert again.returncode == 3 and "started the embedded store" in again.stderr
    finally:
        run_cli(_env(loaded), "db", "stop")
        run_cli(_env(empty), "db", "stop")


def test_cli_reads_of_persons_are_audited_like_the_api_and_the_log_verifies(tmp_path):
    data = tmp_path / "data"
    env = _env(data)
    b = Bundle()
    b.enterprise("H", "控股有限公司")
    b.enterprise("X", "目标有限公司")
    _, id_number = b.person("P", "张控")
    b.role("P", "HOLDS_SHARES", "H", share="80", valid_from="2015-01-01")
    b.role("H", "HOLDS_SHARES", "X", share="60", valid_from="2015-01-01")
    b.role("P", "LEGAL_REP_OF", "X", valid_from="2015-01-01")
    b.entry("J1", "X", determined="2018-04-08")
    stranger = "11010119750517001X"  # a valid ID number on file nowhere
    keys = tmp_path / "keys.txt"
    keys.write_text(f"X\n{id_number}\n{stranger}\n无此人\n", encoding="utf-8")
    try:
        assert run_cli(env, "load", "bundle", str(b.write(tmp_path / "bundle"))).returncode == 0
        for args in (("check", "P"), ("check", id_number, "--json"), ("check", "--file", str(keys)),
                     ("owners", "X"), ("controlled", "P"), ("briefing", "P", "-o", str(tmp_path / "b.html")),
                     ("export", "ftm", str(tmp_path / "out.ftm.json"))):
            done = run_cli(env, *args)
            assert done.returncode == 0, (args, done.stderr)
        log = data / "audit.log"
        entries = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
        assert [(e["event"], e.get("subject"), e.get("what")) for e in entries] == [
            ("check", "P", None), ("check", "P", None), ("check_batch", None, None), ("read_person", "X", "owners"),
            ("read_person", "P", "controlled"), ("briefing", None, None), ("export", None, None)]
        for e in entries:
            assert e["via"] == "cli" and e["who"] == {"os_user": getpass.getuser()}
            assert e["data_version"] == 1 and e["catalogue_version"]
        assert entries[0]["restricted"] and entries[0]["entries"] == ["J1"] and entries[0]["view"] == "admin"
        batch = entries[2]
        assert batch["subjects"][:2] == ["X", "P"] and all(s.startswith("?") for s in batch["subjects"][2:])
        assert (batch["asked"], batch["not_found"], batch["restricted"], batch["lines"]) == (4, 2, 2, [1, 4])
        assert entries[3]["persons"] == ["P"] and entries[4]["persons"] == ["P"]
        assert entries[5]["key"] == "P" and "P" in entries[5]["persons"] and entries[5]["format"] == "html"
        assert entries[6]["format"] == "ftm" and entries[6]["records"] > 0
        # Neither an ID number, masked or not, nor what was typed, nor a person's name.
        text = log.read_text("utf-8")
        for secret in (id_number, mask_resident_id(id_number), stranger, mask_resident_id(stranger),
                       "无此人", "张控"):
            assert secret not in text
        assert verify(log).ok
        checked = run_cli(env, "audit", "verify")
        assert checked.returncode == 0, checked.stdout
    finally:
        run_cli(env, "db", "stop")
