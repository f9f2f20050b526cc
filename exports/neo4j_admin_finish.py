"""The end of a neo4j-admin export and the step after its import.

``finish_files`` writes what goes beside the CSV files of ``exports.neo4j_admin``:
manifest.json (counts, files, the format), import.args and import.sh (the command
line) and README.txt (what to do next). ``finish_import`` is that next step, run on
the imported database: it reads manifest.json back, restores the empty lists
neo4j-admin could not write and checks the counts.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from exports.neo4j_admin_files import Writer, Written
from graph_model.errors import InvalidInput
from graph_model.store.base import Store

__all__ = ["FILL", "FORMAT", "finish_files", "finish_import"]

# Bump when the layout of the folder changes (manifest.json carries it).
FORMAT = 1
# Nodes per write of neo4j_admin_empty_lists (its LIMIT).
FILL = 10_000


def finish_files(writer: Writer, written: Written, source: str, **extra) -> None:
    """manifest.json, import.args, import.sh and README.txt: the command line and what follows."""
    folder = writer.folder
    files = sorted(writer.files, key=lambda f: f.option != "--nodes")  # stable: nodes, then relationships
    multiline = [str(f.path.relative_to(folder)) for f in files if f.multiline]
    options = ["--id-type=string", "--array-delimiter=U+001F", "--ignore-empty-strings=false", "--trim-strings=false",
               "--legacy-style-quoting=false", "--skip-duplicate-nodes=false", "--skip-bad-relationships=false",
               "--bad-tolerance=0", *(["--multiline-fields=true"] if multiline else [])]
    groups = [f"{f.option}={f.name}={f.path.relative_to(folder)}" for f in files]
    written.nodes, written.relationships, written.files = writer.nodes, writer.relationships, len(files)
    written.empty_lists = [list(keys) for keys in sorted(writer.empty_lists)]
    written.command = " ".join(["neo4j-admin database import full neo4j", *options, *groups])
    manifest = {"format": FORMAT, "source": source, "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "nodes": written.nodes, "relationships": written.relationships, "id_spaces": writer.spaces,
                "empty_lists": written.empty_lists, "multiline_files": multiline, **extra,
                "files": [{"option": f.option, "name": f.name, "file": str(f.path.relative_to(folder)), "rows": f.rows}
                          for f in files]}
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (folder / "import.args").write_text("\n".join([*options, *groups]) + "\n", encoding="utf-8")
    script = folder / "import.sh"
    script.write_text(_SCRIPT, encoding="utf-8")
    script.chmod(0o755)
    (folder / "README.txt").write_text(_README.format(command=written.command, source=source, nodes=written.nodes,
                                                      relationships=written.relationships,
                                                      multiline=", ".join(multiline) or "none"), encoding="utf-8")


def finish_import(store: Store, folder: Path) -> dict[str, int]:
    """After neo4j-admin imported ``folder`` into ``store``: set the empty lists it could
    not write and remove their marks, then check that the database holds exactly the
    folder's nodes and relationships. Idempotent. Returns the counts."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{folder}: no readable manifest.json of `sanctionnet export neo4j-admin` ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise InvalidInput(f"{folder}: written in format {manifest.get('format')}, this sanctionnet reads {FORMAT}")
    restored = 0
    for keys in manifest["empty_lists"]:
        done = FILL
        while done == FILL:
            done = store.write("neo4j_admin_empty_lists", keys=keys, fill=dict.fromkeys(keys, [])).rows[0]["n"]
            restored += done
    marked = store.read_one("neo4j_admin_marked")["n"]
    nodes = store.read_one("count_nodes")["n"]
    relationships = store.read_one("neo4j_admin_relationship_count")["n"]
    if marked or (nodes, relationships) != (manifest["nodes"], manifest["relationships"]):
        raise InvalidInput(f"the database holds {nodes:,} nodes ({marked:,} still marked) and {relationships:,} "
                           f"relationships, {folder} {manifest['nodes']:,} and {manifest['relationships']:,}: import "
                           "into an empty database, and finish before anything else writes to it")
    return {"restored": restored, "nodes": nodes, "relationships": relationships}


_SCRIPT = """#!/bin/sh
# Written by `sanctionnet export neo4j-admin`: imports this folder into a new database.
# Usage: ./import.sh [DATABASE]  (default neo4j; NEO4J_ADMIN overrides the neo4j-admin on PATH).
# Stop the database first (or import into one that does not exist yet), then see README.txt.
set -eu
cd "$(dirname "$0")"
exec "${NEO4J_ADMIN:-neo4j-admin}" database import full "${1:-neo4j}" @import.args
"""

_README = """Written by `sanctionnet export neo4j-admin` from {source}:
{nodes} nodes and {relationships} relationships (counts per file in manifest.json).

1. Import (Neo4j 5.x / 2025.x, database stopped or not yet created), from this folder:

   {command}

   (./import.sh [DATABASE] runs exactly that, with the options from import.args.)
   Files with line breaks in their values: {multiline}.

2. Start the database (CREATE DATABASE if it did not exist), then, with SANCTIONNET_STORE=neo4j
   and the SANCTIONNET_NEO4J_* settings pointing at it:

   sanctionnet export neo4j-admin-finish THIS-FOLDER

   It creates sanctionnet's constraints and indexes, sets the empty lists neo4j-admin cannot
   write, and checks that the database holds every node and relationship of this folder.
   After a --bundle export, run `sanctionnet db propagate` next (restrictions and tasks).
"""
