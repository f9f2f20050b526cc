"""Chinese subject identifiers: USCC (GB 32100-2015), organisation codes (GB 11714-1997)
and resident ID numbers (GB 11643-1999), full or masked as courts publish them.

The graph keys enterprises and public bodies by their unified social credit code
(USCC) and never stores a person's ID number in clear: it stores a masked form for
display and a keyed hash for look-ups. This module is the single place that knows
the check-character arithmetic, so loaders, the API and the demo generator agree.

Contract: ``validate_*`` functions never raise on a string argument; they return
``None`` for a valid code or a short English reason a user can act on. They check
the code exactly as given; call the matching ``normalise_*`` first on user input.
:func:`parse_identifier` and :func:`explain` take text as found in source data
(``74419092-7``, ``91230199744****927K``, ``3423011964****3224``) and normalise it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import hmac
import random
import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "USCC_ALPHABET",
    "Identifier",
    "Scheme",
    "display_code",
    "explain",
    "hash_identifier",
    "is_valid_org_code",
    "is_valid_resident_id",
    "is_valid_uscc",
    "make_resident_id",
    "make_uscc",
    "mask_resident_id",
    "normalise_resident_id",
    "may_be_resident_id",
    "normalise_uscc",
    "org_code_check_char",
    "org_code_of",
    "parse_identifier",
    "resident_id_check_char",
    "uscc_check_char",
    "validate_resident_id",
    "validate_uscc",
]

# GB 32100: digits plus 21 letters (no I, O, Z, S, V, which are easily confused with 1, 0, 2, 5, U):
# 31 characters, one per value of the mod-31 check.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_VALUE = {c: i for i, c in enumerate(_ORG_ALPHABET)}
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

_RID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RID_CHECK = "10X98765432"

# Full-width ASCII (U+FF01..U+FF5E) sits at a fixed offset from ASCII; codes pasted
# from Chinese documents often arrive in that form.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}


def _normalise(code: str) -> str:
    """Return ``code`` half-width, upper-case and without any whitespace."""
    return "".join(code.translate(_FULLWIDTH).split()).upper()


def normalise_uscc(code: str) -> str:
    """Return the canonical spelling of a USCC typed or pasted by a person.

    Full-width characters become half-width, letters upper-case, and all
    whitespace (leading, trailing and grouping spaces) is removed. The result is
    not validated.
    """
    return _normalise(code)


def normalise_resident_id(code: str) -> str:
    """Return the canonical spelling of a resident ID number (upper-case ``X``).

    Same rules as :func:`normalise_uscc`, and hyphens are dropped too (people type
    ``110101-19491231-002X``); the result is not validated.
    """
    return _normalise(code).replace("-", "")


def may_be_resident_id(code: str) -> bool:
    """True if ``code`` could be a resident ID number, even a mistyped one: 18
    characters once normalised, at least 15 of them digits. Such text is treated as
    personal data: never stored, logged or echoed in clear. A valid USCC counts only
    if it is also a valid ID number (about 3 % of valid ID numbers pass the USCC check)."""
    norm = normalise_resident_id(code)
    if len(norm) != 18 or sum(ch.isdigit() for ch in norm) < 15:
        return False
    return validate_resident_id(norm) is None or validate_uscc(norm) is not None


# --------------------------------------------------------------------------- USCC


def uscc_check_char(first17: str) -> str:
    """Return the GB 32100 check character for the first 17 characters of a USCC.

    Raises ``ValueError`` if ``first17`` is not 17 characters of the USCC alphabet.
    """
    if len(first17) != 17 or any(c not in _USCC_VALUE for c in first17):
        raise ValueError("expected 17 characters from the USCC alphabet")
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """Return the GB 11714 check character for an 8-character organisation code body.

    Raises ``ValueError`` if ``first8`` is not 8 characters of 0-9/A-Z.
    """
    if len(first8) != 8 or any(c not in _ORG_VALUE for c in first8):
        raise ValueError("expected 8 characters from 0-9 and A-Z")
    value = 11 - sum(_ORG_VALUE[c] * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def is_valid_org_code(code: str) -> bool:
    """Return whether ``code`` is a 9-character GB 11714 organisation code with a correct check."""
    if not isinstance(code, str) or len(code) != 9 or any(c not in _ORG_VALUE for c in code[:8]):
        return False
    return org_code_check_char(code[:8]) == code[8]


def validate_uscc(code: str) -> str | None:
    """Return ``None`` if ``code`` is a valid USCC, else a short reason why not.

    Checks length, alphabet, that positions 3-8 are digits and the check
    character. The region part is *not* looked up: registration authorities use
    codes that are not administrative divisions (e.g. 230199). The embedded
    organisation code is not checked either; GB 32100 only mandates position 18.
    """
    if not isinstance(code, str):
        return "not a string"
    if len(code) != 18:
        return f"wrong length {len(code)}, expected 18"
    for pos, char in enumerate(code, start=1):
        if char not in _USCC_VALUE:
            return f"invalid character {char!r} at position {pos}"
    if not code[2:8].isdigit():
        return f"region code {code[2:8]!r} at positions 3-8 is not 6 digits"
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return f"check character is {code[17]!r}, expected {expected!r}"
    return None


def is_valid_uscc(code: str) -> bool:
    """Return whether ``code`` is a valid USCC (see :func:`validate_uscc`)."""
    return validate_uscc(code) is None


def org_code_of(uscc: str) -> str:
    """Return the 9-character organisation code (positions 9-17) embedded in a USCC.

    Raises ``ValueError`` if ``uscc`` is not 18 characters long.
    """
    if len(uscc) != 18:
        raise ValueError(f"wrong length {len(uscc)}, expected 18")
    return uscc[8:17]


def make_uscc(rng: random.Random, region: str, reg_dept: str = "9", org_type: str = "1") -> str:
    """Return a random valid USCC for ``region`` whose organisation code is GB 11714-valid.

    ``region`` is the 6-digit code for positions 3-8, ``reg_dept`` and
    ``org_type`` are single USCC-alphabet characters (``'9','1'`` = enterprise
    registered with market regulation; ``'1','1'`` = government organ).
    Deterministic for a given ``rng`` state.
    """
    if len(region) != 6 or not region.isdigit():
        raise ValueError(f"region must be 6 digits, got {region!r}")
    for name, char in (("reg_dept", reg_dept), ("org_type", org_type)):
        if len(char) != 1 or char not in _USCC_VALUE:
            raise ValueError(f"{name} must be one USCC alphabet character, got {char!r}")
    body = f"{rng.randrange(100_000_000):08d}"
    org_code = body + org_code_check_char(body)
    first17 = reg_dept + org_type + region + org_code
    return first17 + uscc_check_char(first17)


# ------------------------------------------------------------------ resident ID


def resident_id_check_char(first17: str) -> str:
    """Return the GB 11643 check character for the first 17 digits of an ID number.

    Raises ``ValueError`` if ``first17`` is not 17 ASCII digits.
    """
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError("expected 17 digits")
    return _RID_CHECK[sum(int(c) * w for c, w in zip(first17, _RID_WEIGHTS, strict=True)) % 11]


def validate_resident_id(code: str) -> str | None:
    """Return ``None`` if ``code`` is a valid 18-character resident ID number, else a reason.

    Checks length, that 17 digits are followed by a digit or ``X``, that
    positions 7-14 are a real calendar date, and the check character. The
    region part is not looked up (old and abolished codes remain in use).
    """
    if not isinstance(code, str):
        return "not a string"
    if len(code) != 18:
        return f"wrong length {len(code)}, expected 18"
    for pos, char in enumerate(code, start=1):
        allowed = "0123456789X" if pos == 18 else "0123456789"
        if char not in allowed:
            return f"invalid character {char!r} at position {pos}"
    try:
        dt.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return "birth date at positions 7-14 is not a real date"  # the date itself is personal data
    expected = resident_id_check_char(code[:17])
    if code[17] != expected:
        return f"check character is {code[17]!r}, expected {expected!r}"
    return None


def is_valid_resident_id(code: str) -> bool:
    """Return whether ``code`` is a valid resident ID number (see :func:`validate_resident_id`)."""
    return validate_resident_id(code) is None


def make_resident_id(rng: random.Random, region: str, birth: dt.date, male: bool) -> str:
    """Return a random valid resident ID number for a person born in ``region`` on ``birth``.

    The 3-digit sequence is odd for men and even for women, as GB 11643 requires.
    """
    if len(region) != 6 or not region.isdigit():
        raise ValueError(f"region must be 6 digits, got {region!r}")
    sequence = rng.randrange(500) * 2 + (1 if male else 0)
    first17 = f"{region}{birth.year:04d}{birth.month:02d}{birth.day:02d}{sequence:03d}"
    return first17 + resident_id_check_char(first17)


def mask_resident_id(code: str) -> str:
    """Return the display form of an ID number: first 6, eight ``*``, last 4 characters.

    This is what the graph shows; it keeps the region and the check character
    but hides the birth date. Raises ``ValueError`` unless the normalised code
    has 18 characters (validity is not required, so bad source data can be shown).
    """
    norm = _normalise(code)
    if len(norm) != 18:
        raise ValueError(f"wrong length {len(norm)}, expected 18")
    return norm[:6] + "*" * 8 + norm[-4:]


def hash_identifier(code: str, key: bytes) -> str:
    """Return the hex HMAC-SHA256 of the normalised ``code`` under ``key``.

    The graph stores this instead of a clear ID number, so an exact look-up by ID
    number works without the number being readable from the store. The key must
    be secret and non-empty; without a key the 18-digit space is small enough to
    brute-force, so an empty key is refused.
    """
    if not key:
        raise ValueError("key must be non-empty")
    return hmac.new(key, _normalise(code).encode("utf-8"), hashlib.sha256).hexdigest()


# ------------------------------------------------------------ forms in source data


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
