"""Plain baselines of the check, of full propagation and of ultimate owners (issue 8).

Why: ``make bench`` prints each sanctionnet figure beside the same work done, in the
same run, by a straightforward networkx implementation and by SQLite with a recursive
CTE. Both read the bundle folder the benchmark loads into sanctionnet straight from
its CSV files, and take the rules from the same catalogue (rules are data: which lists
propagate to which roles and ownerships, NAMED persons, which measures bind whom).
Neither uses the store, the Cypher or the propagation: each answer is computed when
it is asked, from the raw graph. Pure domain helpers are shared (``History`` judges an
entry's state on a day, ``bundle_history`` reads a row's history, ``measures_for``).

Contract: ``check`` means what ``graph_model.rules.check`` means with no action and no
region; ``propagate_all()`` is the set of (entry, subject, role) records
``graph_model.propagation`` derives; ``owners`` gives the holders' integrated shares and
the ultimate owners (id, basis) of ``analysis.ownership.owners``, except that shares
are summed over simple chains in floats (sanctionnet solves cycles exactly: the two
differ only where holdings are circular). The bundle is trusted: a row the loader
would reject is not looked for. Only the relationships these answers need are kept
(role periods some rule may follow, holdings, controllers, managers), ids are interned
and each date is one shared object, so a build stays lean at a million enterprises.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import networkx as nx

from graph_model.catalogue import NAMED, ROLE_TARGETS, Catalogue
from graph_model.history import History, bundle_history
from graph_model.types import IN_FORCE_STATES, CheckAnswer, EntryState, RelType, SubjectKind
from loaders.bundle import no_cycle_collection

__all__ = ["NetworkxBaseline", "Owners", "SqliteBaseline", "Verdict"]

_ENTITY = "entity"
_HOLDS, _CONTROLS = RelType.HOLDS_SHARES.value, RelType.ACTUAL_CONTROLLER_OF.value
_KEPT = frozenset({*ROLE_TARGETS, _HOLDS})  # every role some rule or the owners rule reads
_OFFICERS = ("LEGAL_REP_OF", "PRINCIPAL_OF", "MANAGES")  # analysis.ownership's senior managers
_PERSON, _ENTERPRISE = SubjectKind.person, SubjectKind.enterprise
# Shares are floats here and exact fractions in sanctionnet; data has at most four
# decimals of a percent, so a margin far below that decides 25 % and "more than half".
_EPS = 1e-9
# A bound on holding chains: the simple-path guard ends every walk, this keeps a dense
# tangle of cross-holdings from enumerating paths for ever.
MAX_CHAIN = 64


@dataclass(frozen=True)
class Verdict:
    """A check's answer, reduced to what the baselines and sanctionnet must agree on."""

    restricted: bool
    suspended: bool
    reasons: frozenset[tuple[str, str]]  # (entry id, role): `entity`, a role type or NAMED
    measures: frozenset[str]  # action codes in force (suspended reasons left out)

    @classmethod
    def of(cls, answer: CheckAnswer) -> Verdict:
        """The verdict in sanctionnet's ``CheckAnswer``."""
        return cls(answer.restricted, answer.suspended, frozenset((r.entry_id, r.role) for r in answer.reasons),
                   frozenset(answer.measures))


@dataclass(frozen=True)
class Owners:
    """Integrated shares (percent, six places) of every holder, and the ultimate owners
    as (id, basis) with ``analysis.ownership.OwnerBasis`` values."""

    holders: dict[str, float]
    ultimate: frozenset[tuple[str, str]]


def _verdict(found: Iterable[tuple[str, str, bool, str]]) -> Verdict:
    """The verdict of (entry id, role, suspended, action) rows: every reason that has a
    measure, and the measures of those not suspended."""
    reasons, in_force = set(), set()
    for entry_id, role, suspended, action in found:
        reasons.add((entry_id, role))
        if not suspended:
            in_force.add(action)
    return Verdict(bool(in_force), bool(reasons) and not in_force, frozenset(reasons), frozenset(in_force))


