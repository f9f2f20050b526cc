"""Reading CSV input row by row, so that one bad row is a reject and not a failed file."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from graph_model.errors import InvalidInput

__all__ = ["Reject", "read_rows", "write_rejects"]

# surrogateescape turns each undecodable byte into one of these code points.
_UNDECODABLE = re.compile("[\udc80-\udcff]")
# Control characters (tab, CR and LF aside) are never data; NUL breaks the store client.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Longer cells are rejected by the row models anyway; the csv module's own limit
# (128 KiB) would raise for the whole file instead of rejecting one row.
csv.field_size_limit(16 * 2**20)

@dataclass(frozen=True)
class Reject:
    file: str
    line: int
    field: str
    reason: str


def read_rows(path: Path, columns: tuple[str, ...], rejects: list[Reject], counts: dict[str, int],
              optional: tuple[str, ...] = ()) -> Iterator[tuple[int, dict]]:
    """(line, row) for each data row of a CSV file with the given required columns
    (and the ``optional`` ones where the header has them).

    Malformed rows become rejects here and are not yielded; an empty or blank cell
    comes as None ("not given"); ``counts[file name]`` is set to the number of data
    rows read once the file is exhausted.
    """
    name = path.name
    try:
        # surrogateescape keeps undecodable bytes, so a bad row is rejected alone
        # instead of the decoder stopping the whole file.
        handle = open(path, newline="", encoding="utf-8-sig", errors="surrogateescape")
    except FileNotFoundError:
        raise InvalidInput(f"{path}: file not found") from None
    with handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        missing = [c for c in columns if c not in header]
        if missing:
            raise InvalidInput(f"{path}: header lacks column(s) {', '.join(missing)}")
        wanted = set(columns) | set(optional)
        keep = [(i, column) for i, column in enumerate(header) if column in wanted]
        count = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                count += 1
                rejects.append(Reject(name, reader.line_num, "", f"unreadable CSV: {exc}"))
                continue
            count += 1
            line = reader.line_num
            if len(cells) != len(header):
                rejects.append(Reject(name, line, "", f"row has a different number of fields than the header ({len(header)})"))
                continue
            # One search over the whole row; only a row that fails is searched cell by cell.
            text = "\n".join(cells)  # newline: allowed in cells, so it matches neither pattern
            if not text.isascii() and _UNDECODABLE.search(text):
                rejects.append(Reject(name, line, _first(header, cells, _UNDECODABLE), "not valid UTF-8"))
                continue
            if _CONTROL.search(text):
                rejects.append(Reject(name, line, _first(header, cells, _CONTROL), "contains a control character"))
                continue
            # An empty (or blank) cell means "not given".
            yield line, {column: cell if (cell := cells[i]) and not cell.isspace() else None for i, column in keep}
        counts[name] = count


def _first(header: list[str], cells: list[str], pattern: re.Pattern) -> str:
    return next((column for column, cell in zip(header, cells) if pattern.search(cell)), "")


def write_rejects(rejects: list[Reject], path: Path) -> None:
    """Write rejects as CSV (file, line, field, reason), for a person to fix and reload."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "line", "field", "reason"])
        for reject in rejects:
            writer.writerow([reject.file, reject.line, reject.field, reject.reason])
