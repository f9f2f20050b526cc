"""The SQLite baseline: the bundle in tables, each answer one SQL statement (a
recursive CTE where it walks) over the raw rows."""

from __future__ import annotations

import json
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from bench.baselines.common import (MAX_CHAIN, Owners, Verdict, _CONTROLS, _ENTERPRISE, _HOLDS, _KEPT, _OFFICERS,
                                    _Days, _Rules, _entries, _owners, _read, _verdict)
from graph_model.catalogue.model import Catalogue
from graph_model.vocabulary.days import add_years
from loaders.bundle import no_cycle_collection

__all__ = ["SqliteBaseline"]


_SCHEMA = """
CREATE TABLE subjects (id TEXT PRIMARY KEY, kind TEXT NOT NULL, ownership TEXT) WITHOUT ROWID;
-- One role period, as the bundle identifies it; days are ordinals, open ends 1 and 3652059.
CREATE TABLE relations (src TEXT NOT NULL, role TEXT NOT NULL, dst TEXT NOT NULL, vf INTEGER NOT NULL,
                        vt INTEGER NOT NULL, share REAL, PRIMARY KEY (src, role, dst, vf)) WITHOUT ROWID;
CREATE TABLE entries (id TEXT PRIMARY KEY, subject TEXT NOT NULL, list TEXT NOT NULL, determined INTEGER NOT NULL,
                      valid_to INTEGER NOT NULL, revoked INTEGER NOT NULL) WITHOUT ROWID;
-- An entry's history: the state it entered on each day, in order (graph_model.lifecycle.history).
CREATE TABLE entry_steps (entry TEXT NOT NULL, seq INTEGER NOT NULL, day INTEGER NOT NULL, state TEXT NOT NULL,
                          PRIMARY KEY (entry, seq)) WITHOUT ROWID;
CREATE TABLE entry_named (entry TEXT NOT NULL, person TEXT NOT NULL);
CREATE TABLE entry_measures (entry TEXT NOT NULL, action TEXT NOT NULL, PRIMARY KEY (entry, action)) WITHOUT ROWID;
-- The catalogue's rules: list effects, the roles (and NAMED) each list propagates to,
-- narrowed to ownerships (NULL: any), and which measures bind whom.
CREATE TABLE lists (list TEXT PRIMARY KEY, effect TEXT NOT NULL, suspends INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE list_roles (list TEXT NOT NULL, role TEXT NOT NULL, ownership TEXT);
CREATE TABLE measure_rules (list TEXT NOT NULL, target TEXT NOT NULL, kind TEXT NOT NULL, action TEXT NOT NULL,
                            by_decision INTEGER NOT NULL, measure TEXT NOT NULL, from_day INTEGER);
-- Measures with a term of their own end for an entry on the day given here (add_years of
-- its determination date, computed once at load).
CREATE TABLE measure_ends (entry TEXT NOT NULL, measure TEXT NOT NULL, end_day INTEGER NOT NULL,
                           PRIMARY KEY (entry, measure)) WITHOUT ROWID;
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
SELECT j.origin, j.entry, j.role, j.state = 'objection_pending' AND l.suspends, m.action
FROM judged AS j
JOIN lists AS l ON l.list = j.list AND l.effect = 'restrict'
JOIN measure_rules AS m ON m.list = j.list AND m.target = j.role AND m.kind = j.kind
WHERE j.state IN ('active', 'objection_pending')
  AND (m.from_day IS NULL OR :on >= m.from_day)
  AND NOT EXISTS (SELECT 1 FROM measure_ends AS me WHERE me.entry = j.entry AND me.measure = m.measure
                                                     AND :on >= me.end_day)
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
            db.executemany("INSERT INTO measure_ends VALUES (?, ?, ?)", [
                (entry.id, m.id, add_years(entry.determined, m.term_years).toordinal())
                for m in catalogue.measures_of(entry.list) if m.term_years])
        lists = catalogue.lists.values()
        db.executemany("INSERT INTO lists VALUES (?, ?, ?)", [(l.id, l.effect, l.objection_suspends) for l in lists])
        db.executemany("INSERT INTO list_roles VALUES (?, ?, ?)", [
            (l.id, str(role), str(o) if o else None)
            for l in lists for p in l.propagation for role in p.roles for o in (p.ownership or [None])])
        db.executemany("INSERT INTO measure_rules VALUES (?, ?, ?, ?, ?, ?, ?)", [
            (list_id, target, str(kind), m.action, m.applies == "by_decision", m.id,
             m.in_force_from.toordinal() if m.in_force_from else None)
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
