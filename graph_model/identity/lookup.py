"""The subject a caller means by a key: whatever key a screener holds.

A key is a bundle id, a USCC, an organisation code (GB 11714, ``74419092-7`` or
``744190927``), a 15-digit registration number (工商注册号), a resident ID number (18
digits, or 15 of the first generation) or the full name of an enterprise or public
body. Each form is tried only when the key has its shape and check character, so a
mistyped code never silently names another subject.

Something that may be an ID number is looked up only by its keyed hash and is never
echoed in clear: not to the store, not in an error, not in the audit log. A 15-digit
number may be an old ID number *or* a registration number (neither says which), so it
is always treated as personal: it is looked up by the keyed hash of its 18-digit
upgrade (if it can be an ID number) and by the keyed hash of the registration number
(if its check digit holds), both in one step; if both name a subject, that is a
conflict, not a guess. It is never tried as a bundle id and is shown masked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from graph_model.errors import Conflict, NotFound
from graph_model.identity.identifiers import (
    is_valid_org_code,
    is_valid_reg_no,
    is_valid_resident_id,
    is_valid_uscc,
    mask_resident_id,
    may_be_old_resident_id,
    may_be_resident_id,
    normalise_resident_id,
    normalise_uscc,
    upgrade_resident_id,
)
from graph_model.identity.names import name_key
from graph_model.identity.pii import IdHasher
from graph_model.store.base import Store
from graph_model.vocabulary.kinds import MatchedBy, SubjectKey

__all__ = ["KEY_HELP", "Found", "find_subject", "may_be_id_number", "not_found_detail", "only_personal",
           "resolve_subject", "shown_key"]


# What an API parameter that takes a key says of it.
KEY_HELP = ("Bundle id, USCC, organisation code (74419092-7), registration number (15 digits), resident ID number "
            "(18 or 15 digits; hashed before look-up) or the full name of an enterprise or public body.")


class _Attempt(NamedTuple):
    """One way of looking a key up: the property, the value, and what it names the subject by."""

    by: SubjectKey
    value: str
    matched_by: MatchedBy


class Found(NamedTuple):
    """A look-up's row (as the query returns it) and what the key named its subject by."""

    row: dict
    matched_by: MatchedBy


# How an error names each kind of key.
_WORDS = {MatchedBy.id: "id", MatchedBy.uscc: "USCC", MatchedBy.org_code: "organisation code",
          MatchedBy.reg_no: "registration number", MatchedBy.id_number: "ID number", MatchedBy.name: "name"}
# A key of only these characters (once half-width) is a code or an id, never a name: it is
# not looked up by name, so a mistyped number never reaches the name index.
_CODE_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_.*")
_HALF_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}


def _fifteen_digits(key: str) -> str | None:
    norm = normalise_resident_id(key)
    return norm if len(norm) == 15 and norm.isascii() and norm.isdigit() else None


def may_be_id_number(key: str) -> bool:
    """Whether ``key`` may be a resident ID number (18 digits, even mistyped, or 15 of
    the first generation): personal data, never echoed in clear nor sent to the store."""
    number = _fifteen_digits(key)
    return may_be_resident_id(key) or (number is not None and may_be_old_resident_id(number))


def only_personal(key: str) -> bool:
    """Whether ``key`` can only be personal: it may be an ID number and is no valid USCC.
    The public is never answered on such a key (nor is it looked up for them)."""
    return may_be_id_number(key) and not is_valid_uscc(normalise_uscc(key))


def _attempts(hasher: IdHasher, key: str) -> list[list[_Attempt]]:
    """The look-ups for the subject a caller means by ``key``, step by step: the first
    step that finds a subject answers; the attempts of one step are all made, and more
    than one subject among them is a conflict."""
    key = key.strip()
    if not key:
        return []
    id_number = normalise_resident_id(key)
    # Some valid USCCs are also valid ID numbers (digits only, a birth-date-shaped
    # middle, a check character that fits both): such a key is tried as a USCC first.
    uscc = normalise_uscc(key)
    as_uscc = [[_Attempt(SubjectKey.uscc, uscc, MatchedBy.uscc)]] if is_valid_uscc(uscc) else []
    if is_valid_resident_id(id_number):
        return [*as_uscc, [_Attempt(SubjectKey.id_hash, hasher(id_number), MatchedBy.id_number)]]
    if may_be_resident_id(key):
        return as_uscc  # else a mistyped ID number: no bundle id has its shape (the loader refuses it)
    if (number := _fifteen_digits(key)) is not None:
        step = []
        if may_be_old_resident_id(number):
            step.append(_Attempt(SubjectKey.id_hash, hasher(upgrade_resident_id(number)), MatchedBy.id_number))
        if is_valid_reg_no(number):
            step.append(_Attempt(SubjectKey.reg_no_hash, hasher(number), MatchedBy.reg_no))
        return [step] if step else []
    steps = [[_Attempt(SubjectKey.id, key, MatchedBy.id)], *as_uscc]
    org_code = normalise_resident_id(key)  # half-width, upper-case, no hyphen
    if as_uscc:
        return steps
    if len(org_code) == 9 and is_valid_org_code(org_code):
        steps.append([_Attempt(SubjectKey.org_code, org_code, MatchedBy.org_code)])
    elif not set(key.translate(_HALF_WIDTH)) <= _CODE_CHARS and (name := name_key(key)):
        steps.append([_Attempt(SubjectKey.name_key, name, MatchedBy.name)])
    return steps


