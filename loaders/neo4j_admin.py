"""Files for Neo4j's offline importer, ``neo4j-admin database import full``.

``sanctionnet export neo4j-admin DIR`` writes the graph of the store (or, with
``--bundle``, of a bundle validated as ``sanctionnet load`` validates it) as CSV
node and relationship files, with the command line that imports them. A database
imported from them and completed by ``finish_import`` is the graph sanctionnet had:
the same labels, property names and types, relationship types and properties.

The format, as neo4j-admin 5.x and 2025.x read it (why: docs/neo4j.md):

* one ID space per kind of node, named after its label (``Subject`` for every
  subject) and keyed by ``id`` (``code`` for ``Region``): ``id:ID(Subject)``;
  relationships name both ends' spaces: ``:START_ID(Subject)``, ``:END_ID(Entry)``;
* labels and types are given on the command line (``--nodes=Subject:Person=...``),
  one file per label set or per (type, start space, end space); a column is
  ``name:type``, type ``string``, ``long``, ``double``, ``boolean`` or one of those
  with ``[]``. A row bringing a new property, or another type for one, goes on in
  another file with its own header, so every row has exactly its header's fields;
* strings are always quoted, ``"`` doubled inside, so ``""`` is an empty string and
  an empty field is no property; list items are joined by U+001F, which no item
  may hold;
* neo4j-admin drops an empty list (an empty array field is no property): a node
  with some gets the label ``SanctionnetEmptyLists`` and the sorted names in
  ``sanctionnet_empty_lists``, which ``finish_import`` turns back into empty lists.
  An empty list on a relationship is refused (sanctionnet writes none).
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph_model.catalogue import Catalogue
from graph_model.errors import InvalidInput
from graph_model.pii import IdHasher
from graph_model.store.base import Store
from graph_model.types import label_of
from loaders.bundle import LoadReport, Reject, no_cycle_collection
# The loader's own validation, reused so that a bundle converted here is checked and
# hashed exactly as `sanctionnet load` checks and hashes it.
from loaders.bundle import _entry_problem, _entry_props, _relation_rows, _subject_rows, _unique_rows, _valid_rows
from loaders.rows import EntryRow, SourceRow

__all__ = ["ARRAY_DELIMITER", "FILL", "FORMAT", "PAGE", "SPACES", "Written", "export_bundle", "export_store", "finish_import"]

# Bump when the layout of the folder changes (manifest.json carries it).
FORMAT = 1
# Nodes per page of the neo4j_admin_* reads (their LIMIT): a shorter page is the last. On
# FalkorDB a page costs ~2 µs per node after it (its sort is not index-backed), so large
# pages: 10,000 took 50 s for 265,000 subjects, 50,000 took 40 s.
PAGE = 50_000
# Nodes per write of neo4j_admin_empty_lists (its LIMIT).
FILL = 10_000
# The ASCII unit separator: made to separate items, and never in a bundle's text (the
# loader rejects control characters), unlike `;` or `|`.
ARRAY_DELIMITER = "\x1f"
EMPTY_LABEL, EMPTY_PROP = "SanctionnetEmptyLists", "sanctionnet_empty_lists"
# ID space -> (key property, query paging it). Every node belongs to exactly one.
SPACES = {"Subject": ("id", "neo4j_admin_subject"), "Entry": ("id", "neo4j_admin_entry"),
          "Restriction": ("id", "neo4j_admin_restriction"), "Transition": ("id", "neo4j_admin_transition"),
          "Restoration": ("id", "neo4j_admin_restoration"), "Task": ("id", "neo4j_admin_task"),
          "Lead": ("id", "neo4j_admin_lead"), "Feedback": ("id", "neo4j_admin_feedback"),
          "Tender": ("id", "neo4j_admin_tender"), "SourceRecord": ("id", "neo4j_admin_source_record"),
          "Region": ("code", "neo4j_admin_region"), "Meta": ("id", "neo4j_admin_meta")}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")  # labels and types: safe in a file name and an argument
_BAD_KEY = re.compile(r'[:,"\r\n]')  # would break a header cell
_LONG = range(-2**63, 2**63)
_SCALARS = {str: "string", bool: "boolean", int: "long", float: "double"}  # `float` would lose digits
_SPECIAL = {"inf": "Infinity", "-inf": "-Infinity", "nan": "NaN"}
Progress = Callable[[str, int], None]


class _Unwritable(ValueError):
    """A value neo4j-admin cannot read back as it is."""


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _number(value: int | float) -> str:
    if type(value) is float:  # repr round-trips; Java's parseDouble spells the specials so
        return _SPECIAL.get(repr(value), repr(value))
    if value not in _LONG:
        raise _Unwritable(f"integer {value} does not fit in 64 bits")
    return str(value)


def _encode(value: Any) -> tuple[str, str]:
    """(header type, field) of a non-null value."""
    kind = type(value)
    if kind is str:
        return "string", _quote(value)
    if kind is bool:
        return "boolean", "true" if value else "false"
    if kind is int or kind is float:
        return _SCALARS[kind], _number(value)
    if kind is not list:
        raise _Unwritable(f"a {kind.__name__} value has no neo4j-admin type")
    kinds = {type(item) for item in value}
    if len(kinds) != 1 or not kinds <= set(_SCALARS):
        raise _Unwritable(f"a list must hold items of one type (string, integer, float or boolean), not {kinds}")
    item_kind = kinds.pop()
    if item_kind is str:
        if value == [""]:
            raise _Unwritable("a list of one empty string would be read back as no list")
        if any(ARRAY_DELIMITER in item for item in value):
            raise _Unwritable("a list item holds U+001F, the array delimiter")
        return "string[]", _quote(ARRAY_DELIMITER.join(value))
    if item_kind is bool:
        return "boolean[]", ARRAY_DELIMITER.join("true" if item else "false" for item in value)
    return _SCALARS[item_kind] + "[]", ARRAY_DELIMITER.join(map(_number, value))


class _File:
    """One ``--nodes``/``--relationships`` group: a CSV file whose header is its first line."""

    def __init__(self, path: Path, option: str, name: str, fixed: list[str], columns: dict[str, str]) -> None:
        self.path, self.option, self.name, self.columns = path, option, name, columns
        self.rows, self.multiline = 0, False
        self.handle = open(path, "w", encoding="utf-8", newline="")
        self.handle.write(",".join([*fixed, *(f"{key}:{kind}" for key, kind in columns.items())]) + "\n")


class _Writer:
    """Writes nodes and relationships into files by kind, widening a kind's file when a
    row brings a new property (and opening a parallel one when it brings another type)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.open: dict[tuple, list[_File]] = {}
        self.files: list[_File] = []
        self.stems: dict[str, int] = {}
        self.empty_lists: set[tuple[str, ...]] = set()
        self.spaces: dict[str, int] = {}
        self.relationships = 0

    def node(self, space: str, labels, props: dict[str, Any]) -> None:
        """One node of ``space`` with ``labels`` and ``props`` (its key among them)."""
        key_prop = SPACES[space][0]
        key = props.get(key_prop)
        labels = (space, *sorted(label for label in labels if label != space))
        where = f"{':'.join(labels)} node {key!r}"
        if type(key) is not str:
            raise InvalidInput(f"{where}: its key `{key_prop}` must be a string for --id-type=string")
        rest: dict[str, Any] = {}
        empty: list[str] = []
        for name, value in props.items():
            if type(value) is list and not value:
                empty.append(name)
            elif name != key_prop:
                rest[name] = value
        if EMPTY_PROP in rest:
            raise InvalidInput(f"{where}, property {EMPTY_PROP!r}: the export uses this name to mark empty lists")
        if empty:
            labels = (*labels, EMPTY_LABEL)
            rest[EMPTY_PROP] = sorted(empty)
            self.empty_lists.add(tuple(rest[EMPTY_PROP]))
        self._row(("node", labels), "--nodes", ":".join(labels), "nodes/" + "-".join(labels),
                  [f"{key_prop}:ID({space})"], [_quote(key)], rest, where)
        self.spaces[space] = self.spaces.get(space, 0) + 1

    def relationship(self, rel_type: str, start: tuple[str, Any], end: tuple[str, Any], props: dict) -> None:
        where = f"{rel_type} relationship from {start[0]} {start[1]!r} to {end[0]} {end[1]!r}"
        if type(start[1]) is not str or type(end[1]) is not str:
            raise InvalidInput(f"{where}: both ends need a string key")
        empty = sorted(k for k, v in props.items() if type(v) is list and not v)
        if empty:
            raise InvalidInput(f"{where}, property {empty[0]!r}: an empty list, which neo4j-admin cannot write "
                               "and the export restores on nodes only")
        self._row(("rel", rel_type, start[0], end[0]), "--relationships", rel_type,
                  f"relationships/{rel_type}.{start[0]}-{end[0]}", [f":START_ID({start[0]})", f":END_ID({end[0]})"],
                  [_quote(start[1]), _quote(end[1])], props, where)
        self.relationships += 1

    def _row(self, kind: tuple, option: str, name: str, stem: str, fixed: list[str], cells: list[str],
             props: dict[str, Any], where: str) -> None:
        types: dict[str, str] = {}
        fields: dict[str, str] = {}
        for key, value in props.items():
            if type(value) is str:  # nearly every value: no call
                types[key], fields[key] = "string", '"' + value.replace('"', '""') + '"'
            elif value is not None:
                try:
                    types[key], fields[key] = _encode(value)
                except _Unwritable as exc:
                    raise InvalidInput(f"{where}, property {key!r}: {exc}") from None
        files = self.open.setdefault(kind, [])
        for i, file in enumerate(files):
            columns = file.columns
            if all(columns.get(key, kind_) == kind_ for key, kind_ in types.items()):
                if not types.keys() <= columns.keys():
                    file.handle.close()
                    file = files[i] = self._file(option, name, stem, fixed, {**columns, **types}, where)
                break
        else:
            file = self._file(option, name, stem, fixed, types, where)
            files.append(file)
        line = ",".join([*cells, *(fields.get(key, "") for key in file.columns)])
        if "\n" in line or "\r" in line:
            file.multiline = True
        file.handle.write(line + "\n")
        file.rows += 1

    def _file(self, option: str, name: str, stem: str, fixed: list[str], columns: dict[str, str], where: str) -> _File:
        for part in name.split(":"):
            if not _NAME.match(part):
                raise InvalidInput(f"{where}: {part!r} is not a label or type the import can name safely")
        for key in columns:
            if not key or _BAD_KEY.search(key):
                raise InvalidInput(f"{where}, property {key!r}: a name with ':', ',', '\"' or a line break "
                                   "cannot be a CSV header")
        self.stems[stem] = self.stems.get(stem, 0) + 1
        path = self.folder / f"{stem}.{self.stems[stem]}.csv"
        file = _File(path, option, name, fixed, dict(columns))
        self.files.append(file)
        return file

    def close(self) -> None:
        for file in self.files:
            file.handle.close()

    @property
    def nodes(self) -> int:
        return sum(self.spaces.values())


