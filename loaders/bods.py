"""Beneficial Ownership Data Standard (BODS 0.4) statements into the graph
(``exports.bods`` writes them out, with the vocabulary named here).

It reads a JSON array (or JSON lines) of entity, person and relationship
statements, keeps the latest statement of each record (``statementDate`` order),
turns records into bundle rows (docs/bundle.md) and loads them through
:class:`loaders.convert.BundleWriter`. docs/formats.md has the mapping and the decisions (share ranges, indirect interests, closed records, end
dates).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from graph_model.catalogue.model import Catalogue
from graph_model.identity.pii import IdHasher
from graph_model.store.base import Store
from graph_model.vocabulary.kinds import RelType
from loaders.bundle import LoadReport
from loaders.convert import BundleWriter, Conversion, number_text
from loaders.interchange import (LEGAL_REP, bundle_id, iso_day, read_json_records, split_marker, usable_resident_id,
                                 usable_uscc)
from loaders.source_ids import attach_records, record_source

__all__ = ["BOARD", "BODS_VERSION", "SHARE_RANGE", "SUBJECT_IS_FROM", "bods_to_bundle", "load_bods"]

BODS_VERSION = "0.4"
_R = RelType
_ENTITY_KINDS = {"registeredEntity": "enterprise", "legalEntity": "enterprise", "stateBody": "public_body",
                 "state": "public_body"}
_NOT_SUBJECTS = {
    "arrangement": "an arrangement (trust, nomination, joint holding) has no legal personality: not a subject",
    "anonymousEntity": "an anonymous entity cannot be identified: not a subject",
    "unknownEntity": "an unknown entity cannot be identified: not a subject",
    "anonymousPerson": "an anonymous person cannot be identified: not a subject",
    "unknownPerson": "an unknown person cannot be identified: not a subject",
}
# org-id.guide lists for the USCC (CN-USCI) and its registration authority (CN-SAIC, now SAMR).
_USCC_SCHEMES = {"CN-USCI", "CN-SAIC", "CN-SAMR"}
_USCC_NAME = re.compile(r"统一社会信用代码|unified social credit", re.I)
_ID_CARD_NAME = re.compile(r"居民身份证|resident identity card", re.I)
_SHARES = {"shareholding", "votingRights"}
BOARD = ("boardChair", "boardMember", "seniorManagingOfficial")
_CONTROL = {"otherInfluenceOrControl", "appointmentOfBoard", "controlViaCompanyRulesOrArticles",
            "controlByLegalFramework", "rightsGrantedByContract", "conditionalRightsGrantedByContract", "votingRights"}
SHARE_RANGE = re.compile(r"^share ([\[(])(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)([\])])$")
# Relations whose BODS subject is the holder of the role (a unit and its superior, a
# branch and its parent); for every other type the subject is the entity held.
SUBJECT_IS_FROM = {_R.SUPERVISED_BY, _R.BRANCH_OF}


# ---------------------------------------------------------------------- BODS import


def _subject(rid: str, st: dict, where: str, conversion: Conversion, writer: BundleWriter, kinds: dict[str, str],
             gone: dict[str, str]) -> None:
    """An entity or person record as a subject row (or a reason it is not one, in ``gone``)."""
    details = st.get("recordDetails") if isinstance(st.get("recordDetails"), dict) else {}
    record_type = st["recordType"]
    if record_type == "entity":
        sort = details.get("entityType").get("type") if isinstance(details.get("entityType"), dict) else None
    else:
        sort = details.get("personType") or "knownPerson"
    sort = sort if isinstance(sort, str) else None
    sid = bundle_id(rid)
    kind = "person" if record_type == "person" and sort == "knownPerson" else _ENTITY_KINDS.get(sort)
    reason = ("record id may be an ID number: ids are shown in clear" if sid is None
              else _NOT_SUBJECTS.get(sort) or (None if kind else f"{record_type} type {sort!r} has no counterpart"))
    name = details.get("name") if record_type == "entity" else _person_name(details.get("names"))
    if reason is None and not (isinstance(name, str) and name.strip()):
        reason = "no name"
    if reason:
        gone[rid] = reason
        conversion.skip(f"{record_type}:{sort}", reason, where)
        return
    row: dict[str, Any] = {"id": sid, "kind": kind, "name": name.strip()[:2000]}
    identifiers = [i for i in details.get("identifiers") or [] if isinstance(i, dict)]
    if kind == "person":
        row["id_number"] = next((usable_resident_id(i.get("id")) for i in identifiers if _id_card_scheme(i)
                                 and usable_resident_id(i.get("id"))), None)
        conversion.note("names beyond the first (aliases) not kept", int(len(details.get("names") or []) > 1))
    else:
        row["uscc"] = next((usable_uscc(i.get("id")) for i in identifiers if _uscc_scheme(i)
                            and usable_uscc(i.get("id"))), None)
        row["established"], widened = iso_day(details.get("foundingDate"))
        conversion.note("dates given as a year or month only, widened", int(widened))
        row["status"] = "dissolved" if details.get("dissolutionDate") else None
        conversion.note("names beyond the first (aliases) not kept", int(bool(details.get("alternateNames"))))
    conversion.note("identifiers other than a USCC or resident ID number ignored",
               int(len(identifiers) > int(bool(row.get("uscc") or row.get("id_number")))))
    conversion.note("closed entity and person records kept as subjects", int(st.get("recordStatus") == "closed"))
    kinds[sid] = kind
    writer.add("subjects.csv", row, where, sid)
    # Kept as the subject's source record, with only the identifier used (the others are never stored).
    used = [i for i in identifiers if (row.get("uscc") and usable_uscc(i.get("id")) == row["uscc"])
            or (row.get("id_number") and usable_resident_id(i.get("id")) == row["id_number"])]
    record_source(writer, conversion, sid, where, {
        **{k: st.get(k) for k in ("recordId", "statementId", "statementDate", "recordStatus", "recordType")},
        "recordDetails": {**details, "identifiers": used}})


def _uscc_scheme(identifier: dict) -> bool:
    scheme = str(identifier.get("scheme") or "").upper()
    return scheme in _USCC_SCHEMES or bool(_USCC_NAME.search(str(identifier.get("schemeName") or "")))


def _id_card_scheme(identifier: dict) -> bool:
    """A Chinese resident identity card: BODS person scheme CHN-IDCARD ({JURISDICTION}-{TYPE})."""
    scheme = str(identifier.get("scheme") or "").upper()
    return scheme == "CHN-IDCARD" or bool(_ID_CARD_NAME.search(str(identifier.get("schemeName") or "")))


def _person_name(names: Any) -> str | None:
    names = [n for n in names or [] if isinstance(n, dict)]
    chosen = next((n for n in names if n.get("type") == "legal"), names[0] if names else {})
    given = " ".join(str(chosen[k]) for k in ("givenName", "familyName") if chosen.get(k))
    return chosen.get("fullName") or given or None


def _share(share: Any) -> tuple[float | None, str | None]:
    """The share to store and, for a range, the title token recording it: a range is
    stored as its lower bound (never overstating a stake) with ``share [25,50)``."""
    if not isinstance(share, dict):
        return None, None
    num = {k: float(v) for k, v in share.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    if 0 < num.get("exact", -1) <= 100:
        return num["exact"], None
    low, low_in = (num["minimum"], True) if "minimum" in num else (num.get("exclusiveMinimum"), False)
    high, high_in = ((num["maximum"], True) if "maximum" in num else
                     (num["exclusiveMaximum"], False) if "exclusiveMaximum" in num else (100.0, True))
    if low is None or not 0 < low <= 100:
        return None, None
    if low == high and low_in and high_in:
        return low, None
    return low, f"share {'[' if low_in else '('}{number_text(low)},{number_text(high)}{']' if high_in else ')'}"


def _compose(details: str | None, tokens: list[str]) -> str | None:
    """A title: the interest's details, then the structural tokens not already in them."""
    parts = [p for p in (details or "").split("; ") if p]
    parts += [t for t in tokens if t not in parts]
    return "; ".join(parts)[:200] or None


