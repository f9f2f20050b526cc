"""Reading the files real sources publish: GBK or UTF-8, CSV with one or several
stacked tables and Chinese or API field names, JSON arrays, JSON lines, or API
replies with the records nested inside; and the date spellings they use.

Each reader yields ``(where, table, record)``: ``where`` says which file and line
(or array index) a record came from, for rejects; ``table`` names the kind of
table whose header matched; ``record`` maps our field names to the text found.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from graph_model.errors import InvalidInput

__all__ = ["Table", "decode", "parse_cn_date", "read_records", "unreadable"]

_CHINA = timezone(timedelta(hours=8))
# What surrogateescape makes of each byte that is not UTF-8.
_UNDECODABLE = re.compile("[\udc80-\udcff]")
# Control characters (tab, CR and LF aside) are never data; NUL breaks the store client.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*[-/.月]?\s*(\d{1,2})")


@dataclass(frozen=True)
class Table:
    """A kind of table a source publishes: our field name -> the header spellings seen
    for it (API names, Chinese column titles). A header row is recognised when it
    names every field in ``key_fields``."""

    name: str
    fields: Mapping[str, tuple[str, ...]]
    key_fields: tuple[str, ...]

    def columns(self, header: list[str]) -> dict[int, str] | None:
        """Column index -> field, if ``header`` is a header row of this table."""
        spelled = {alias.strip().lower(): field for field, aliases in self.fields.items() for alias in aliases}
        found = {i: spelled[cell.strip().lower()] for i, cell in enumerate(header)
                 if cell.strip().lower() in spelled}
        return found if set(self.key_fields) <= set(found.values()) else None

    def record(self, obj: Mapping) -> dict[str, str] | None:
        """Our fields from a JSON object, if it is a record of this table."""
        found = self.columns([str(k) for k in obj])
        if found is None:
            return None
        keys = list(obj)
        return {field: _text(obj[keys[i]]) for i, field in found.items()}

    def nested(self, obj: Mapping, aliases: tuple[str, ...]) -> list[dict[str, str]]:
        """Records of this table in a list an object holds under one of ``aliases``
        (a registry record's ``members``, ``shareholders``, ``branches``)."""
        wanted = {a.lower() for a in aliases}
        items = next((v for k, v in obj.items() if str(k).lower() in wanted and isinstance(v, list)), [])
        return [r for item in items if isinstance(item, Mapping) and (r := self.loose(item)) is not None]

    def loose(self, obj: Mapping) -> dict[str, str] | None:
        """Like :meth:`record`, for an item nested in a record: only the fields given."""
        spelled = {alias.strip().lower(): field for field, aliases in self.fields.items() for alias in aliases}
        found = {spelled[str(k).strip().lower()]: _text(v) for k, v in obj.items() if str(k).strip().lower() in spelled}
        return found or None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "，".join(_text(v) for v in value)
    return str(value).strip()


def decode(data: bytes, path: Path, *, keep_bad_bytes: bool = False) -> str:
    """The file's text: UTF-8 (with or without BOM) if it decodes as such, else
    GB18030 (a superset of GBK and GB2312, what Chinese Windows tools write).

    A UTF-8 file with a few bad bytes is not GB18030 text: read as such it would load
    as garbage. With ``keep_bad_bytes`` its bad bytes come as surrogate escapes
    (``\udc80``-``\udcff``), for the records holding them to be rejected one by one
    (``unreadable``); without, such a file is an error, as is one that is neither."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    text = data.decode("utf-8-sig", errors="surrogateescape")
    bad = len(_UNDECODABLE.findall(text))
    if sum(1 for ch in text if ord(ch) > 0x7F) - bad <= bad:  # fewer good UTF-8 characters than bad bytes
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            pass
    elif not keep_bad_bytes:
        raise InvalidInput(f"{path}: UTF-8 text with bytes that are not UTF-8 (byte {first_bad})")
    if keep_bad_bytes:
        return text
    raise InvalidInput(f"{path}: neither UTF-8 nor GB18030/GBK text (byte {first_bad})")


def unreadable(record: Mapping) -> tuple[str, str] | None:
    """(field, reason) if a record holds bytes that are not UTF-8 or a control
    character (NUL and the like), anywhere in it: such a record is rejected before
    any of it is used, as the bundle loader rejects such a row."""
    for name, value in record.items():
        for text in _texts(value):
            if _UNDECODABLE.search(text):
                return name, "not valid UTF-8"
            if _CONTROL.search(text):
                return name, "contains a control character"
    return None


def _texts(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _texts(key)
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def parse_cn_date(value: str | int | float | None) -> date | None:
    """A date as Chinese sources write it: ``20180302``, ``2018年04月08日``,
    ``2017/08/31``, ``2018-4-8``, with or without a time glued on
    (``2003/04/1000:00:00.000``), or epoch milliseconds (API replies). None if empty;
    ValueError if it is not a real date."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit() and len(value) >= 12):
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC).astimezone(_CHINA).date()
    match = _DATE.match(str(value))
    if not match:
        raise ValueError(f"not a date: {value!r}")
    year, month, day = (int(g) for g in match.groups())
    return date(year, month, day)  # ValueError for 2018-02-30


