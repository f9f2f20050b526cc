"""FollowTheMoney (FtM) entities out of the graph: every subject, role period and list
entry, read with the named queries of ``cypher/export.cypher`` and masked for the
reader (``loaders.ftm`` reads them in; the mapping is shared). docs/formats.md has the
mapping and what is left out.
"""

from __future__ import annotations

import hashlib
import json
from typing import TextIO

from graph_model.catalogue.model import Catalogue
from graph_model.privacy.masking import Role, shows_entry, shows_persons, shows_subject
from graph_model.store.base import Store
from graph_model.vocabulary.kinds import OPEN_END, OPEN_START, RelType
from loaders.convert import number_text
from loaders.ftm import LINKS, SUMMARY_PREFIX
from loaders.interchange import MARKERS, read_entries, read_relations, read_subjects, with_marker

__all__ = ["export_ftm"]

_R = RelType
_EXPORT_LINK = {rel: schema for schema, spec in LINKS.items() for rel in {spec[3], *spec[4]} - {None}}
_FTM_SCHEMA = {"enterprise": "Company", "person": "Person", "public_body": "PublicBody"}


def _dates(props: dict, valid_from: str | None, valid_to: str | None) -> None:
    if valid_from and valid_from != OPEN_START:
        props["startDate"] = [valid_from]
    if valid_to and valid_to != OPEN_END:
        props["endDate"] = [valid_to]


def _ftm_subject(row: dict) -> dict:
    props: dict[str, list[str]] = {"name": [row["name"]]}
    if row["uscc"]:
        props["uscCode"], props["registrationNumber"] = [row["uscc"]], [row["uscc"]]
    if row["established"] and row["kind"] != "person":
        props["incorporationDate"] = [row["established"]]
    if row["status"]:
        props["status"] = [row["status"]]
    if row["ownership"] == "soe":
        props["topics"] = ["gov.soe"]
    return {"id": row["id"], "schema": _FTM_SCHEMA[row["kind"]], "properties": props}


def _ftm_relation(row: dict) -> dict:
    rel = RelType(row["type"])
    schema = _EXPORT_LINK[rel]
    src, dst, title_prop, _, _ = LINKS[schema]
    props: dict[str, list[str]] = {src: [row["from_id"]], dst: [row["to_id"]]}
    role = with_marker(rel, row["title"]) if rel in MARKERS else row["title"]
    if role:
        props[title_prop] = [role]
    if rel is _R.HOLDS_SHARES and row["share"] is not None:
        props["percentage"] = [number_text(row["share"])]
    _dates(props, row["valid_from"], row["valid_to"])
    key = "\x1f".join((row["from_id"], row["to_id"], rel.value, row["valid_from"] or OPEN_START))
    return {"id": "rel-" + hashlib.sha256(key.encode()).hexdigest()[:32], "schema": schema, "properties": props}


def _ftm_sanction(row: dict) -> dict:
    props = {"entity": [row["subject_id"]], "authority": [row["deciding_dept"]], "authorityId": [row["basis"]],
             "reason": [row["basis_kind"]], "program": [row["list"]], "programId": [row["list"]],
             "listingDate": [row["determined"]], "status": [row["state"]], "recordId": [row["entry_id"]],
             "country": ["cn"]}
    _dates(props, row["determined"], row["valid_to"])
    if row["measures"]:
        props["provisions"] = list(row["measures"])
    extra = {k: v for k, v in (("region", row["region"]), ("state_since", row["state_since"]),
                               ("named", list(row["named"] or [])), ("permanent", bool(row["permanent"]))) if v}
    if extra:
        props["summary"] = [SUMMARY_PREFIX + json.dumps(extra, ensure_ascii=False, sort_keys=True)]
    return {"id": "entry-" + hashlib.sha256(row["entry_id"].encode()).hexdigest()[:32], "schema": "Sanction",
            "properties": props}


def export_ftm(store: Store, out: TextIO, *, reader: Role = Role.admin, catalogue: Catalogue | None = None) -> int:
    """Write every subject, role period and list entry as FtM entities, one JSON object
    per line (``sanctionnet export ftm FILE``); return how many. For a ``public``
    reader (``catalogue`` then needed): no person, no tie to one, and only restricting
    listings in force, naming nobody.

    The order is fixed (subjects, then role periods by holder, then entries) and the ids
    of periods and entries are hashes of their keys, so the same graph gives the same
    file. Persons carry their name only: no ID number, hash or masked form.
    """
    written = 0
    ids: list[str] = []
    for row in read_subjects(store):
        if shows_subject(row["kind"], reader):
            ids.append(row["id"])
            written += _emit(out, _ftm_subject(row))
    shown = set(ids)
    for row in read_relations(store, ids, RelType):
        if row["to_id"] in shown:
            written += _emit(out, _ftm_relation(row))
    for row in read_entries(store):
        effect = catalogue.lists[row["list"]].effect if catalogue and row["list"] in catalogue.lists else None
        if row["subject_id"] in shown and shows_entry(row, effect, reader):
            written += _emit(out, _ftm_sanction(row if shows_persons(reader) else {**row, "named": []}))
    return written


def _emit(out: TextIO, entity: dict) -> int:
    out.write(json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n")
    return 1
