"""A real Neo4j Community 5.26 with Graph Data Science, started on a free loopback port.

The server is the small Java launcher in ``tools/neo4j`` (an embedded DBMS with a Bolt
connector), built by Maven from Maven Central artifacts only; see its README. The build
runs once and is skipped while ``tools/neo4j`` is unchanged.

``python -m tools.neo4j_server`` starts one and prints its URI until Ctrl-C. In code::

    with Neo4jServer() as server:
        driver = GraphDatabase.driver(server.uri, auth=server.auth)

The JVM never outlives this process: ``stop()`` terminates it (and kills it if it will
not stop), an atexit hook stops any server left running, and the launcher shuts down by
itself when its standard input (a pipe from this process) closes.
"""

from __future__ import annotations

import argparse
import atexit
import fcntl
import hashlib
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from neo4j import GraphDatabase
from neo4j.exceptions import Neo4jError, ServiceUnavailable

__all__ = ["PROJECT_DIR", "Neo4jServer", "Neo4jServerError", "build_launcher", "missing_tools"]

# The Maven project that builds the launcher.
PROJECT_DIR = Path(__file__).resolve().parent / "neo4j"
_TARGET = PROJECT_DIR / "target"
# Records which sources the current target/ was built from; see build_launcher.
_STAMP = _TARGET / "build.stamp"
_MAIN_CLASS = "org.sanctionnet.neo4j.Launcher"
# Neo4j refuses passwords shorter than 8 characters.
DEFAULT_PASSWORD = "sanctionnet-test"
# Enough for GDS on test graphs: the idle server uses ~150 MB of heap.
DEFAULT_HEAP = "512m"
# Cold JVM, first start creates the system and neo4j databases: ~10 s on 2 cores.
_START_TIMEOUT_S = 120.0
_BUILD_TIMEOUT_S = 1800.0
_LOG_TAIL_LINES = 40
# Maven 3.8 emits colour resets even with -Dstyle.color=never.
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Flags Neo4j's own start script passes: they let its page cache and Bolt (netty)
# use direct buffers without warnings or slower fallbacks.
_JVM_FLAGS = (
    "-XX:+ExitOnOutOfMemoryError",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
)

_running: set[Neo4jServer] = set()


class Neo4jServerError(RuntimeError):
    """The launcher could not be built, or the server did not start."""