@dataclass
class Written:
    """What an export wrote: counts, files and the command line (in ``folder``)."""

    folder: Path
    nodes: int = 0
    relationships: int = 0
    files: int = 0
    seconds: float = 0.0
    command: str = ""
    empty_lists: list[list[str]] = field(default_factory=list)
    report: LoadReport | None = None  # the bundle path's validation report


@cache  # asked once per relationship, of a handful of label sets
def _space_of(labels: tuple[str, ...]) -> str:
    found = [label for label in labels if label in SPACES]
    if len(found) != 1:
        raise InvalidInput(f"nodes labelled {':'.join(labels) or '(no label)'} belong to "
                           f"{'no' if not found else 'more than one'} ID space; the export knows {', '.join(SPACES)}")
    return found[0]


@contextmanager
def _staging(folder: Path) -> Iterator[_Writer]:
    """A writer into ``folder.part``, renamed to ``folder`` when the block succeeds, so a
    reader never sees half a folder; removed if it fails."""
    folder = folder.resolve()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InvalidInput(f"{folder} exists and is not an empty folder; the import files need a folder of their own")
    part = folder.with_name(folder.name + ".part")
    shutil.rmtree(part, ignore_errors=True)
    (part / "nodes").mkdir(parents=True)
    (part / "relationships").mkdir()
    writer = _Writer(part)
    try:
        yield writer
    except BaseException:
        writer.close()
        shutil.rmtree(part, ignore_errors=True)
        raise
    writer.close()
    if folder.exists():
        folder.rmdir()
    part.rename(folder)


