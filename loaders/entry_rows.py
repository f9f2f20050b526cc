"""Entry rows of a bundle checked against the catalogue and the graph, and the properties
an entry is stored with: shared by the bundle loader and the neo4j-admin bundle export."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

from graph_model.catalogue.model import NAMED, Catalogue, ListDef
from graph_model.lifecycle.history import bundle_history, closed_on, history_text
from graph_model.vocabulary.kinds import OPEN_END, EntryState, SubjectKind
from loaders.rows import EntryRow

__all__ = ["entry_problem", "entry_props", "id_numbers"]


def entry_problem(row: EntryRow, list_def: ListDef | None, catalogue: Catalogue, known: dict,
                   attached: dict) -> tuple[str, str] | None:
    """What is wrong with an entry row against the catalogue and the graph, as (field, reason)."""
    if list_def is None:
        return "list", f"unknown list {row.list!r}; the catalogue has {sorted(catalogue.lists)}"
    if row.subject_id not in known:
        return "subject_id", f"no subject {row.subject_id!r} in this bundle or the store"
    if known[row.subject_id] not in list_def.subject_kinds:
        return "subject_id", f"list {row.list!r} does not take a {known[row.subject_id].value}"
    owner = attached.get(row.entry_id)
    if owner and owner["subject_id"] != row.subject_id:
        return "subject_id", f"entry {row.entry_id!r} already belongs to subject {owner['subject_id']!r}"
    if owner and owner["source"] == "api":
        # Its history is kept by transitions; a bundle row would overwrite it.
        return "entry_id", f"entry {row.entry_id!r} is managed through the API; change it by a transition"
    if row.permanent and not list_def.duration.permanent_allowed:
        return "permanent", f"list {row.list!r} has no permanent entries"
    valid_to = row.valid_to
    if valid_to is None and row.state is EntryState.expired:
        valid_to = row.state_since - timedelta(days=1)  # as entry_props stores it
    problem = list_def.duration.too_long(row.determined, valid_to, row.permanent)
    if problem:
        return "valid_to", problem
    decidable = {m.action for m in catalogue.measures_of(row.list) if m.applies == "by_decision"}
    stray = sorted(set(row.measures) - decidable)
    if stray:
        return "measures", f"{stray} are not measures list {row.list!r} applies by decision ({sorted(decidable)})"
    if row.named and not list_def.rule_for(NAMED):
        return "named", f"list {row.list!r} binds no persons named in the decision"
    for pid in row.named:
        if known.get(pid) is not SubjectKind.person:
            return "named", f"{pid!r} is not a person in this bundle or the store"
    return None


def entry_props(row: EntryRow, list_def: ListDef) -> dict:
    props = row.model_dump(mode="json", exclude={"entry_id", "subject_id", "state_since"})
    valid_to = row.valid_to
    if row.state is EntryState.expired and valid_to is None:
        valid_to = row.state_since - timedelta(days=1)
    props["valid_to"] = valid_to.isoformat() if valid_to else OPEN_END
    steps = bundle_history(row.state, row.determined, row.state_since, list_def.notice_days)
    props["history"] = history_text(steps)
    ended = closed_on(steps)
    props["closed_on"] = ended.isoformat() if ended else None  # None: a reloaded row clears it
    props["version"] = 0
    props["source"] = "bundle"
    return props


def id_numbers(folder: Path, ids: set[str]) -> dict[str, str]:
    """The ID numbers subjects.csv gives for ``ids`` (held only for this load: the store
    keeps them hashed), to keep minors off lists that exclude them."""
    if not ids:
        return {}
    path = folder / "subjects.csv"
    if not path.is_file():
        return {}
    with open(path, newline="", encoding="utf-8-sig", errors="surrogateescape") as handle:
        return {r["id"]: r["id_number"] for r in csv.DictReader(handle)
                if r.get("id") in ids and (r.get("id_number") or "").strip()}
