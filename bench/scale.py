"""The scale benchmark: sanctionnet beside two plain baselines, at 100 k, 1 M and 5 M enterprises.

    python -m bench [--sizes 100k,1M,5M] [--checks 2000] [--batch 10000] [--fsync always]
                    [--json FILE] [--no-analyses]

For each size it generates a demo bundle (``demo.generate``: 1.5 persons per enterprise,
public bodies, about 1.7 relationships per node), loads it into a fresh embedded store
and measures, in this order:

* the bulk load (rows/s end to end; relationships/s end to end for relations.csv; the
  ``GRAPH.BULK`` write alone), then the store's memory (``used_memory`` and the server's
  resident size) and disk (the data folder after the load's checkpoint);
* full propagation: inside the first load (from nothing) and again (``db propagate``:
  every entry derived again over the records it made);
* the check ("is X restricted, and why") in process and over HTTP (uvicorn, one worker,
  one keep-alive client, a screener key, every answer audited), p50/p99;
* the batch check of ``--batch`` subjects, in process and over HTTP;
* a new listing made visible: a decision recorded and notified (notice period over), its
  restrictions derived for that entry only, then the legal representative checked;
* the analyses: each kind of lead, ``controllers derive``, ``owners`` of held enterprises.

Beside each figure it prints the same question answered by the two baselines of
``bench/baselines/`` in the same run, built from the same CSV files (networkx and SQLite
with a recursive CTE, both answering at query time from the raw graph, with the same
catalogue, and nothing else: no persistence, audit, history or provenance), and the
ratio baseline / sanctionnet (above 1: sanctionnet is faster). It also counts how many
sampled answers the three agree on. The targets of issue 8 are marked met or missed.

Parts: ``bench/figures.py`` (the table, memory, the machine), ``bench/measure.py``
(sanctionnet), ``bench/versus.py`` (the baselines); ``bench/report.py`` prints a
``--json`` run as Markdown.

5 M runs only where memory allows: each part's peak at the largest size run so far (the
store with the checks; the analyses; each baseline) is scaled linearly, and a part whose
estimate exceeds 80 % of the memory available is skipped, with the estimate printed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from bench.figures import SIZES, SizeResult, _available_memory, _timed, console, machine, print_table
from bench.measure import measure_sanctionnet, sample_of
from bench.versus import measure_baselines

__all__ = ["main", "run_size"]


def run_size(label: str, enterprises: int, args, tmp: Path) -> SizeResult:
    from demo.generate import generate_bundle

    started = time.perf_counter()
    result = SizeResult(label, enterprises)
    folder, data = tmp / f"bundle-{label}", tmp / f"data-{label}"
    console.print(f"[bold]{label}[/]: generating {enterprises:,} enterprises")
    seconds, stats = _timed(lambda: generate_bundle(folder, enterprises=enterprises, seed=0))
    result.subjects, result.relations, result.entries = stats.subjects, stats.relations, stats.entries
    console.print(f"  generated {stats.subjects:,} subjects, {stats.relations:,} relationships, {stats.entries:,} "
                  f"entries in {seconds:.0f} s")
    sample = sample_of(folder, args.checks, args.batch, seed=1)
    answers = measure_sanctionnet(result, folder, data, sample, args)
    shutil.rmtree(data, ignore_errors=True)
    if args.baselines:
        measure_baselines(result, folder, tmp, sample, answers, args.baselines)
    shutil.rmtree(folder, ignore_errors=True)
    (tmp / "baseline.db").unlink(missing_ok=True)
    result.seconds = time.perf_counter() - started
    return result


def _gib(size: float) -> str:
    return "an unknown amount (not measured at the largest smaller size)" if size == float("inf") else \
        f"about {size / 2**30:.0f} GiB"


def _fitting(label: str, enterprises: int, args: argparse.Namespace,
             done: Sequence[SizeResult]) -> argparse.Namespace | None:
    """The parts of a size that fit in memory, judged from the largest size run so far
    by scaling each part's peak linearly: None if sanctionnet itself would not fit;
    otherwise ``args`` without the analyses or baselines that would not."""
    run = argparse.Namespace(**vars(args))
    run.baselines = ["networkx", "sqlite"] if args.baselines else []
    if not done:
        if enterprises > SIZES["1M"]:
            console.print(f"[yellow]{label}: run first at a smaller size, which tells how much memory it needs[/]")
            return None
        return run
    room = 0.8 * _available_memory()

    def need(part: str) -> float:
        # From the largest size that measured the part; a part skipped there stays skipped.
        measured = [r for r in done if part in r.peaks]
        if not measured or max(measured, key=lambda r: r.enterprises) is not max(done, key=lambda r: r.enterprises):
            return float("inf")
        last = max(measured, key=lambda r: r.enterprises)
        return last.peaks[part] * enterprises / last.enterprises

    if need("store") > room:
        console.print(f"[yellow]{label}: skipped; the load, the store and the checks would need about "
                      f"{need('store') / 2**30:.0f} GiB, scaled from the largest size run, and "
                      f"{room / 2**30:.0f} GiB are free to use[/]")
        return None
    if run.analyses and need("analyses") > room:
        console.print(f"[yellow]{label}: analyses skipped; they would need {_gib(need('analyses'))} (with the "
                      f"store), {room / 2**30:.0f} GiB are free to use[/]")
        run.analyses = False
    for name in list(run.baselines):
        if need(name) > room:
            console.print(f"[yellow]{label}: {name} baseline skipped; it would need {_gib(need(name))}, "
                          f"{room / 2**30:.0f} GiB are free to use[/]")
            run.baselines.remove(name)
    return run


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100k,1M,5M", help="comma-separated: 100k, 1M, 5M or a number")
    parser.add_argument("--checks", type=int, default=2_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--fsync", choices=["always", "everysec"], default="always")
    parser.add_argument("--no-analyses", dest="analyses", action="store_false")
    parser.add_argument("--analysis-limit", type=float, default=900.0,
                        help="seconds after which one analysis is stopped and reported as such")
    parser.add_argument("--no-baselines", dest="baselines", action="store_false")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--tmp", type=Path, help="work folder (default: a temporary one)")
    args = parser.parse_args(argv)
    about = machine()
    results: list[SizeResult] = []
    with tempfile.TemporaryDirectory(prefix="sanctionnet-bench-", dir=args.tmp) as tmp:
        for label in args.sizes.split(","):
            enterprises = SIZES.get(label) or int(label.replace("_", ""))
            run = _fitting(label, enterprises, args, results)
            if run is None:
                continue
            results.append(run_size(label, enterprises, run, Path(tmp)))
            if args.json:
                args.json.write_text(json.dumps({"machine": about, "results": [asdict(r) for r in results]},
                                                indent=1, ensure_ascii=False))
    print_table(results, about)


if __name__ == "__main__":
    main()