def missing_tools() -> list[str]:
    """The commands the server needs (``java``, ``mvn``) that are not on PATH."""
    return [tool for tool in ("java", "mvn") if shutil.which(tool) is None]


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for path in [PROJECT_DIR / "pom.xml", *sorted((PROJECT_DIR / "src").rglob("*"))]:
        if path.is_file():
            digest.update(str(path.relative_to(PROJECT_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def build_launcher(*, offline: bool = False, force: bool = False) -> Path:
    """Build ``tools/neo4j`` with Maven unless it is up to date; returns its target dir.

    Up to date means ``target/build.stamp`` holds the hash of the pom and sources it was
    built from, so the check costs milliseconds. Builds are serialised by a lock file,
    so parallel test workers build once. ``offline`` passes ``-o`` (``~/.m2`` is warm).
    """
    _TARGET.mkdir(exist_ok=True)
    with open(_TARGET / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        fingerprint = _fingerprint()
        jar = _TARGET / "neo4j-launcher.jar"
        stamp = _STAMP.read_text().strip() if _STAMP.exists() else ""
        if not force and stamp == fingerprint and jar.exists():
            return _TARGET
        _STAMP.unlink(missing_ok=True)
        cmd = ["mvn", "-q", "-B", *(["-o"] if offline else []), "-f", str(PROJECT_DIR / "pom.xml"), "package"]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=_BUILD_TIMEOUT_S, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise Neo4jServerError(f"`{' '.join(cmd)}` could not run: {exc}") from exc
        if done.returncode != 0:
            output = _ANSI.sub("", done.stdout + done.stderr).strip().splitlines()
            tail = "\n".join(output[-_LOG_TAIL_LINES:])
            raise Neo4jServerError(f"`{' '.join(cmd)}` failed (exit {done.returncode}):\n{tail}")
        _STAMP.write_text(fingerprint + "\n")
        return _TARGET


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Neo4jServer:
    """One Neo4j + GDS JVM with Bolt on ``127.0.0.1:<free port>``.

    ``data_dir`` holds the store, the generated ``neo4j.conf``, Neo4j's logs and
    ``neo4j.log`` (the JVM's output); without one a temporary folder is used and
    removed by ``stop()``. ``password=None`` turns authentication off.
    """

    user = "neo4j"

    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        password: str | None = DEFAULT_PASSWORD,
        heap: str = DEFAULT_HEAP,
        pagecache: str = "64m",
        start_timeout: float = _START_TIMEOUT_S,
    ) -> None:
        self._own_dir = data_dir is None
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="sanctionnet-neo4j-")).absolute()
        self.password = password
        self.heap = heap
        self.pagecache = pagecache
        self.start_timeout = start_timeout
        self.log_file = self.data_dir / "neo4j.log"
        self.port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        if self.port is None:
            raise Neo4jServerError("the server is not started")
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def auth(self) -> tuple[str, str] | None:
        """Credentials for ``GraphDatabase.driver(uri, auth=...)``."""
        return (self.user, self.password) if self.password is not None else None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> Neo4jServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> Neo4jServer:
        """Build if needed, start the JVM and return once ``RETURN 1`` answers over Bolt.

        A port taken between choosing it and binding it is retried on a new port.
        """
        if self._process is not None:
            return self
        try:
            target = build_launcher()
        except Neo4jServerError:
            self._cleanup()
            raise
        self.data_dir.mkdir(parents=True, exist_ok=True)
        for attempt in range(3):
            self.port = _free_port()
            self._spawn(target)
            try:
                self._wait_ready()
                return self
            except Neo4jServerError:
                log_text = self.log_tail()
                self._terminate()
                if "Address already in use" not in log_text or attempt == 2:
                    self._cleanup()
                    raise
        raise AssertionError("unreachable")

    def _spawn(self, target: Path) -> None:
        classpath = f"{target / 'neo4j-launcher.jar'}:{target / 'lib'}/*"
        cmd = ["java", f"-Xmx{self.heap}", *_JVM_FLAGS, "-cp", classpath, _MAIN_CLASS,
               "--home", str(self.data_dir), "--port", str(self.port),
               "--plugins", str(target / "plugins"),
               "--conf", f"server.memory.pagecache.size={self.pagecache}"]
        if self.password is not None:
            cmd += ["--password", self.password]
        with open(self.log_file, "ab") as log:
            # stdin stays an open pipe: the launcher stops when it closes, so the JVM
            # dies with us even on SIGKILL. Its own session keeps a terminal's Ctrl-C
            # from reaching it before stop() does.
            self._process = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT,
                                             cwd=self.data_dir, start_new_session=True)
        _running.add(self)

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        last_error: Exception | None = None
        ready = False
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise Neo4jServerError(
                    f"Neo4j exited with code {self._process.returncode} before Bolt was ready; "
                    f"{self.log_file} ends:\n{self.log_tail()}")
            if not ready:
                # Bolt listens before the launcher has set the password; probing then
                # would fail authentication and trip Neo4j's login rate limit.
                ready = "READY bolt://" in self.log_tail()
                time.sleep(0.1)
                continue
            try:
                with GraphDatabase.driver(self.uri, auth=self.auth, connection_timeout=2.0) as driver:
                    driver.execute_query("RETURN 1")
                return
            except (ServiceUnavailable, Neo4jError, OSError) as exc:
                last_error = exc
                time.sleep(0.25)
        raise Neo4jServerError(
            f"Neo4j did not answer RETURN 1 on {self.uri} within {self.start_timeout:.0f} s "
            f"(last error: {last_error}); {self.log_file} ends:\n{self.log_tail()}")

    def log_tail(self) -> str:
        """The last lines of the JVM's output (``neo4j.log``)."""
        try:
            lines = self.log_file.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(lines[-_LOG_TAIL_LINES:])

    def stop(self, timeout: float = 30.0) -> None:
        """Shut the server down cleanly (kill it after ``timeout`` seconds) and wait."""
        self._terminate(timeout)
        self._cleanup()

    def _terminate(self, timeout: float = 30.0) -> None:
        process, self._process = self._process, None
        _running.discard(self)
        if process is None:
            return
        if process.poll() is None:
            # Closing stdin starts the launcher's clean shutdown; SIGTERM is the
            # fallback (it runs the same shutdown hook), SIGKILL the last resort.
            try:
                process.stdin.close()
            except OSError:
                pass
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        elif process.stdin is not None:
            process.stdin.close()

    def _cleanup(self) -> None:
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)


@atexit.register
def _stop_all() -> None:
    for server in list(_running):
        server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.neo4j_server", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="keep the store here (default: a temporary folder)")
    parser.add_argument("--password", default=DEFAULT_PASSWORD, help="password of user neo4j")
    parser.add_argument("--no-auth", action="store_true", help="turn authentication off")
    parser.add_argument("--heap", default=DEFAULT_HEAP, help="JVM -Xmx (default %(default)s)")
    parser.add_argument("--build-only", action="store_true", help="build the launcher if needed, then exit")
    args = parser.parse_args(argv)
    if args.build_only:
        print(f"launcher built in {build_launcher()}")
        return
    # SIGTERM (and a SIGINT the shell set to ignored) stop the server like Ctrl-C.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    server = Neo4jServer(args.data_dir, password=None if args.no_auth else args.password, heap=args.heap)
    started = time.monotonic()
    server.start()
    print(f"Neo4j {server.uri} user={server.user} password={server.password} "
          f"(ready in {time.monotonic() - started:.1f} s, log {server.log_file}); Ctrl-C stops it", flush=True)
    try:
        while server.running:
            time.sleep(1)
        print(f"Neo4j exited; {server.log_file} ends:\n{server.log_tail()}")
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
