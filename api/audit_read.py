"""Reading the audit log: ``verify`` a log (or an exported range) against its hash
chain and head, and ``read_entries`` of a range for export (``api.audit`` writes it)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from api.audit import GENESIS, entry_hash, head_path, parse_entry, snapshot

__all__ = ["Verification", "read_entries", "verify"]


@dataclass
class Verification:
    """What ``verify`` found: ok, or the first place where the chain breaks.

    ``reason`` is one of edited, removed, reordered, duplicated, truncated, bad JSON,
    head missing; ``line`` (1-based) and ``seq`` say where."""

    ok: bool = True
    entries: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS
    reason: str | None = None
    line: int | None = None
    seq: int | None = None
    detail: str = ""
    notes: list[str] = field(default_factory=list)

    def where(self) -> str:
        """One line for a person: the summary, or the reason and the place."""
        if self.ok:
            return f"ok: {self.entries} entries, last seq {self.last_seq}, hash {self.last_hash}"
        place = ", ".join(p for p in (self.line and f"line {self.line}", self.seq and f"seq {self.seq}") if p)
        return f"{self.reason} at {place}: {self.detail}" if place else f"{self.reason}: {self.detail}"

    def _fail(self, reason: str, line: int | None, seq: int | None, detail: str) -> Verification:
        self.ok, self.reason, self.line, self.seq, self.detail = False, reason, line, seq, detail
        return self


def _lines(path: Path, size: int) -> Iterator[tuple[int, bytes]]:
    """Numbered lines of the first ``size`` bytes of ``path``, without their newline."""
    if size == 0:
        return
    with open(path, "rb") as handle:
        read = 0
        for n, line in enumerate(handle, 1):
            line = line[: size - read]
            read += len(line)
            yield n, line.rstrip(b"\n")
            if read >= size:
                return


def _appears_after(path: Path, size: int, line: int, seq: int) -> bool:
    return any((e := parse_entry(text)) is not None and e["seq"] == seq for n, text in _lines(path, size) if n > line)


def verify(path: Path, *, export: bool = False) -> Verification:
    """Check the chain of the log at ``path`` against itself and its head.

    With ``export``, ``path`` is a range written by ``read_entries``: each entry's hash,
    the order of seqs and the link between consecutive seqs are checked; the first
    ``prev`` and any gap (a filtered export) point to entries the range leaves out."""
    path = Path(path)
    if export:
        size, head = path.stat().st_size, None
    else:
        size, head = snapshot(path)
    result, head_hash = Verification(), None
    for n, line in _lines(path, size):
        entry = parse_entry(line)
        if entry is None:
            return result._fail("bad JSON", n, None, "not an audit entry (a JSON object with seq, prev and hash)")
        seq, prev = entry["seq"], entry["prev"]
        if entry_hash(entry) != entry["hash"]:
            return result._fail("edited", n, seq, "the entry does not match its hash")
        expect = result.last_seq + 1
        if export and result.entries and seq <= result.last_seq:
            return result._fail("reordered", n, seq, f"seq {seq} comes after seq {result.last_seq}")
        if not export and seq > expect:
            if _appears_after(path, size, n, expect):
                return result._fail("reordered", n, seq, f"seq {seq} stands where seq {expect} belongs")
            missing = f"seq {expect}" if seq == expect + 1 else f"seqs {expect}-{seq - 1}"
            return result._fail("removed", n, expect, f"{missing} missing before line {n} (seq {seq})")
        if not export and seq < expect:
            return result._fail("duplicated", n, seq, f"seq {seq} again (first on line {seq})")
        if seq == expect and prev != result.last_hash and (result.entries or not export):
            if seq == 1:
                return result._fail("edited", n, seq, "the first entry does not start from the genesis hash")
            return result._fail("edited", n - 1, seq - 1, f"seq {seq} on line {n} chains to another hash: "
                                                          f"seq {seq - 1} was changed and its hash recomputed")
        if isinstance(head, tuple) and seq == head[0]:
            head_hash = entry["hash"]
        result.entries, result.last_seq, result.last_hash = result.entries + 1, seq, entry["hash"]
    if export:
        return result
    if head is None:
        if result.entries:
            return result._fail("head missing", None, None, f"{head_path(path).name} is missing: entries removed "
                                                            "from the end could not be told")
        return result
    if isinstance(head, str):
        return result._fail("head missing", None, None, f"{head_path(path).name} is unreadable: {head[:80]!r}")
    head_seq, expected_hash = head
    if head_seq > result.last_seq:
        first = result.last_seq + 1
        gone = f"seq {first}" if first == head_seq else f"seqs {first}-{head_seq}"
        return result._fail("truncated", result.entries + 1, first, f"the head records seq {head_seq}, the log ends at seq "
                                                           f"{result.last_seq}: {gone} removed from the end")
    if head_hash != expected_hash:
        return result._fail("edited", head_seq, head_seq, "the entry's hash is not the one the head recorded: "
                                                          "the log was rewritten from here")
    if head_seq < result.last_seq:
        result.notes.append(f"the head is {result.last_seq - head_seq} entries behind the log (a writer stopped "
                            "between the two); the log verifies and is the record, the next write updates the head")
    return result


def _mentions(entry: dict, subject: str) -> bool:
    if entry.get("subject") == subject:
        return True
    # persons: those a single answer named; subjects: every key of a batch check.
    return any(isinstance(many, list) and subject in many for many in (entry.get("persons"), entry.get("subjects")))


def read_entries(path: Path, *, start: date | None = None, end: date | None = None, event: str | None = None,
                 subject: str | None = None) -> Iterator[tuple[bytes, dict]]:
    """Entries of days ``start`` to ``end`` (UTC, both included) in log order, each as
    its stored line and parsed; ``subject`` matches ``subject`` or one of ``persons`` or
    (a batch check) ``subjects``.
    Lines that are not entries are left out (``verify`` reports them)."""
    path = Path(path)
    size, _ = snapshot(path)
    low, high = start.isoformat() if start else "", end.isoformat() if end else "9999-12-31"
    for _, line in _lines(path, size):
        entry = parse_entry(line)
        if entry is None or not low <= str(entry.get("at", ""))[:10] <= high:
            continue
        if (event is None or entry.get("event") == event) and (subject is None or _mentions(entry, subject)):
            yield line, entry
