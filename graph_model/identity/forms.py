"""Identifiers as real sources write them: organisation codes with a hyphen, USCCs and
resident ID numbers masked by courts (``74419092-7``, ``91230199744****927K``,
``3423011964****3224``). :func:`parse_identifier` reads such text, :func:`explain`
says why it is not a code (for ``sanctionnet validate``); an ID number never shows
more than :func:`graph_model.identity.identifiers.mask_resident_id` shows.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from enum import StrEnum

from graph_model.identity.identifiers import (
    _ORG_VALUE,
    USCC_ALPHABET,
    normalise_resident_id,
    org_code_check_char,
    uscc_check_char,
    validate_resident_id,
    validate_uscc,
)

__all__ = ["Identifier", "Scheme", "complete_uscc", "display_code", "explain", "parse_identifier"]

class Scheme(StrEnum):
    """The kind of code a piece of source text is."""

    uscc = "uscc"
    org_code = "org_code"
    uscc_masked = "uscc_masked"
    resident_id = "resident_id"
    resident_id_masked = "resident_id_masked"


_PERSONAL = frozenset({Scheme.resident_id, Scheme.resident_id_masked})
# The 0-based positions mask_resident_id shows; a displayed ID number never shows more.
_SHOWN = frozenset(range(6)) | frozenset(range(14, 18))
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _fits(pattern: str, code: str) -> bool:
    """Whether ``code`` has the length of ``pattern`` and agrees with it wherever it has no ``*``."""
    return len(code) == len(pattern) and all(p in ("*", c) for p, c in zip(pattern, code))


@dataclass(frozen=True, repr=False)
class Identifier:
    """A code found in source text: its ``scheme`` and normalised ``value``.

    ``value`` is upper-case and has no hyphens or spaces. A masked value has 18
    characters, one ``*`` per hidden character (``91230199744***927K``), however
    many stars the source wrote. The repr shows :attr:`display`, so a person's ID
    number never appears in clear in logs or tracebacks.
    """

    scheme: Scheme
    value: str

    @property
    def personal(self) -> bool:
        """Whether this is or may be a person's ID number, and so is shown masked.

        A USCC, masked or not, may be one if it has the shape of one (see
        :func:`_may_be_id_number`): one mistyped ID number in 31 passes the USCC check.
        """
        if self.scheme in (Scheme.uscc, Scheme.uscc_masked):
            return _may_be_id_number(self.value)
        return self.scheme in _PERSONAL

    @property
    def display(self) -> str:
        """The form safe to print: an ID number shows at most what :func:`mask_resident_id` shows."""
        if not self.personal:
            return self.value
        return "".join(c if i in _SHOWN else "*" for i, c in enumerate(self.value))

    @property
    def org_code(self) -> str | None:
        """The organisation code this identifier contains, or ``None`` if none is fully visible."""
        if self.scheme is Scheme.org_code:
            return self.value
        if self.scheme in (Scheme.uscc, Scheme.uscc_masked) and "*" not in self.value[8:17]:
            return self.value[8:17]
        return None

    def matches(self, full_code: str) -> bool:
        """Whether ``full_code`` may be the code this identifier stands for.

        Stars are wildcards and lengths must agree. Organisation codes and USCCs
        match across schemes through positions 9-17 of the USCC, so ``74419092-7``
        matches ``91230199744190927K``. ``full_code`` is normalised, not validated.
        """
        code = normalise_resident_id(full_code)
        if self.scheme is Scheme.org_code and len(code) == 18:
            return code[8:17] == self.value
        if self.scheme in (Scheme.uscc, Scheme.uscc_masked) and len(code) == 9:
            return _fits(self.value[8:17], code)
        return _fits(self.value, code)

    def __repr__(self) -> str:
        return f"Identifier({self.scheme.value}, {self.display!r})"


def complete_uscc(masked: Identifier, org_code: str) -> str | None:
    """The full USCC a masked USCC stands for, given the organisation code inside it.

    Positions 1-8 (registration department, type and region) and the check
    character must be shown, the organisation code (positions 9-17) must fit the
    shown ones, and the check character computed for the whole must be the one shown
    (one wrong code in 31 would pass). None when any of that fails.
    """
    value = masked.value
    if masked.scheme is not Scheme.uscc_masked or "*" in value[:8] or value[17] == "*":
        return None
    if len(org_code) != 9 or _org_code_problem(org_code) is not None or not _fits(value[8:17], org_code):
        return None
    first17 = value[:8] + org_code
    if any(c not in USCC_ALPHABET for c in first17) or uscc_check_char(first17) != value[17]:
        return None
    return first17 + value[17]


def _org_code_problem(code: str) -> str | None:
    """Why a 9-character ``code`` is not a GB 11714 organisation code, or ``None``."""
    for pos, char in enumerate(code, start=1):
        if char not in (_ORG_VALUE if pos < 9 else "0123456789X"):
            return f"invalid character {char!r} at position {pos}"
    expected = org_code_check_char(code[:8])
    if code[8] != expected:
        return f"check character is {code[8]!r}, expected {expected!r}"
    return None


def _date_may_fit(pattern: str) -> bool:
    """Whether a real date from 1800 to 2099 fits ``pattern`` (``YYYYMMDD``, ``*`` hidden)."""
    years = [y for y in range(1800, 2100) if _fits(pattern[:4], f"{y:04d}")]
    leap = any(calendar.isleap(y) for y in years)
    return any(
        d <= _MONTH_DAYS[m - 1] and (leap or (m, d) != (2, 29))
        for m in range(1, 13) if _fits(pattern[4:6], f"{m:02d}")
        for d in range(1, 32) if _fits(pattern[6:], f"{d:02d}")
    ) and bool(years)


def _masked_problem(code: str, personal: bool) -> str | None:
    """Why an 18-character masked ``code`` is not a masked ID number (``personal``) or USCC."""
    for pos, char in enumerate(code, start=1):
        if personal:
            allowed = "*0123456789X" if pos == 18 else "*0123456789"
        else:
            allowed = "*0123456789" if 3 <= pos <= 8 else "*" + USCC_ALPHABET
        if char not in allowed:
            return f"invalid character {char!r} at position {pos}"
    if personal and code[0] not in "*12345678":
        return f"region code cannot start with {code[0]!r} (position 1)"
    if personal and not _date_may_fit(code[6:14]):
        return "birth date at positions 7-14 cannot be a real date"
    return None


def _may_be_id_number(code: str) -> bool:
    """Whether 18-character ``code`` (``*`` hidden) has the shape of an ID number: digits,
    a final digit or ``X``, and a province digit 1-8 first or a birth date that may be real."""
    return (all(c in "*0123456789" for c in code[:17]) and code[17] in "*0123456789X"
            and (code[0] in "*12345678" or _date_may_fit(code[6:14])))


def _expand_stars(code: str) -> tuple[str | None, str]:
    """The 18-character form of a masked ``code`` and ``""``, or ``None`` and a reason.

    Courts print a fixed ``****`` whatever the number of hidden characters, so a
    single run of stars between shown characters stands for all that is missing;
    otherwise the code must have 18 characters, one ``*`` per hidden one.
    """
    runs = re.findall(r"\*+", code)
    if len(code) == 18:
        expanded = code
    elif len(runs) == 1:
        head, _, tail = code.partition(runs[0])
        if not head or not tail:
            return None, f"wrong length {len(code)}, expected 18 or characters on both sides of the '*'"
        if len(head) + len(tail) > 17:
            return None, f"{len(head) + len(tail)} characters besides the '*', expected at most 17"
        expanded = head + "*" * (18 - len(head) - len(tail)) + tail
    else:
        return None, f"wrong length {len(code)} with {len(runs)} runs of '*', expected 18"
    if expanded == "*" * 18:
        return None, "no character is shown"
    return expanded, ""


def _may_be_personal(code: str) -> bool:
    """Whether normalised ``code``, though invalid, may be a mistyped or badly masked ID number.

    Such text is printed masked and explained as an ID number: 15 to 19 characters
    after a province digit, at most 3 of them not digits, or the shape of one.
    """
    if len(code) == 18 and _may_be_id_number(code):
        return True
    return 15 <= len(code) <= 19 and code[0] in "*12345678" and sum(c not in "*0123456789" for c in code) <= 3


def _parse(text: str) -> tuple[Identifier | None, str]:
    """The identifier ``text`` stands for and ``""``, or ``None`` and a reason showing no ID number."""
    if not isinstance(text, str):
        return None, "not a string"
    code = normalise_resident_id(text)
    if not code:
        return None, "empty"
    if "*" in code:
        expanded, reason = _expand_stars(code)
        if expanded is None:
            return None, f"not a valid masked code: {reason}"
        if _masked_problem(expanded, personal=True) is None:
            return Identifier(Scheme.resident_id_masked, expanded), ""
        if _masked_problem(expanded, personal=False) is None:
            return Identifier(Scheme.uscc_masked, expanded), ""
        if _may_be_personal(expanded):
            return None, f"not a valid masked resident ID number: {_masked_problem(expanded, True)}"
        return None, f"not a valid masked USCC: {_masked_problem(expanded, False)}"
    if len(code) == 9:
        reason = _org_code_problem(code)
        return (None, f"not a valid organisation code: {reason}") if reason else (Identifier(Scheme.org_code, code), "")
    if len(code) == 18:
        # One ID number in 31 also passes the USCC check; such a code is read as an ID
        # number only if its region and birth date are plausible (else it is shown masked).
        if validate_resident_id(code) is None and (
            validate_uscc(code) is not None or _masked_problem(code, personal=True) is None
        ):
            return Identifier(Scheme.resident_id, code), ""
        if validate_uscc(code) is None:
            return Identifier(Scheme.uscc, code), ""
        if _may_be_personal(code):
            return None, f"not a valid resident ID number: {validate_resident_id(code)}"
        return None, f"not a valid USCC: {validate_uscc(code)}"
    return None, f"wrong length {len(code)}, expected 18 (USCC, resident ID number) or 9 (organisation code)"


def parse_identifier(text: str) -> Identifier | None:
    """Return the identifier ``text`` stands for, or ``None`` if it is not a valid one.

    Accepts a valid USCC, a GB 11714 organisation code (``74419092-7`` or
    ``744190927``), a valid resident ID number, and well-formed masked USCCs and
    ID numbers (``91230199744****927K``, ``3423011964****3224``). Masked text
    whose visible characters fit an ID number is read as one. Text is normalised
    first (full-width, case, spaces, hyphens); it never raises.
    """
    return _parse(text)[0]


def explain(text: str) -> tuple[bool, str]:
    """Return ``(True, "")`` if :func:`parse_identifier` accepts ``text``, else ``(False, reason)``.

    The reason names the scheme and the position or character at fault, e.g.
    ``not a valid USCC: check character is 'X', expected 'K'``; of text that may
    be an ID number it shows at most one character (the one at fault).
    """
    ident, reason = _parse(text)
    return ident is not None, reason


def display_code(text: str) -> str:
    """Return ``text`` stripped, as safe to print: anything that is or may be an ID number is masked.

    Valid and masked ID numbers show at most the first 6 and last 4 characters;
    so do USCCs and invalid text that may be ID numbers (see
    :attr:`Identifier.personal`). Other text is returned as given.
    """
    ident, _ = _parse(text)
    if ident is not None:
        return ident.display if ident.personal else text.strip()
    code = normalise_resident_id(text) if isinstance(text, str) else ""
    if _may_be_personal(code):
        return code[:6] + "*" * (len(code) - 10) + code[-4:]
    return text.strip() if isinstance(text, str) else repr(text)