def _interest(interest: dict, subject_kind: str | None, party_kind: str | None,
              ) -> tuple[RelType | None, str | None, float | None, str]:
    """(type, title, share, why not) for one interest; type None when it maps to nothing."""
    kind = interest.get("type") if isinstance(interest.get("type"), str) else None
    details = interest.get("details") if isinstance(interest.get("details"), str) else None
    tokens = ["indirect"] if interest.get("directOrIndirect") == "indirect" else []
    rel, rest = split_marker(details)
    if rel is not None:
        return rel, _compose(rest, tokens), None, ""
    if details and LEGAL_REP.search(details):
        return _R.LEGAL_REP_OF, _compose(None if LEGAL_REP.fullmatch(details.strip()) else details, tokens), None, ""
    if kind in _SHARES:
        share, token = _share(interest.get("share"))
        if share is not None:
            tokens += (["votingRights"] if kind == "votingRights" else []) + ([token] if token else [])
            return _R.HOLDS_SHARES, _compose(details, tokens), share, ""
    if kind in BOARD:
        return _R.KEY_PERSON_OF, _compose(details, tokens) or kind, None, ""
    if kind in _CONTROL:
        if party_kind == "public_body" and subject_kind in ("enterprise", "public_body"):
            return _R.SUPERVISED_BY, _compose(details, tokens + [kind]), None, ""
        if interest.get("beneficialOwnershipOrControl") is True:
            return _R.ACTUAL_CONTROLLER_OF, _compose(details, tokens + [kind]), None, ""
        return None, None, None, "a control interest not marked beneficialOwnershipOrControl is not an actual controller"
    if kind in _SHARES:
        return None, None, None, "no share figure: a shareholding needs a share"
    return None, None, None, "interest has no type" if not kind else "no counterpart among our role types"