class _Days(dict):
    """ISO text -> date, each date made once: a million role periods share a few
    thousand day objects."""

    def __missing__(self, text: str) -> date:
        day = self[text] = date.fromisoformat(text)
        return day


def _read(path: Path, columns: tuple[str, ...]) -> Iterator[list[str | None]]:
    """The given columns of each row of a bundle file, streamed; blank cells as None,
    a column the file lacks (an optional one) as None."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        at = [header.index(c) if c in header else None for c in columns]
        for cells in reader:
            yield [(cells[i].strip() or None) if i is not None else None for i in at]


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(sys.intern(part.strip()) for part in (cell or "").split(";") if part.strip())


@dataclass(frozen=True, slots=True)
class _Entry:
    id: str
    subject: str
    list: str
    determined: date
    revoked: bool  # a revoked entry binds no person (its person-level records are removed)
    history: History
    named: tuple[str, ...]
    decided: frozenset[str]  # measures the decision orders


def _entries(folder: Path, catalogue: Catalogue, days: _Days) -> Iterator[_Entry]:
    """The entries of ``entries.csv`` with the history the loader gives a bundle row."""
    columns = ("entry_id", "subject_id", "list", "determined", "state", "valid_to", "state_since", "named",
               "measures")
    for entry_id, subject, list_id, determined, state, valid_to, since, named, measures in _read(
            folder / "entries.csv", columns):
        state, day = EntryState(state), days[determined]
        since_day = days[since] if since else None
        end = days[valid_to] if valid_to else None
        if end is None and state is EntryState.expired:
            end = since_day - timedelta(days=1)  # as loaders.bundle stores it
        steps = bundle_history(state, day, since_day, catalogue.lists[list_id].notice_days)
        yield _Entry(sys.intern(entry_id), sys.intern(subject), sys.intern(list_id), day,
                     state is EntryState.revoked, History(tuple(d for d, _ in steps), tuple(s for _, s in steps), end),
                     _split(named), frozenset(_split(measures)))


class _Rules:
    """The catalogue as both baselines read it."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.restricting = frozenset(l.id for l in catalogue.lists.values() if l.effect == "restrict")
        # list -> role -> ownerships it is narrowed to (empty: any)
        self.roles = {l.id: {str(role): frozenset(map(str, p.ownership)) for p in l.propagation for role in p.roles}
                      for l in catalogue.lists.values()}
        # Every rule follows one role held in the listed enterprise (role_held_on:
        # determination): the walk from a subject to what binds it is that deep.
        self.hops = 1 if any(role != NAMED for roles in self.roles.values() for role in roles) else 0


def _controls(controller: str, target: str, held: dict[str, dict[str, float]],
              registered: dict[str, set[str]]) -> bool:
    """Whether ``controller`` controls ``target``: with what it already controls it holds
    more than half of it, or one of them is its registered controller; to a fixed point."""
    members, total, frontier = {controller}, defaultdict(float), [controller]
    while frontier:
        new = []
        for member in frontier:
            for company, share in held.get(member, {}).items():
                total[company] += share
                if company not in members and total[company] > 0.5 + _EPS:
                    members.add(company)
                    new.append(company)
            for company in registered.get(member, ()):
                if company not in members:
                    members.add(company)
                    new.append(company)
        frontier = new
    return target in members


def _owners(target: str, shares: dict[str, float], kinds: dict[str, str], held: dict[str, dict[str, float]],
            registered: dict[str, set[str]], officers: Callable[[], Iterable[tuple[str, str]]]) -> Owners:
    """analysis.ownership's rule: persons and public bodies with 25 % integrated equity,
    and those who control the target; only when nobody does, its senior managers."""
    ultimate = {(i, "equity" if kinds[i] == _PERSON else "state") for i, share in shares.items()
                if kinds[i] != _ENTERPRISE and share >= 0.25 - _EPS}
    named = {i for i, _ in ultimate}
    for cid in sorted(kinds):
        if kinds[cid] != _ENTERPRISE and cid not in named and _controls(cid, target, held, registered):
            ultimate.add((cid, "registered_control" if target in registered.get(cid, ()) else "majority_control"))
    if not ultimate:
        ultimate = {(pid, "senior_manager") for pid, kind in officers() if kind == _PERSON}
    return Owners({i: round(s * 100, 6) for i, s in shares.items()}, frozenset(ultimate))


