"""The audit log: an append-only, hash-chained JSON-lines file, ``data_dir/audit.log``.

Every check, read of personal data and change writes one entry. Kept apart from the
application log: it is the proof of what sanctionnet answered, to whom, and when.

Format (one UTF-8 JSON object per line, keys in this order)::

    {"seq": 12, "at": "2026-01-05T08:30:00.123+00:00", "event": "check",
     "who": {"key": "k_1a2b", "role": "screener", "name": "..."}, "data_version": 7,
     "catalogue_version": "2025-06-01", ...the caller's fields..., "prev": "<hex>", "hash": "<hex>"}

- ``seq`` counts 1, 2, 3 ... with no gap; ``at`` is UTC with milliseconds.
- ``who`` is ``CALLER`` when the request set it; ``data_version`` and
  ``catalogue_version`` are added unless the caller gave them.
- ``prev`` is the ``hash`` of entry ``seq - 1``; ``GENESIS`` (64 zeros) for seq 1.
- ``hash`` is the hex SHA-256 of ``canonical(entry without "hash")``, where
  ``canonical(x) = json.dumps(x, sort_keys=True, ensure_ascii=False,
  separators=(",", ":"), allow_nan=False).encode("utf-8")``. A verifier parses the
  line and canonicalises again, so the line's own spacing and key order do not count.

``audit.head`` beside the log holds ``{"seq": N, "hash": "..."}`` of the last entry,
so entries removed from the end are detected too. Writers from several processes
(API workers, the CLI) take an exclusive ``flock`` on ``audit.lock`` for each write;
the log line is synced to disk (``fdatasync``) before the head is overwritten, so
after a crash the head can only be behind the log, never ahead. The head itself is
not synced: it only marks how far the durable log reaches, and a head lost or behind
after a power cut is re-written from the log by the next write (one sync per entry,
not two). ``verify`` checks a log (or an exported range)
and says where it breaks; ``read_entries`` selects a range for export.
"""

from __future__ import annotations

import contextvars
import fcntl
import functools
import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Any

import structlog
from starlette.concurrency import run_in_threadpool

__all__ = ["AuditLog", "CALLER", "GENESIS", "canonical", "entry_hash", "head_path", "parse_entry", "snapshot"]

log = structlog.get_logger(__name__)

# Who is asking, set by the API's auth dependency for the request's context:
# {"key": "k_1a2b", "role": "screener", "name": "..."}; None outside a request.
CALLER: contextvars.ContextVar[dict | None] = contextvars.ContextVar("audit_caller", default=None)

GENESIS = "0" * 64
# Keys the log itself sets; a caller's field may not replace them.
_RESERVED = frozenset({"seq", "at", "event", "prev", "hash"})


def canonical(entry: dict) -> bytes:
    """The bytes an entry's hash is taken over (see the module docstring)."""
    return json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def entry_hash(entry: dict) -> str:
    """Hex SHA-256 of the entry without its ``hash`` key."""
    return hashlib.sha256(canonical({k: v for k, v in entry.items() if k != "hash"})).hexdigest()


def _plain(value: Any) -> Any:
    """JSON's view of a field: what is hashed is exactly what a reader parses back."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return value.value if isinstance(value, Enum) else value.isoformat() if isinstance(value, date) else str(value)


def head_path(path: Path) -> Path:
    return Path(path).with_suffix(".head")  # audit.log -> audit.head


def lock_path(path: Path) -> Path:
    return Path(path).with_suffix(".lock")


@contextmanager
def locked(path: Path, mode: int) -> Iterator[None]:
    """``flock`` on the log's lock file: LOCK_EX to write, LOCK_SH for a consistent read."""
    fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, mode)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def read_head(path: Path) -> tuple[int, str] | None | str:
    """``(seq, hash)`` from ``audit.head``; None if there is none, the text if unreadable."""
    try:
        text = head_path(path).read_text("utf-8")
    except FileNotFoundError:
        return None
    head = parse_entry(text.encode("utf-8"), ("seq", "hash"))
    return (head["seq"], head["hash"]) if head else text


def snapshot(path: Path) -> tuple[int, tuple[int, str] | None | str]:
    """The log's size and its head, read together under a shared lock: every line up to
    that size is complete and the head belongs to it, while writers go on appending."""
    path = Path(path)
    if not path.parent.is_dir():
        return 0, None
    with locked(path, fcntl.LOCK_SH):
        size = path.stat().st_size if path.exists() else 0
        return size, read_head(path)


def _last_line(handle) -> tuple[bytes | None, int]:
    """The last complete line of a binary file and the offset where complete lines end."""
    pos = handle.seek(0, os.SEEK_END)
    buf = b""
    while True:
        nl = buf.rfind(b"\n")
        if nl >= 0:
            start = buf.rfind(b"\n", 0, nl)
            if start >= 0 or pos == 0:
                return buf[start + 1:nl], pos + nl + 1
        if pos == 0:
            return None, 0
        step = min(65536, pos)
        pos -= step
        handle.seek(pos)
        buf = handle.read(step) + buf


_HEAD_WIDTH = 128  # bytes of audit.head: a seq of up to 20 digits, the hash, padding
_datasync = getattr(os, "fdatasync", os.fsync)  # macOS has no fdatasync


def parse_entry(line: bytes, keys: tuple[str, ...] = ("seq", "prev", "hash")) -> dict | None:
    """A log line as an entry: a JSON object with an integer seq and string prev and hash."""
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    if not isinstance(entry, dict) or type(entry.get("seq")) is not int:
        return None
    return entry if all(isinstance(entry.get(k), str) for k in keys if k != "seq") else None


