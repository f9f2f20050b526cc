"""Chinese subject identifiers: USCC (GB 32100-2015), organisation codes (GB 11714-1997)
and resident ID numbers (GB 11643-1999), full or masked as courts publish them.

The graph keys enterprises and public bodies by their unified social credit code
(USCC) and never stores a person's ID number in clear: it stores a masked form for
display and a keyed hash for look-ups. This module is the single place that knows
the check-character arithmetic, so loaders, the API and the demo generator agree.

Contract: ``validate_*`` functions never raise on a string argument; they return
``None`` for a valid code or a short English reason a user can act on. They check
the code exactly as given; call the matching ``normalise_*`` first on user input.
Codes as source data writes them (``74419092-7``, ``91230199744****927K``,
``3423011964****3224``) are read by :mod:`graph_model.identity.forms`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import random

__all__ = [
    "USCC_ALPHABET",
    "hash_identifier",
    "is_valid_org_code",
    "is_valid_reg_no",
    "is_valid_resident_id",
    "is_valid_uscc",
    "make_resident_id",
    "make_uscc",
    "mask_resident_id",
    "normalise_resident_id",
    "may_be_old_resident_id",
    "may_be_resident_id",
    "normalise_uscc",
    "org_code_check_char",
    "org_code_of",
    "resident_id_check_char",
    "upgrade_resident_id",
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


def may_be_old_resident_id(code: str) -> bool:
    """True if ``code`` could be a first-generation (15-digit, issued 1984-2004) resident
    ID number: 15 digits once normalised, a province digit 1-8 first and a real birth
    date 19YYMMDD at positions 7-12. It has no check character, so a registration
    number (工商注册号) of that shape cannot be told from one."""
    norm = normalise_resident_id(code)
    if len(norm) != 15 or not (norm.isascii() and norm.isdigit()) or norm[0] not in "12345678":
        return False
    try:
        dt.date(1900 + int(norm[6:8]), int(norm[8:10]), int(norm[10:12]))
    except ValueError:
        return False
    return True


def upgrade_resident_id(code: str) -> str:
    """Return the 18-digit form of a 15-digit first-generation resident ID number:
    ``19`` inserted before the two-digit birth year, and the GB 11643 (ISO 7064
    MOD 11-2) check character appended, as the second-generation number has them.

    Raises ``ValueError`` unless the normalised ``code`` is 15 ASCII digits.
    """
    norm = normalise_resident_id(code)
    if len(norm) != 15 or not (norm.isascii() and norm.isdigit()):
        raise ValueError("expected 15 digits")
    first17 = norm[:6] + "19" + norm[6:]
    return first17 + resident_id_check_char(first17)


def is_valid_reg_no(code: str) -> bool:
    """Return whether ``code`` is a 15-digit enterprise registration number (工商注册号,
    GS 15-2006) with a correct check digit (ISO 7064 MOD 11,10 over the first 14)."""
    if not isinstance(code, str) or len(code) != 15 or not (code.isascii() and code.isdigit()):
        return False
    product = 10
    for digit in code[:14]:
        total = (product + int(digit)) % 10 or 10
        product = total * 2 % 11
    return (11 - product) % 10 == int(code[14])


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