class NetworkxBaseline:
    """The bundle as one networkx ``MultiDiGraph``, walked when a question comes.

    Nodes are subjects (``kind``, ``ownership``; ``entries`` on a listed subject,
    ``named_in`` on a person a decision names); edges are role periods holder -> held
    (``role``, ``vf``/``vt`` inclusive with open ends as ``date.min``/``date.max``, and
    ``share`` in percent on holdings). ``entries`` lists every entry, for propagation.
    """

    def __init__(self, graph: nx.MultiDiGraph, entries: list[_Entry], catalogue: Catalogue, seconds: float) -> None:
        self.graph, self.entries, self.rules, self.build_seconds = graph, entries, _Rules(catalogue), seconds

    @classmethod
    def from_bundle(cls, folder: Path, catalogue: Catalogue) -> NetworkxBaseline:
        """Read ``folder`` into a graph (``build_seconds`` says how long it took)."""
        # Millions of dicts and no reference cycles: the cycle collector's passes over
        # them would cost more than the build (see loaders.bundle).
        with no_cycle_collection():
            return cls._build(Path(folder), catalogue)

    @classmethod
    def _build(cls, folder: Path, catalogue: Catalogue) -> NetworkxBaseline:
        started = time.perf_counter()
        days, graph = _Days(), nx.MultiDiGraph()
        kinds = {k.value: k for k in SubjectKind}
        intern = sys.intern
        for sid, kind, ownership in _read(folder / "subjects.csv", ("id", "kind", "ownership")):
            if ownership:
                graph.add_node(intern(sid), kind=kinds[kind], ownership=intern(ownership))
            else:
                graph.add_node(intern(sid), kind=kinds[kind])
        columns = ("from_id", "to_id", "type", "share", "valid_from", "valid_to")
        graph.add_edges_from(
            (intern(src), intern(dst), {"role": intern(role), "vf": days[vf] if vf else date.min,
                                        "vt": days[vt] if vt else date.max, "share": float(share) if share else None})
            for src, dst, role, share, vf, vt in _read(folder / "relations.csv", columns) if role in _KEPT)
        nodes, entries = graph.nodes, list(_entries(folder, catalogue, days))
        for entry in entries:
            nodes[entry.subject].setdefault("entries", []).append(entry)
            for pid in entry.named:
                nodes[pid].setdefault("named_in", []).append(entry)
        return cls(graph, entries, catalogue, time.perf_counter() - started)

    def _binds(self, entry: _Entry, role: str, listed: dict, edge: dict) -> bool:
        """Whether holding ``role`` over ``edge``'s period in the ``listed`` subject makes
        ``entry`` bind the holder (propagate_roles)."""
        ownerships = self.rules.roles[entry.list].get(role)
        return (ownerships is not None and not entry.revoked and listed["kind"] is _ENTERPRISE
                and (not ownerships or listed.get("ownership") in ownerships)
                and edge["vf"] <= entry.determined <= edge["vt"])

    def _names(self, entry: _Entry) -> bool:
        return NAMED in self.rules.roles[entry.list] and not entry.revoked

    def check(self, subject_id: str, on: date) -> Verdict:
        """Is ``subject_id`` restricted on ``on``, and why; KeyError if there is no such subject."""
        graph, node = self.graph, self.graph.nodes[subject_id]
        kind = node["kind"]
        found = [(entry, _ENTITY) for entry in node.get("entries", ())]
        if kind is _PERSON:
            found += [(entry, NAMED) for entry in node.get("named_in", ()) if self._names(entry)]
            for _, held, edge in graph.out_edges(subject_id, data=True):
                listed = graph.nodes[held]
                found += [(entry, edge["role"]) for entry in listed.get("entries", ())
                          if self._binds(entry, edge["role"], listed, edge)]
        return _verdict(self._judged(found, kind, on))

    def _judged(self, found: list[tuple[_Entry, str]], kind: SubjectKind, on: date):
        measures_for = self.rules.catalogue.measures_for
        for entry, role in found:
            if entry.list not in self.rules.restricting:
                continue
            state = entry.history.state_on(on)
            if state in IN_FORCE_STATES:
                for measure in measures_for(entry.list, role, kind, entry.decided):
                    yield entry.id, role, state is EntryState.objection_pending, measure.action

    def check_many(self, subject_ids: Iterable[str], on: date) -> dict[str, Verdict]:
        return {sid: self.check(sid, on) for sid in subject_ids}

    def propagate_all(self, on: date | None = None) -> set[tuple[str, str, str]]:
        """Every restriction record (entry id, subject id, role) propagation derives; with
        ``on``, only those whose entry is in force (active or under objection) that day."""
        graph, records = self.graph, set()
        for entry in self.entries:
            if on is not None and entry.history.state_on(on) not in IN_FORCE_STATES:
                continue
            sid = entry.subject
            listed = graph.nodes[sid]
            records.add((entry.id, sid, _ENTITY))
            for holder, _, edge in graph.in_edges(sid, data=True):
                if graph.nodes[holder]["kind"] is _PERSON and self._binds(entry, edge["role"], listed, edge):
                    records.add((entry.id, holder, edge["role"]))
            if self._names(entry):
                records.update((entry.id, pid, NAMED) for pid in entry.named if graph.nodes[pid]["kind"] is _PERSON)
        return records

    def owners(self, enterprise_id: str, on: date) -> Owners:
        """Holders' integrated shares and the ultimate owners of ``enterprise_id`` on ``on``."""
        graph = self.graph
        if enterprise_id not in graph:
            raise KeyError(enterprise_id)

        def into(node: str, roles: tuple[str, ...]) -> Iterator[tuple[str, str, dict]]:
            return ((h, e["role"], e) for h, _, e in graph.in_edges(node, data=True)
                    if e["role"] in roles and e["vf"] <= on <= e["vt"])

        shares: dict[str, float] = defaultdict(float)
        stack = [(enterprise_id, 1.0, (enterprise_id,))]
        while stack:  # every simple chain of holdings up from the target, shares multiplied
            node, product, path = stack.pop()
            for holder, _, edge in into(node, (_HOLDS,)):
                if holder not in path and len(path) <= MAX_CHAIN:
                    shares[holder] += product * edge["share"] / 100
                    stack.append((holder, product * edge["share"] / 100, path + (holder,)))
        kinds = {i: graph.nodes[i]["kind"] for i in shares}
        held: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        registered: dict[str, set[str]] = defaultdict(set)
        for node in [enterprise_id, *shares]:
            for holder, role, edge in into(node, (_HOLDS, _CONTROLS)):
                if role == _HOLDS:
                    held[holder][node] += edge["share"] / 100
                elif node == enterprise_id or kinds[node] is _ENTERPRISE:
                    registered[holder].add(node)
                    kinds[holder] = graph.nodes[holder]["kind"]
        return _owners(enterprise_id, shares, kinds, held, registered,
                       lambda: ((h, graph.nodes[h]["kind"]) for h, _, _ in into(enterprise_id, _OFFICERS)))


