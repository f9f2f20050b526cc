"""What the FollowTheMoney and BODS loaders share: reading JSON records, ids and dates
in those formats, the markers for our relation types, usable identifiers, and the
paged readers their exports go through.

Both formats are JSON, with ids shown in clear and dates that may be a year or month
only; both carry some of our relation types as a role (FtM) or interest details (BODS)
text starting with a marker (:data:`MARKERS`). Import keeps a USCC or a resident ID
number only if it is a valid one (:func:`usable_uscc`, :func:`usable_resident_id`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from graph_model.errors import InvalidInput
from graph_model.identity.identifiers import (
    may_be_resident_id,
    normalise_resident_id,
    normalise_uscc,
    validate_resident_id,
    validate_uscc,
)
from graph_model.store.base import Store, batched
from graph_model.vocabulary.kinds import EntryState, RelType

__all__ = ["LEGAL_REP", "MARKERS", "PAGE", "bundle_id", "iso_day", "read_entries", "read_json_records",
           "read_relations", "read_subjects", "split_marker", "usable_resident_id", "usable_uscc", "with_marker"]

PAGE = 10_000  # rows per page of the paged export queries: their LIMIT in cypher/export.cypher
_R = RelType
# Our types that FtM and BODS have no schema or interest of their own for travel as a
# role (FtM) or interest details (BODS) starting with these markers; import maps them
# back. A title follows the marker after ": ".
MARKERS: dict[RelType, str] = {
    _R.LEGAL_REP_OF: "法定代表人 (legal representative)",
    _R.PRINCIPAL_OF: "主要负责人 (principal)",
    _R.MANAGES: "国有企业管理人员 (SOE manager)",
    _R.ACTUAL_CONTROLLER_OF: "实际控制人 (actual controller)",
    _R.BRANCH_OF: "分支机构 (branch of)",
    _R.SUPERVISED_BY: "上级主管单位 (supervised by)",
}
# A role or details text naming the legal representative without the marker.
LEGAL_REP = re.compile(r"法定代表人|法人代表|legal\s+representative", re.I)
_DAY = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:$|T)")


# ----------------------------------------------------------------------------- import


def read_json_records(path: Path) -> Iterator[tuple[str, Any]]:
    """``(where, record)`` for each record of a JSON array file or a JSON-lines file
    (a line may hold an array too); a line that is not JSON gives ``(where, None)``.

    ``where`` is the record's place as :mod:`loaders.convert` reads it: ``name:N``
    (line N), ``name:N[i]`` (in an array on line N) or ``name[i]`` (in a JSON array
    file). JSON lines are streamed.
    """
    path = Path(path)
    name = path.name
    try:
        with open(path, encoding="utf-8-sig") as handle:
            first = handle.readline()
            if first.lstrip().startswith("["):
                handle.seek(0)
                try:
                    data = json.load(handle)
                except json.JSONDecodeError as exc:
                    if not _is_json(first):
                        raise InvalidInput(f"{path}: not a JSON array: {exc}") from None
                else:
                    yield from ((f"{name}[{i}]", record) for i, record in enumerate(data if isinstance(data, list)
                                                                                    else []))
                    return
            handle.seek(0)
            for n, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    yield f"{name}:{n}", None
                    continue
                if isinstance(record, list):
                    yield from ((f"{name}:{n}[{i}]", item) for i, item in enumerate(record))
                else:
                    yield f"{name}:{n}", record
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read as UTF-8 JSON: {exc}") from None


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    return True


def bundle_id(raw: Any) -> str | None:
    """The bundle id for a source id: as given, or cut to 128 characters with a hash
    suffix; None if empty or if it may be a resident ID number (ids are shown in clear)."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str) or not raw.strip() or may_be_resident_id(raw):
        return None
    value = raw.strip()
    return value if len(value) <= 128 else value[:111] + "~" + hashlib.sha256(value.encode()).hexdigest()[:16]


def iso_day(value: Any, *, end: bool = False) -> tuple[str | None, bool]:
    """An ISO day from an FtM or BODS date, and whether it was widened: a full date as
    given (a time part dropped); a year or a month alone widened to its first day (a
    start) or its last day (an end, ``end=True``); ``(None, False)`` if unreadable."""
    match = _DAY.match(value.strip()) if isinstance(value, str) else None
    if not match:
        return None, False
    year, month, day = match.groups()
    try:
        if day:
            return date(int(year), int(month), int(day)).isoformat(), False
        first = date(int(year), int(month or 1), 1)
    except ValueError:
        return None, False
    if month:
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    else:
        last = date(first.year, 12, 31)
    return (last if end else first).isoformat(), True


def split_marker(text: str | None) -> tuple[RelType | None, str | None]:
    """The relation type a role (FtM) or details text (BODS) names by its marker, and
    the title after it; ``(None, text)`` if it starts with no marker."""
    for rel, marker in MARKERS.items():
        if text == marker:
            return rel, None
        if text and text.startswith(marker + ": "):
            return rel, text[len(marker) + 2:].strip() or None
    return None, text


def with_marker(rel: RelType, title: str | None) -> str:
    """The role or details text for a marked type (inverse of :func:`split_marker`)."""
    return f"{MARKERS[rel]}: {title}" if title else MARKERS[rel]


def usable_uscc(value: Any) -> str | None:
    """``value`` as a USCC if it is a valid one and cannot be a resident ID number."""
    if not isinstance(value, str):
        return None
    code = normalise_uscc(value)
    return code if validate_uscc(code) is None and not may_be_resident_id(code) else None


def usable_resident_id(value: Any) -> str | None:
    """``value`` as a resident ID number if it is a valid one (GB 11643)."""
    if not isinstance(value, str):
        return None
    code = normalise_resident_id(value)
    return code if validate_resident_id(code) is None else None


# ----------------------------------------------------------------------------- export


def read_subjects(store: Store) -> Iterator[dict]:
    """Every subject, a page at a time, in the store's id order."""
    after = ""
    while True:
        rows = store.read("export_subjects", after=after)
        yield from rows
        if len(rows) < PAGE:
            return
        after = rows[-1]["id"]


def read_relations(store: Store, ids: Iterable[str], roles: Iterable[RelType]) -> Iterator[dict]:
    """The role periods of types ``roles`` held by the subjects ``ids``, batch by batch,
    each batch sorted by (from, to, type, valid_from)."""
    types = [str(rel) for rel in roles]
    for batch in batched(ids, PAGE):
        rows = store.read("export_relations", ids=batch, roles=types)
        yield from sorted(rows, key=lambda r: (r["from_id"], r["to_id"], r["type"], r["valid_from"] or ""))


def read_entries(store: Store) -> Iterator[dict]:
    """Every list entry that is on a subject, in id order, with ``state_since``: the day
    it entered its current state, from its history (None for active and expired)."""
    after = ""
    while True:
        rows = store.read("export_entries", after=after)
        for row in rows:
            if row["subject_id"] is not None:
                yield {**row, "state_since": _state_since(row)}
        if len(rows) < PAGE:
            return
        after = rows[-1]["entry_id"]


def _state_since(entry: dict) -> str | None:
    if entry["state"] in (EntryState.active, EntryState.expired):
        return None  # a bundle row needs none: active from determination, expired by valid_to
    steps = [step.split(" ") for step in (entry.get("history") or "").split(";") if " " in step]
    return next((day for day, state in reversed(steps) if state == entry["state"]), None)
