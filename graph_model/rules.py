"""The rules engine: propagation of list entries to restrictions, and the check.

PR1 (domain.md §9(b)): an entry on a list whose catalogue file has a
``propagation`` block restricts the listed subject and every subject that held one
of the named roles in it on the entry's determination date. Propagation writes
one ``Restriction`` record per (entry, target, role period) with its provenance;
the check reads those records and judges them by the entry's current state and
the catalogue's measures, so a catalogue edit or a state change needs no rerun.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from graph_model.catalogue import Catalogue, ListDef
from graph_model.errors import Conflict, InvalidInput, NotFound
from graph_model.identifiers import (
    is_valid_resident_id,
    is_valid_uscc,
    mask_resident_id,
    may_be_resident_id,
    normalise_resident_id,
    normalise_uscc,
)
from graph_model.pii import IdHasher
from graph_model.store.base import Store
from graph_model.types import (
    IN_FORCE_STATES,
    OPEN_END,
    OPEN_START,
    CheckAnswer,
    EntryState,
    PathStep,
    Reason,
    RelType,
    SubjectKind,
    SubjectRef,
)

__all__ = ["PropagationStats", "check", "propagate", "resolve_subject"]


@dataclass
class PropagationStats:
    entries: int = 0
    restrictions: int = 0
    lists: dict[str, int] = field(default_factory=dict)

    def add(self, other: PropagationStats) -> None:
        self.entries += other.entries
        self.restrictions += other.restrictions
        for list_id, n in other.lists.items():
            self.lists[list_id] = self.lists.get(list_id, 0) + n


def _rule_of(list_def: ListDef) -> str:
    return list_def.propagation.rule if list_def.propagation else "LISTED"


def propagate(store: Store, catalogue: Catalogue, *, by_list: dict[str, list[str]] | None = None,
              batch_size: int = 20_000) -> PropagationStats:
    """Derive the restrictions of the given entries ({list: [entry ids]}; default every
    entry) again, and remove those the graph no longer supports.

    Idempotent: a second run writes the same records. Entries on lists the
    catalogue does not know produce nothing.
    """
    stats = PropagationStats()
    for list_def in catalogue.lists.values():
        if by_list is None:
            ids = [row["id"] for row in store.read("entry_ids_of_list", list=list_def.id)]
        else:
            ids = by_list.get(list_def.id, [])
        stats.lists[list_def.id] = len(ids)
        stats.entries += len(ids)
        roles = [str(role) for role in list_def.propagation.roles] if list_def.propagation else []
        for start in range(0, len(ids), batch_size):
            batch = ids[start : start + batch_size]
            common = {"entry_ids": batch, "rule": _rule_of(list_def), "catalogue_version": catalogue.version}
            stats.restrictions += store.write("propagate_entity", **common).rows[0]["n"]
            if roles:
                stats.restrictions += store.write("propagate_roles", roles=roles, **common).rows[0]["n"]
            store.write("sweep_restrictions", entry_ids=batch, roles=roles)
    return stats


def _one(store: Store, query: str, key: str, what: str) -> dict | None:
    rows = store.read(query, key=key)
    if len(rows) > 1:
        ids = ", ".join(sorted(row["subject"]["id"] for row in rows))
        raise Conflict(f"{len(rows)} subjects share this {what} ({ids}); ask by bundle id")
    return rows[0]["subject"] if rows else None


def resolve_subject(store: Store, hasher: IdHasher, key: str) -> dict:
    """The subject a caller means by a bundle id, a USCC or a resident ID number.

    Something that may be an ID number is looked up only by its keyed hash and is
    never echoed in clear: not to the store, not in an error.
    """
    key = key.strip()
    id_number = normalise_resident_id(key)
    if is_valid_resident_id(id_number):
        found = _one(store, "subject_by_id_hash", hasher(id_number), "ID number")
    elif may_be_resident_id(key):
        found = None  # a mistyped ID number: no bundle id has this shape (the loader refuses it)
    else:
        found = _one(store, "subject_by_id", key, "id")
        if found is None and is_valid_uscc(normalise_uscc(key)):
            found = _one(store, "subject_by_uscc", normalise_uscc(key), "USCC")
    if found is None:
        shown = mask_resident_id(id_number) if may_be_resident_id(key) else key
        raise NotFound(f"no subject has the id, USCC or ID number {shown!r}")
    return found


def _day(value: str | None) -> date | None:
    if value in (None, "", OPEN_START, OPEN_END):
        return None
    return date.fromisoformat(value)


def _ref(row: dict) -> SubjectRef:
    return SubjectRef(id=row["id"], kind=row["kind"], name=row.get("name") or "")


def _path(restriction: dict, known: dict[str, SubjectRef]) -> list[PathStep]:
    steps = []
    roles = restriction.get("path_roles") or []
    for i, subject_id in enumerate(restriction["path_ids"]):
        ref = known.get(subject_id) or SubjectRef(id=subject_id, kind=SubjectKind.enterprise, name="")
        if i < len(roles):
            steps.append(PathStep(subject=ref, role=RelType(roles[i]), valid_from=_day(restriction["path_from"][i]),
                                  valid_to=_day(restriction["path_to"][i])))
        else:
            steps.append(PathStep(subject=ref))
    return steps


def _legal_basis(list_def: ListDef, role: str, measures) -> str:
    parts = []
    if role != "entity" and list_def.propagation:
        parts.append(f"{list_def.propagation.rule}: {list_def.propagation.legal_basis}（{list_def.propagation.source}）")
    parts.extend(f"{m.name_zh}: {m.legal_basis}（{m.source}）" for m in measures)
    return "；".join(parts)


def check(store: Store, catalogue: Catalogue, hasher: IdHasher, key: str, *,
          action: str | None = None, on: date | None = None) -> CheckAnswer:
    """Is the subject restricted (for ``action``, if given) on date ``on`` (default today), and why."""
    on = on or date.today()
    if action is not None and action not in catalogue.actions:
        # A misspelt code must not come back as "not restricted".
        raise InvalidInput(f"unknown action {action!r}; the catalogue has {sorted(catalogue.actions)}")
    subject = resolve_subject(store, hasher, key)
    rows = store.read("restrictions_of_subject", subject_id=subject["id"], on_date=on.isoformat())
    known = {subject["id"]: _ref(subject)}
    for row in rows:
        known[row["listed"]["id"]] = _ref(row["listed"])
    missing = {i for row in rows for i in row["restriction"]["path_ids"]} - set(known)
    if missing:
        for row in store.read("subjects_by_ids", ids=sorted(missing)):
            known[row["subject"]["id"]] = _ref(row["subject"])

    reasons: list[Reason] = []
    for row in rows:
        entry, restriction = row["entry"], row["restriction"]
        state = EntryState(entry["state"])
        list_def = catalogue.lists.get(entry["list"])
        if state not in IN_FORCE_STATES or list_def is None:
            continue
        measures = catalogue.measures_for(entry["list"], restriction["role"], SubjectKind(subject["kind"]))
        if action is not None:
            measures = [m for m in measures if m.action == action]
        if not measures:
            continue
        reasons.append(Reason(
            rule=restriction["rule"],
            entry_id=entry["id"],
            list=entry["list"],
            deciding_dept=entry["deciding_dept"],
            basis=entry["basis"],
            basis_kind=entry["basis_kind"],
            determined=date.fromisoformat(entry["determined"]),
            valid_to=_day(entry.get("valid_to")),
            region=entry.get("region"),
            state=state,
            suspended=state is EntryState.objection_pending,
            role=restriction["role"],
            legal_basis=_legal_basis(list_def, restriction["role"], measures),
            path=_path(restriction, known),
            measures=sorted({m.action for m in measures}),
        ))
    reasons.sort(key=lambda r: (r.suspended, r.determined, r.entry_id, r.role))
    in_force = sorted({m for r in reasons if not r.suspended for m in r.measures})
    return CheckAnswer(
        subject=_ref(subject),
        action=action,
        date=on,
        restricted=bool(in_force),
        suspended=bool(reasons) and not in_force,
        measures=in_force,
        reasons=reasons,
        catalogue_version=catalogue.version,
    )
