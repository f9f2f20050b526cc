"""Checks per second over HTTP, several API workers, on loopback.

    python -m bench.http_load [--enterprises 20000] [--requests 6000] [--concurrency 16] [--workers 1,2,4]

Generates and loads the demo data, creates a screener key, and for each worker
count starts `sanctionnet serve --workers N` and sends a fixed number of
`GET /v1/check` requests (listed firms, their role holders, anyone; by id, USCC
and ID number) from one asyncio client holding ``--concurrency`` connections.
Prints requests per second, latency p50/p99/max, and every error or dropped
request (there must be none). The client runs on the same 2 cores as the server,
so the figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.server import api_key, free_port, run_cli, serve, stop
from bench.spine import percentile

__all__ = ["LoadResult", "load", "main", "subjects"]


@dataclass
class LoadResult:
    requests: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> int:
        return self.statuses[200]

    def pct(self, q: float) -> float:
        return percentile(self.latencies, q) if self.latencies else float("nan")


def subjects(bundle: Path, count: int, rng: random.Random) -> list[str]:
    """Keys as screening systems send them, of listed subjects and of anyone: bundle ids
    and USCCs of firms and bodies, ID numbers of persons (a screener is answered on a
    person only when it asks by ID number)."""
    with open(bundle / "entries.csv", encoding="utf-8") as handle:
        listed = {row["subject_id"] for row in csv.DictReader(handle)}
    keys = []
    with open(bundle / "subjects.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["id"] in listed or rng.random() < 0.05:
                if row["kind"] != "person":
                    keys.append(row["id"])
                if row.get("uscc"):
                    keys.append(row["uscc"])
                if row.get("id_number"):
                    keys.append(row["id_number"])
    return [rng.choice(keys) for _ in range(count)]


async def _run(base: str, key: str, keys: list[str], concurrency: int, timeout: float) -> LoadResult:
    queue: asyncio.Queue[str] = asyncio.Queue()
    for subject in keys:
        queue.put_nowait(subject)
    result = LoadResult(requests=len(keys), seconds=0.0)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            subject = queue.get_nowait()
            started = time.perf_counter()
            try:
                answer = await client.get("/v1/check", params={"subject": subject})
                result.statuses[answer.status_code] += 1
                if answer.status_code != 200:
                    result.errors.append(f"{answer.status_code} {answer.text[:200]}")
            except httpx.HTTPError as exc:
                result.statuses["dropped"] += 1
                result.errors.append(f"{type(exc).__name__}: {exc}")
            result.latencies.append(time.perf_counter() - started)

    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {key}"}, limits=limits,
                                 timeout=timeout) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        result.seconds = time.perf_counter() - started
    return result


def load(env: dict, keys: list[str], *, workers: int, concurrency: int, timeout: float = 30) -> LoadResult:
    """Serve with ``workers`` processes and send one check per key."""
    port = free_port()
    key = api_key(env, "screener")
    proc = serve(env, port, workers=workers)
    try:
        return asyncio.run(_run(f"http://127.0.0.1:{port}", key, keys, concurrency, timeout))
    finally:
        stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=6_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args()
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SANCTIONNET_DATA_DIR": str(Path(tmp) / "data"), "SANCTIONNET_ID_HASH_KEY": "bench",
               "SANCTIONNET_FSYNC": "everysec"}
        done = run_cli(env, "demo", "--enterprises", str(args.enterprises), timeout=900)
        assert done.returncode == 0, done.stderr
        keys = subjects(Path(tmp) / "data" / "demo-bundle", args.requests, rng)
        print(f"demo: {args.enterprises:,} enterprises; {args.requests:,} checks per run, "
              f"{args.concurrency} connections, loopback, 2 cores shared with the client")
        print(f"{'workers':>7} {'checks/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'ok':>6} {'errors':>6}")
        try:
            for workers in (int(w) for w in args.workers.split(",")):
                result = load(env, keys, workers=workers, concurrency=args.concurrency)
                print(f"{workers:>7} {result.requests / result.seconds:>9.0f} {result.pct(0.5) * 1000:>7.1f} "
                      f"{result.pct(0.99) * 1000:>7.1f} {max(result.latencies) * 1000:>7.1f} {result.ok:>6} "
                      f"{len(result.errors):>6}")
                for error in result.errors[:5]:
                    print(f"        {error}")
                if result.latencies:
                    print(f"        mean {statistics.mean(result.latencies) * 1000:.1f} ms; "
                          f"statuses {dict(result.statuses)}")
        finally:
            run_cli(env, "db", "stop")


if __name__ == "__main__":
    main()