def _legacy(line: bytes) -> bool:
    """A line written before the chain: a JSON object with an event and no hash."""
    try:
        old = json.loads(line)
    except ValueError:
        return False
    return isinstance(old, dict) and "event" in old and "hash" not in old


class AuditLog:
    """Appends hash-chained entries to ``path``; safe across threads and processes.

    ``version`` is called on each write for the graph's data version (``data_version``);
    ``catalogue_version`` goes into every entry whose caller did not give one.
    """

    def __init__(self, path: Path, version: Callable[[], int] | None = None,
                 catalogue_version: str | None = None) -> None:
        self.path = Path(path)
        self.version = version
        self.catalogue_version = catalogue_version
        self._lock = threading.Lock()

    async def awrite(self, event: str, **fields: Any) -> dict:
        """``write`` from a request handler: off the event loop, which must not wait for
        the lock and the fsync (the caller's context, and so ``CALLER``, goes along)."""
        return await run_in_threadpool(functools.partial(self.write, event, **fields))

    def write(self, event: str, **fields) -> dict:
        """Append one entry for ``event`` with ``fields``; return it as written.

        The line is on disk (fsynced) when this returns."""
        if clash := _RESERVED & fields.keys():
            raise ValueError(f"audit fields {sorted(clash)} are set by the log itself")
        body: dict[str, Any] = {"event": event}
        if (caller := CALLER.get()) is not None and "who" not in fields:
            body["who"] = caller
        if self.version is not None and "data_version" not in fields:
            body["data_version"] = self._data_version()
        if self.catalogue_version is not None and "catalogue_version" not in fields:
            body["catalogue_version"] = self.catalogue_version
        body.update(fields)
        body = json.loads(json.dumps(body, ensure_ascii=False, default=_plain, allow_nan=False))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, locked(self.path, fcntl.LOCK_EX):
            seq, prev = self._tail()
            entry = {"seq": seq + 1, "at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                     **body, "prev": prev}
            entry["hash"] = entry_hash(entry)
            self._append((json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))
            self._write_head(entry["seq"], entry["hash"])
        return entry

    def _data_version(self) -> int | None:
        # An entry without the version beats no entry: the check was answered either way.
        try:
            return self.version()
        except Exception as exc:  # noqa: BLE001 - the store's failure must not lose the record
            log.warning("audit: data version unavailable", error=str(exc))
            return None

    def _tail(self) -> tuple[int, str]:
        """Seq and hash to chain the next entry to, read under the write lock."""
        head = read_head(self.path)
        head = head if isinstance(head, tuple) else None
        last = self._last_entry(head)
        if head is not None and (last is None or head[0] >= last[0]):
            if last is None or head[0] > last[0]:
                # Entries were removed from the end. Chaining to the head keeps the gap
                # visible to `verify` instead of papering over it.
                log.warning("audit: log is behind its head", head_seq=head[0], log_seq=last[0] if last else 0)
            return head
        if head is not None:
            log.warning("audit: head behind the log, continuing from the log", head_seq=head[0], log_seq=last[0])
        return last or (0, GENESIS)

    def _last_entry(self, head: tuple[int, str] | None) -> tuple[int, str] | None:
        if not self.path.exists():
            return None
        with open(self.path, "r+b") as handle:
            line, end = _last_line(handle)
            size = handle.seek(0, os.SEEK_END)
            if end < size:
                # A writer died inside its write: those bytes were never acknowledged.
                log.warning("audit: cutting a torn last line", offset=end, size=size)
                handle.truncate(end)
                os.fsync(handle.fileno())
        if line and (found := parse_entry(line)):
            return found["seq"], found["hash"]
        if head is None and line and _legacy(line):
            self._set_aside_unchained()
            return None
        return None if head is not None else self._scan_last()

    def _scan_last(self) -> tuple[int, str] | None:
        """The last chained entry of a log whose last line is not one (and has no head)."""
        last = None
        with open(self.path, "rb") as handle:
            for line in handle:
                if found := parse_entry(line):
                    last = found["seq"], found["hash"]
        return last

    def _set_aside_unchained(self) -> None:
        # A log from before the chain: it stays, renamed, and the chain starts afresh.
        n = 0
        while (aside := self.path.with_name(f"{self.path.name}.unchained{'-' + str(n) if n else ''}")).exists():
            n += 1
        os.replace(self.path, aside)
        log.warning("audit: set aside a log without a hash chain", moved_to=str(aside))

    def _append(self, line: bytes) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view):]
            _datasync(fd)
        finally:
            os.close(fd)

    def _write_head(self, seq: int, hash_: str) -> None:
        # Overwritten in place, padded to a fixed width, so no write leaves a shorter
        # file with stale bytes after it: a rename per entry costs a journal commit.
        data = (json.dumps({"seq": seq, "hash": hash_}).ljust(_HEAD_WIDTH - 1) + "\n").encode("ascii")
        fd = os.open(head_path(self.path), os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            if os.pwrite(fd, data, 0) != len(data):
                raise OSError(f"{head_path(self.path)}: short write")
            if os.fstat(fd).st_size != len(data):
                # A new head (or one of the old, shorter form): synced once, so a power
                # cut cannot leave an empty one; later overwrites keep its size.
                os.ftruncate(fd, len(data))
                os.fsync(fd)
        finally:
            os.close(fd)
