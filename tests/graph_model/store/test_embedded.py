"""The embedded FalkorDB server survives what a machine does to it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from graph_model.errors import StoreUnavailable
from graph_model.store import EmbeddedServer
from graph_model.store.falkordb import FalkorStore
from graph_model.vocabulary.kinds import SubjectLabel


def _rows(prefix: str, n: int, size: int = 20) -> list[dict]:
    return [{"id": f"{prefix}{i}", "props": {"kind": "enterprise", "name": "名" * size}} for i in range(n)]


def _count(server: EmbeddedServer, graph: str = "g") -> int:
    store = FalkorStore(unix_socket_path=str(server.socket), graph=graph)
    try:
        return sum(row["n"] for row in store.read("count_subjects"))
    finally:
        store.close()


@pytest.fixture
def server(tmp_path):
    srv = EmbeddedServer(tmp_path / "data")
    yield srv
    srv.stop()


def test_start_status_reuse_stop(server):
    assert not server.status().running
    assert server.start() is True
    state = server.status()
    assert state.running and state.pid and os.stat(server.socket).st_mode & 0o777 == 0o700
    assert server.start() is False  # a second start reuses the running server
    assert server.status().pid == state.pid
    assert server.stop() is True
    assert not server.status().running and not server.socket.exists()
    assert server.stop() is False


def test_killed_server_restarts_with_every_acknowledged_write(server):
    server.start()
    store = FalkorStore(unix_socket_path=str(server.socket), graph="g", recover=server.ensure_running)
    store.ensure_schema()
    for i in range(300):  # 300 separate acknowledged writes
        store.write("load_subjects", variant=SubjectLabel.Enterprise, rows=_rows(f"K{i}-", 1))
    os.kill(server.status().pid, signal.SIGKILL)
    time.sleep(0.2)
    assert not server.status().running
    # The next call finds the server dead, restarts it and recovers from the AOF.
    assert sum(r["n"] for r in store.read("count_subjects")) == 300
    store.close()


def test_stale_pid_file_and_socket_are_cleared(server):
    server.start()
    pid = server.status().pid
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    assert server.pid_file.exists() and server.socket.exists()
    assert server.status().detail == "not running (stale pid file)"
    assert server.start() is True
    assert server.status().running and server.status().pid != pid


def test_pid_of_an_unrelated_process_is_stale(server):
    server.data_dir.mkdir(parents=True)
    server.pid_file.write_text(str(os.getpid()))  # alive, but not a redis-server
    assert not server.status().running
    assert server.start() is True


def test_another_folders_server_is_not_ours(server, tmp_path):
    other = EmbeddedServer(tmp_path / "other")
    other.start()
    try:
        server.data_dir.mkdir(parents=True)
        server.pid_file.write_text(str(other.status().pid))  # a stale pid, reused by a server
        assert not server.status().running
        assert server.start() is True and server.status().pid != other.status().pid
        server.stop()
        assert other.status().running  # stopping ours did not touch theirs
    finally:
        other.stop()


def test_deep_data_folder_gets_a_short_socket(tmp_path):
    deep = tmp_path.joinpath(*["d" * 30] * 4)
    srv = EmbeddedServer(deep)
    try:
        assert len(str(srv.socket)) <= 100 and str(srv.socket).startswith("/tmp/")
        srv.start()
        assert srv.status().running
    finally:
        srv.stop()


def test_unwritable_data_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreUnavailable, match=r"cannot use data folder .*a-file/data.*SANCTIONNET_DATA_DIR"):
        EmbeddedServer(blocker / "data").start()


@pytest.fixture
def small_disk(tmp_path):
    """A 24 MiB tmpfs, where this machine lets us mount one (root in CI)."""
    mount = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=1M", "count=64"], capture_output=True)
    return filler


def test_full_disk_at_start_is_a_clear_error(small_disk):
    _fill(small_disk)
    with pytest.raises(StoreUnavailable, match="disk is full|KiB free"):
        EmbeddedServer(small_disk / "data").start()


def test_disk_filling_up_while_running_keeps_committed_writes(small_disk):
    srv = EmbeddedServer(small_disk / "data")
    srv.start()
    store = FalkorStore(unix_socket_path=str(srv.socket), graph="g", recover=srv.ensure_running)
    store.ensure_schema()
    store.write_rows("load_subjects", _rows("C", 100), variant=SubjectLabel.Enterprise)
    filler = _fill(small_disk)
    # With fsync "always" the server refuses to acknowledge what it cannot persist:
    # it exits, and the restart fails clearly because the disk is still full.
    with pytest.raises(StoreUnavailable, match="disk is full.*AOF"):
        store.write_rows("load_subjects", _rows("F", 2000, size=500), variant=SubjectLabel.Enterprise)
    filler.unlink()
    srv.ensure_running()
    assert _count(srv) == 100  # the committed rows, none of the refused batch
    store.close()
    srv.stop()


def test_index_definitions_live_in_the_aof_snapshot_not_the_replayed_log(server):
    """Indexes replayed from the log are built in the background, so every query
    replayed after them would scan the graph (recovery went from 0.4 s to 32 s at
    3,000 enterprises). ensure_schema therefore rewrites the log into a snapshot."""
    server.start()
    store = FalkorStore(unix_socket_path=str(server.socket), graph="g", recover=server.ensure_running)
    store.ensure_schema()
    store.write_rows("load_subjects", _rows("I", 10), variant=SubjectLabel.Enterprise)
    incremental = b"".join(p.read_bytes() for p in (server.data_dir / "appendonlydir").glob("*.incr.aof"))
    assert b"MERGE" in incremental
    assert b"CREATE INDEX" not in incremental
    os.kill(server.status().pid, signal.SIGKILL)
    server.ensure_running()
    assert _count(server) == 10
    store.close()


def test_concurrent_starts_run_one_server(tmp_path):
    folder = tmp_path / "data"
    code = ("import sys; from pathlib import Path; from graph_model.store import EmbeddedServer; "
            "print(EmbeddedServer(Path(sys.argv[1])).start())")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(folder)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [err for _, err in outputs if err] == []
    results = sorted(out.strip() for out, _ in outputs)
    srv = EmbeddedServer(folder)
    try:
        assert results == ["False", "False", "False", "True"]
        servers = subprocess.run(["pgrep", "-f", f"redis-server.*{srv.socket}"], capture_output=True, text=True)
        assert len(servers.stdout.split()) == 1
    finally:
        srv.stop()


def test_a_running_store_is_reused_on_a_full_disk(small_disk):
    """Reusing a running server writes nothing, so checks keep working when the disk fills."""
    srv = EmbeddedServer(small_disk / "data")
    srv.start()
    store = FalkorStore(unix_socket_path=str(srv.socket), graph="g", recover=srv.ensure_running)
    store.ensure_schema()
    store.write_rows("load_subjects", _rows("R", 10), variant=SubjectLabel.Enterprise)
    _fill(small_disk)
    try:
        assert EmbeddedServer(small_disk / "data").start() is False
        assert _count(srv) == 10
    finally:
        store.close()
        srv.stop()
