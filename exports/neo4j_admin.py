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

This module holds the format (above) and the store path, ``export_store``. The
CSV writer is ``exports.neo4j_admin_files``; the bundle path, ``export_bundle``, is
in ``exports.neo4j_admin_bundle``; the files written beside the CSV (manifest.json,
import.args, import.sh, README.txt) and ``finish_import`` are in
``exports.neo4j_admin_finish``.
"""

from __future__ import annotations

import time
from pathlib import Path

from exports.neo4j_admin_files import (
    ARRAY_DELIMITER,
    EMPTY_LABEL,
    PAGE,
    SPACES,
    Progress,
    Writer,
    Written,
    space_of,
    staging,
)
from exports.neo4j_admin_finish import FILL, FORMAT, finish_files, finish_import
from graph_model.errors import InvalidInput
from graph_model.store.base import Store

__all__ = ["ARRAY_DELIMITER", "FILL", "FORMAT", "PAGE", "SPACES", "Written", "export_store", "finish_import"]


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
        space = space_of(tuple(labels))
        key = SPACES[space][0]
        if row["with_" + key] < row["n"]:
            raise InvalidInput(f"{row['n'] - row['with_' + key]} of the {row['n']} nodes labelled {':'.join(labels)} "
                               f"have no `{key}`, the key neo4j-admin places them and their relationships by")
        expected[space] = expected.get(space, 0) + row["n"]
    return expected


def _export_space(store: Store, writer: Writer, space: str, progress: Progress) -> None:
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
                end = space_of(tuple(rel["labels"]))
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
    with staging(folder) as writer:
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
        finish_files(writer, written, "the store", data_version=before[0])
    written.seconds = time.perf_counter() - started
    return written