def _finish_files(writer: _Writer, written: Written, source: str, **extra) -> None:
    """manifest.json, import.args, import.sh and README.txt: the command line and what follows."""
    folder = writer.folder
    files = sorted(writer.files, key=lambda f: f.option != "--nodes")  # stable: nodes, then relationships
    multiline = [str(f.path.relative_to(folder)) for f in files if f.multiline]
    options = ["--id-type=string", "--array-delimiter=U+001F", "--ignore-empty-strings=false", "--trim-strings=false",
               "--legacy-style-quoting=false", "--skip-duplicate-nodes=false", "--skip-bad-relationships=false",
               "--bad-tolerance=0", *(["--multiline-fields=true"] if multiline else [])]
    groups = [f"{f.option}={f.name}={f.path.relative_to(folder)}" for f in files]
    written.nodes, written.relationships, written.files = writer.nodes, writer.relationships, len(files)
    written.empty_lists = [list(keys) for keys in sorted(writer.empty_lists)]
    written.command = " ".join(["neo4j-admin database import full neo4j", *options, *groups])
    manifest = {"format": FORMAT, "source": source, "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "nodes": written.nodes, "relationships": written.relationships, "id_spaces": writer.spaces,
                "empty_lists": written.empty_lists, "multiline_files": multiline, **extra,
                "files": [{"option": f.option, "name": f.name, "file": str(f.path.relative_to(folder)), "rows": f.rows}
                          for f in files]}
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (folder / "import.args").write_text("\n".join([*options, *groups]) + "\n", encoding="utf-8")
    script = folder / "import.sh"
    script.write_text(_SCRIPT, encoding="utf-8")
    script.chmod(0o755)
    (folder / "README.txt").write_text(_README.format(command=written.command, source=source, nodes=written.nodes,
                                                      relationships=written.relationships,
                                                      multiline=", ".join(multiline) or "none"), encoding="utf-8")