def _single(rows: list[tuple[dict, MatchedBy]]) -> Found | None:
    """The one subject ``rows`` (with what found each) name; Conflict if several."""
    by_id = {row["subject"]["id"]: (row, matched) for row, matched in rows}
    if len(by_id) > 1:
        candidates = [{"id": sid, "kind": row["subject"]["kind"], "name": row["subject"].get("name") or ""}
                      for sid, (row, _) in sorted(by_id.items())]
        what = " or ".join(sorted({_WORDS[matched] for _, matched in by_id.values()}))
        listed = ", ".join(f"{c['id']} {c['name']}" for c in candidates)
        raise Conflict(f"{len(by_id)} subjects share this {what} ({listed}); ask by bundle id or USCC",
                       candidates=candidates)
    return Found(*next(iter(by_id.values()))) if by_id else None


def _lookup(store: Store, hasher: IdHasher, key: str, query: str, **params: str) -> Found:
    """The row of ``query`` (which varies by ``SubjectKey`` and takes ``$key``) for
    the subject a caller means by ``key`` (see ``_attempts``)."""
    for step in _attempts(hasher, key):
        rows = [(row, a.matched_by) for a in step
                for row in store.read(query, variant=a.by, key=a.value, **params)]
        if (found := _single(rows)) is not None:
            return found
    raise NotFound(not_found_detail(key))


def _lookup_many(store: Store, hasher: IdHasher, keys: Sequence[str], query: str,
                 **params: str) -> list[Found | None]:
    """``_lookup`` for many keys: the row of ``query`` (which varies by ``SubjectKey``,
    takes ``$keys`` and returns each row's ``key``) for each key, None where it names
    nobody. One read per kind of key and step, however many keys: a handful."""
    plans = [_attempts(hasher, key) for key in keys]
    found: list[Found | None] = [None] * len(keys)
    pending, step = [i for i, plan in enumerate(plans) if plan], 0
    while pending:
        values: dict[SubjectKey, set[str]] = defaultdict(set)
        for i in pending:
            for attempt in plans[i][step]:
                values[attempt.by].add(attempt.value)
        rows: dict[tuple[SubjectKey, str], list[dict]] = defaultdict(list)
        for by, asked in values.items():
            for row in store.read(query, variant=by, keys=sorted(asked), **params):
                rows[(by, row["key"])].append(row)
        later = []
        for i in pending:
            try:
                found[i] = _single([(row, a.matched_by) for a in plans[i][step] for row in rows.get((a.by, a.value), [])])
            except Conflict as exc:
                raise Conflict(f"{shown_key(keys[i])!r}: {exc.detail}", candidates=exc.candidates) from None
            if found[i] is None and step + 1 < len(plans[i]):
                later.append(i)
        pending, step = later, step + 1
    return found


def shown_key(key: str) -> str:
    """A key as it may be echoed (in an error, in the audit log): an ID number masked, and
    any 15-digit number too (it may be an old ID number): region and sequence shown."""
    key = key.strip()
    if may_be_resident_id(key):
        return mask_resident_id(normalise_resident_id(key))
    if (number := _fifteen_digits(key)) is not None:
        return number[:6] + "*" * 6 + number[12:]
    return key


def not_found_detail(key: str) -> str:
    """What a caller is told of a key that names nobody (they may see): the same
    words whether it is unknown or hidden from them, an ID number only masked."""
    return (f"no subject has the key {shown_key(key)!r} (a bundle id, USCC, organisation code, registration "
            f"number, ID number or enterprise name){_why_not(key)}")


def _why_not(key: str) -> str:
    """Why a key that has the shape of a code was not looked up as one (its check
    character is wrong), or ``""``; never a word about an ID number's digits."""
    norm = normalise_resident_id(key)
    if may_be_id_number(key) or not norm.isascii():
        return ""
    if not norm.isalnum():
        return ""
    if len(norm) == 9 and not is_valid_org_code(norm):
        return "; as an organisation code its check character is wrong"
    if len(norm) == 18 and not is_valid_uscc(normalise_uscc(key)):
        return "; as a USCC it is not valid (check character or alphabet)"
    if len(norm) == 15 and norm.isdigit() and not is_valid_reg_no(norm):
        return "; as a registration number its check digit is wrong"
    return ""


def resolve_subject(store: Store, hasher: IdHasher, key: str) -> dict:
    """The subject a caller means by any key it holds (see the module docstring)."""
    return find_subject(store, hasher, key).row["subject"]


def find_subject(store: Store, hasher: IdHasher, key: str) -> Found:
    """``resolve_subject``, with what the key named the subject by (``matched_by``)."""
    return _lookup(store, hasher, key, "subject_by")
