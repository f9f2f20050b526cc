"""What the scale benchmark measures on sanctionnet: the sample of subjects, the load,
propagation, checks in process and over HTTP, a new listing, and the analyses, each in a
child process with a time limit."""

from __future__ import annotations

import csv
import os
import queue
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from multiprocessing import get_context
from pathlib import Path

from bench.figures import Figure, SizeResult, _du, _ms, _peak, _rss, _timed
from bench.load import _bulk_seconds, _stage_times, _Timed

__all__ = ["Sample", "sample_of", "measure_sanctionnet"]

_COURT = "哈尔滨市南岗区人民法院"



@dataclass
class Sample:
    """Bundle ids to check (a mix: listed subjects, their role holders, anyone), the
    batch, and enterprises with a current legal representative and no listing."""

    checks: list[str]
    batch: list[str]
    fresh: list[tuple[str, str]]  # (enterprise, its legal representative)
    held: list[str]  # enterprises held by another subject (for owners)


def sample_of(folder: Path, checks: int, batch: int, seed: int) -> Sample:
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
    from graph_model.lifecycle.acts import Act, NewEntry
    from graph_model.lifecycle.transitions import create_entry, transition
    from graph_model.check.rules import check

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


def _bulk_share(result: SizeResult, raw, nodes, relations: int, bulk_s: float, read_s: float) -> None:
    """Relationships per second into the store: the load's bulk write less the same
    write without relationships (into a scratch graph), and end to end with reading and
    validating relations.csv."""
    without = min(_bulk_seconds(raw, nodes, {}) for _ in range(2))
    into_store = bulk_s - without
    if into_store <= 0:  # noise larger than the relationships' share: say so, no rate
        result.notes.append(f"bulk write {bulk_s:.1f} s, without relationships {without:.1f} s: no rate")
        return
    result.add(Figure("load: relationships into the store (GRAPH.BULK)", "rel/s", relations / into_store,
                      higher_is_better=True, target=100_000,
                      note=f"{into_store:.1f} s: the bulk write ({bulk_s:.1f} s, indexes included) less the "
                           f"same write without relationships ({without:.1f} s)"))
    result.add(Figure("load: relations.csv end to end (read, validate, write)", "rel/s",
                      relations / (read_s + into_store), higher_is_better=True, target=100_000,
                      note=f"reading and validating {read_s:.1f} s"))
    result.figures[1:1] = result.figures[-2:]  # shown with the other load figures
    del result.figures[-2:]


def _analysis_child(data: str, fsync: str, kind: str, out) -> None:
    """Run one analysis on the running store, in its own process (``_analysis``), and
    put (seconds, what it found, peak resident bytes) on ``out``."""
    from analysis.candidates import derive_candidates
    from analysis.leads import find_leads
    from graph_model.catalogue.model import load_catalogue
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
    from analysis.owners import owners
    from graph_model.identity.lookup import resolve_subject

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


def measure_sanctionnet(result: SizeResult, folder: Path, data: Path, sample: Sample, args) -> dict:
    """Everything measured on sanctionnet; returns the answers of the sampled checks for
    the agreement count."""
    from graph_model.catalogue.model import load_catalogue
    from graph_model.identity.pii import IdHasher
    from graph_model.lifecycle.propagation import propagate
    from graph_model.check.rules import check, check_many
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
        if not report.bulk:
            raise SystemExit("the load did not take the bulk path; is the store empty?")
        relations = report.loaded["relations.csv"]
        result.add(Figure("load: whole bundle, end to end", "rows/s", report.rows_loaded / report.seconds,
                          higher_is_better=True, note=f"{report.rows_loaded:,} rows in {report.seconds:.1f} s"))
        # Memory and disk now: the scratch graph of _bulk_share, at the end, adds to both.
        info = raw._db.connection.info("memory")
        pid = server.status().pid
        result.add(Figure("store: memory (used_memory / server RSS)", "MiB", info["used_memory"] / 2**20,
                          note=f"RSS {_rss(pid) / 2**20:,.0f} MiB"))
        result.add(Figure("store: disk (data folder after checkpoint)", "MiB", _du(data) / 2**20))
        # The relationships' share of the bulk write is measured last (_bulk_share): a
        # scratch graph, and FalkorDB freeing it in the background, would slow what follows.
        nodes = timed.bulk_args[0]
        timed.bulk_args = None
        result.add(Figure("propagation: full, from nothing (in the load)", "s", report.propagation.seconds,
                          target=10.0,
                          note=f"{report.propagation.entries:,} entries -> {report.propagation.restrictions:,} records"))
        seconds, stats = _timed(lambda: propagate(raw, catalogue))
        result.add(Figure("propagation: full, again (db propagate)", "s", seconds, target=10.0,
                          note=f"{stats.entries:,} entries, {stats.restrictions:,} records derived again"))

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
            registrar = api_key(env, "registrar", department=_COURT, dept_type="人民法院", region="230000")
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
        _bulk_share(result, raw, nodes, relations, timed.seconds["create_graph"],
                    stages["relations.csv"] - timed.seconds["create_graph"])
        result.peak_memory_bytes = max(result.peak_memory_bytes, _peak(pid) + _peak())
    finally:
        raw.close()
        server.stop()
    return answers
