"""The Cypher query library: named blocks in ``cypher/*.cypher``, parsed once.

A block starts with ``// name: <name>``; the comment lines after it describe it.
``cypher/<dialect>/*.cypher`` may override a base name for one dialect but never
add one. A block may declare ``// vary: <slot> <Enum>``: its text then holds
``{{slot}}``, and one concrete query exists for each member of that enum in the
vocabulary module the caller names (``graph_model.vocabulary.kinds``: the library
imports nothing of the project). A block may also declare ``// types: <slot> <Enum>``:
``{{slot}}`` then stands for every member at once, ``A|B|C``, for a typed expansion
``-[r:{{slot}}]->`` that never walks a super-node's other relationships. Those are the
only ways a label or relationship type enters a text; input never reaches query text,
which takes values only as ``$parameters``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files
from types import ModuleType
from typing import Literal

__all__ = ["DIALECTS", "Dialect", "Query", "Queries", "get_queries"]

Dialect = Literal["falkordb", "neo4j"]
DIALECTS: tuple[Dialect, ...] = ("falkordb", "neo4j")

_NAME = re.compile(r"^//\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)
_VARY = re.compile(r"^//\s*vary:\s*([a-z_]+)\s+([A-Za-z]+)\s*$", re.MULTILINE)
_TYPES = re.compile(r"^//\s*types:\s*([a-z_]+)\s+([A-Za-z]+)\s*$", re.MULTILINE)
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


@dataclass(frozen=True)
class Query:
    """One concrete query text with the parameters it takes."""

    name: str
    variant: str | None
    text: str
    params: frozenset[str]
    dialect: Dialect


@dataclass(frozen=True)
class _Block:
    name: str
    text: str
    slot: str | None
    enum: type[StrEnum] | None


def _enum(vocabulary: ModuleType, name: str, where: str) -> type[StrEnum]:
    enum = getattr(vocabulary, name, None)
    if not (isinstance(enum, type) and issubclass(enum, StrEnum)):
        raise ValueError(f"{where} unknown enum {name!r}")
    return enum


def _parse(source: str, origin: str, vocabulary: ModuleType) -> dict[str, _Block]:
    blocks: dict[str, _Block] = {}
    starts = list(_NAME.finditer(source))
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(source)
        body = source[match.start() : end]
        name = match.group(1)
        if name in blocks:
            raise ValueError(f"{origin}: query {name!r} defined twice")
        vary = _VARY.search(body)
        slot = enum = None
        if vary:
            slot, enum_name = vary.groups()
            enum = _enum(vocabulary, enum_name, f"{origin}: query {name!r} varies over")
        text = "\n".join(line for line in body.splitlines() if not line.lstrip().startswith("//")).strip()
        if not text:
            raise ValueError(f"{origin}: query {name!r} is empty")
        for types_slot, enum_name in _TYPES.findall(body):
            members = _enum(vocabulary, enum_name, f"{origin}: query {name!r} types over")
            text = text.replace("{{" + types_slot + "}}", "|".join(m.value for m in members))
        if slot is None and "{{" in text:
            raise ValueError(f"{origin}: query {name!r} has a {{{{slot}}}} but no '// vary:' line")
        blocks[name] = _Block(name, text, slot, enum)
    return blocks


def _read_dir(folder, vocabulary: ModuleType) -> dict[str, _Block]:
    blocks: dict[str, _Block] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".cypher"):
            for name, block in _parse(entry.read_text("utf-8"), entry.name, vocabulary).items():
                if name in blocks:
                    raise ValueError(f"{entry.name}: query {name!r} already defined in another file")
                blocks[name] = block
    return blocks


def _params(text: str) -> frozenset[str]:
    return frozenset(_PARAM.findall(_STRING.sub("''", text)))


class Queries:
    """Every concrete query of one dialect, looked up by name (and variant); the enums
    a block varies over are those of ``vocabulary``."""

    def __init__(self, dialect: Dialect, vocabulary: ModuleType) -> None:
        root = files(__name__)
        base = _read_dir(root, vocabulary)
        overrides = _read_dir(root / dialect, vocabulary)
        extra = sorted(set(overrides) - set(base))
        if extra:
            raise ValueError(f"cypher/{dialect}: overrides unknown queries {extra}")
        self.dialect = dialect
        self._queries: dict[tuple[str, str | None], Query] = {}
        for name, block in {**base, **overrides}.items():
            for variant in [m.value for m in block.enum] if block.enum else [None]:
                text = block.text.replace("{{" + block.slot + "}}", variant) if variant else block.text
                self._queries[(name, variant)] = Query(name, variant, text, _params(text), dialect)

    def get(self, name: str, variant: str | None = None) -> Query:
        """The query ``name`` (for ``variant``, if it varies); KeyError if unknown."""
        try:
            return self._queries[(name, str(variant) if variant is not None else None)]
        except KeyError:
            raise KeyError(f"no Cypher query {name!r} (variant {variant!r}) for {self.dialect}") from None

    def all(self) -> list[Query]:
        """Every concrete text this dialect can send, for linting."""
        return list(self._queries.values())

    def names(self) -> set[str]:
        return {name for name, _ in self._queries}


@cache
def get_queries(dialect: Dialect, vocabulary: ModuleType) -> Queries:
    """The parsed registry of a dialect, built once per process."""
    return Queries(dialect, vocabulary)
