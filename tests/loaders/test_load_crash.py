"""A load killed half-way (kill -9 of the loading process) leaves no half-written
record, and loading again completes it: the store ends as one clean load leaves it."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from graph_model.settings import Settings
from graph_model.store import EmbeddedServer
from graph_model.store.falkordb import FalkorStore

COURT_HEADER = ["被执行人姓名/名称", "身份证号码/组织机构代码", "法定代表人或负责人姓名", "执行法院", "省份", "案号", "发布时间"]
RECORDS = 4000
CLI = str(Path(sys.executable).parent / "sanctionnet")


def _court_file(path: Path) -> Path:
    """Records of 1,000 enterprises (by name) in 4,000 cases from two courts."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COURT_HEADER)
        for i in range(RECORDS):
            court, code = (("哈尔滨市南岗区人民法院", "黑0103"), ("深圳市罗湖区人民法院", "粤0303"))[i % 2]
            writer.writerow([f"测试{i % 1000:04d}贸易有限公司", "", f"法人{i % 1000:04d}", court, "",
                             f"（2018）{code}执{i}号", "2018年04月08日"])
    return path


def _env(data: Path) -> dict:
    # Small batches: many statements, so the kill lands between two of them.
    return {**os.environ, "SANCTIONNET_DATA_DIR": str(data), "SANCTIONNET_ID_HASH_KEY": "k",
            "SANCTIONNET_BATCH_SIZE": "100"}


def _sanctionnet(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=300)


def _store(data: Path) -> FalkorStore:
    settings = Settings(data_dir=data, id_hash_key="k")
    return FalkorStore(unix_socket_path=str(EmbeddedServer(settings.data_dir).socket), graph=settings.graph)


def _snapshot(store: FalkorStore):
    return (sorted(map(repr, store.read("snapshot_nodes"))), sorted(map(repr, store.read("snapshot_relationships"))))


def test_a_load_killed_half_way_leaves_whole_records_and_a_reload_completes_it(tmp_path):
    court = _court_file(tmp_path / "court.csv")
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    try:
        assert _sanctionnet(_env(clean), "load", "court", str(court)).returncode == 0
        expected = _snapshot(store := _store(clean))
        store.close()
        proc = subprocess.Popen([CLI, "load", "court", str(court)], env=_env(killed),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        entries = 0
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                store = _store(killed)
                entries = sum(row["n"] for row in store.read("count_entries"))
                store.close()
            except Exception:  # the store is still starting
                entries = 0
            if entries:
                break
            time.sleep(0.05)
        assert proc.poll() is None and 0 < entries < RECORDS, "the load finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        store = _store(killed)
        nodes = store.read("snapshot_nodes")
        written = [n["props"] for n in nodes if "Entry" in n["labels"]]
        assert 0 < len(written) < RECORDS
        # Whole records only: every entry written has its subject and every field.
        attached = {r["to_id"] for r in store.read("snapshot_relationships") if r["type"] == "HAS_ENTRY"}
        for entry in written:
            assert entry["id"] in attached
            assert entry["history"] and entry["determined"] == "2018-04-08" and entry["list"] == "dishonest_debtor"
        store.close()
        again = _sanctionnet(_env(killed), "load", "court", str(court))
        assert again.returncode == 0, again.stderr
        store = _store(killed)
        assert _snapshot(store) == expected
        store.close()
    finally:
        for data in (clean, killed):
            _sanctionnet(_env(data), "db", "stop")