def _state(store: Store) -> tuple[int, int, int]:
    """(data version, nodes, relationships): unchanged from start to end of an export."""
    return (store.read_one("data_version")["version"], store.read_one("count_nodes")["n"],
            store.read_one("neo4j_admin_relationship_count")["n"])


def _plan(store: Store) -> dict[str, int]:
    """Nodes per ID space, after checking that each node has one space and its key."""
    expected: dict[str, int] = {}
    for row in store.read("neo4j_admin_inventory"):
        labels = sorted(row["labels"])
        if EMPTY_LABEL in labels:
            raise InvalidInput(f"{row['n']} nodes are still labelled {EMPTY_LABEL}: this database was imported "
                               "by neo4j-admin and not finished (`sanctionnet export neo4j-admin-finish`)")
        space = _space_of(tuple(labels))
        key = SPACES[space][0]
        if row["with_" + key] < row["n"]:
            raise InvalidInput(f"{row['n'] - row['with_' + key]} of the {row['n']} nodes labelled {':'.join(labels)} "
                               f"have no `{key}`, the key neo4j-admin places them and their relationships by")
        expected[space] = expected.get(space, 0) + row["n"]
    return expected


def _export_space(store: Store, writer: _Writer, space: str, progress: Progress) -> None:
    key_prop, query = SPACES[space]
    after = ""
    while True:
        page = store.read(query, after=after)
        relationships = 0
        for row in page:
            if row["key"] == after:
                raise InvalidInput(f"two {space} nodes have the {key_prop} {after!r}; neo4j-admin needs keys "
                                   "unique within their ID space")
            after = row["key"]
            writer.node(space, row["labels"], row["props"])
            for rel in row["out"]:
                end = _space_of(tuple(rel["labels"]))
                writer.relationship(rel["type"], (space, after), (end, rel[SPACES[end][0]]), rel["props"])
            relationships += len(row["out"])
        progress("nodes", len(page))
        progress("relationships", relationships)
        if len(page) < PAGE:
            return


def export_store(store: Store, folder: Path, *, progress: Progress | None = None) -> Written:
    """Write every node and relationship of ``store`` into ``folder`` (new, or empty) for
    neo4j-admin, one page of one ID space at a time (memory holds one page).

    Nothing may write to the store meanwhile: the export is read page by page, not as
    one snapshot, so it checks at the end that the data version and the numbers of
    nodes and relationships are those it started with, and that it wrote them all.
    """
    started = time.perf_counter()
    progress = progress or (lambda stage, n: None)
    folder = Path(folder)
    before = _state(store)
    expected = _plan(store)
    written = Written(folder)
    with _staging(folder) as writer:
        for space in SPACES:
            if space in expected:
                _export_space(store, writer, space, progress)
        if _state(store) != before:
            raise InvalidInput("the store changed while it was being exported; export again while nothing writes")
        for space, n in expected.items():
            if writer.spaces.get(space, 0) != n:
                raise InvalidInput(f"{space}: {writer.spaces.get(space, 0):,} of {n:,} nodes exported; their `"
                                   f"{SPACES[space][0]}` must be a unique, non-empty string")
        if writer.relationships != before[2]:
            raise InvalidInput(f"{writer.relationships:,} of {before[2]:,} relationships exported")
        _finish_files(writer, written, "the store", data_version=before[0])
    written.seconds = time.perf_counter() - started
    return written