def _csv_records(text: str, path: Path, tables: tuple[Table, ...]) -> Iterator[tuple[str, str, dict]]:
    current: tuple[Table, dict[int, str]] | None = None
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for row in reader:
        # A record's line is where it starts (a quoted cell may span several lines).
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue  # blank separator lines between rows or tables
        header = next(((table, cols) for table in tables if (cols := table.columns(row))), None)
        if header:
            current = header
            continue
        if current is None:
            raise InvalidInput(f"{path}: line {line} comes before any header this format knows")
        table, cols = current
        yield f"{path.name}:{line}", table.name, {field: row[i].strip() if i < len(row) else ""
                                                  for i, field in cols.items()}


def _json_walk(node, where: str, tables: tuple[Table, ...]) -> Iterator[tuple[str, str, dict]]:
    # Records may come bare, in an array, or nested in an API reply ({"data": [{"result": [...]}]}).
    # A record's own nested lists (a registration's members) are its business, not new records.
    if isinstance(node, dict):
        for table in tables:
            record = table.record(node)
            if record is not None:
                # The object itself rides along, for lists nested in it.
                yield where, table.name, {**record, "_object": node}
                return
        for key, value in node.items():
            if isinstance(value, dict | list):
                yield from _json_walk(value, f"{where}.{key}", tables)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _json_walk(item, f"{where}[{i}]", tables)


def _json_records(text: str, path: Path, tables: tuple[Table, ...]) -> Iterator[tuple[str, str, dict]]:
    stripped = text.lstrip()
    try:
        documents = [(path.name, json.loads(stripped))]
    except json.JSONDecodeError:
        # JSON lines: one document per line.
        documents = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    documents.append((f"{path.name}:{number}", json.loads(line)))
                except json.JSONDecodeError as exc:
                    raise InvalidInput(f"{path}: line {number} is not JSON: {exc.msg}") from None
    for where, document in documents:
        yield from _json_walk(document, where, tables)


def read_records(path: Path, tables: tuple[Table, ...]) -> Iterator[tuple[str, str, dict]]:
    """Every record of the known ``tables`` in a CSV or JSON file, in file order. A
    record of a UTF-8 file may hold bytes that are not UTF-8: ``unreadable`` says so."""
    path = Path(path)
    try:
        text = decode(path.read_bytes(), path, keep_bad_bytes=True)
    except FileNotFoundError:
        raise InvalidInput(f"{path}: file not found") from None
    if text.lstrip().startswith(("[", "{")):
        yield from _json_records(text, path, tables)
    else:
        yield from _csv_records(text, path, tables)
