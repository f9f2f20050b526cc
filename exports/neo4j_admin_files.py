"""The CSV files of a neo4j-admin export: the encoding of values and headers, one file
per label set or relationship (type, start space, end space), and the staging folder
that becomes the export only when it is complete.

The format is described in ``exports.neo4j_admin``. ``exports.neo4j_admin`` (the store
path), ``exports.neo4j_admin_bundle`` (the bundle path) and ``exports.neo4j_admin_finish``
(the files beside the CSV) all write through ``Writer``; none of them imports another
for it.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from graph_model.errors import InvalidInput
from loaders.bundle import LoadReport

__all__ = ["ARRAY_DELIMITER", "EMPTY_LABEL", "PAGE", "SPACES", "Progress", "Writer", "Written", "space_of", "staging"]

# Nodes per page of the neo4j_admin_* reads (their LIMIT): a shorter page is the last. On
# FalkorDB a page costs ~2 µs per node after it (its sort is not index-backed), so large
# pages: 10,000 took 50 s for 265,000 subjects, 50,000 took 40 s.
PAGE = 50_000
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
        self.handle = open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8",
                           newline="")
        self.handle.write(",".join([*fixed, *(f"{key}:{kind}" for key, kind in columns.items())]) + "\n")


class Writer:
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
def space_of(labels: tuple[str, ...]) -> str:
    found = [label for label in labels if label in SPACES]
    if len(found) != 1:
        raise InvalidInput(f"nodes labelled {':'.join(labels) or '(no label)'} belong to "
                           f"{'no' if not found else 'more than one'} ID space; the export knows {', '.join(SPACES)}")
    return found[0]


_MARKER = ".sanctionnet-export"  # marks a DIR.part this export made


@contextmanager
def staging(folder: Path) -> Iterator[Writer]:
    """A writer into ``folder.part``, renamed to ``folder`` when the block succeeds, so a
    reader never sees half a folder; removed if it fails."""
    folder = folder.resolve()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InvalidInput(f"{folder} exists and is not an empty folder; the import files need a folder of their own")
    part = folder.with_name(folder.name + ".part")
    if part.exists():
        # Ours, left by a run that died (it holds the marker), or someone else's folder.
        if not (part / _MARKER).is_file():
            raise InvalidInput(f"{part} exists and was not made by this export; move it away first")
        shutil.rmtree(part)
    # The files hold names and hashed ID numbers: the owner only, as the audit log.
    part.mkdir(mode=0o700, parents=True)
    (part / _MARKER).touch(mode=0o600)
    (part / "nodes").mkdir(mode=0o700)
    (part / "relationships").mkdir(mode=0o700)
    writer = Writer(part)
    try:
        yield writer
    except BaseException:
        writer.close()
        shutil.rmtree(part, ignore_errors=True)
        raise
    writer.close()
    (part / _MARKER).unlink()
    if folder.exists():
        folder.rmdir()
    part.rename(folder)
