"""``sanctionnet validate``: check USCCs, organisation codes and ID numbers read from stdin."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator

import typer

from api.cli.common import EXIT_INPUT
from graph_model.identity.forms import display_code, explain

__all__ = ["validate"]


def _codes(lines: Iterable[bytes]) -> Iterator[str]:
    """The non-blank lines of UTF-8 ``lines``, stripped and without byte-order marks."""
    for raw in lines:
        # A BOM starts files saved by Windows tools, and cat-ed files carry one mid-stream.
        line = raw.decode("utf-8", errors="replace").replace("\ufeff", "").strip()
        if line:
            yield line


def validate() -> None:
    """Check codes read from standard input, one per line.

    Prints "OK <code>" or "INVALID <code>: <reason>" for each non-blank line,
    in order. Accepts valid USCCs, organisation codes (74419092-7), resident ID
    numbers and masked forms as courts publish them (91230199744****927K). ID
    numbers are printed masked. Exits 1 if any line is invalid.
    """
    invalid = 0
    for code in _codes(sys.stdin.buffer):
        ok, reason = explain(code)
        shown = display_code(code)
        print(f"OK {shown}" if ok else f"INVALID {shown}: {reason}")
        invalid += not ok
    if invalid:
        raise typer.Exit(EXIT_INPUT)
