"""Beneficial Ownership Data Standard (BODS 0.4) statements out of the graph: every
subject and every ownership or control relation, masked for the reader
(``loaders.bods`` reads them in; the vocabulary is shared). docs/formats.md has the
mapping and the decisions (share ranges, indirect interests, end dates).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import date, timedelta
from itertools import groupby
from typing import Any, TextIO

from graph_model.privacy.masking import Role, shows_subject
from graph_model.store.base import Store
from graph_model.vocabulary.kinds import OPEN_END, OPEN_START, RelType
from loaders.bods import BOARD, BODS_VERSION, SHARE_RANGE, SUBJECT_IS_FROM
from loaders.interchange import MARKERS, read_relations, read_subjects, with_marker

__all__ = ["export_bods"]

_R = RelType
_EXPORT_INTEREST = {_R.HOLDS_SHARES: "shareholding", _R.ACTUAL_CONTROLLER_OF: "otherInfluenceOrControl",
                    _R.LEGAL_REP_OF: "seniorManagingOfficial", _R.PRINCIPAL_OF: "seniorManagingOfficial",
                    _R.MANAGES: "seniorManagingOfficial", _R.KEY_PERSON_OF: "seniorManagingOfficial",
                    _R.SUPERVISED_BY: "controlByLegalFramework", _R.BRANCH_OF: "controlViaCompanyRulesOrArticles"}
# Beneficial owner (受益所有人): 25 % of the shares or actual control (受益所有人信息管理办法, 2024).
_BO_SHARE = 25.0
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://sanctionnet.invalid/bods/statement")


def _statement(record_id: str, record_type: str, declared: str, details: dict, published: str) -> dict:
    body = {"declarationSubject": declared, "recordId": record_id, "recordStatus": "new", "recordType": record_type,
            "recordDetails": details, "statementDate": published}
    digest = json.dumps(body, ensure_ascii=False, sort_keys=True)
    return {"statementId": str(uuid.uuid5(_NAMESPACE, digest)), **body,
            "publicationDetails": {"bodsVersion": BODS_VERSION, "publicationDate": published,
                                   "publisher": {"name": "sanctionnet"}}}


def _bods_subject(row: dict) -> dict:
    if row["kind"] == "person":
        details: dict[str, Any] = {"isComponent": False, "personType": "knownPerson",
                                   "names": [{"type": "legal", "fullName": row["name"]}]}
        return {"type": "person", "details": details}
    entity_type = "stateBody" if row["kind"] == "public_body" else "registeredEntity"
    details = {"isComponent": False, "entityType": {"type": entity_type}, "name": row["name"]}
    if row["uscc"]:
        details["identifiers"] = [{"id": row["uscc"], "scheme": "CN-USCI",
                                   "schemeName": "统一社会信用代码 (Unified Social Credit Identifier)"}]
        details["jurisdiction"] = {"code": "CN", "name": "China"}
    if row["established"]:
        details["foundingDate"] = row["established"]
    return {"type": "entity", "details": details}


def _bods_interest(row: dict, party_kind: str) -> dict:
    rel = RelType(row["type"])
    title = row["title"]
    tokens = title.split("; ") if title else []
    interest: dict[str, Any] = {"type": _EXPORT_INTEREST[rel],
                                "directOrIndirect": "indirect" if "indirect" in tokens else "direct"}
    share = row["share"]
    if rel is _R.HOLDS_SHARES and share is not None:
        interest["type"] = "votingRights" if "votingRights" in tokens else "shareholding"
        match = next(filter(None, map(SHARE_RANGE.fullmatch, tokens)), None)
        if match:
            low_in, low, high, high_in = match.groups()
            interest["share"] = {"minimum" if low_in == "[" else "exclusiveMinimum": float(low),
                                 "maximum" if high_in == "]" else "exclusiveMaximum": float(high)}
        else:
            interest["share"] = {"exact": share, "minimum": share, "maximum": share}
    if rel is _R.KEY_PERSON_OF:
        interest["type"] = next((code for code in BOARD if code in tokens), None) or (
            "boardChair" if re.search(r"董事长|chair", title or "", re.I) else
            "boardMember" if re.search(r"董事|director|board", title or "", re.I) else "seniorManagingOfficial")
    details = with_marker(rel, title) if rel in MARKERS else title
    if details:
        interest["details"] = details
    interest["beneficialOwnershipOrControl"] = party_kind == "person" and (
        rel is _R.ACTUAL_CONTROLLER_OF or (rel is _R.HOLDS_SHARES and (share or 0) >= _BO_SHARE))
    if row["valid_from"] and row["valid_from"] != OPEN_START:
        interest["startDate"] = row["valid_from"]
    if row["valid_to"] and row["valid_to"] != OPEN_END:
        # BODS endDate is the day the interest ceased: the day after our last day.
        interest["endDate"] = (date.fromisoformat(row["valid_to"]) + timedelta(days=1)).isoformat()
    return interest


def export_bods(store: Store, out: TextIO, *, published: date | None = None, reader: Role = Role.admin) -> int:
    """Write every subject and every ownership or control relation as a BODS 0.4 JSON
    array (``sanctionnet export bods FILE``); return the number of statements.

    The relations one subject holds in another are one relationship record, with an
    interest per role period; STAFF_OF and RELATIVE_OF (neither ownership nor control)
    are left out. Statement ids are uuid5 of the content, so the same graph and
    ``published`` date (default today) give the same file.
    """
    day = (published or date.today()).isoformat()
    written = 0
    kinds: dict[str, str] = {}
    out.write("[")
    for row in read_subjects(store):
        if not shows_subject(row["kind"], reader):
            continue  # the public's view: no person, no tie to one
        kinds[row["id"]] = row["kind"]
        subject = _bods_subject(row)
        written += _emit(out, _statement(row["id"], subject["type"], row["id"], subject["details"], day), written)
    # Periods come sorted by holder, then by what is held: one pair's periods are adjacent.
    pairs = groupby(read_relations(store, list(kinds), _EXPORT_INTEREST), key=lambda r: (r["from_id"], r["to_id"]))
    for (from_id, to_id), rows in pairs:
        if to_id not in kinds:
            continue
        rows = list(rows)
        for unit in (False, True):
            interests = [_bods_interest(r, kinds.get(from_id, "")) for r in rows
                         if (RelType(r["type"]) in SUBJECT_IS_FROM) is unit]
            if interests:
                subject, party = (from_id, to_id) if unit else (to_id, from_id)
                key = f"{subject}\x1f{party}\x1f{int(unit)}"
                record_id = "rel-" + hashlib.sha256(key.encode()).hexdigest()[:32]
                details = {"isComponent": False, "subject": subject, "interestedParty": party, "interests": interests}
                written += _emit(out, _statement(record_id, "relationship", subject, details, day), written)
    out.write("\n]\n")
    return written


def _emit(out: TextIO, statement: dict, written: int) -> int:
    out.write((",\n" if written else "\n") + json.dumps(statement, ensure_ascii=False, sort_keys=True))
    return 1
