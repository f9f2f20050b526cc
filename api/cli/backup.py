"""``sanctionnet backup FILE`` and ``sanctionnet restore FILE``: the embedded store with its
audit log, ID-hash key and API keys, as of one moment (graph_model/store/backup.py)."""

from __future__ import annotations

import fcntl
import time
from pathlib import Path
from typing import Annotated

import typer

from api import audit
from api.cli.common import console, err, exits
from graph_model.settings import get_settings
from graph_model.store import EmbeddedServer
from graph_model.store.backup import DataFile, create_backup, restore_backup

__all__ = ["DATA_FILES", "backup", "restore"]

# The data folder's files that belong with the graph. The audit log only grows; its head
# and the keys are replaced whole (written to a temporary file and renamed).
DATA_FILES = (DataFile("audit.log", append_only=True), DataFile("audit.head"), DataFile("id_hash.key"),
              DataFile("keys.json"))


def _embedded_only() -> None:
    if get_settings().store == "neo4j":
        err.print("Backups of Neo4j are the Neo4j operator's: `neo4j-admin database dump` (or an online "
                  "backup); sanctionnet keeps nothing else there. Keep the ID-hash key (SANCTIONNET_ID_HASH_KEY) "
                  "and this folder's audit log and keys.json with it.")
        raise typer.Exit(1)


def _summary(counts: dict) -> str:
    nodes = counts["nodes"]
    parts = [f"{sum(nodes.values()):,} nodes", f"{counts['relationships']:,} relationships"]
    for label in ("Person:Subject", "Enterprise:Subject", "PublicBody:Subject", "Entry", "Restriction", "Task"):
        if label in nodes:
            parts.append(f"{label.split(':')[0]} {nodes[label]:,}")
    return ", ".join(parts)


@exits
def backup(
    file: Annotated[Path, typer.Argument(help="The archive to write (.tar.gz).")],
) -> None:
    """Back up the embedded store, the audit log, the ID-hash key and the API keys as of
    one moment, while the API goes on serving."""
    _embedded_only()
    settings = get_settings()
    # A backup of a folder with no store would start, and archive, a new empty one.
    EmbeddedServer(settings.data_dir, create=False).require_store()
    log = settings.data_dir / "audit.log"
    notes = {"id_hash_key": "environment (SANCTIONNET_ID_HASH_KEY), not in the backup"
             if settings.id_hash_key is not None else "file id_hash.key"}
    started = time.monotonic()
    # The audit log's own lock, shared: no audit entry is written between the graph's
    # snapshot and the copy of the log.
    manifest = create_backup(settings, file, DATA_FILES, lambda: audit.locked(log, fcntl.LOCK_SH), notes)
    size = file.stat().st_size
    console.print(f"backed up {settings.data_dir} as of {manifest['created_at']} to {file} "
                  f"({size / 2**20:.1f} MiB, {time.monotonic() - started:.1f} s): {_summary(manifest['counts'])}")
    if settings.id_hash_key is not None:
        err.print("[yellow]the ID-hash key comes from SANCTIONNET_ID_HASH_KEY: keep it with the backup[/]")


@exits
def restore(
    file: Annotated[Path, typer.Argument(help="A backup written by `sanctionnet backup`.")],
    data_dir: Annotated[Path | None, typer.Option(help="Folder to restore into (default: SANCTIONNET_DATA_DIR).")]
    = None,
    force: Annotated[bool, typer.Option(help="Replace the store, audit log and keys of a folder that is not "
                                             "empty (its store must be stopped).")] = False,
) -> None:
    """Restore a backup into an empty data folder, check it against its manifest, and
    print what it holds. Start the API on that folder afterwards."""
    _embedded_only()
    settings = get_settings()
    target = data_dir or settings.data_dir
    started = time.monotonic()
    manifest, counts = restore_backup(settings, file, target, DATA_FILES, force=force)
    console.print(f"restored {file} (taken {manifest['created_at']} from {manifest['data_dir']}) into {target} "
                  f"in {time.monotonic() - started:.1f} s: {_summary(counts)}; every member matched its SHA-256")
    if manifest["graph"] != settings.graph:
        err.print(f"[yellow]the backup's graph is {manifest['graph']!r}: set SANCTIONNET_GRAPH={manifest['graph']}[/]")
    if "files/id_hash.key" not in manifest["members"] and settings.id_hash_key is None:
        err.print("[yellow]the backup has no ID-hash key: set SANCTIONNET_ID_HASH_KEY to the one it was made "
                  "with, or look-ups by ID number find nothing[/]")
