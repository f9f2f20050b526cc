"""The worst single request on the demo data, against a real server (issue 17).

    python -m bench.worst [--enterprises 20000] [--timeout 60] [--no-rate-limits]

A hostile pass found requests that took 3-9 s and stalled the server. Against ``sanctionnet
serve`` (one worker) on the demo data, this sends every GET operation of the served OpenAPI
document as every role, with no key and a made-up key, with known subjects and hostile
values (dates 0001-01-01, 0, 9999-12-31; integers out of range; long, unicode, ID-shaped and
empty strings); then by hand the heavy ones: HTML briefings (first, before their rate limit
is spent) and two PDFs, graphs at limit=500, owners and controlled firms of the biggest
holders, broad searches, 10,000-key batch checks. Last, the slowest request of each of the
three slowest operations is sent again while another client polls ``/healthz``: does it
stall the server? Requests are sequential; the machine is shared and noisy, so each time is
set beside the median ``/healthz`` sampled between requests: the ratios are the claim. Public
answers take at least 50 ms by design. Exits 1 if an answer was a 5xx (but a 503 with
Retry-After, the briefing queue's refusal) or never came.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx
from rich.console import Console
from rich.table import Table

from bench.server import api_key, client, free_port, run_cli, serve, stop
from bench.spine import percentile

__all__ = ["Hit", "main"]

_REGISTRAR = {"department": "哈尔滨市市场监督管理局", "dept_type": "市场监督管理部门", "region": "230000"}
_ROLES = ("public", "screener", "investigator", "registrar", "admin")
_NONSENSE = "snk_00000000_nonsense"
_DATES = ("0001-01-01", "0", "9999-12-31", "1949-10-01", "")
_STRINGS = ("", "x" * 128, "名" * 128, "11010519491231002X", "91110000MA0000000X", "𠀀☃\u202e🙂", "' OR 1=1 //",
            "*", "%", "../../etc/passwd")
_SEARCHES = ("有限公司", "公", "哈尔滨", "E0", "9")
console = Console(width=150)  # a table, not a terminal's width: the output is kept in logs


@dataclass
class Hit:
    """One request: what was sent, as whom, and how it went."""

    method: str
    template: str  # the OpenAPI path, e.g. /v1/graph/{key}
    role: str
    status: int | str  # the HTTP status, or the transport error's name when no answer came
    seconds: float
    target: str  # path and query as sent, to send it again
    body: dict | None = None
    retry_after: bool = False

    @property
    def failed(self) -> bool:
        return isinstance(self.status, str) or (self.status >= 500 and not (self.status == 503 and self.retry_after))


class _Runner:
    """Sends requests one at a time as each key, and samples /healthz every tenth."""

    def __init__(self, port: int, keys: dict[str, str | None], timeout: float) -> None:
        self.clients = {role: client(port, key, timeout) for role, key in keys.items()}
        self.probe = client(port, None, timeout)
        self.hits: list[Hit] = []
        self.healthz: list[float] = []

    def send(self, role: str, method: str, template: str, target: str, body: dict | None = None,
             record: bool = True) -> Hit:
        started = time.perf_counter()
        try:
            answer = self.clients[role].request(method, target, json=body)
            status, retry = answer.status_code, "retry-after" in answer.headers
        except httpx.HTTPError as exc:
            status, retry = type(exc).__name__, False
        hit = Hit(method, template, role, status, time.perf_counter() - started, target, body, retry)
        if record:
            self.hits.append(hit)
            if len(self.hits) % 10 == 0:
                self.healthz.append(self.ping())
        return hit

    def ping(self) -> float:
        started = time.perf_counter()
        try:
            self.probe.get("/healthz")
        except httpx.HTTPError:
            pass  # a /healthz that never answers counts as the timeout it took
        return time.perf_counter() - started

    def close(self) -> None:
        for http in (*self.clients.values(), self.probe):
            http.close()


def _target(template: str, path: dict[str, str], query: dict[str, str]) -> str:
    url = re.sub(r"\{(\w+)\}", lambda m: quote(path[m.group(1)], safe=""), template)
    return f"{url}?{urlencode(query)}" if query else url


def _values(name: str, schema: dict, schemas: dict, known: list[str]) -> list[str]:
    """Hostile values for a query parameter of this schema, and a few sane ones."""
    values: list[str] = []
    for option in schema.get("anyOf", [schema]):
        option = schemas[option["$ref"].rsplit("/", 1)[1]] if "$ref" in option else option
        if name == "format":  # PDF and PNG start a Chromium each: sent twice by hand, not here
            values += ["html", "bogus"]
        elif "enum" in option:
            values += [str(v) for v in option["enum"] if v] + ["bogus"]
        elif option.get("format") == "date":
            values += _DATES
        elif option.get("type") == "integer":
            top = int(option.get("maximum", 10**6))
            values += ["0", "-1", "1", str(top), str(top + 1), str(2**64), "1e3"]
        elif option.get("type") == "string":
            values += (["000000", "230000"] if r"\d{6}" in option.get("pattern", "") else [])
            values += [*_STRINGS, *(known if name in ("subject", "q") else [])]
    return list(dict.fromkeys(values))


@dataclass
class _Demo:
    """Known subjects and keys from the demo bundle."""

    hub: str  # the subject with the most relations
    connected: str  # the listed enterprise with the most relations
    holder: str  # holds or controls the most subjects
    held: str  # has the most holders and controllers
    known: list[str]  # ``connected`` by id, USCC and name; a person by id and ID number
    entry: str
    batch: list[str]  # 10,000 keys: real USCCs and ID numbers, and ids nobody has
    names: list[str]  # 10,000 full enterprise names


def _demo(folder: Path, rng: random.Random) -> _Demo:
    degree, holds, holders = Counter[str](), Counter[str](), Counter[str]()
    with open(folder / "relations.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            degree[row["from_id"]] += 1
            degree[row["to_id"]] += 1
            if row["type"] in ("HOLDS_SHARES", "ACTUAL_CONTROLLER_OF"):
                holds[row["from_id"]] += 1
                holders[row["to_id"]] += 1
    with open(folder / "entries.csv", encoding="utf-8") as handle:
        entries = list(csv.DictReader(handle))
    listed = {row["subject_id"] for row in entries if row["state"] == "active"}
    with open(folder / "subjects.csv", encoding="utf-8") as handle:
        subjects = {row["id"]: row for row in csv.DictReader(handle)}
    connected = max(sorted(listed), key=lambda s: (subjects[s]["kind"] == "enterprise", degree[s]))
    person = max((s for s in subjects.values() if s["kind"] == "person"), key=lambda s: degree[s["id"]])
    firm, rows = subjects[connected], list(subjects.values())
    batch = (rng.choices([s["uscc"] for s in rows if s["uscc"]], k=6_000)
             + rng.choices([s["id_number"] for s in rows if s["id_number"]], k=2_000)
             + [f"E{9_000_000 + i}" for i in range(2_000)])
    return _Demo(hub=degree.most_common(1)[0][0], connected=connected, holder=holds.most_common(1)[0][0],
                 held=holders.most_common(1)[0][0], entry=entries[0]["entry_id"],
                 known=[connected, firm["uscc"], firm["name"], person["id"], person["id_number"]],
                 batch=rng.sample(batch, len(batch)),
                 names=rng.choices([s["name"] for s in rows if s["kind"] == "enterprise"], k=10_000))


def _by_hand(run: _Runner, demo: _Demo) -> None:
    """The heavy requests; briefings first, while their rate limit allows them."""
    def get(role: str, template: str, key: str | None, **query: str) -> None:
        run.send(role, "GET", template, _target(template, {"key": key} if key else {}, query))

    for role in _ROLES:
        for subject in (demo.connected, demo.hub):
            get(role, "/v1/briefings/{key}", subject, format="html")
    for _ in range(2):
        get("investigator", "/v1/briefings/{key}", demo.connected, format="pdf")
    for role in _ROLES:
        for subject in (demo.hub, demo.holder, demo.held):
            get(role, "/v1/graph/{key}", subject, limit="500")
            get(role, "/v1/subjects/{key}/owners", subject)
            get(role, "/v1/subjects/{key}/controlled", subject)
        for day in _DATES:
            get(role, "/v1/graph/{key}", demo.hub, limit="500", date=day)
        for q in (*_SEARCHES, demo.known[2]):
            get(role, "/v1/search", None, q=q, limit="100")
    for role, keys, consortium in (("screener", demo.batch, False), ("public", demo.batch, False),
                                   ("screener", demo.batch, True), ("screener", demo.names, False)):
        run.send(role, "POST", "/v1/check/batch", "/v1/check/batch", {"subjects": keys, "consortium": consortium})


def _sweep(run: _Runner, openapi: dict, demo: _Demo, lead: str) -> None:
    """Every GET operation, as every key, with known and hostile values."""
    schemas = openapi["components"]["schemas"]
    for template, operations in openapi["paths"].items():
        if "get" not in operations:
            continue
        params = operations["get"].get("parameters", [])
        path_names = [p["name"] for p in params if p["in"] == "path"]
        required = {p["name"]: demo.known[0] if p["name"] != "q" else _SEARCHES[0]
                    for p in params if p["in"] == "query" and p.get("required")}
        real = {"key": [demo.hub, demo.holder, demo.held, *demo.known], "entry_id": [demo.entry], "lead_id": [lead]}
        paths = dict.fromkeys(v for n in path_names for v in (*real.get(n, []), *_STRINGS))
        cases = [({n: v for n in path_names}, required) for v in paths] or [({}, required)]
        base = {n: real.get(n, ["x"])[0] for n in path_names}
        for p in (p for p in params if p["in"] == "query"):
            cases += [(base, {**required, p["name"]: v}) for v in _values(p["name"], p["schema"], schemas, demo.known)]
        for role in run.clients:
            for path, query in cases:
                run.send(role, "GET", template, _target(template, path, query))


def _stalls(run: _Runner, operations: int = 3) -> list[tuple[Hit, float]]:
    """The slowest request of each of the slowest ``operations`` sent again while another
    client polls /healthz: (the new hit, the slowest /healthz meanwhile)."""
    slowest: dict[str, Hit] = {}
    for hit in sorted(run.hits, key=lambda h: -h.seconds):
        slowest.setdefault(f"{hit.method} {hit.template}", hit)
    found = []
    with ThreadPoolExecutor(1) as pool:
        for hit in list(slowest.values())[:operations]:
            again = pool.submit(run.send, hit.role, hit.method, hit.template, hit.target, hit.body, False)
            polls = [run.ping()]
            while not again.done():
                time.sleep(0.02)
                polls.append(run.ping())
            found.append((again.result(), max(polls)))
    return found


def _shown(hit: Hit, width: int = 100) -> str:
    shown = f"{hit.role}: {hit.method} {hit.target}"
    if hit.body:  # which batch: its size, whether a consortium, its first key
        keys = hit.body["subjects"]
        shown += f" ({len(keys):,} keys{', consortium' if hit.body['consortium'] else ''}: {keys[0]}, …)"
    return shown[:width]


def _table(title: str, columns: str, rows: list[tuple]) -> Table:
    table = Table(title=title)
    for i, name in enumerate(columns.split("|")):
        table.add_column(name, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*map(str, row))
    return table


def _class(hit: Hit) -> str:
    if isinstance(hit.status, str):
        return "no answer"
    return f"{hit.status} Retry-After" if hit.status in (429, 503) and hit.retry_after else f"{hit.status // 100}xx"


def _report(run: _Runner, stalls: list[tuple[Hit, float]], seconds: float) -> list[Hit]:
    """Prints the tables; returns the failed requests."""
    base, hits = statistics.median(run.healthz), run.hits
    console.print(f"{len(hits):,} requests in {seconds:.0f} s; /healthz median {base * 1000:.2f} ms "
                  f"(n={len(run.healthz)}, sampled every tenth request); ×: ratio to that median")
    classes, statuses = Counter(map(_class, hits)), Counter(str(h.status) for h in hits)
    console.print("status classes: " + ", ".join(f"{k} {v:,}" for k, v in sorted(classes.items()))
                  + "; statuses: " + ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items())))
    failed = [h for h in (*hits, *(again for again, _ in stalls)) if h.failed]
    for hit in failed:
        console.print(f"[red]FAILED[/red] {hit.status} {_shown(hit, 220)}")
    console.print(_table("Ten slowest requests", "request|status|s|×", [
        (_shown(hit), hit.status, f"{hit.seconds:.3f}", f"{hit.seconds / base:,.0f}")
        for hit in sorted(hits, key=lambda h: -h.seconds)[:10]]))
    by_op: dict[str, list[float]] = defaultdict(list)
    for hit in (h for h in hits if _class(h) == "2xx"):  # refusals are cheap: they would hide the cost
        by_op[f"{hit.method} {hit.template}"].append(hit.seconds)
    console.print(_table("Slowest operations (2xx answers, every role and value)",
                         "operation|n|p50 ms|p99 ms|max ms|max ×", [
        (op, len(t), f"{percentile(t, 0.5) * 1000:.1f}", f"{percentile(t, 0.99) * 1000:.1f}",
         f"{max(t) * 1000:.1f}", f"{max(t) / base:,.0f}")
        for op, t in sorted(by_op.items(), key=lambda kv: -percentile(kv[1], 0.99))[:10]]))
    console.print(_table("The slowest of the three slowest operations again, /healthz polled meanwhile",
                         "request|status|s|slowest /healthz ms|×", [
        (_shown(hit, 80), hit.status, f"{hit.seconds:.3f}", f"{worst * 1000:.1f}", f"{worst / base:,.0f}")
        for hit, worst in stalls]))
    return failed


def _run(env: dict, demo: _Demo, timeout: float) -> tuple[list[Hit], Path]:
    """Serves the loaded demo and sends it everything: (the failed requests, the server's log)."""
    console.print(f"hub {demo.hub}, briefing subject {demo.connected}, biggest holder {demo.holder}, "
                  f"most held {demo.held}")
    keys: dict[str, str | None] = {role: api_key(env, role, **(_REGISTRAR if role == "registrar" else {}))
                                   for role in _ROLES}
    keys |= {"no key": None, "made-up key": _NONSENSE}
    port = free_port()
    proc = serve(env, port)
    run = _Runner(port, keys, timeout)
    try:
        started = time.perf_counter()
        openapi = run.clients["no key"].get("/openapi.json").json()
        leads = run.clients["admin"].get("/v1/leads", params={"limit": 1000}).json()
        _by_hand(run, demo)
        _sweep(run, openapi, demo, max(leads, key=lambda lead: len(lead["members"]))["id"] if leads else "L0")
        seconds = time.perf_counter() - started
        return _report(run, _stalls(run), seconds), proc.log
    finally:
        run.close()
        stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=20_000, help="demo size (make demo: 20000)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds before a request counts as unanswered")
    parser.add_argument("--no-rate-limits", action="store_true", help="briefing rate limits off: every variant is "
                        "answered, none refused (429)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sanctionnet-worst-") as tmp:
        env = {**os.environ, "SANCTIONNET_DATA_DIR": str(Path(tmp) / "data"), "SANCTIONNET_ID_HASH_KEY": "bench",
               "SANCTIONNET_FSYNC": "everysec"}
        if args.no_rate_limits:
            env |= {"SANCTIONNET_RATE_PER_KEY": "0", "SANCTIONNET_RATE_PER_CLIENT": "0"}
        started = time.perf_counter()
        done = run_cli(env, "demo", "--enterprises", str(args.enterprises), timeout=900)
        assert done.returncode == 0, done.stderr
        console.print(f"demo: {args.enterprises:,} enterprises, loaded in {time.perf_counter() - started:.0f} s")
        try:
            failed, log = _run(env, _demo(Path(tmp) / "data" / "demo-bundle", random.Random(17)), args.timeout)
        finally:
            run_cli(env, "db", "stop")  # the store `sanctionnet demo` started
    if failed:
        console.print(f"server log: {log}")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
