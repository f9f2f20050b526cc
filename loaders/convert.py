"""From source records to a bundle, and into the store through the bundle loader.

Format loaders (court records, registries, ...) turn what they read into bundle rows
(docs/bundle.md) plus ``sources.csv`` rows, and hand them to a :class:`BundleWriter`.
Loading goes through :func:`loaders.bundle.load_bundle`, so every format shares its
validation, rejects, idempotency and propagation; a reject names the source record
(file and line, or array position) the bad row came from, not the bundle's line.
"""

from __future__ import annotations

import csv
import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from graph_model.catalogue import Catalogue
from graph_model.identifiers import mask_resident_id
from graph_model.pii import IdHasher
from graph_model.store.base import Store
from loaders.bundle import LoadReport, Reject, load_bundle
from loaders.rows import COLUMNS, OPTIONAL_COLUMNS, OPTIONAL_FILES

__all__ = ["BundleWriter", "Conversion", "mask_id_numbers"]

_FILES = {**{name: COLUMNS[name] + OPTIONAL_COLUMNS.get(name, ()) for name in COLUMNS}, **OPTIONAL_FILES}
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
                        r"(?![0-9A-Za-z])")


def mask_id_numbers(text: str) -> str:
    """``text`` with every resident ID number in it masked (court texts quote them)."""
    return _ID_NUMBER.sub(lambda m: mask_resident_id(m.group(0).upper()), text)


@dataclass
class Conversion:
    """What a format loader read: records per table, what it could not use and why."""

    read: dict[str, int] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    merged: int = 0  # source records that joined a subject another record already named

    def reject(self, where: str, field_name: str, reason: str) -> None:
        file, _, line = where.rpartition(":")
        self.rejects.append(Reject(file or where, int(line) if line.isdigit() else 0, field_name, reason))


class BundleWriter:
    """Bundle rows collected from source records, each remembering where it came from."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = {name: [] for name in _FILES}
        self.origin: dict[str, list[str]] = {name: [] for name in _FILES}

    def add(self, file: str, row: dict, where: str) -> None:
        self.rows[file].append(row)
        self.origin[file].append(where)

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, columns in _FILES.items():
            with open(folder / name, "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="raise")
                writer.writeheader()
                for row in self.rows[name]:
                    # One physical line per row, so a reject's line finds its source record.
                    writer.writerow({c: _one_line(row.get(c)) for c in columns})
        return folder

    def load(self, store: Store, catalogue: Catalogue, hasher: IdHasher, conversion: Conversion, *,
             batch_size: int = 20_000, progress: Callable[[str, int], None] | None = None) -> LoadReport:
        """Load the rows; the report carries the conversion's rejects and reads too."""
        with tempfile.TemporaryDirectory(prefix="sanctionnet-convert-") as tmp:
            report = load_bundle(store, catalogue, hasher, self.write(Path(tmp) / "bundle"), batch_size=batch_size,
                                 progress=progress)
        for i, reject in enumerate(report.rejects):
            origin = self.origin.get(reject.file)
            if origin and 2 <= reject.line < len(origin) + 2:
                where = origin[reject.line - 2]
                file, _, line = where.rpartition(":")
                report.rejects[i] = Reject(file or where, int(line) if line.isdigit() else 0, reject.field,
                                           f"{reject.reason} ({reject.file} row)")
        report.rejects[:0] = conversion.rejects
        report.read = {**conversion.read, **{f"bundle {k}": v for k, v in report.read.items()}}
        report.merged = conversion.merged
        return report


def _one_line(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = ";".join(value)
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return re.sub(r"[\r\n]+", " ", str(value))