_SCHEMA = """
CREATE TABLE subjects (id TEXT PRIMARY KEY, kind TEXT NOT NULL, ownership TEXT) WITHOUT ROWID;
-- One role period, as the bundle identifies it; days are ordinals, open ends 1 and 3652059.
CREATE TABLE relations (src TEXT NOT NULL, role TEXT NOT NULL, dst TEXT NOT NULL, vf INTEGER NOT NULL,
                        vt INTEGER NOT NULL, share REAL, PRIMARY KEY (src, role, dst, vf)) WITHOUT ROWID;
CREATE TABLE entries (id TEXT PRIMARY KEY, subject TEXT NOT NULL, list TEXT NOT NULL, determined INTEGER NOT NULL,
                      valid_to INTEGER NOT NULL, revoked INTEGER NOT NULL) WITHOUT ROWID;
-- An entry's history: the state it entered on each day, in order (graph_model.history).
CREATE TABLE entry_steps (entry TEXT NOT NULL, seq INTEGER NOT NULL, day INTEGER NOT NULL, state TEXT NOT NULL,
                          PRIMARY KEY (entry, seq)) WITHOUT ROWID;
CREATE TABLE entry_named (entry TEXT NOT NULL, person TEXT NOT NULL);
CREATE TABLE entry_measures (entry TEXT NOT NULL, action TEXT NOT NULL, PRIMARY KEY (entry, action)) WITHOUT ROWID;
-- The catalogue's rules: list effects, the roles (and NAMED) each list propagates to,
-- narrowed to ownerships (NULL: any), and which measures bind whom.
CREATE TABLE lists (list TEXT PRIMARY KEY, effect TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE list_roles (list TEXT NOT NULL, role TEXT NOT NULL, ownership TEXT);
CREATE TABLE measure_rules (list TEXT NOT NULL, target TEXT NOT NULL, kind TEXT NOT NULL, action TEXT NOT NULL,
                            by_decision INTEGER NOT NULL);
CREATE TABLE restrictions (entry_id TEXT NOT NULL, subject_id TEXT NOT NULL, role TEXT NOT NULL);
"""
# Built after the rows are in: one sort each instead of a b-tree insert per row. No
# ANALYZE: with statistics SQLite 3.40 plans Bloom filters over whole tables into the
# recursive walk, a table scan per check (5.6 ms a check instead of 0.04 ms at 100k).
_INDEXES = """
CREATE INDEX relations_in ON relations (dst, role, vt, share);
CREATE INDEX entries_subject ON entries (subject);
CREATE INDEX entry_named_person ON entry_named (person);
CREATE INDEX list_roles_list ON list_roles (list, role);
CREATE INDEX measure_rules_list ON measure_rules (list, target, kind);
"""
# The state of entry `x` at the end of day :on: the last step of its history on or before
# it (several on one day: the last); entries past valid_to are expired (not in force).
_STATE_ON = """(SELECT st.state FROM entry_steps AS st WHERE st.entry = {x}.id AND st.day <= :on
               ORDER BY st.seq DESC LIMIT 1)"""
