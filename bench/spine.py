"""Load rate and check latency on the demo data, on the embedded store.

    python -m bench.spine [--enterprises 20000] [--checks 2000] [--fsync always]

Prints the load rate (rows/s, end to end through the bundle loader, and per file),
the propagation time, and check latency p50/p99 in process and over HTTP (one
keep-alive client, sequential requests, uvicorn on loopback).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.server import api_key
from demo.generate import generate_bundle
from graph_model.catalogue.model import load_catalogue
from graph_model.check.rules import check
from graph_model.identity.pii import IdHasher
from graph_model.settings import Settings
from graph_model.store import open_store
from loaders.bundle import load_bundle

__all__ = ["main", "percentile"]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _report(label: str, samples_s: list[float]) -> None:
    ms = [s * 1000 for s in samples_s]
    print(f"{label:<28} n={len(ms):>5}  p50 {percentile(ms, 0.50):7.2f} ms  p99 {percentile(ms, 0.99):7.2f} ms  "
          f"mean {statistics.fmean(ms):6.2f} ms")


def _subjects(folder: Path, n: int, seed: int) -> list[str]:
    """A realistic mix: listed enterprises, their role holders, and anyone; a person by
    ID number, as a screening system names one (a screener's key is answered on a
    person only then)."""
    subjects = list(csv.DictReader(open(folder / "subjects.csv", encoding="utf-8")))
    key = {row["id"]: row["id_number"] if row["kind"] == "person" else row["id"] for row in subjects}
    entries = [key[row["subject_id"]] for row in csv.DictReader(open(folder / "entries.csv", encoding="utf-8"))]
    listed = {row["subject_id"] for row in csv.DictReader(open(folder / "entries.csv", encoding="utf-8"))}
    holders = [key[row["from_id"]] for row in csv.DictReader(open(folder / "relations.csv", encoding="utf-8"))
               if row["to_id"] in listed and row["type"] in ("LEGAL_REP_OF", "PRINCIPAL_OF", "ACTUAL_CONTROLLER_OF")]
    everyone = list(key.values())
    rng = random.Random(seed)
    return [rng.choice((entries, holders, everyone, everyone)[i % 4]) for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=20_000)
    parser.add_argument("--checks", type=int, default=2_000)
    parser.add_argument("--fsync", choices=["always", "everysec"], default="always")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sanctionnet-bench-") as tmp:
        data = Path(tmp) / "data"
        settings = Settings(data_dir=data, fsync=args.fsync, id_hash_key="bench")
        started = time.perf_counter()
        stats = generate_bundle(Path(tmp) / "bundle", enterprises=args.enterprises, seed=0)
        print(f"generated {stats.subjects:,} subjects, {stats.relations:,} relations, {stats.entries:,} entries "
              f"in {time.perf_counter() - started:.1f} s")
        store, server, _ = open_store(settings)
        catalogue, hasher = load_catalogue(), IdHasher.from_settings(settings)
        try:
            timings: dict[str, list[float]] = {}
            marks = {"t": time.perf_counter()}

            def progress(stage: str, n: int) -> None:
                now = time.perf_counter()
                timings.setdefault(stage, []).append(now - marks["t"])
                marks["t"] = now

            report = load_bundle(store, catalogue, hasher, Path(tmp) / "bundle", progress=progress)
            rows = report.rows_loaded
            print(f"load (fsync {args.fsync}): {rows:,} rows in {report.seconds:.2f} s = {rows / report.seconds:,.0f} rows/s "
                  f"end to end (validation, hashing, writes, propagation)")
            for stage, spans in timings.items():
                if stage in report.loaded:
                    print(f"  {stage:<14} {report.loaded[stage]:>8,} rows  {sum(spans):6.2f} s  "
                          f"{report.loaded[stage] / max(sum(spans), 1e-9):>9,.0f} rows/s")
            print(f"  propagation    {report.propagation.entries:>8,} entries -> {report.propagation.restrictions:,} "
                  f"restrictions  {report.seconds - sum(s for st, sp in timings.items() if st in report.loaded for s in sp):6.2f} s")

            pid = server.status().pid
            os.kill(pid, signal.SIGKILL)
            t0 = time.perf_counter()
            server.ensure_running()
            print(f"recovery after kill -9: restart and load {report.rows_loaded:,} rows' worth in "
                  f"{time.perf_counter() - t0:.2f} s")

            keys = _subjects(Path(tmp) / "bundle", args.checks, seed=1)
            for key in keys[:100]:  # warm up
                check(store, catalogue, hasher, key)
            samples, restricted = [], 0
            for key in keys:
                t0 = time.perf_counter()
                answer = check(store, catalogue, hasher, key)
                samples.append(time.perf_counter() - t0)
                restricted += answer.restricted
            _report("check in process", samples)
            print(f"  ({restricted} of {len(keys)} answers restricted)")

            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            env = {**os.environ, "SANCTIONNET_DATA_DIR": str(data), "SANCTIONNET_ID_HASH_KEY": "bench",
                   "SANCTIONNET_FSYNC": args.fsync}
            proc = subprocess.Popen([sys.executable, "-c", "from api.cli import main; main()", "serve",
                                     "--port", str(port)], env=env, stdout=subprocess.DEVNULL)
            try:
                # Every /v1 call needs a key since issue 7: a screener's, as a department's system has.
                headers = {"Authorization": f"Bearer {api_key(env, 'screener')}"}
                with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=10) as client:
                    deadline = time.monotonic() + 30
                    while True:
                        try:
                            client.get("/healthz")
                            break
                        except httpx.TransportError:
                            if time.monotonic() > deadline:
                                raise
                            time.sleep(0.1)
                    for key in keys[:100]:
                        client.get("/v1/check", params={"subject": key})
                    samples = []
                    for key in keys:
                        t0 = time.perf_counter()
                        response = client.get("/v1/check", params={"subject": key})
                        samples.append(time.perf_counter() - t0)
                        assert response.status_code == 200, response.text
                    _report("check over HTTP", samples)
            finally:
                proc.send_signal(signal.SIGINT)
                proc.wait(30)
        finally:
            store.close()
            server.stop()


if __name__ == "__main__":
    main()
