"""The baselines' figures beside sanctionnet's: each baseline (``bench/baselines/``) built
from the same bundle and timed in a process of its own."""

from __future__ import annotations

import gc
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from multiprocessing import get_context
from pathlib import Path

from bench.figures import SizeResult, _ms, _peak, _rss, _timed
from bench.measure import Sample

__all__ = ["measure_baselines"]


def _baseline_run(name: str, folder: Path, db: Path, checks: list[str], batch: list[str], held: list[str]) -> dict:
    """One baseline's figures, measured in a fresh process (``_baselines``), so that its
    memory is its own and no collection of the parent's objects lands in its timings."""
    from bench.baselines import NetworkxBaseline, SqliteBaseline
    from graph_model.catalogue.model import load_catalogue

    catalogue, today = load_catalogue(), date.today()
    before = _rss()
    if name == "networkx":
        build, baseline = _timed(lambda: NetworkxBaseline.from_bundle(folder, catalogue))
    else:
        build, baseline = _timed(lambda: SqliteBaseline.from_bundle(folder, catalogue, path=db))
    out: dict = {"build_s": build, "memory_b": _rss() - before}
    gc.collect()
    gc.freeze()  # a full collection over a big graph would land in some timed call
    out["propagate_s"] = _timed(baseline.propagate_all)[0]
    samples, out["restricted"] = [], {}
    for key in checks:
        t0 = time.perf_counter()
        verdict = baseline.check(key, today)
        samples.append(time.perf_counter() - t0)
        out["restricted"][key] = verdict.restricted
    out["check_p50_ms"], out["check_p99_ms"] = _ms(samples, 0.5), _ms(samples, 0.99)
    out["batch_s"] = min(_timed(lambda: baseline.check_many(batch, today))[0] for _ in range(3))  # as ours
    samples = []
    for enterprise in held:
        t0 = time.perf_counter()
        baseline.owners(enterprise, today)
        samples.append(time.perf_counter() - t0)
    out["owners_p99_ms"] = _ms(samples, 0.99)
    out["peak_b"] = _peak()
    out["disk_b"] = db.stat().st_size if db.exists() else None
    return out


def measure_baselines(result: SizeResult, folder: Path, work: Path, sample: Sample, answers: dict,
               baselines: Sequence[str]) -> None:
    """The baselines' figures beside sanctionnet's, each baseline in its own process."""
    by_what = {f.what: f for f in result.figures}
    rows = result.subjects + result.relations + result.entries
    for name in baselines:
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
            out = pool.submit(_baseline_run, name, folder, work / "baseline.db", sample.checks, sample.batch,
                              sample.held).result()
        result.peak_memory_bytes = max(result.peak_memory_bytes, out["peak_b"])
        result.peaks[name] = out["peak_b"]
        for what, value in (("load: whole bundle, end to end", rows / out["build_s"]),
                            ("store: memory (used_memory / server RSS)", out["memory_b"] / 2**20),
                            ("propagation: full, from nothing (in the load)", out["propagate_s"]),
                            ("check in process, p50", out["check_p50_ms"]),
                            ("check in process, p99", out["check_p99_ms"]),
                            (f"batch check of {len(sample.batch):,}, in process", out["batch_s"]),
                            ("analysis: owners of a held enterprise, p99", out["owners_p99_ms"])):
            if what in by_what:
                setattr(by_what[what], name, value)
        if out["disk_b"] is not None:
            by_what["store: disk (data folder after checkpoint)"].sqlite = out["disk_b"] / 2**20
        agree = sum(out["restricted"].get(key) == answers.get(key) for key in sample.checks)
        result.notes.append(f"{name} agrees with sanctionnet on {agree:,} of {len(sample.checks):,} sampled "
                            f"checks; built in {out['build_s']:.1f} s, peak {out['peak_b'] / 2**30:.2f} GiB")