_CHECK = """
WITH RECURSIVE
asked(origin, kind) AS ({asked}),
-- From each asked subject outwards along the role edges a list propagates along, as deep
-- as the catalogue's rules reach (:hops). Only a person is bound through a role.
walk(origin, kind, node, depth, role, vf, vt) AS (
    SELECT origin, kind, origin, 0, 'entity', NULL, NULL FROM asked
    UNION ALL
    SELECT w.origin, w.kind, r.dst, w.depth + 1, r.role, r.vf, r.vt
    FROM walk AS w
    JOIN relations AS r ON r.src = w.node AND r.role IN (SELECT role FROM list_roles)
    WHERE w.depth < :hops AND w.kind = 'person'
),
-- What binds it: its own entries; those of an enterprise it held the role in on the
-- determination date, on a list that propagates along the role (narrowed to the
-- enterprise's ownership); those whose decision names it. A revoked entry binds no person.
bound(origin, kind, entry, role) AS (
    SELECT w.origin, w.kind, e.id, 'entity'
    FROM walk AS w JOIN entries AS e ON e.subject = w.node
    WHERE w.depth = 0
    UNION ALL
    SELECT w.origin, w.kind, e.id, w.role
    FROM walk AS w
    JOIN subjects AS t ON t.id = w.node AND t.kind = 'enterprise'
    JOIN entries AS e ON e.subject = t.id AND NOT e.revoked AND e.determined BETWEEN w.vf AND w.vt
    JOIN list_roles AS lr ON lr.list = e.list AND lr.role = w.role
                         AND (lr.ownership IS NULL OR lr.ownership = t.ownership)
    WHERE w.depth > 0
    UNION ALL
    SELECT a.origin, a.kind, e.id, 'NAMED'
    FROM asked AS a
    JOIN entry_named AS n ON n.person = a.origin
    JOIN entries AS e ON e.id = n.entry AND NOT e.revoked
    JOIN list_roles AS lr ON lr.list = e.list AND lr.role = 'NAMED'
    WHERE a.kind = 'person'
),
judged(origin, kind, entry, list, role, state) AS (
    SELECT b.origin, b.kind, e.id, e.list, b.role, """ + _STATE_ON.format(x="e") + """
    FROM bound AS b JOIN entries AS e ON e.id = b.entry
    WHERE e.valid_to >= :on
)
-- Each in-force reason with each measure it carries for the subject's kind and role
-- (by_decision measures only where the decision orders them); one empty row per asked
-- subject, so an unknown one is told from one that nothing binds.
SELECT j.origin, j.entry, j.role, j.state = 'objection_pending', m.action
FROM judged AS j
JOIN lists AS l ON l.list = j.list AND l.effect = 'restrict'
JOIN measure_rules AS m ON m.list = j.list AND m.target = j.role AND m.kind = j.kind
WHERE j.state IN ('active', 'objection_pending')
  AND (NOT m.by_decision OR EXISTS (SELECT 1 FROM entry_measures AS em
                                    WHERE em.entry = j.entry AND em.action = m.action))
UNION ALL
SELECT origin, NULL, NULL, NULL, NULL FROM asked
"""
_CHECK_ONE = _CHECK.format(asked="SELECT id, kind FROM subjects WHERE id = :subject")
# CROSS JOIN keeps SQLite from scanning every subject to probe the (unanalysed) id table.
_CHECK_MANY = _CHECK.format(
    asked="SELECT s.id, s.kind FROM temp.asked_ids AS a CROSS JOIN subjects AS s ON s.id = a.id")
