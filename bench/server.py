"""Running sanctionnet as a user does: the CLI and a real HTTP server, for the
benchmarks and the tests (``tests/serving.py`` adds what only tests need)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

__all__ = ["CLI", "api_key", "client", "free_port", "run_cli", "serve", "stop"]

CLI = str(Path(sys.executable).parent / "sanctionnet")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(env: dict, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=timeout)


def serve(env: dict, port: int, workers: int = 1) -> subprocess.Popen:
    """``sanctionnet serve`` on ``port``, once it answers /healthz. Its output goes to a
    file (``proc.log``), never to a pipe nobody reads: a full pipe would hang the server."""
    log = tempfile.NamedTemporaryFile("w+", prefix="serve-", suffix=".log", delete=False)
    proc = subprocess.Popen([CLI, "serve", "--port", str(port), "--workers", str(workers)], env=env, stdout=log,
                            stderr=subprocess.STDOUT, text=True)
    proc.log = Path(log.name)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            if proc.poll() is not None:
                raise AssertionError(f"server exited: {proc.log.read_text()[-4000:]}")
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("server did not come up")


def stop(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
    return proc.wait(30)


def api_key(env: dict, role: str = "admin", **options: str) -> str:
    """A new API key of ``role`` (``sanctionnet keys create``); options: department, dept_type, region."""
    args = [f"--{k.replace('_', '-')}={v}" for k, v in options.items()]
    done = run_cli(env, "keys", "create", "--role", role, "--name", f"test {role}", *args)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def client(port: int, key: str | None, timeout: float = 30) -> httpx.Client:
    """An HTTP client of the served API that sends ``key``."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=timeout)
