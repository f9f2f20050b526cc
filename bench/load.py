"""Bulk load rate of relationships on the embedded store.

    python -m bench.load [--enterprises 50000] [--fsync always]

Loads a generated demo bundle (about 4 relationships per enterprise with its persons)
into a fresh embedded store. The store is empty, so subjects and relations go in as
one GRAPH.BULK command (``FalkorStore.create_graph``). Prints, for relations.csv:

* into the store: relationships per second of what the bulk write spends on them
  (encoding, sending, creating): the bulk write's time minus that of the same write
  without relationships, both into fresh graphs;
* end to end: relationships per second of reading, validating and checking
  relations.csv plus that write time;
* the whole load's time, stage by stage.

Then reloads the same bundle (every row exists: the MERGE path) and prints the write
and end-to-end rates of that path, and loads the real listed-company samples from
../shared/data if present (relationships of a real registry-like graph).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from demo.generate import generate_bundle
from graph_model.catalogue.model import load_catalogue
from graph_model.identity.pii import IdHasher
from graph_model.settings import Settings
from graph_model.store import open_store
from graph_model.store.falkordb import FalkorStore
from loaders.bundle import load_bundle
from loaders.listed import load_listed

__all__ = ["main"]

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


class _Timed:
    """The store, with the time spent in each named write statement (and in the
    bulk write) added up."""

    def __init__(self, store) -> None:
        self._store = store
        self.seconds: dict[str, float] = defaultdict(float)
        self.rows: dict[str, int] = defaultdict(int)
        self.bulk_args: tuple | None = None

    def write(self, name, /, **params):
        t0 = time.perf_counter()
        try:
            return self._store.write(name, **params)
        finally:
            self.seconds[name] += time.perf_counter() - t0
            self.rows[name] += len(params.get("rows", ()))

    def create_graph(self, nodes, relationships):
        t0 = time.perf_counter()
        try:
            return self._store.create_graph(nodes, relationships)
        finally:
            self.seconds["create_graph"] += time.perf_counter() - t0
            self.bulk_args = (nodes, relationships)

    def __getattr__(self, name):
        return getattr(self._store, name)


def _stage_times(store, catalogue, hasher, folder: Path) -> tuple[dict[str, float], object]:
    stages: dict[str, float] = {}
    started = {"name": None, "at": time.perf_counter()}

    def progress(stage: str, n: int) -> None:
        if n == 0:
            now = time.perf_counter()
            if started["name"]:
                stages[started["name"]] = now - started["at"]
            started.update(name=stage, at=now)

    report = load_bundle(store, catalogue, hasher, folder, progress=progress)
    stages[started["name"]] = time.perf_counter() - started["at"]
    return stages, report


def _bulk_seconds(raw: FalkorStore, nodes, relationships) -> float:
    """Time of one create_graph into a fresh graph of the same server."""
    scratch = FalkorStore(unix_socket_path=raw._where, graph="bench-scratch")
    try:
        scratch.drop_graph()
        t0 = time.perf_counter()
        assert scratch.create_graph(nodes, relationships)
        return time.perf_counter() - t0
    finally:
        scratch.drop_graph()
        scratch.close()


def _print_bulk(raw, timed: _Timed, stages: dict[str, float], report, title: str) -> None:
    nodes, relationships = timed.bulk_args
    n = sum(map(len, relationships.values()))
    with_edges = min(_bulk_seconds(raw, nodes, relationships) for _ in range(3))
    without = min(_bulk_seconds(raw, nodes, {}) for _ in range(3))
    edges_s = with_edges - without
    read_s = stages["relations.csv"] - timed.seconds["create_graph"]
    print(f"{title}: {report.loaded['subjects.csv']:,} subjects, {n:,} relationships, one GRAPH.BULK")
    print(f"  into the store                 {n / edges_s:>9,.0f} relationships/s  ({edges_s:.2f} s: bulk write "
          f"{with_edges:.2f} s, without the relationships {without:.2f} s)")
    print(f"  end to end (relations.csv)     {n / (read_s + edges_s):>9,.0f} relationships/s  "
          f"(read, validate, check {read_s:.2f} s + into the store {edges_s:.2f} s)")
    print(f"  whole load {report.seconds:.1f} s: subjects.csv read {stages['subjects.csv']:.2f} s, relations.csv "
          f"read {read_s:.2f} s, bulk write with indexes {timed.seconds['create_graph']:.2f} s, "
          f"{report.loaded['entries.csv']:,} entries and propagation {stages['entries.csv'] + stages['propagation']:.2f} s")


def _print_merge(timed: _Timed, stages: dict[str, float], rows: int, title: str) -> None:
    write_s, write_rows = timed.seconds["load_relations"], timed.rows["load_relations"]
    read_s = stages["relations.csv"] - write_s - timed.seconds["load_subjects"]
    print(f"{title}: {rows:,} relationships, UNWIND ... MERGE")
    print(f"  store writes (load_relations)  {write_rows / write_s:>9,.0f} relationships/s  ({write_s:.2f} s)")
    print(f"  end to end (relations.csv)     {rows / (read_s + write_s):>9,.0f} relationships/s  "
          f"(read, validate, check {read_s:.2f} s + writes {write_s:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=50_000)
    parser.add_argument("--fsync", choices=["always", "everysec"], default="always")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "demo"
        generate_bundle(folder, enterprises=args.enterprises)
        rows = sum(1 for _ in open(folder / "relations.csv", encoding="utf-8")) - 1
        settings = Settings(data_dir=Path(tmp) / "data", id_hash_key="bench", fsync=args.fsync)
        raw, server, _ = open_store(settings)
        try:
            catalogue, hasher = load_catalogue(), IdHasher.from_settings(settings)
            store = _Timed(raw)
            stages, report = _stage_times(store, catalogue, hasher, folder)
            title = f"first load, demo {args.enterprises:,} enterprises, fsync {args.fsync}"
            if not report.bulk:
                raise SystemExit("the first load did not take the bulk path; is the store empty?")
            _print_bulk(raw, store, stages, report, title)
            store = _Timed(raw)
            stages, _ = _stage_times(store, catalogue, hasher, folder)
            _print_merge(store, stages, rows, "reload (every row exists)")
            files = [SHARED / "cn-stock-executives-kg" / "import" / name for name in
                     ("stock.csv", "executive.csv", "executive_stock.csv")] + \
                    [SHARED / "cn-top10-holders-2017" / name for name in ("stockList.csv", "stockHolder.csv")]
            if all(f.is_file() for f in files):
                raw.drop_graph()
                raw.ensure_schema()
                store = _Timed(raw)
                t0 = time.perf_counter()
                report = load_listed(store, catalogue, hasher, files)
                seconds = time.perf_counter() - t0
                n = report.loaded["relations.csv"]
                how = "one GRAPH.BULK" if report.bulk else "UNWIND ... MERGE"
                print(f"real listed-company samples: {n:,} relationships, {report.loaded['subjects.csv']:,} subjects "
                      f"in {seconds:.1f} s end to end (reading, resolution, bundle, load; {how}, "
                      f"{store.seconds['create_graph']:.2f} s)")
        finally:
            raw.close()
            if server is not None:
                server.stop()


if __name__ == "__main__":
    main()