_PROPAGATE = """
INSERT INTO restrictions (entry_id, subject_id, role)
WITH records(entry, subject, role) AS (
    SELECT e.id, e.subject, 'entity' FROM entries AS e
    UNION ALL
    SELECT e.id, r.src, r.role
    FROM entries AS e
    JOIN subjects AS t ON t.id = e.subject AND t.kind = 'enterprise'
    JOIN list_roles AS lr ON lr.list = e.list AND (lr.ownership IS NULL OR lr.ownership = t.ownership)
    JOIN relations AS r ON r.dst = t.id AND r.role = lr.role AND e.determined BETWEEN r.vf AND r.vt
    JOIN subjects AS p ON p.id = r.src AND p.kind = 'person'
    WHERE NOT e.revoked
    UNION ALL
    SELECT e.id, n.person, 'NAMED'
    FROM entries AS e
    JOIN list_roles AS lr ON lr.list = e.list AND lr.role = 'NAMED'
    JOIN entry_named AS n ON n.entry = e.id
    JOIN subjects AS p ON p.id = n.person AND p.kind = 'person'
    WHERE NOT e.revoked
)
SELECT c.entry, c.subject, c.role
FROM records AS c JOIN entries AS e ON e.id = c.entry
WHERE :on IS NULL OR (e.valid_to >= :on AND """ + _STATE_ON.format(x="e") + """ IN ('active', 'objection_pending'))
"""
# Integrated shares: every simple chain of holdings in force on :on up from :target,
# the shares along it multiplied, summed per holder. char(31) separates the ids of the
# path (the loader refuses control characters in ids).
_OWNERS = """
WITH RECURSIVE chains(holder, share, depth, path) AS (
    SELECT r.src, r.share / 100.0, 1, char(31) || r.dst || char(31) || r.src || char(31)
    FROM relations AS r
    WHERE r.dst = :target AND r.role = 'HOLDS_SHARES' AND :on BETWEEN r.vf AND r.vt
    UNION ALL
    SELECT r.src, c.share * r.share / 100.0, c.depth + 1, c.path || r.src || char(31)
    FROM chains AS c
    JOIN relations AS r ON r.dst = c.holder AND r.role = 'HOLDS_SHARES'
    WHERE :on BETWEEN r.vf AND r.vt AND c.depth < :depth AND instr(c.path, char(31) || r.src || char(31)) = 0
)
SELECT c.holder, s.kind, sum(c.share) FROM chains AS c JOIN subjects AS s ON s.id = c.holder GROUP BY c.holder
"""
# Holdings and registered controllers into the target and its holders, and the target's
# senior managers, in force on :on: what the control rule reads.
_AROUND = """
SELECT r.src, s.kind, r.dst, r.role, r.share
FROM json_each(:nodes) AS n
JOIN relations AS r ON r.dst = n.value
JOIN subjects AS s ON s.id = r.src
WHERE :on BETWEEN r.vf AND r.vt
  AND (r.role IN ('HOLDS_SHARES', 'ACTUAL_CONTROLLER_OF')
       OR (r.dst = :target AND r.role IN ('LEGAL_REP_OF', 'PRINCIPAL_OF', 'MANAGES')))
"""
_OPEN_FROM, _OPEN_TO = date.min.toordinal(), date.max.toordinal()


