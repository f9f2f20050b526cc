"""FalkorDB's GRAPH.BULK format, for creating a graph that does not exist yet.

An initial load through ``UNWIND ... MERGE`` costs the server two index look-ups and
a MERGE per relationship (about 13 µs, so some 70,000 relationships/s on one core).
GRAPH.BULK takes nodes and relationships as binary blobs and creates them without
any look-up; FalkorDB documents the format for "bespoke import tools"
(https://docs.falkordb.com/design/bulk-spec). This module is our encoder for it,
written from that page:

* a blob starts with a header: the label(s) (``A:B`` for several) or relationship
  type, NUL-terminated; a 4-byte little-endian count of property names; the names,
  NUL-terminated;
* a node is its property values in header order; its id is its position among all
  nodes created in the graph (0, 1, ...);
* a relationship is the 8-byte ids of its two ends, then its property values;
* a value is a one-byte type (0 null, 1 bool, 2 double, 3 string, 4 integer,
  5 array) and its payload; a null value leaves the property unset, as ``SET n +=``
  does with a null.

Only the store adapter (``FalkorStore.create_graph``) uses this, and only when the
graph is empty; every other write is Cypher from ``cypher/``.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["BLOB_BYTES", "Blob", "BulkRefused", "edge_blobs", "node_blobs"]

_NULL = b"\x00"
_TRUE, _FALSE = b"\x01\x01", b"\x01\x00"
_DOUBLE = struct.Struct("<Bd")
_LONG = struct.Struct("<Bq")
_ARRAY = struct.Struct("<Bq")
_ENDS = struct.Struct("<QQ")
_COUNT = struct.Struct("<I")
# One blob may be at most 512 MB (Redis's longest string); stay well below it.
BLOB_BYTES = 128 * 1024 * 1024

Blob = bytes


class BulkRefused(ValueError):
    """A value the bulk format cannot carry; the caller loads through Cypher instead."""


def _value(value: Any, out: list[bytes]) -> None:
    kind = type(value)
    if kind is str:
        if "\x00" in value:
            raise BulkRefused("a text value holds a NUL character, which the bulk format ends strings with")
        out.append(b"\x03" + value.encode() + b"\x00")
    elif value is None:
        out.append(_NULL)
    elif kind is bool:
        out.append(_TRUE if value else _FALSE)
    elif kind is int:
        try:
            out.append(_LONG.pack(4, value))
        except struct.error as exc:
            raise BulkRefused(f"integer {value} does not fit in 64 bits") from exc
    elif kind is float:
        out.append(_DOUBLE.pack(2, value))
    elif kind is list or kind is tuple:
        out.append(_ARRAY.pack(5, len(value)))
        for item in value:
            _value(item, out)
    else:
        raise BulkRefused(f"no bulk encoding for a {kind.__name__} value")


def _header(name: str, keys: Sequence[str]) -> bytes:
    for text in (name, *keys):
        if "\x00" in text or not text:
            raise BulkRefused(f"name {text!r} is empty or holds a NUL character")
    return (name.encode() + b"\x00" + _COUNT.pack(len(keys))
            + b"".join(key.encode() + b"\x00" for key in keys))


def _keys(maps: Iterable[Mapping[str, Any]], leave: tuple[str, ...] = ()) -> list[str]:
    """Every key the maps use, in first-seen order, but those in ``leave``."""
    seen: dict[str, None] = {}
    for row in maps:
        for key in row:
            seen.setdefault(key)
    return [key for key in seen if key not in leave]


def _blobs(header: bytes, records: Iterable[bytes]) -> list[Blob]:
    """The records as blobs of at most BLOB_BYTES, each with the header."""
    blobs: list[Blob] = []
    parts, size = [header], len(header)
    for record in records:
        if size + len(record) > BLOB_BYTES and len(parts) > 1:
            blobs.append(b"".join(parts))
            parts, size = [header], len(header)
        parts.append(record)
        size += len(record)
    if len(parts) > 1:
        blobs.append(b"".join(parts))
    return blobs


def _values(out: list[bytes], keys: Sequence[str], props: Mapping[str, Any]) -> bytes:
    # Text and null, nearly every value, without a call each.
    for key in keys:
        value = props.get(key)
        if value is None:
            out.append(_NULL)
        elif type(value) is str and "\x00" not in value:
            out.append(b"\x03" + value.encode() + b"\x00")
        else:
            _value(value, out)
    return b"".join(out)


def node_blobs(labels: Sequence[str], nodes: Sequence[Mapping[str, Any]]) -> list[Blob]:
    """Blobs creating ``nodes`` in order, with ``labels``; a node is ``{"id": ..., "props":
    {...}}`` (the rows ``load_subjects`` takes), and ``id`` is stored as a property."""
    keys = _keys(node["props"] for node in nodes)
    records = []
    for node in nodes:
        out: list[bytes] = []
        _value(node["id"], out)
        records.append(_values(out, keys, node["props"]))
    return _blobs(_header(":".join(labels), ["id", *keys]), records)


def edge_blobs(rel_type: str, edges: Sequence[Mapping[str, Any]], ids: Mapping[str, int]) -> list[Blob]:
    """Blobs creating ``edges`` of one type; an edge is ``{"from_id": ..., "to_id": ...,
    **properties}`` (the rows ``load_relations`` takes) and ``ids`` gives each end's
    node id. A KeyError names an end that is not among the nodes."""
    keys = _keys(edges, leave=("from_id", "to_id"))
    pack = _ENDS.pack
    return _blobs(_header(rel_type, keys),
                  [_values([pack(ids[edge["from_id"]], ids[edge["to_id"]])], keys, edge) for edge in edges])