class _NewDatabase:
    """The empty database neo4j-admin imports into, as the loader's look-ups see it: no
    subject, code or entry exists yet, so ``read`` finds nothing."""

    def read(self, name: str, /, *, variant: str | None = None, **params: Any) -> list[dict]:
        return []


def _entry_rows(folder: Path, catalogue: Catalogue, known: dict, report: LoadReport) -> list[tuple[str, str, dict]]:
    """(entry id, subject id, properties) of the valid entries, as ``_load_entries`` checks them."""
    name = "entries.csv"
    rows = []
    for line, row in _unique_rows(EntryRow, folder, name, "entry_id", report).values():
        list_def = catalogue.lists.get(row.list)
        problem = _entry_problem(row, list_def, catalogue, known, {})
        if problem:
            report.rejects.append(Reject(name, line, *problem))
            continue
        rows.append((row.entry_id, row.subject_id, _entry_props(row, list_def)))
    report.loaded[name] = len(rows)
    return rows


def _source_rows(folder: Path, known: dict, entries: set[str], report: LoadReport):
    """Source records, who they are about (with why) and the entries they produced, as
    ``load_sources``/``link_source_entries`` leave them: one record per key, the last
    row's why and raw text (an empty raw keeps an earlier one)."""
    name = "sources.csv"
    records: dict[str, dict] = {}
    about: dict[tuple[str, str], str] = {}
    produced: set[tuple[str, str]] = set()
    if not (folder / name).is_file():
        return records, about, produced
    for line, row in _valid_rows(SourceRow, folder, name, report):
        if row.subject_id not in known:
            report.rejects.append(Reject(name, line, "subject_id", f"no subject {row.subject_id!r} in this bundle or the store"))
            continue
        if row.entry_id and row.entry_id not in entries:
            report.rejects.append(Reject(name, line, "entry_id", f"no entry {row.entry_id!r} in this bundle or the store"))
            continue
        key = f"{row.source}|{row.record_id}"
        record = records.setdefault(key, {"id": key})
        record.update(source=row.source, record_id=row.record_id, **({"raw": row.raw} if row.raw is not None else {}))
        about[(row.subject_id, key)] = row.why
        if row.entry_id:
            produced.add((row.entry_id, key))
        report.loaded[name] = report.loaded.get(name, 0) + 1
    return records, about, produced