class _Ordinals(dict):
    def __missing__(self, text: str) -> int:
        day = self[text] = date.fromisoformat(text).toordinal()
        return day


class SqliteBaseline:
    """The bundle in SQLite tables; each answer is one SQL statement over the raw rows."""

    def __init__(self, db: sqlite3.Connection, catalogue: Catalogue, timings: dict[str, float]) -> None:
        self.db, self.rules, self.timings = db, _Rules(catalogue), timings
        self.build_seconds = sum(timings.values())

    @classmethod
    def from_bundle(cls, folder: Path, catalogue: Catalogue, path: str | Path = ":memory:") -> SqliteBaseline:
        """Load ``folder`` into a fresh database at ``path`` (replaced if it exists);
        ``timings`` keeps the load and the indexing apart."""
        with no_cycle_collection():
            return cls._build(Path(folder), catalogue, path)

    @classmethod
    def _build(cls, folder: Path, catalogue: Catalogue, path: str | Path) -> SqliteBaseline:
        started = time.perf_counter()
        if str(path) != ":memory:":
            Path(path).unlink(missing_ok=True)
        db = sqlite3.connect(str(path), isolation_level=None)
        # A baseline is rebuilt from the bundle, never recovered: no journal, no fsync.
        db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY;"
                         "PRAGMA cache_size = -262144;" + _SCHEMA)
        days = _Ordinals()
        db.execute("BEGIN")
        db.executemany("INSERT INTO subjects VALUES (?, ?, ?)",
                       _read(folder / "subjects.csv", ("id", "kind", "ownership")))
        columns = ("from_id", "type", "to_id", "valid_from", "valid_to", "share")
        # The first of two rows for one period is kept, as the loader keeps it.
        db.executemany("INSERT OR IGNORE INTO relations VALUES (?, ?, ?, ?, ?, ?)", (
            (src, role, dst, days[vf] if vf else _OPEN_FROM, days[vt] if vt else _OPEN_TO,
             float(share) if share else None)
            for src, role, dst, vf, vt, share in _read(folder / "relations.csv", columns) if role in _KEPT))
        for entry in _entries(folder, catalogue, _Days()):
            end = entry.history.valid_to
            db.execute("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?)", (
                entry.id, entry.subject, entry.list, entry.determined.toordinal(),
                end.toordinal() if end else _OPEN_TO, entry.revoked))
            db.executemany("INSERT INTO entry_steps VALUES (?, ?, ?, ?)", [
                (entry.id, seq, day.toordinal(), state.value)
                for seq, (day, state) in enumerate(zip(entry.history.on, entry.history.states))])
            db.executemany("INSERT INTO entry_named VALUES (?, ?)", [(entry.id, p) for p in entry.named])
            db.executemany("INSERT OR IGNORE INTO entry_measures VALUES (?, ?)", [(entry.id, m) for m in entry.decided])
        lists = catalogue.lists.values()
        db.executemany("INSERT INTO lists VALUES (?, ?)", [(l.id, l.effect) for l in lists])
        db.executemany("INSERT INTO list_roles VALUES (?, ?, ?)", [
            (l.id, str(role), str(o) if o else None)
            for l in lists for p in l.propagation for role in p.roles for o in (p.ownership or [None])])
        db.executemany("INSERT INTO measure_rules VALUES (?, ?, ?, ?, ?)", [
            (list_id, target, str(kind), m.action, m.applies == "by_decision")
            for list_id, m in catalogue.measures for target in m.targets for kind in m.subject_kinds])
        db.execute("COMMIT")
        loaded = time.perf_counter()
        db.executescript(_INDEXES)
        return cls(db, catalogue, {"load": loaded - started, "index": time.perf_counter() - loaded})

    def _verdicts(self, rows: Iterable[tuple], asked: list[str]) -> dict[str, Verdict]:
        found: dict[str, list[tuple]] = {}
        for origin, entry_id, role, suspended, action in rows:
            reasons = found.setdefault(origin, [])
            if entry_id is not None:
                reasons.append((entry_id, role, bool(suspended), action))
        missing = [sid for sid in asked if sid not in found]
        if missing:
            raise KeyError(missing[0])
        return {sid: _verdict(found[sid]) for sid in asked}

    def check(self, subject_id: str, on: date) -> Verdict:
        """Is ``subject_id`` restricted on ``on``, and why; KeyError if there is no such subject."""
        rows = self.db.execute(_CHECK_ONE, {"subject": subject_id, "on": on.toordinal(), "hops": self.rules.hops})
        return self._verdicts(rows, [subject_id])[subject_id]

    def check_many(self, subject_ids: Iterable[str], on: date) -> dict[str, Verdict]:
        """``check`` of many subjects in one statement (the ids go through a temporary table)."""
        asked = list(dict.fromkeys(subject_ids))
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS asked_ids (id TEXT PRIMARY KEY)")
        self.db.execute("DELETE FROM temp.asked_ids")
        self.db.executemany("INSERT INTO temp.asked_ids VALUES (?)", ((sid,) for sid in asked))
        rows = self.db.execute(_CHECK_MANY, {"on": on.toordinal(), "hops": self.rules.hops})
        return self._verdicts(rows, asked)

    def propagate_all(self, on: date | None = None, *, collect: bool = True) -> set[tuple[str, str, str]] | int:
        """Fill ``restrictions`` with every record propagation derives (one INSERT ...
        SELECT; with ``on``, only those whose entry is in force that day) and return
        them as (entry id, subject id, role), or their number if not ``collect``."""
        db = self.db
        db.execute("BEGIN")
        db.execute("DELETE FROM restrictions")
        count = db.execute(_PROPAGATE, {"on": on.toordinal() if on else None}).rowcount
        db.execute("COMMIT")
        return set(db.execute("SELECT entry_id, subject_id, role FROM restrictions")) if collect else count

    def owners(self, enterprise_id: str, on: date) -> Owners:
        """Holders' integrated shares and the ultimate owners of ``enterprise_id`` on ``on``."""
        if self.db.execute("SELECT 1 FROM subjects WHERE id = ?", (enterprise_id,)).fetchone() is None:
            raise KeyError(enterprise_id)
        day = on.toordinal()
        shares, kinds = {}, {}
        for holder, kind, share in self.db.execute(_OWNERS, {"target": enterprise_id, "on": day, "depth": MAX_CHAIN}):
            shares[holder], kinds[holder] = share, kind
        held: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        registered: dict[str, set[str]] = defaultdict(set)
        officers = []
        rows = self.db.execute(_AROUND, {"nodes": json.dumps([enterprise_id, *shares]), "target": enterprise_id,
                                         "on": day})
        for src, kind, dst, role, share in rows:
            if role == _HOLDS:
                held[src][dst] += share / 100
            elif role == _CONTROLS and (dst == enterprise_id or kinds[dst] == _ENTERPRISE):
                registered[src].add(dst)
                kinds[src] = kind
            elif role in _OFFICERS:
                officers.append((src, kind))
        return _owners(enterprise_id, shares, kinds, held, registered, lambda: officers)
