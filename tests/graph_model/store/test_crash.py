"""Crash safety with real processes and ``kill -9``: of the store (the embedded
redis-server) during a bundle load and during a stream of entry acts over HTTP, of the
API during such a stream, and of a process exactly between an act and its propagation.

After each crash the store must hold every act that got a 2xx answer and nothing half
written (the checks in cypher/integrity.cypher find no record, and propagating every
settled entry again changes nothing); an act whose process died before propagating it
is marked (``last_tx`` unsettled) and finished by the next act on the entry, by start-up
(``complete_interrupted``) or by ``db propagate``. Once the interrupted work is done (an
act without an answer sent again, the bundle loaded again) the store is the one a run
without the crash leaves.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from demo.generate import generate_bundle
from graph_model.catalogue.model import load_catalogue
from graph_model.lifecycle.propagation import propagate
from graph_model.lifecycle.transitions import complete_interrupted
from graph_model.store import EmbeddedServer
from graph_model.store.falkordb import FalkorStore
from tests.serving import CLI, api_key, client, free_port, run_cli, serve

INTEGRITY = ("integrity_acts", "integrity_orphan_acts", "integrity_restrictions", "integrity_unbound_entries",
             "integrity_revoked")
WHO = {"actor": "测试登记员", "department": "哈尔滨市市场监督管理局"}
# Ids of one call (`E|3|a1b2c3d4`) and the time an act was recorded differ between runs.
_TOKEN = re.compile(r"\|(\d+)\|[0-9a-f]{8}\b")


def _env(data: Path, **extra: str) -> dict:
    return {**os.environ, "SANCTIONNET_DATA_DIR": str(data), "SANCTIONNET_ID_HASH_KEY": "k", **extra}


def _open(data: Path) -> FalkorStore:
    """The store of ``data`` as the API opens it: restarted if it is down."""
    server = EmbeddedServer(data)
    server.start()
    return FalkorStore(unix_socket_path=str(server.socket), recover=server.ensure_running)


def _snapshot(store: FalkorStore) -> tuple[list[str], list[str]]:
    nodes = []
    for node in store.read("snapshot_nodes"):
        props = {k: v for k, v in node["props"].items() if not ("Transition" in node["labels"] and k == "at")}
        nodes.append(_TOKEN.sub(r"|\1|*", repr((sorted(node["labels"]), sorted(props.items())))))
    rels = [_TOKEN.sub(r"|\1|*", repr((r["from_id"], r["type"], r["to_id"], sorted(r["props"].items()))))
            for r in store.read("snapshot_relationships")]
    return sorted(nodes), sorted(rels)


def _store_pid(data: Path) -> int:
    return int((data / "falkordb.pid").read_text())


# -- the acts: one script of acts per entry, each act with its own reason --------------------------------------


@dataclass(frozen=True)
class Act:
    entry_id: str
    kind: str  # create, notify, objection, resolve, repair, revoke
    body: dict

    @property
    def path(self) -> str:
        if self.kind == "create":
            return "/v1/entries"
        return f"/v1/entries/{self.entry_id}/" + ("objection/resolve" if self.kind == "resolve" else self.kind)

    @property
    def key(self) -> tuple[str, str]:
        return self.entry_id, self.body["reason"]


# Dates of each pattern after the decision (2024-01-01, recorded 01-02): joint_punishment
# and public_credit_poor give 10 days' notice, so a notice on 01-05 takes effect on 01-15.
# An objection inside the notice period can only be recorded while the period runs.
_DAY = date.today()
_PATTERNS = {
    "repaired": [("notify", "2024-01-05"), ("objection", "2024-02-01"), ("resolve", "2024-03-01", "upheld"),
                 ("repair", "2024-06-01")],
    "wrong": [("notify", "2024-01-05"), ("objection", "2024-02-01"), ("resolve", "2024-03-01", "wrong")],
    "revoked": [("notify", "2024-01-05"), ("revoke", "2024-02-01")],
    "early": [("notify", str(_DAY - timedelta(days=5))), ("objection", str(_DAY - timedelta(days=2))),
              ("resolve", str(_DAY), "upheld")],
    "upheld": [("notify", "2024-01-05"), ("objection", "2024-02-01"), ("resolve", "2024-03-01", "upheld")],
}


def _script(n: int, subject: str, list_: str, pattern: str) -> list[Act]:
    entry_id = f"X{n:03d}"
    acts = [Act(entry_id, "create", {"entry_id": entry_id, "subject": subject, "list": list_,
                                     "deciding_dept": WHO["department"], "basis": f"哈市监处〔2024〕{n}号",
                                     "basis_kind": "penalty", "determined": "2024-01-01", "region": "230103",
                                     "on": "2024-01-02", "reason": f"{entry_id} 认定", **WHO})]
    for step in _PATTERNS[pattern]:
        body = {"on": step[1], "reason": f"{entry_id} {step[0]} {step[1]}", **WHO}
        if len(step) == 3:
            body["outcome"] = step[2]
        acts.append(Act(entry_id, step[0], body))
    return acts


def _scripts(bundle: Path) -> list[list[Act]]:
    """Entries on subjects that make every kind of derived record: SOEs and public bodies
    (PR3 tasks), staff of public bodies (PR4), enterprises with role holders (PR1) and
    public_credit_poor entries (PR11 interviews)."""
    with open(bundle / "subjects.csv", encoding="utf-8") as handle:
        subjects = {s["id"]: s for s in csv.DictReader(handle)}
    with open(bundle / "relations.csv", encoding="utf-8") as handle:
        relations = list(csv.DictReader(handle))
    soes = [i for i, s in subjects.items() if s["kind"] == "enterprise" and s["ownership"] == "soe"][:10]
    bodies = [i for i, s in subjects.items() if s["kind"] == "public_body"][:10]
    staff = sorted({r["from_id"] for r in relations
                    if r["type"] == "STAFF_OF" and subjects[r["to_id"]]["kind"] == "public_body"})
    private = sorted({r["to_id"] for r in relations if r["type"] == "LEGAL_REP_OF"
                      and subjects[r["to_id"]]["kind"] == "enterprise" and subjects[r["to_id"]]["ownership"] != "soe"})
    plan = ([(s, "joint_punishment", "repaired") for s in soes]
            + [(s, "joint_punishment", ("wrong", "revoked")[i % 2]) for i, s in enumerate(bodies)]
            + [(s, "joint_punishment", "early") for s in staff[:10]]
            + [(s, "joint_punishment", "revoked") for s in private[:8]]
            + [(s, "public_credit_poor", "upheld") for s in private[8:16]])
    return [_script(n, *step) for n, step in enumerate(plan)]


def _acts_in_store(store: FalkorStore, entry_ids) -> set[tuple[str, str]]:
    present = set()
    for entry_id in entry_ids:
        detail = store.read_one("entry_detail", entry_id=entry_id)
        if detail:
            present |= {(entry_id, t["reason"]) for t in detail["transitions"]}
    return present


def _assert_whole(store: FalkorStore, answered: set, scripts: list[list[Act]]) -> set[str]:
    """Nothing half written; every answered act is in the store. Returns the entries
    whose last act waits for its propagation (each one's act got no 2xx)."""
    for name in INTEGRITY:
        assert store.read(name) == [], name
    assert answered <= _acts_in_store(store, [s[0].entry_id for s in scripts])
    unsettled = {row["id"] for row in store.read("unsettled_entries")}
    for entry_id in unsettled:
        detail = store.read_one("entry_detail", entry_id=entry_id)
        last = [t for t in detail["transitions"] if t["id"] == detail["entry"]["last_tx"]]
        assert (entry_id, last[0]["reason"]) not in answered
    # Derived records of every settled entry are what propagation derives from the graph.
    catalogue = load_catalogue(None)
    settled = {lst.id: [r["id"] for r in store.read("entry_ids_of_list", list=lst.id) if r["id"] not in unsettled]
               for lst in catalogue.lists.values()}
    before = _snapshot(store)
    propagate(store, catalogue, by_list=settled)
    assert _snapshot(store) == before
    return unsettled


# -- the clients ---------------------------------------------------------------------------------------------------


class Stream:
    """Clients sending the scripts over HTTP, each entry's acts in order. An act without
    a 2xx answer is sent again; a 409 to a resend means the first one was written."""

    def __init__(self, port: int, key: str, scripts: list[list[Act]], clients: int = 4) -> None:
        self.port, self.key = port, key
        self.go = threading.Event()
        self.go.set()
        self.lock = threading.Lock()
        self.idle = threading.Condition(self.lock)
        self.inflight = 0
        self.answered: set[tuple[str, str]] = set()
        self.unanswered: set[tuple[str, str]] = set()
        self.errors: list[str] = []
        self.total = sum(map(len, scripts))
        self.threads = [threading.Thread(target=self._run, args=(scripts[i::clients],), daemon=True)
                        for i in range(clients)]

    def start(self) -> Stream:
        for thread in self.threads:
            thread.start()
        return self

    def wait_answered(self, n: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.answered) < min(n, self.total) and time.monotonic() < deadline and not self.errors:
            time.sleep(0.002)
        assert not self.errors, self.errors

    def pause(self) -> None:
        self.go.clear()
        with self.idle:
            self.idle.wait_for(lambda: self.inflight == 0, timeout=60)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(120)
        assert not self.errors, self.errors

    def _run(self, scripts: list[list[Act]]) -> None:
        with client(self.port, self.key) as http:
            for script in scripts:
                for act in script:
                    if not self._send(http, act):
                        return

    def _send(self, http: httpx.Client, act: Act) -> bool:
        resend = False
        while True:
            self.go.wait()
            with self.lock:
                self.inflight += 1
            try:
                answer = http.post(act.path, json=act.body)
            except httpx.TransportError:
                answer = None
            finally:
                with self.idle:
                    self.inflight -= 1
                    self.idle.notify_all()
            if answer is not None and answer.is_success:
                with self.lock:
                    self.answered.add(act.key)
                return True
            if answer is not None and answer.status_code == 409 and resend:
                return True  # written before the crash; the final check finds it in the store
            if answer is not None and answer.status_code < 500:
                self.errors.append(f"{act.path} {act.body['reason']}: {answer.status_code} {answer.text[:300]}")
                return False
            resend = True
            with self.lock:
                self.unanswered.add(act.key)
            time.sleep(0.05)


# -- fixtures ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A stopped store with the 300-enterprise demo loaded, an admin key, the scripts and
    the store a run of every script without a crash leaves."""
    root = tmp_path_factory.mktemp("crash")
    bundle, data = root / "bundle", root / "base"
    generate_bundle(bundle, enterprises=300)
    assert run_cli(_env(data), "load", "bundle", str(bundle)).returncode == 0
    key = api_key(_env(data))
    assert run_cli(_env(data), "db", "stop").returncode == 0
    scripts = _scripts(bundle)
    clean = _copy(data, root / "clean")
    port = free_port()
    api = serve(_env(clean), port)
    try:
        with client(port, key) as http:
            for act in (act for script in scripts for act in script):
                done = http.post(act.path, json=act.body)
                assert done.is_success, done.text
    finally:
        api.kill()
        api.wait()
    store = _open(clean)
    assert store.read("unsettled_entries") == []
    expected = _snapshot(store)
    store.close()
    run_cli(_env(clean), "db", "stop")
    return {"data": data, "key": key, "scripts": scripts, "expected": expected, "bundle": bundle}


@pytest.fixture(scope="module")
def big_bundle(tmp_path_factory):
    """A 3,000-enterprise demo bundle and the store one clean load of it leaves."""
    root = tmp_path_factory.mktemp("load")
    bundle, clean = root / "bundle", root / "clean"
    generate_bundle(bundle, enterprises=3000)
    try:
        assert run_cli(_env(clean), "load", "bundle", str(bundle)).returncode == 0
        store = _open(clean)
        expected = _snapshot(store)
        store.close()
    finally:
        run_cli(_env(clean), "db", "stop")
    return bundle, expected


def _copy(data: Path, to: Path) -> Path:
    shutil.copytree(data, to, ignore=shutil.ignore_patterns("falkordb.sock", "falkordb.pid", "*.lock"))
    return to


# -- tests ---------------------------------------------------------------------------------------------------------


def test_the_api_killed_during_a_stream_of_acts_loses_no_answered_act_and_leaves_none_half_written(base, tmp_path):
    data = _copy(base["data"], tmp_path / "data")
    port = free_port()
    api = serve(_env(data), port)
    stream = Stream(port, base["key"], base["scripts"]).start()
    store = None
    seen_unsettled = set()
    try:
        for share in (0.2, 0.45, 0.7):
            stream.wait_answered(int(share * stream.total))
            api.kill()  # SIGKILL, mid-request: the clients are always sending
            api.wait()
            stream.pause()
            store = store or _open(data)
            seen_unsettled |= _assert_whole(store, stream.answered, base["scripts"])
            api = serve(_env(data), port)
            stream.go.set()
        stream.join()
        assert store.read("unsettled_entries") == []
        _assert_whole(store, stream.answered, base["scripts"])
        assert _acts_in_store(store, [s[0].entry_id for s in base["scripts"]]) == {
            act.key for script in base["scripts"] for act in script}
        assert _snapshot(store) == base["expected"]
    finally:
        api.kill()
        if store:
            store.close()
        run_cli(_env(data), "db", "stop")
    print(f"API killed 3 times; {len(stream.unanswered)} acts resent; entries left unsettled: {sorted(seen_unsettled)}")


def test_the_store_killed_during_a_stream_of_acts_loses_no_answered_act(base, tmp_path):
    data = _copy(base["data"], tmp_path / "data")
    port = free_port()
    api = serve(_env(data), port)
    stream = Stream(port, base["key"], base["scripts"]).start()
    store = None
    try:
        for share in (0.2, 0.45, 0.7):
            stream.wait_answered(int(share * stream.total))
            pid = _store_pid(data)
            os.kill(pid, signal.SIGKILL)
            # The API restarts the store on its next query; some more acts get through.
            stream.wait_answered(int((share + 0.1) * stream.total))
            stream.pause()
            assert _store_pid(data) != pid
            store = store or _open(data)
            _assert_whole(store, stream.answered, base["scripts"])
            stream.go.set()
        stream.join()
        assert store.read("unsettled_entries") == []
        _assert_whole(store, stream.answered, base["scripts"])
        assert _snapshot(store) == base["expected"]
    finally:
        api.kill()
        if store:
            store.close()
        run_cli(_env(data), "db", "stop")
    print(f"store killed 3 times; {len(stream.unanswered)} acts without a 2xx, sent again")


# A process that dies by SIGKILL exactly after an act's write: before its propagation,
# or inside it (restrictions written, tasks not).
_DIE = """
import json, os, signal, sys
import graph_model.lifecycle.acts as acts
import graph_model.lifecycle.propagation as propagation
import graph_model.lifecycle.transitions as lifecycle
from api.cli.common import opened
where, kind, entry_id, body = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
if where == "before":
    lifecycle.propagate = die
else:
    propagation.derive_tasks = die
with opened() as ctx:
    if kind == "create":
        lifecycle.create_entry(ctx.store, ctx.catalogue, ctx.hasher, acts.NewEntry(**body))
    else:
        model = acts.Resolution if kind == "resolve" else acts.Act
        lifecycle.transition(ctx.store, ctx.catalogue, entry_id, kind, model(**body))
"""


def test_an_act_killed_between_its_write_and_its_propagation_is_finished(base, tmp_path):
    """Each way of finishing: the act sent again (409, finished), the next act on the
    entry, start-up (``complete_interrupted``) and ``sanctionnet db propagate``."""
    data = _copy(base["data"], tmp_path / "data")
    env = _env(data)
    scripts = base["scripts"]
    # (script, act index): where the process dies and what finishes it.
    killed = {(0, 1): ("before", "resend"), (1, 0): ("before", "next act"), (10, 3): ("inside", "start-up"),
              (20, 2): ("inside", "db propagate"), (30, 2): ("before", "resend"), (40, 1): ("inside", "start-up")}
    port = free_port()
    api = serve(env, port)
    store = _open(data)
    catalogue = load_catalogue(None)
    try:
        with client(port, base["key"]) as http:
            for n, script in enumerate(scripts):
                for i, act in enumerate(script):
                    if (n, i) not in killed:
                        done = http.post(act.path, json=act.body)
                        assert done.is_success, done.text
                        continue
                    where, finish = killed[(n, i)]
                    died = subprocess.run([sys.executable, "-c", _DIE, where, act.kind, act.entry_id,
                                           json.dumps(act.body)], env=env, capture_output=True, text=True)
                    assert died.returncode == -signal.SIGKILL, died.stderr
                    # Written whole, marked as waiting for its propagation, and nothing else amiss.
                    assert _assert_whole(store, set(), scripts) == {act.entry_id}
                    assert act.key in _acts_in_store(store, [act.entry_id])
                    if finish == "resend":
                        assert http.post(act.path, json=act.body).status_code == 409
                    elif finish == "start-up":
                        assert complete_interrupted(store, catalogue) == 1
                    elif finish == "db propagate":
                        assert run_cli(env, "db", "propagate").returncode == 0
                    if finish != "next act":
                        assert store.read("unsettled_entries") == []
        assert store.read("unsettled_entries") == []
        _assert_whole(store, set(), scripts)
        assert _snapshot(store) == base["expected"]
    finally:
        api.kill()
        store.close()
        run_cli(env, "db", "stop")


@pytest.mark.parametrize("moment", ["after the bulk write", "entries", "last batches and checkpoint"])
def test_the_store_killed_during_a_bundle_load_leaves_whole_records_and_a_reload_completes_it(
        moment, big_bundle, tmp_path):
    bundle, expected = big_bundle
    killed = tmp_path / "killed"
    try:
        total = sum(1 for _ in open(bundle / "entries.csv")) - 1
        # Small batches: many statements, so the kill lands between two of them.
        env = _env(killed, SANCTIONNET_BATCH_SIZE="10")
        proc = subprocess.Popen([CLI, "load", "bundle", str(bundle)], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        server = EmbeddedServer(killed)
        pid = None
        deadline = time.monotonic() + 120
        while pid is None and proc.poll() is None and time.monotonic() < deadline:
            try:
                probe = FalkorStore(unix_socket_path=str(server.socket))
                nodes = probe.read("count_nodes")[0]["n"]
                entries = sum(r["n"] for r in probe.read("count_entries"))
                restrictions = sum(r["n"] for r in probe.read("count_restrictions"))
                probe.close()
            except Exception:  # not started yet, or the graph not created yet
                time.sleep(0.005)
                continue
            due = {"after the bulk write": nodes > 0 and entries == 0, "entries": 0 < entries < total,
                   "last batches and checkpoint": entries == total and restrictions > 0}[moment]
            if due:
                pid = _store_pid(killed)
                os.kill(pid, signal.SIGKILL)
            time.sleep(0.002)
        assert pid is not None, "the load finished before the store could be killed"
        _, stderr = proc.communicate(timeout=120)
        # The loader restarts the store and goes on (0), or reports it unavailable (3).
        assert proc.returncode in (0, 3), stderr
        store = _open(killed)
        assert _store_pid(killed) != pid
        # Whole records: every entry with its subject and every field; every restriction
        # whole; if the loader went on to the end, the store is the clean one already.
        nodes = store.read("snapshot_nodes")
        attached = {r["to_id"] for r in store.read("snapshot_relationships") if r["type"] == "HAS_ENTRY"}
        for entry in (n["props"] for n in nodes if "Entry" in n["labels"]):
            assert entry["id"] in attached and entry["history"] and entry["list"] and entry["determined"]
        assert store.read("integrity_restrictions") == [] and store.read("integrity_orphan_acts") == []
        if proc.returncode == 0:
            assert _snapshot(store) == expected
        store.close()
        print(f"store killed ({moment}); the loader exited {proc.returncode}")
        again = run_cli(env, "load", "bundle", str(bundle))
        assert again.returncode == 0, again.stderr
        store = _open(killed)
        for name in INTEGRITY:
            assert store.read(name) == [], name
        assert _snapshot(store) == expected
        store.close()
    finally:
        run_cli(_env(killed), "db", "stop")