def _relationship(rid: str, st: dict, where: str, conversion: Conversion, writer: BundleWriter, kinds: dict[str, str],
                  gone: dict[str, str]) -> None:
    details = st.get("recordDetails") if isinstance(st.get("recordDetails"), dict) else {}
    ends = {"subject": details.get("subject"), "interested party": details.get("interestedParty")}
    for side, end in ends.items():
        if not isinstance(end, str):
            reason = end.get("reason") if isinstance(end, dict) else None
            conversion.skip("relationship", f"{side} not specified ({reason or 'no reason given'})", where)
            return
        if end in gone:
            conversion.skip("relationship", f"{side} is not a subject: {gone[end]}", where)
            return
    subject, party = bundle_id(ends["subject"]), bundle_id(ends["interested party"])
    if subject is None or party is None:
        conversion.skip("relationship", "names a record whose id may be an ID number", where)
        return
    interests = [i for i in details.get("interests") or [] if isinstance(i, dict)]
    if not interests:
        conversion.skip("relationship", "no interests", where)
    closed = iso_day(st.get("statementDate"))[0] if st.get("recordStatus") == "closed" else None
    seen: set[tuple[RelType, str | None]] = set()
    for interest in interests:
        rel, title, share, why = _interest(interest, kinds.get(subject), kinds.get(party))
        if rel is None:
            conversion.skip(f"interest:{interest.get('type') or '(none)'}", why, where)
            continue
        valid_from = iso_day(interest.get("startDate"))[0]
        if (rel, valid_from) in seen:
            conversion.note("interests merged into a role period of the same type and start")
            continue
        seen.add((rel, valid_from))
        from_id, to_id = (subject, party) if rel in SUBJECT_IS_FROM else (party, subject)
        writer.add("relations.csv", {"from_id": from_id, "to_id": to_id, "type": rel.value, "share": share,
                                    "valid_from": valid_from, "valid_to": _last_day(interest.get("endDate"), closed),
                                    "title": title}, where, bundle_id(rid))


def _last_day(end_date: Any, closed_on: str | None) -> str | None:
    """The last day (inclusive) of an interest: BODS ``endDate`` is the day it ceased,
    so the day before; a closed record without one ended the day before it closed."""
    day, widened = iso_day(end_date, end=True)
    if day is None and closed_on is None:
        return None
    if widened:
        return day
    return (date.fromisoformat(day or closed_on) - timedelta(days=1)).isoformat()


def _convert(path: Path, conversion: Conversion, writer: BundleWriter) -> None:
    """Add the rows of one BODS file: the latest statement of each record (by
    ``statementDate``, then file order) stands for it; subjects before relationships."""
    latest: dict[str, tuple[tuple[str, int], dict, str]] = {}
    for position, (where, st) in enumerate(read_json_records(path)):
        record_type = st.get("recordType") if isinstance(st, dict) else None
        if record_type not in ("entity", "person", "relationship"):
            kind = "(BODS 0.2/0.3 statement)" if isinstance(st, dict) and "statementType" in st else "(not a statement)"
            conversion.count(kind)
            conversion.skip(kind, "only BODS 0.4 statements (with a recordType) are read", where)
            continue
        conversion.count(record_type)
        rid = st.get("recordId") or st.get("statementId")
        if not isinstance(rid, str) or not rid.strip():
            conversion.skip(record_type, "no recordId or statementId", where)
            continue
        key = (str(st.get("statementDate") or ""), position)
        if rid in latest:
            conversion.note("statements replaced by a later statement of the same record")
        if rid not in latest or key >= latest[rid][0]:
            latest[rid] = (key, st, where)
    kinds: dict[str, str] = {}
    gone: dict[str, str] = {}
    for rid, (_, st, where) in latest.items():
        if st["recordType"] != "relationship":
            _subject(rid, st, where, conversion, writer, kinds, gone)
    for rid, (_, st, where) in latest.items():
        if st["recordType"] == "relationship":
            _relationship(rid, st, where, conversion, writer, kinds, gone)


def bods_to_bundle(paths: list[Path]) -> tuple[Conversion, BundleWriter]:
    """Convert BODS 0.4 statement files (a JSON array or JSON lines) into bundle rows,
    without loading. Entities and known persons become subjects; each interest of a
    relationship becomes a role period, or is skipped in the conversion with the reason.
    Each file stands alone: a statement replaces only statements of its own file. Each
    subject is under its record id, with its record as a source row (sources.csv).
    """
    conversion, writer = Conversion(), BundleWriter()
    for path in paths:
        _convert(Path(path), conversion, writer)
    return conversion, writer


def load_bods(store: Store, catalogue: Catalogue, hasher: IdHasher, paths: list[Path], *, batch_size: int = 20_000,
              progress: Callable[[str, int], None] | None = None) -> LoadReport:
    """Convert BODS files and load their rows as one bundle (``sanctionnet load bods PATH...``).

    Identity resolution first (:func:`loaders.source_ids.attach_records`): an entity or
    person whose USCC, name or ID number is a stored subject's (from FtM, a registry, a
    court, an earlier load) joins it; a new subject keeps its record id.
    """
    conversion, writer = bods_to_bundle(paths)
    attach_records(store, hasher, writer, conversion, source="bods")
    return writer.load(store, catalogue, hasher, conversion, batch_size=batch_size, progress=progress)