def export_bundle(catalogue: Catalogue, hasher: IdHasher, bundle: Path, folder: Path, *, batch_size: int = 20_000,
                  progress: Progress | None = None) -> Written:
    """Convert a bundle into ``folder`` for neo4j-admin, without a store: the graph
    ``sanctionnet load`` would leave in an empty store, but for the restrictions and
    tasks, which ``sanctionnet db propagate`` derives after the import.

    Rows are validated, and ID numbers hashed and masked, by the loader's own code;
    rejected rows are in ``Written.report.rejects``. Like a load, it holds the valid
    subjects and relations in memory while it checks them against each other.
    """
    started = time.perf_counter()
    progress = progress or (lambda stage, n: None)
    bundle, folder = Path(bundle), Path(folder)
    if not bundle.is_dir():
        raise InvalidInput(f"{bundle}: not a folder; a bundle is a folder with subjects.csv, relations.csv, entries.csv")
    report, empty = LoadReport(), _NewDatabase()
    with no_cycle_collection():
        by_kind, known = _subject_rows(empty, bundle, hasher, report, batch_size)
        by_type = _relation_rows(empty, bundle, known, report, batch_size)
        entries = _entry_rows(bundle, catalogue, known, report)
        records, about, produced = _source_rows(bundle, known, {eid for eid, _, _ in entries}, report)
        report.loaded["subjects.csv"] = sum(map(len, by_kind.values()))
        report.loaded["relations.csv"] = sum(map(len, by_type.values()))
        written = Written(folder, report=report)
        if not report.rows_loaded:
            return written  # nothing valid: no folder, the rejects say why
        with _staging(folder) as writer:
            for kind, rows in by_kind.items():
                for row in rows:
                    writer.node("Subject", ("Subject", label_of(kind).value), {"id": row["id"], **row["props"]})
                progress("nodes", len(rows))
            for rel, rows in by_type.items():
                for row in rows:
                    writer.relationship(rel.value, ("Subject", row["from_id"]), ("Subject", row["to_id"]),
                                        {k: row[k] for k in ("valid_from", "valid_to", "share", "title")})
                progress("relationships", len(rows))
            for entry_id, subject_id, props in entries:
                writer.node("Entry", ("Entry",), {"id": entry_id, **props})
                writer.relationship("HAS_ENTRY", ("Subject", subject_id), ("Entry", entry_id), {})
            for record in records.values():
                writer.node("SourceRecord", ("SourceRecord",), record)
            for (subject_id, key), why in about.items():
                writer.relationship("RECORDED_IN", ("Subject", subject_id), ("SourceRecord", key), {"why": why})
            for entry_id, key in sorted(produced):
                writer.relationship("FROM_RECORD", ("Entry", entry_id), ("SourceRecord", key), {})
            progress("nodes", len(entries) + len(records) + 1)  # and the data-version node below
            progress("relationships", len(entries) + len(about) + len(produced))
            # As the load's last step leaves it: the data version of a first load.
            writer.node("Meta", ("Meta",), {"id": "data", "version": 1,
                                            "changed_at": datetime.now(UTC).isoformat(timespec="seconds")})
            _finish_files(writer, written, f"the bundle {bundle}")
    written.seconds = time.perf_counter() - started
    return written


def finish_import(store: Store, folder: Path) -> dict[str, int]:
    """After neo4j-admin imported ``folder`` into ``store``: set the empty lists it could
    not write and remove their marks, then check that the database holds exactly the
    folder's nodes and relationships. Idempotent. Returns the counts."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{folder}: no readable manifest.json of `sanctionnet export neo4j-admin` ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise InvalidInput(f"{folder}: written in format {manifest.get('format')}, this sanctionnet reads {FORMAT}")
    restored = 0
    for keys in manifest["empty_lists"]:
        done = FILL
        while done == FILL:
            done = store.write("neo4j_admin_empty_lists", keys=keys, fill=dict.fromkeys(keys, [])).rows[0]["n"]
            restored += done
    marked = store.read_one("neo4j_admin_marked")["n"]
    nodes = store.read_one("count_nodes")["n"]
    relationships = store.read_one("neo4j_admin_relationship_count")["n"]
    if marked or (nodes, relationships) != (manifest["nodes"], manifest["relationships"]):
        raise InvalidInput(f"the database holds {nodes:,} nodes ({marked:,} still marked) and {relationships:,} "
                           f"relationships, {folder} {manifest['nodes']:,} and {manifest['relationships']:,}: import "
                           "into an empty database, and finish before anything else writes to it")
    return {"restored": restored, "nodes": nodes, "relationships": relationships}


_SCRIPT = """#!/bin/sh
# Written by `sanctionnet export neo4j-admin`: imports this folder into a new database.
# Usage: ./import.sh [DATABASE]  (default neo4j; NEO4J_ADMIN overrides the neo4j-admin on PATH).
# Stop the database first (or import into one that does not exist yet), then see README.txt.
set -eu
cd "$(dirname "$0")"
exec "${NEO4J_ADMIN:-neo4j-admin}" database import full "${1:-neo4j}" @import.args
"""

_README = """Written by `sanctionnet export neo4j-admin` from {source}:
{nodes} nodes and {relationships} relationships (counts per file in manifest.json).

1. Import (Neo4j 5.x / 2025.x, database stopped or not yet created), from this folder:

   {command}

   (./import.sh [DATABASE] runs exactly that, with the options from import.args.)
   Files with line breaks in their values: {multiline}.

2. Start the database (CREATE DATABASE if it did not exist), then, with SANCTIONNET_STORE=neo4j
   and the SANCTIONNET_NEO4J_* settings pointing at it:

   sanctionnet export neo4j-admin-finish THIS-FOLDER

   It creates sanctionnet's constraints and indexes, sets the empty lists neo4j-admin cannot
   write, and checks that the database holds every node and relationship of this folder.
   After a --bundle export, run `sanctionnet db propagate` next (restrictions and tasks).
"""
