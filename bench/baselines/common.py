"""What both baselines share: their answers, the bundle's CSV files, the rules.

``Verdict`` and ``Owners`` are the answers the baselines and sanctionnet must agree
on. ``_read`` streams a bundle file's columns and ``_entries`` its entries with the
history the loader gives them; ``_Rules`` is the catalogue as both baselines read it;
``_controls`` and ``_owners`` are analysis.owner_rule's rule over the holdings a
baseline found. See the package docstring for the contract.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from graph_model.catalogue.model import NAMED, ROLE_TARGETS, Catalogue
from graph_model.check.answer import CheckAnswer
from graph_model.lifecycle.history import History, bundle_history
from graph_model.vocabulary.kinds import EntryState, RelType, SubjectKind

__all__ = ["MAX_CHAIN", "Owners", "Verdict"]

_ENTITY = "entity"
_HOLDS, _CONTROLS = RelType.HOLDS_SHARES.value, RelType.ACTUAL_CONTROLLER_OF.value
_KEPT = frozenset({*ROLE_TARGETS, _HOLDS})  # every role some rule or the owners rule reads
_OFFICERS = ("LEGAL_REP_OF", "PRINCIPAL_OF", "MANAGES")  # analysis.owner_rule's senior managers
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
    as (id, basis) with ``analysis.ownership_answers.OwnerBasis`` values."""

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
        # list -> role -> ownerships it is narrowed to (empty: any); two rules of a list
        # on one role bind where either does
        self.roles: dict[str, dict[str, frozenset[str]]] = {}
        for l in catalogue.lists.values():
            roles = self.roles.setdefault(l.id, {})
            for p in l.propagation:
                for role in map(str, p.roles):
                    narrowed = frozenset(map(str, p.ownership))
                    known = roles.get(role)
                    roles[role] = narrowed if known is None else (known | narrowed if known and narrowed else frozenset())
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
    """analysis.owner_rule's rule: persons and public bodies with 25 % integrated equity,
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

