"""From source records to a bundle, and into the store through the bundle loader.

Every format loader (court records, registries, listed companies, FtM, BODS) turns what
it reads into bundle rows (docs/bundle.md) in a :class:`BundleWriter`, each row with the
place of its source record, and keeps account of its reading in a :class:`Conversion`:
records read per type, records it could not convert (rejects), records left out on
purpose (skips, with the reason), information not carried over (notes) and subjects
merged. :meth:`BundleWriter.load` loads the rows with :func:`loaders.bundle.load_bundle`,
so every format shares its validation, rejects, idempotency and propagation, and
restates each reject against the source record: its file, its line (0 in a JSON
array) and its record id, never the temporary bundle's line.

A record's place (``where``) is ``name:12`` (a line), ``name:12[3]`` or
``name:12.members[0]`` (something within that line), ``name[3]`` (a record of a JSON
array file: line 0) or anything else naming the file and the record in it (line 0).
"""

from __future__ import annotations

import csv
import json
import re
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from graph_model.catalogue.model import Catalogue
from graph_model.identity.free_text import mask_id_numbers
from graph_model.identity.pii import IdHasher
from graph_model.store.base import Store
from loaders.bundle import LoadReport, Reject, load_bundle
from loaders.rows import COLUMNS, OPTIONAL_COLUMNS, OPTIONAL_FILES

__all__ = ["BundleWriter", "Conversion", "Origin", "Skip", "number_text", "place", "raw_record"]

_FILES = {**{name: COLUMNS[name] + OPTIONAL_COLUMNS.get(name, ()) for name in COLUMNS}, **OPTIONAL_FILES}
_LINE = re.compile(r"(.+?):(\d+)(?!\d)")  # name:12, and what follows within the line
_ITEM = re.compile(r"([^\[]+)\[\d+\]")  # name[3]: a record of a JSON array file
# How the bundle loader's reasons refer to another row of the same file.
_LINE_REF = re.compile(r"\bline (\d+)\b")


def raw_record(fields: dict) -> str:
    """A source record's fields as kept on its SourceRecord: JSON of the fields given
    (empty ones and ``_``-prefixed internals left out), every ID number in it masked."""
    kept = {k: v for k, v in fields.items() if v and not k.startswith("_")}
    return mask_id_numbers(json.dumps(kept, ensure_ascii=False, sort_keys=True))


def number_text(value: float) -> str:
    """A share as text: ``51`` rather than ``51.0``, ``33.5`` as it is."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def place(where: str) -> tuple[str, int]:
    """The file and line of a place (see the module docstring); line 0 if it has none."""
    match = _LINE.match(where)
    if match:
        return match[1], int(match[2])
    match = _ITEM.fullmatch(where)
    return (match[1] if match else where), 0


class Skip(NamedTuple):
    """A source record, or part of one, left out on purpose, and why."""

    kind: str  # record type: court table, FtM schema, BODS record or interest type
    reason: str
    where: str  # its place; never an id that may be a resident ID number


class Origin(NamedTuple):
    """Where a bundle row came from: the source record's place and, if it has one, its id."""

    where: str
    record: str | None = None

    @property
    def label(self) -> str | None:
        """How a reject names the record: its id, or its place where file and line do not say it."""
        file, line = place(self.where)
        return self.record or (None if self.where in (file, f"{file}:{line}") else self.where)


@dataclass
class Conversion:
    """What a format loader read, and what it could not or would not carry into the bundle."""

    read: dict[str, int] = field(default_factory=dict)  # records read per record type
    rejects: list[Reject] = field(default_factory=list)  # records that could not be converted
    skipped: list[Skip] = field(default_factory=list)  # records left out on purpose
    notes: dict[str, int] = field(default_factory=dict)  # information not carried over, counted by what
    merged: int = 0  # source records that joined a subject another record already named

    def count(self, kind: str) -> None:
        """Count one record of type ``kind`` read."""
        self.read[kind] = self.read.get(kind, 0) + 1

    def reject(self, where: str, field_name: str, reason: str) -> None:
        """Record that the record at ``where`` could not be converted, naming the field."""
        file, line = place(where)
        label = Origin(where).label
        self.rejects.append(Reject(file, line, field_name, f"{reason} (record {label})" if label else reason))

    def skip(self, kind: str, reason: str, where: str) -> None:
        """Record that the ``kind`` record at ``where`` is left out, and why."""
        self.skipped.append(Skip(kind, reason, where))

    def note(self, what: str, n: int = 1) -> None:
        """Count ``n`` pieces of information of sort ``what`` not carried over."""
        if n:
            self.notes[what] = self.notes.get(what, 0) + n

    def skipped_by(self) -> dict[str, int]:
        """Skips counted by ``"kind: reason"``, as :attr:`LoadReport.skipped` has them."""
        return dict(Counter(f"{s.kind}: {s.reason}" for s in self.skipped))


