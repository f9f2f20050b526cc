"""Bulk load rate of relationships on the embedded store.

    python -m bench.load [--enterprises 50000] [--fsync always]

Loads a generated demo bundle (about 4 relationships per enterprise with its persons)
into a fresh embedded store and prints, for relations.csv:

* end to end: rows per second of the loader's relations stage (CSV reading,
  validation, endpoint checks, writes);
* store writes: rows per second of the time spent inside the write statements
  (UNWIND ... MERGE, parameters serialised and sent, the server's work);
* and where the stage's time went.

Then reloads the same bundle (every relationship exists: MERGE finds it) and prints
the same figures, and loads the real listed-company samples from ../shared/data if
present (relationships of a real registry-like graph).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from graph_model.catalogue import load_catalogue
from graph_model.pii import IdHasher
from graph_model.settings import Settings
from graph_model.store import open_store
from loaders.bundle import load_bundle
from loaders.demo import generate_bundle
from loaders.listed import load_listed

__all__ = ["main"]

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


class _Timed:
    """The store, with the time spent in each named write statement added up."""

    def __init__(self, store) -> None:
        self._store = store
        self.seconds: dict[str, float] = defaultdict(float)
        self.rows: dict[str, int] = defaultdict(int)

    def write(self, name, /, **params):
        t0 = time.perf_counter()
        try:
            return self._store.write(name, **params)
        finally:
            self.seconds[name] += time.perf_counter() - t0
            self.rows[name] += len(params.get("rows", ()))

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
    return stages, report


def _print(label: str, timed: _Timed, stages: dict[str, float], rows: int) -> None:
    write_s, write_rows = timed.seconds["load_relations"], timed.rows["load_relations"]
    stage = stages["relations.csv"]
    print(f"{label}: {rows:,} relationships")
    print(f"  end to end (relations stage)  {rows / stage:>9,.0f} rows/s  ({stage:.2f} s)")
    print(f"  store writes (load_relations) {write_rows / write_s:>9,.0f} rows/s  ({write_s:.2f} s, "
          f"{write_s / stage:.0%} of the stage)")


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
            for label in ("first load", "reload (all exist)"):
                store = _Timed(raw)
                stages, _ = _stage_times(store, catalogue, hasher, folder)
                _print(f"{label}, demo {args.enterprises:,} enterprises, fsync {args.fsync}", store, stages, rows)
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
                write_s = store.seconds["load_relations"]
                print(f"real listed-company samples: {n:,} relationships, {report.loaded['subjects.csv']:,} subjects "
                      f"in {seconds:.1f} s end to end (reading, resolution, bundle, load); relationship writes "
                      f"{store.rows['load_relations'] / write_s:,.0f} rows/s")
        finally:
            raw.close()
            if server is not None:
                server.stop()


if __name__ == "__main__":
    main()
