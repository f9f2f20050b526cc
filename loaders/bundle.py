"""Load an interchange bundle (subjects.csv, relations.csv, entries.csv) into the store.

Every row is validated on its own; a bad row goes to the rejects list with its
file, line, field and reason, and the good rows still load. Writes are MERGEs in
large UNWIND batches, so loading the same bundle again changes nothing. After the
rows, restrictions are propagated again.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from graph_model.catalogue.model import ROLE_TARGETS, Catalogue
from graph_model.errors import InvalidInput
from graph_model.identity.identifiers import mask_resident_id, org_code_of
from graph_model.identity.names import name_key
from graph_model.identity.pii import IdHasher
from graph_model.lifecycle.minors import minor_on
from graph_model.lifecycle.propagation import PropagationStats, propagate
from graph_model.store.base import Store, batched
from graph_model.vocabulary.kinds import OPEN_END, OPEN_START, RelType, SubjectKind, label_of
from loaders.csvfile import Reject, read_rows, write_rejects
from loaders.entry_rows import entry_problem, entry_props, id_numbers
from loaders.rows import COLUMNS, OPTIONAL_COLUMNS, OPTIONAL_FILES, EntryRow, RelationRow, SourceRow, SubjectRow

__all__ = ["LoadReport", "Reject", "entry_problem", "entry_props", "load_bundle", "no_cycle_collection", "read_by_ids",
           "relation_rows", "subject_rows", "unique_rows", "valid_rows", "write_rejects"]

Progress = Callable[[str, int], None]
# Who may hold which role: (kinds on the from side, kinds on the to side).
_P, _E, _G = SubjectKind.person, SubjectKind.enterprise, SubjectKind.public_body
_ENDPOINTS: dict[RelType, tuple[set[SubjectKind], set[SubjectKind]]] = {
    RelType.LEGAL_REP_OF: ({_P}, {_E, _G}),
    RelType.PRINCIPAL_OF: ({_P}, {_E, _G}),
    RelType.ACTUAL_CONTROLLER_OF: ({_P, _E, _G}, {_E}),
    RelType.HOLDS_SHARES: ({_P, _E, _G}, {_E}),
    RelType.MANAGES: ({_P}, {_E}),
    RelType.STAFF_OF: ({_P}, {_E, _G}),
    RelType.BRANCH_OF: ({_E, _G}, {_E, _G}),
    RelType.SUPERVISED_BY: ({_E, _G}, {_G}),
    RelType.KEY_PERSON_OF: ({_P}, {_E, _G}),
    RelType.RELATIVE_OF: ({_P}, {_P}),
}


@dataclass
class LoadReport:
    read: dict[str, int] = field(default_factory=dict)
    loaded: dict[str, int] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    propagation: PropagationStats = field(default_factory=PropagationStats)
    seconds: float = 0.0
    # Format loads (court, registry, FtM, BODS, ...): what the source had beyond the bundle.
    merged: int = 0  # source records that joined a subject an earlier record named
    skipped: dict[str, int] = field(default_factory=dict)  # "kind: reason" -> records not loaded, on purpose
    notes: dict[str, int] = field(default_factory=dict)  # information not carried over, counted by what
    dangling: int = 0  # rows naming a subject not in the source (looked for in the store)
    bulk: bool = False  # subjects and relations were created in one bulk step (empty store)

    @property
    def rows_loaded(self) -> int:
        return sum(self.loaded.values())


def _validate(model: type[BaseModel], name: str, line: int, row: dict, report: LoadReport):
    try:
        return model.model_validate(row)
    except ValidationError as exc:
        for error in exc.errors():
            where = ".".join(map(str, error["loc"])) or "(row)"
            report.rejects.append(Reject(name, line, where, error["msg"].removeprefix("Value error, ")))
        return None


def valid_rows(model: type[BaseModel], folder: Path, name: str, report: LoadReport) -> Iterator[tuple[int, Any]]:
    columns = COLUMNS.get(name) or OPTIONAL_FILES[name]
    for line, raw in read_rows(folder / name, columns, report.rejects, report.read,
                               OPTIONAL_COLUMNS.get(name, ())):
        row = _validate(model, name, line, raw, report)
        if row is not None:
            yield line, row


def unique_rows(model: type[BaseModel], folder: Path, name: str, key: str, report: LoadReport) -> dict[str, tuple[int, Any]]:
    """Valid rows by their key; a repeated key is rejected, the first one kept."""
    rows: dict[str, tuple[int, Any]] = {}
    for line, row in valid_rows(model, folder, name, report):
        value = getattr(row, key)
        if value in rows:
            report.rejects.append(Reject(name, line, key, f"duplicate {key} {value!r}, first on line {rows[value][0]}"))
            continue
        rows[value] = (line, row)
    return rows


def read_by_ids(store: Store, query: str, ids, batch_size: int, variant: str | None = None) -> list[dict]:
    """Run a lookup query that takes ``$ids`` over any number of ids, batch by batch."""
    return [row for batch in batched(sorted(set(ids)), batch_size)
            for row in store.read(query, variant=variant, ids=batch)]


def _existing_kinds(store: Store, ids, batch_size: int) -> dict[str, SubjectKind]:
    return {row["id"]: SubjectKind(row["kind"]) for row in read_by_ids(store, "subject_kinds", ids, batch_size)}


def _subject_props(row: SubjectRow, hasher: IdHasher) -> dict:
    props = {"kind": row.kind.value, "name": row.name, "region": row.region, "status": row.status,
             "uscc": row.uscc, "org_code": org_code_of(row.uscc) if row.uscc else None,
             "ownership": row.ownership.value if row.ownership else None,
             "established": row.established.isoformat() if row.established else None,
             "stock_code": row.stock_code, "reg_no": row.reg_no,
             # Look-ups by registration number go by its keyed hash: 15 digits may be an old ID number.
             "reg_no_hash": hasher(row.reg_no) if row.reg_no else None,
             # Enterprises and public bodies are found by name; a person never is.
             "name_key": name_key(row.name) if row.kind is not SubjectKind.person else None}
    if row.kind is SubjectKind.person and row.id_number:
        # The ID number itself never reaches the graph: a keyed hash for look-ups and
        # a masked form for display.
        props["id_hash"] = hasher(row.id_number)
        props["id_masked"] = mask_resident_id(row.id_number)
    # An empty cell means "not given": it never erases what an earlier load stored.
    return {k: v for k, v in props.items() if v is not None}


# Properties no two subjects share, and the column each comes from.
_UNIQUE = (("uscc", "uscc"), ("id_hash", "id_number"), ("stock_code", "stock_code"), ("reg_no", "reg_no"))


def _identifier_clash(sid: str, line: int, props: dict, owners: dict, claimed: dict) -> tuple[str, str] | None:
    """A USCC or ID number that another subject already has, in the store or this file.

    One code, two subjects would make every look-up by that code ambiguous; merging
    them is identity resolution, which needs a person's decision.
    """
    for prop, shown in _UNIQUE:
        key = props.get(prop)
        if key is None:
            continue
        what = {"uscc": "USCC", "id_hash": "ID number", "stock_code": "stock code", "reg_no": "registration number"}[prop]
        if owners[prop].get(key, sid) != sid:
            return shown, f"{what} already belongs to subject {owners[prop][key]!r}"
        if (prop, key) in claimed:
            first_line, first_id = claimed[(prop, key)]
            return shown, f"{what} also given to subject {first_id!r} on line {first_line}"
    for prop, _ in _UNIQUE:
        if props.get(prop) is not None:
            claimed[(prop, props[prop])] = (line, sid)
    return None


def subject_rows(store, folder, hasher, report, batch_size):
    """The subjects to write, by kind, and the kind of every subject the load knows."""
    name = "subjects.csv"
    rows: dict[str, tuple[int, SubjectRow]] = unique_rows(SubjectRow, folder, name, "id", report)
    existing = _existing_kinds(store, list(rows), batch_size)
    by_kind: dict[SubjectKind, list[dict]] = {kind: [] for kind in SubjectKind}
    props = {sid: _subject_props(row, hasher) for sid, (_, row) in rows.items()}
    owners = {prop: {row["key"]: row["id"] for row in read_by_ids(
                  store, "subjects_by_keys", (p[prop] for p in props.values() if prop in p), batch_size, prop)}
              for prop, _ in _UNIQUE}
    claimed: dict[tuple[str, str], tuple[int, str]] = {}
    for line, row in rows.values():
        if existing.get(row.id, row.kind) is not row.kind:
            report.rejects.append(Reject(name, line, "kind", f"subject {row.id!r} is already stored as {existing[row.id].value}"))
            continue
        clash = _identifier_clash(row.id, line, props[row.id], owners, claimed)
        if clash:
            report.rejects.append(Reject(name, line, *clash))
            continue
        by_kind[row.kind].append({"id": row.id, "props": props[row.id]})
    return by_kind, existing | {r["id"]: kind for kind, rs in by_kind.items() for r in rs}


def relation_rows(store, folder, known, report, batch_size) -> dict[RelType, list[dict]]:
    """The role periods to write, by type, each row checked against its endpoints."""
    name = "relations.csv"
    good: list[tuple[int, RelationRow]] = list(valid_rows(RelationRow, folder, name, report))
    unknown = {i for _, r in good for i in (r.from_id, r.to_id)} - set(known)
    known = known | _existing_kinds(store, unknown, batch_size)
    by_type: dict[RelType, list[dict]] = {rel: [] for rel in RelType}
    seen: dict[tuple, int] = {}
    for line, row in good:
        rel, from_id, to_id = row.type, row.from_id, row.to_id
        valid_from = row.valid_from.isoformat() if row.valid_from else OPEN_START
        identity = (from_id, to_id, rel, valid_from)
        allowed_from, allowed_to = _ENDPOINTS[rel]
        if known.get(from_id) not in allowed_from or known.get(to_id) not in allowed_to or identity in seen:
            report.rejects.append(Reject(name, line, *_relation_problem(row, known, seen, identity)))
            continue
        seen[identity] = line
        by_type[rel].append({"from_id": from_id, "to_id": to_id, "valid_from": valid_from,
                             "valid_to": row.valid_to.isoformat() if row.valid_to else OPEN_END,
                             "share": row.share, "title": row.title})
    return by_type


def _relation_problem(row: RelationRow, known: dict, seen: dict, identity: tuple) -> tuple[str, str]:
    """Why a relation row cannot be loaded, as (field, reason)."""
    for side, sid, allowed in zip(("from_id", "to_id"), (row.from_id, row.to_id), _ENDPOINTS[row.type]):
        if sid not in known:
            return side, f"no subject {sid!r} in this bundle or the store"
        if known[sid] not in allowed:
            return side, f"a {known[sid].value} cannot be the {side.removesuffix('_id')} side of {row.type.value}"
    return "valid_from", f"same {row.type.value} period as line {seen[identity]}"


def _role_targets(by_type: dict[RelType, list[dict]]) -> set[str]:
    """Subjects whose entries must be derived again: the enterprise a role points to, and
    the body or person whose notification tasks name the unit (PR3) or employer (PR4)."""
    return ({row["to_id"] for rel, rows in by_type.items() if rel in ROLE_TARGETS for row in rows}
            | {row["from_id"] for rel, rows in by_type.items() if rel in _TASK_RELATIONS for row in rows})


def _write_graph(store, by_kind, by_type, report, batch_size, progress) -> None:
    """Write subjects, then relations: into an empty store in one bulk step where the
    store has one (FalkorDB's GRAPH.BULK), else as UNWIND ... MERGE batches."""
    subjects, relations = "subjects.csv", "relations.csv"
    report.loaded[subjects] = sum(map(len, by_kind.values()))
    report.loaded[relations] = sum(map(len, by_type.values()))
    nodes = {("Subject", label_of(kind)): rows for kind, rows in by_kind.items() if rows}
    edges = {rel.value: rows for rel, rows in by_type.items() if rows}
    if nodes and store.create_graph(nodes, edges):
        report.bulk = True
        progress(subjects, report.loaded[subjects])
        progress(relations, report.loaded[relations])
        return
    for kind, rows in by_kind.items():
        for batch in batched(rows, batch_size):
            store.write("load_subjects", variant=label_of(kind), rows=batch)
            progress(subjects, len(batch))
    for rel, rows in by_type.items():
        for batch in batched(rows, batch_size):
            store.write("load_relations", variant=rel, rows=batch)
            progress(relations, len(batch))



_TASK_RELATIONS = ("SUPERVISED_BY", "STAFF_OF")


def _load_entries(store, folder, catalogue, known, report, batch_size, progress) -> set[str]:
    """Load entries and derive each batch's restrictions at once, so no entry is in the
    store without them for longer than one batch; return the entry ids loaded."""
    name = "entries.csv"
    good: dict[str, tuple[int, EntryRow]] = unique_rows(EntryRow, folder, name, "entry_id", report)
    wanted = {r.subject_id for _, r in good.values()} | {p for _, r in good.values() for p in r.named}
    known = known | _existing_kinds(store, wanted - set(known), batch_size)
    attached = {row["id"]: row for row in read_by_ids(store, "entry_subjects", good, batch_size)}
    rows: list[dict] = []
    numbers = id_numbers(folder, {r.subject_id for _, r in good.values()
                                   if (d := catalogue.lists.get(r.list)) is not None and d.minors_excluded})
    for line, row in good.values():
        list_def = catalogue.lists.get(row.list)
        problem = entry_problem(row, list_def, catalogue, known, attached)
        if problem is None and row.subject_id in numbers and minor_on(numbers[row.subject_id], row.determined):
            rule = list_def.minors_excluded
            problem = ("subject_id", f"{row.subject_id!r} was under 18 on {row.determined.isoformat()}: a minor may "
                                     f"not be put on {list_def.name_zh} ({rule.source})")
        if problem:
            report.rejects.append(Reject(name, line, *problem))
            continue
        rows.append({"id": row.entry_id, "subject_id": row.subject_id, "props": entry_props(row, list_def)})
    lines = {row.entry_id: line for line, row in good.values()}
    loaded: set[str] = set()
    for batch in batched(rows, batch_size):
        written = {row["id"] for row in store.write("load_entries", rows=batch).rows}
        by_list: dict[str, list[str]] = {}
        for row in batch:
            if row["id"] in written:
                by_list.setdefault(row["props"]["list"], []).append(row["id"])
            else:
                report.rejects.append(Reject(name, lines[row["id"]], "entry_id",
                                             f"entry {row['id']!r} was taken over by the API or another subject "
                                             "while this load ran; change it by a transition"))
        report.propagation.add(propagate(store, catalogue, by_list=by_list, batch_size=batch_size))
        loaded |= written
        progress(name, len(batch))
    report.loaded[name] = len(loaded)
    return loaded


def _load_sources(store, folder, known, entries, report, batch_size, progress) -> None:
    """Load the optional sources.csv: provenance of the subjects and entries."""
    name = "sources.csv"
    if not (folder / name).is_file():
        return
    progress(name, 0)
    rows, linked = [], []
    good = list(valid_rows(SourceRow, folder, name, report))
    known = known | _existing_kinds(store, {r.subject_id for _, r in good} - set(known), batch_size)
    stored = {row["id"] for row in read_by_ids(store, "entry_subjects",
                                                 {r.entry_id for _, r in good if r.entry_id} - entries, batch_size)}
    for line, row in good:
        if row.subject_id not in known:
            report.rejects.append(Reject(name, line, "subject_id", f"no subject {row.subject_id!r} in this bundle or the store"))
            continue
        if row.entry_id and row.entry_id not in entries and row.entry_id not in stored:
            report.rejects.append(Reject(name, line, "entry_id", f"no entry {row.entry_id!r} in this bundle or the store"))
            continue
        key = f"{row.source}|{row.record_id}"
        rows.append({"key": key, "source": row.source, "record_id": row.record_id, "subject_id": row.subject_id,
                     "why": row.why, "raw": row.raw})
        if row.entry_id:
            linked.append({"key": key, "entry_id": row.entry_id})
    for batch in batched(rows, batch_size):
        store.write("load_sources", rows=batch)
        progress(name, len(batch))
    for batch in batched(linked, batch_size):
        store.write("link_source_entries", rows=batch)
    report.loaded[name] = len(rows)


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector off for the duration of a load. A load makes millions of
    short-lived rows and no reference cycles (reference counting frees them all), and the
    collector's passes over them cost as much as reading and validating the rows:
    relations.csv read and validated at 90,000 rows/s with it, 169,000 without."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_bundle(store: Store, catalogue: Catalogue, hasher: IdHasher, folder: Path, *,
                batch_size: int = 20_000, progress: Progress | None = None) -> LoadReport:
    """Load the three files of ``folder``; each batch of entries gets its restrictions
    at once, and earlier entries whose roles this load changed are derived again."""
    with no_cycle_collection():
        return _load_bundle(store, catalogue, hasher, folder, batch_size, progress)