class BundleWriter:
    """Bundle rows collected from source records, each remembering where it came from."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = {name: [] for name in _FILES}
        self.origins: dict[str, list[Origin]] = {name: [] for name in _FILES}
        self._subjects: dict[str, dict] = {}
        self._relations: set[tuple] = set()

    def subject(self, row: dict, where: str, conversion: Conversion | None) -> str:
        """Add a subject row; if several records describe one subject (same ``id``), the
        first one's row is kept and later ones fill in what it left empty (a full USCC, a
        region, a registration date), each counted as merged in ``conversion`` (None: a
        row that only refers to the subject, such as a shareholder row to its company).
        Returns the id."""
        known = self._subjects.get(row["id"])
        if known is None:
            self._subjects[row["id"]] = row = dict(row)
            self.add("subjects.csv", row, where)
        else:
            if conversion is not None:
                conversion.merged += 1
            for key, value in row.items():
                if value and not known.get(key):
                    known[key] = value
        return row["id"]

    def relation(self, row: dict, where: str) -> None:
        """Add a relation row unless one with the same period is there already (two records
        stating one role on one day)."""
        key = (row["from_id"], row["to_id"], row["type"], row.get("valid_from"))
        if key not in self._relations:
            self._relations.add(key)
            self.add("relations.csv", row, where)

    def add(self, file: str, row: dict, where: str, record: str | None = None) -> None:
        """Add a row of bundle file ``file`` converted from the record at ``where`` (with id ``record``)."""
        self.rows[file].append(row)
        self.origins[file].append(Origin(where, record))

    def origin(self, file: str, line: int) -> Origin | None:
        """The source of the row on physical line ``line`` of bundle file ``file`` (header: line 1)."""
        rows = self.origins.get(file, [])
        return rows[line - 2] if 2 <= line < len(rows) + 2 else None

    @property
    def dangling(self) -> int:
        """Relation and entry rows naming a subject that is not among the subject rows: the
        bundle loader looks for it in the store and rejects the row, naming it, if absent."""
        ids = {row["id"] for row in self.rows["subjects.csv"]}
        return (sum(1 for r in self.rows["relations.csv"] if not {r["from_id"], r["to_id"]} <= ids)
                + sum(1 for r in self.rows["entries.csv"] if r["subject_id"] not in ids))

    def write(self, folder: Path) -> Path:
        """Write the bundle into ``folder``: the three files, and optional ones that have rows."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, columns in _FILES.items():
            if name in OPTIONAL_FILES and not self.rows[name]:
                continue
            # surrogateescape: a source's bytes that are not UTF-8 go back as they came,
            # and the bundle loader rejects their row, naming the source record.
            with open(folder / name, "w", newline="", encoding="utf-8", errors="surrogateescape") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="raise")
                writer.writeheader()
                for row in self.rows[name]:
                    writer.writerow({c: _cell(row.get(c)) for c in columns})
        return folder

    def load(self, store: Store, catalogue: Catalogue, hasher: IdHasher, conversion: Conversion, *,
             batch_size: int = 20_000, progress: Callable[[str, int], None] | None = None) -> LoadReport:
        """Load the rows through a temporary bundle; the report has the conversion's rejects
        first, then the loader's restated against the source, and its reads, skips and notes."""
        with tempfile.TemporaryDirectory(prefix="sanctionnet-convert-") as tmp:
            report = load_bundle(store, catalogue, hasher, self.write(Path(tmp) / "bundle"), batch_size=batch_size,
                                 progress=progress)
        report.rejects = conversion.rejects + [self._restate(reject) for reject in report.rejects]
        report.read = {**conversion.read, **{f"bundle {k}": v for k, v in report.read.items()}}
        report.merged = conversion.merged
        report.skipped = conversion.skipped_by()
        report.notes = dict(conversion.notes)
        report.dangling = self.dangling
        return report

    def _restate(self, reject: Reject) -> Reject:
        """A bundle reject named by the source record its row came from; others unchanged."""
        origin = self.origin(reject.file, reject.line)
        if origin is None:
            return reject

        def other(match: re.Match) -> str:
            row = self.origin(reject.file, int(match[1]))
            return f"record {row.label or row.where}" if row else match[0]

        reason = _LINE_REF.sub(other, reject.reason)
        label = origin.label
        file, line = place(origin.where)
        return Reject(file, line, reject.field,
                      f"{reason} ({f'record {label}, ' if label else ''}as a {reject.file} row)")


def _cell(value: Any) -> str:
    """A bundle cell: empty for None and False; one physical line, so that a reject's
    line finds its row's source record."""
    if value is None or value is False:
        return ""
    if value is True:
        return "true"
    if isinstance(value, float):
        value = number_text(value)
    elif isinstance(value, list):
        value = ";".join(value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return re.sub(r"[\r\n]+", " ", str(value))
