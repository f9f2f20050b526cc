"""Free text people type or sources publish (a legal basis, a reason, an actor, a
title, a name): ID numbers found in it are masked before it is stored.

A registrar may write ``…身份证号110101199003078515`` into a basis; the basis is
shown to the public, put into briefings and exports and the audit log. So every
free-text field is scanned on the way in (``FreeText``, a pydantic type, and the
loaders' ``mask_id_numbers``), and an ID number in it is kept only in its masked
form: the region, eight stars, the last four characters. The original is not kept:
the subject's own number is stored as a keyed hash on the subject, and a number in
a sentence identifies nobody the graph needs.

Detection is on a cleaned view of the text: full-width and other Unicode digits
read as digits, and invisible format characters (zero-width joiner, direction
marks) skipped, so neither hides a number; the characters masked are the original
ones. A first-generation (15-digit) number is masked too.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator

from graph_model.identity.identifiers import normalise_uscc, validate_uscc

__all__ = ["FreeText", "mask_id_numbers", "mask_number_runs"]

_ID_18 = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
                    r"(?![0-9A-Za-z])")
# A first-generation number: region, YYMMDD, sequence; no check character. A 15-digit
# registration number of that shape cannot be told from one, so it is masked too.
_ID_15 = re.compile(r"(?<![0-9A-Za-z])[1-8]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9A-Za-z])")


def _cleaned(text: str) -> tuple[str, list[int]]:
    """``text`` with Unicode digits as ASCII and format characters left out, and for
    each character kept, its index in ``text``."""
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if unicodedata.category(ch) == "Cf":
            continue
        if ch.isdigit() and not ch.isascii():
            ch = str(unicodedata.digit(ch, 0))
        elif ch in "ｘＸ":
            ch = "X"
        chars.append(ch)
        where.append(i)
    return "".join(chars), where


def mask_id_numbers(text: str) -> str:
    """``text`` with every resident ID number in it masked: 18 characters keep the
    first six and the last four, 15 digits the first six and the last three."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    clean, where = _cleaned(text)
    hidden: set[int] = set()
    for pattern, keep_end in ((_ID_18, 4), (_ID_15, 3)):
        for match in pattern.finditer(clean):
            hidden.update(where[i] for i in range(match.start() + 6, match.end() - keep_end))
    if not hidden:
        return text
    return "".join("*" if i in hidden else ch for i, ch in enumerate(text))


FreeText = Annotated[str, AfterValidator(mask_id_numbers)]
"""A text field whose ID numbers are masked when it is validated (stored masked)."""


# Eight digits in a row (a birth date) are enough to be part of an ID number.
_ID_DIGITS = 8


def mask_number_runs(text: str) -> str:
    """For echoing what a caller sent (an error's detail): ``text`` with the digits of
    any run that may carry a resident ID number, even a mistyped or partial one, masked
    after its sixth digit. A run is digits (any script), X and invisible format
    characters (a zero-width joiner or a direction mark slipped in), so an ID number
    with a quote glued on or a character hidden inside is still caught; a valid USCC
    is shown as it is."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        digits = sum(ch.isdigit() for ch in run)
        token = "".join(run)
        if digits >= _ID_DIGITS and validate_uscc(normalise_uscc(token)) is not None:
            seen = 0
            for ch in run:
                seen += ch.isdigit()
                out.append("*" if ch.isdigit() and seen > 6 else ch)
        else:
            out.append(token)
        run.clear()

    for ch in text:
        if ch.isdigit() or ch in "Xx" or unicodedata.category(ch) == "Cf":
            run.append(ch)
        else:
            flush()
            out.append(ch)
    flush()
    return "".join(out)
