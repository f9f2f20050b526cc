"""The bundle path of the neo4j-admin export: a bundle converted into the import
files without a store (``sanctionnet export neo4j-admin --bundle``).

The rows are validated, and ID numbers hashed and masked, by the loader's own code;
the files are written by ``exports.neo4j_admin``'s writer, in its format.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph_model.catalogue.model import Catalogue
from graph_model.errors import InvalidInput
from graph_model.identity.pii import IdHasher
from graph_model.vocabulary.kinds import label_of
from loaders.bundle import LoadReport, Reject, no_cycle_collection
# The loader's own validation, reused so that a bundle converted here is checked and
# hashed exactly as `sanctionnet load` checks and hashes it.
from exports.neo4j_admin_files import Progress, Written, staging
from exports.neo4j_admin_finish import finish_files
from loaders.bundle import entry_problem, entry_props, relation_rows, subject_rows, unique_rows, valid_rows
from loaders.rows import EntryRow, SourceRow

__all__ = ["export_bundle"]


class _NewDatabase:
    """The empty database neo4j-admin imports into, as the loader's look-ups see it: no
    subject, code or entry exists yet, so ``read`` finds nothing."""

    def read(self, name: str, /, *, variant: str | None = None, **params: Any) -> list[dict]:
        return []


def _entry_rows(folder: Path, catalogue: Catalogue, known: dict, report: LoadReport) -> list[tuple[str, str, dict]]:
    """(entry id, subject id, properties) of the valid entries, as ``_load_entries`` checks them."""
    name = "entries.csv"
    rows = []
    for line, row in unique_rows(EntryRow, folder, name, "entry_id", report).values():
        list_def = catalogue.lists.get(row.list)
        problem = entry_problem(row, list_def, catalogue, known, {})
        if problem:
            report.rejects.append(Reject(name, line, *problem))
            continue
        rows.append((row.entry_id, row.subject_id, entry_props(row, list_def)))
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
    for line, row in valid_rows(SourceRow, folder, name, report):
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
        by_kind, known = subject_rows(empty, bundle, hasher, report, batch_size)
        by_type = relation_rows(empty, bundle, known, report, batch_size)
        entries = _entry_rows(bundle, catalogue, known, report)
        records, about, produced = _source_rows(bundle, known, {eid for eid, _, _ in entries}, report)
        report.loaded["subjects.csv"] = sum(map(len, by_kind.values()))
        report.loaded["relations.csv"] = sum(map(len, by_type.values()))
        written = Written(folder, report=report)
        if not report.rows_loaded:
            return written  # nothing valid: no folder, the rejects say why
        with staging(folder) as writer:
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
            finish_files(writer, written, f"the bundle {bundle}")
    written.seconds = time.perf_counter() - started
    return written