def _load_bundle(store, catalogue, hasher, folder, batch_size, progress) -> LoadReport:
    folder = Path(folder)
    if not folder.is_dir():
        raise InvalidInput(f"{folder}: not a folder; a bundle is a folder with {', '.join(COLUMNS)}")
    progress = progress or (lambda stage, n: None)
    report = LoadReport()
    started = time.perf_counter()
    # progress(stage, 0) marks where a stage begins, so rates are per stage.
    progress("subjects.csv", 0)
    by_kind, known = subject_rows(store, folder, hasher, report, batch_size)
    progress("relations.csv", 0)
    by_type = relation_rows(store, folder, known, report, batch_size)
    _write_graph(store, by_kind, by_type, report, batch_size, progress)
    role_targets = _role_targets(by_type)
    progress("entries.csv", 0)
    loaded_entries = _load_entries(store, folder, catalogue, known, report, batch_size, progress)
    _load_sources(store, folder, known, loaded_entries, report, batch_size, progress)
    # Entries loaded earlier whose subject's roles changed in this load.
    progress("propagation", 0)
    earlier: dict[str, list[str]] = {}
    for row in read_by_ids(store, "entries_of_subjects", role_targets, batch_size):
        if row["id"] not in loaded_entries:
            earlier.setdefault(row["list"], []).append(row["id"])
    if earlier:
        report.propagation.add(propagate(store, catalogue, by_list=earlier, batch_size=batch_size))
    store.write("bump_data_version", at=datetime.now(UTC).isoformat(timespec="seconds"))
    store.checkpoint()
    report.seconds = time.perf_counter() - started
    return report
