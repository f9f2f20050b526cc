"""FollowTheMoney (FtM) entities into the graph (``exports.ftm`` writes them out).

It turns FtM entity JSON (one entity per line, or one JSON array) into bundle rows
(docs/bundle.md) and loads them through :class:`loaders.convert.BundleWriter`, so that
validation, rejects and idempotency are the bundle loader's. ``LINKS`` and
``SUMMARY_PREFIX`` are the mapping both directions share. docs/formats.md has the
mapping and what is left out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graph_model.catalogue.model import Catalogue, load_catalogue
from graph_model.identity.pii import IdHasher
from graph_model.store.base import Store
from graph_model.vocabulary.kinds import BasisKind, EntryState, RelType
from loaders.bundle import LoadReport
from loaders.convert import BundleWriter, Conversion
from loaders.interchange import (LEGAL_REP, bundle_id, iso_day, read_json_records, split_marker, usable_resident_id,
                                 usable_uscc)
from loaders.source_ids import attach_records, record_source

__all__ = ["LINKS", "SUMMARY_PREFIX", "ftm_to_bundle", "load_ftm"]

_R = RelType
# link schema -> (from property, to property, title property, default type, marked types)
LINKS: dict[str, tuple[str, str, str, RelType | None, set[RelType]]] = {
    "Ownership": ("owner", "asset", "role", _R.HOLDS_SHARES, {_R.ACTUAL_CONTROLLER_OF}),
    "Directorship": ("director", "organization", "role", _R.KEY_PERSON_OF,
                     {_R.LEGAL_REP_OF, _R.PRINCIPAL_OF, _R.MANAGES}),
    "Employment": ("employee", "employer", "role", _R.STAFF_OF, set()),
    "Family": ("person", "relative", "relationship", _R.RELATIVE_OF, set()),
    "UnknownLink": ("subject", "object", "role", None, {_R.BRANCH_OF, _R.SUPERVISED_BY}),
}
_SUBJECTS = {"Company": "enterprise", "LegalEntity": "enterprise", "Organization": "enterprise",
             "PublicBody": "public_body", "Person": "person"}
_NOT_MAPPED = {
    "Sanction": "a foreign sanction is not an entry on one of our catalogue lists",
    "Address": "addresses are not kept: a subject carries a region code only",
    "Payment": "payments are not role relations",
    "Passport": "identity documents are not kept: foreign ID numbers are never stored",
    "Identification": "identity documents are not kept: foreign ID numbers are never stored",
}
_ORG_IDS = ("uscCode", "registrationNumber", "taxNumber", "vatCode")
_ID_PROPS = {"registrationNumber", "taxNumber", "idNumber", "innCode", "ogrnCode", "leiCode", "vatCode", "uscCode",
             "okpoCode", "kppCode", "passportNumber", "socialSecurityNumber", "dunsCode", "bikCode", "swiftBic"}
# Names of government bodies: 人民政府, 委员会, 局, 厅, courts and procuratorates, 办公室/办公厅, the
# ministries (中华人民共和国…部; a bare 部 would take 俱乐部, 总部 and 营业部 too), and English forms.
_GOV_NAME = re.compile(r"(人民政府|委员会|局|厅|人民法院|人民检察院|办公室|办公厅)$|^中华人民共和国.{1,12}部$|"
                       r"^(Ministry|Department|Bureau|Commission|Office) of\b|People's (Government|Court|Procuratorate)",
                       re.I)
_PRINCIPAL = re.compile(r"主要负责人")
_CONTROLLER = re.compile(r"实际控制人|actual\s+controller", re.I)
SUMMARY_PREFIX = "sanctionnet "  # prefix of an exported Sanction's summary: JSON of entry fields FtM has no property for


# ----------------------------------------------------------------------------- import


def _values(props: dict, name: str) -> list[str]:
    """The text values of an FtM property (a nested entity counts by its id)."""
    raw = props.get(name) or []
    out = []
    for value in raw if isinstance(raw, list) else [raw]:
        if isinstance(value, dict):
            value = value.get("id")
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip():
            out.append(str(value).strip())
    return out


def _span(props: dict, conversion: Conversion) -> tuple[str | None, str | None]:
    """(valid_from, valid_to) from startDate/endDate: earliest start, latest end."""
    days = {}
    for prop, end in (("startDate", False), ("endDate", True)):
        parsed = [iso_day(v, end=end) for v in _values(props, prop)]
        conversion.note("dates given as a year or month only, widened", sum(widened for _, widened in parsed))
        conversion.note("unreadable dates ignored", sum(day is None for day, _ in parsed))
        good = [day for day, _ in parsed if day]
        days[prop] = (max(good) if end else min(good)) if good else None
    return days["startDate"], days["endDate"]


def _title(text: str | None, conversion: Conversion) -> str | None:
    if text and len(text) > 200:
        conversion.note("titles cut to 200 characters")
        return text[:200]
    return text


def _subject(entity: dict, sid: str, where: str, conversion: Conversion, writer: BundleWriter) -> None:
    schema, props = entity["schema"], entity["properties"]
    names = _values(props, "name")
    name = names[0] if names else (entity.get("caption") or " ".join(
        _values(props, "firstName")[:1] + _values(props, "lastName")[:1])).strip()
    if not name:
        conversion.skip(schema, "no name", where)
        return
    if len(set(names)) > 1 or any(_values(props, p) for p in ("alias", "weakAlias", "previousName")):
        conversion.note("names beyond the first (aliases) not kept")
    kind = _SUBJECTS[schema]
    topics = _values(props, "topics")
    if schema == "Organization" and (_GOV_NAME.search(name) or any(
            t.startswith("gov.") and t != "gov.soe" for t in topics)):
        kind = "public_body"
    row: dict[str, Any] = {"id": sid, "kind": kind, "name": name[:2000], "status": (_values(props, "status") or [None])[0]}
    if row["status"] and len(row["status"]) > 64:
        row["status"] = row["status"][:64]
    if kind == "person":
        row["id_number"] = next(filter(None, map(usable_resident_id, _values(props, "idNumber"))), None)
        used = {"idNumber"} if row["id_number"] else set()
        ignored = "person identifiers other than a valid resident ID number ignored"
    else:
        codes = {prop: [c for c in map(usable_uscc, _values(props, prop)) if c] for prop in _ORG_IDS}
        row["uscc"] = next((c[0] for c in codes.values() if c), None)
        used = {prop for prop, c in codes.items() if row["uscc"] in c}
        row["established"], widened = iso_day((_values(props, "incorporationDate") or [None])[0])
        conversion.note("dates given as a year or month only, widened", int(widened))
        row["ownership"] = "soe" if "gov.soe" in topics else None
        ignored = "identifiers other than a valid USCC ignored"
    conversion.note(ignored, int(any(_values(props, p) for p in _ID_PROPS - used)))
    if kind == "enterprise" and schema != "Company" and (row["uscc"] or "").startswith("1"):
        # Registration department 1 (机构编制): government organs and public institutions.
        row["kind"] = "public_body"
    writer.add("subjects.csv", row, where, sid)
    # Kept as the subject's source record, without the identifiers that are never stored.
    record_source(writer, conversion, sid, where, {"id": sid, "schema": schema, "properties": {
        k: v for k, v in props.items() if k not in _ID_PROPS - used}})


def _link_type(schema: str, role: str | None, has_share: bool) -> tuple[RelType | None, str | None]:
    """The type a link becomes, and its title: a marker, a role that says 法定代表人 /
    主要负责人 (Directorship) or 实际控制人 (Ownership without a percentage), or the default."""
    _, _, _, default, marked = LINKS[schema]
    rel, rest = split_marker(role)
    if rel in marked:
        return rel, rest
    found = None
    if role and schema == "Directorship":
        found = next(((p, t) for p, t in ((LEGAL_REP, _R.LEGAL_REP_OF), (_PRINCIPAL, _R.PRINCIPAL_OF))
                      if p.search(role)), None)
    elif role and schema == "Ownership" and not has_share and _CONTROLLER.search(role):
        found = (_CONTROLLER, _R.ACTUAL_CONTROLLER_OF)
    if found:
        # A bare "法定代表人" is no title; "法定代表人、董事长" keeps its wording.
        return found[1], None if found[0].fullmatch(role.strip()) else role
    return default, role


def _share(percentage: list[str]) -> float | None:
    """The first percentage as a share in (0, 100] (``51``, ``51.5%``, ``51,5``), or None."""
    try:
        share = float(percentage[0].strip().rstrip("%").strip().replace(",", "."))
    except ValueError:
        return None
    return share if 0 < share <= 100 else None


def _link(entity: dict, fid: str, where: str, conversion: Conversion, writer: BundleWriter) -> None:
    schema, props = entity["schema"], entity["properties"]
    src, dst, title_prop, _, _ = LINKS[schema]
    ends = [_values(props, src), _values(props, dst)]
    if not all(ends):
        conversion.skip(schema, f"lacks {src} or {dst}", where)
        return
    conversion.note("link ends beyond the first ignored", int(any(len(e) > 1 for e in ends)))
    from_id, to_id = bundle_id(ends[0][0]), bundle_id(ends[1][0])
    if from_id is None or to_id is None:
        conversion.skip(schema, "names an entity whose id may be an ID number", where)
        return
    role = "; ".join(_values(props, title_prop)) or None
    percentage = _values(props, "percentage")
    rel, title = _link_type(schema, role, bool(percentage))
    if rel is None:
        conversion.skip(schema, "the nature of an UnknownLink is not known", where)
        return
    share = None
    conversion.note("percentages of actual-controller links not kept",
                    int(rel is _R.ACTUAL_CONTROLLER_OF and bool(percentage)))
    if rel is _R.HOLDS_SHARES:
        if not percentage:
            conversion.skip(schema, "no percentage: a shareholding needs a share", where)
            return
        share = _share(percentage)
        if share is None:
            conversion.skip(schema, "percentage is not a number in (0, 100]", where)
            return
    valid_from, valid_to = _span(props, conversion)
    writer.add("relations.csv", {"from_id": from_id, "to_id": to_id, "type": rel.value, "share": share,
                                 "valid_from": valid_from, "valid_to": valid_to, "title": _title(title, conversion)},
               where, fid)


def _sanction(entity: dict, fid: str, where: str, conversion: Conversion, writer: BundleWriter,
              list_ids: set[str]) -> None:
    props = entity["properties"]
    lists = [v for v in _values(props, "programId") + _values(props, "program") if v in list_ids]
    if not lists:
        conversion.skip("Sanction", _NOT_MAPPED["Sanction"], where)
        return
    first = {p: (_values(props, p) or [None])[0] for p in
             ("entity", "authority", "authorityId", "reason", "listingDate", "startDate", "status", "endDate")}
    subject_id = bundle_id(first["entity"])
    if first["entity"] and subject_id is None:
        conversion.skip("Sanction", "names an entity whose id may be an ID number", where)
        return
    missing = [p for p in ("entity", "authority", "authorityId", "reason") if not first[p]]
    missing += [] if first["listingDate"] or first["startDate"] else ["listingDate"]
    if missing:
        conversion.skip("Sanction", f"a Sanction on our list needs {', '.join(missing)} to become an entry", where)
        return
    state = (first["status"] or "active").lower()
    if first["reason"] not in set(BasisKind) or state not in set(EntryState):
        conversion.skip("Sanction", "reason must be a basis kind and status an entry state", where)
        return
    conversion.note("Sanctions without a status taken as active", int(first["status"] is None))
    extra = next((_summary(s) for s in _values(props, "summary") if s.startswith(SUMMARY_PREFIX)), {})
    entry_id = bundle_id((_values(props, "recordId") or [None])[0]) or fid
    named = extra.get("named") if isinstance(extra.get("named"), list) else []
    writer.add("entries.csv", {
        "entry_id": entry_id, "subject_id": subject_id, "list": lists[0],
        "deciding_dept": first["authority"], "basis": first["authorityId"], "basis_kind": first["reason"],
        "determined": iso_day(first["listingDate"] or first["startDate"])[0], "state": state,
        "valid_to": iso_day(first["endDate"], end=True)[0], "region": extra.get("region"),
        "state_since": extra.get("state_since"), "named": [i for i in map(bundle_id, named) if i],
        "measures": _values(props, "provisions"), "permanent": bool(extra.get("permanent"))}, where, fid)


def _summary(text: str) -> dict:
    """Entry fields an exported Sanction carries in its summary (region, state_since, ...)."""
    try:
        value = json.loads(text[len(SUMMARY_PREFIX):])
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _convert(path: Path, conversion: Conversion, writer: BundleWriter, list_ids: set[str]) -> None:
    """Add the rows of one FtM file; links and Sanctions after the file's subjects."""
    links: list[tuple[dict, str, str]] = []
    for where, entity in read_json_records(path):
        if not (isinstance(entity, dict) and isinstance(entity.get("schema"), str) and entity.get("id")):
            conversion.count("(not an entity)")
            conversion.skip("(not an entity)", "not a JSON object with id and schema", where)
            continue
        schema = entity["schema"]
        conversion.count(schema)
        entity["properties"] = entity.get("properties") if isinstance(entity.get("properties"), dict) else {}
        fid = bundle_id(entity["id"])
        if fid is None:
            conversion.skip(schema, "id is empty or may be an ID number: ids are shown in clear", where)
        elif schema in _SUBJECTS:
            _subject(entity, fid, where, conversion, writer)
        elif schema in LINKS or schema == "Sanction":
            links.append((entity, fid, where))
        else:
            conversion.skip(schema, _NOT_MAPPED.get(schema, f"no counterpart in the graph for schema {schema}"), where)
    for entity, fid, where in links:
        if entity["schema"] == "Sanction":
            _sanction(entity, fid, where, conversion, writer, list_ids)
        else:
            _link(entity, fid, where, conversion, writer)


def ftm_to_bundle(paths: list[Path], *, catalogue: Catalogue | None = None) -> tuple[Conversion, BundleWriter]:
    """Convert FtM entity files (JSON lines or a JSON array) into bundle rows, without loading.

    Subjects come from Company, Organization, LegalEntity, PublicBody and Person; role
    periods from Ownership, Directorship, Employment, Family and (our markers only)
    UnknownLink; entries from Sanctions on one of ``catalogue``'s lists (default: the
    bundled catalogue). Every other record is skipped in the conversion, with why. Each
    subject is under its FtM id, with its record as a source row (sources.csv).
    """
    list_ids = set((catalogue or load_catalogue()).lists)
    conversion, writer = Conversion(), BundleWriter()
    for path in paths:
        _convert(Path(path), conversion, writer, list_ids)
    return conversion, writer


def load_ftm(store: Store, catalogue: Catalogue, hasher: IdHasher, paths: list[Path], *, batch_size: int = 20_000,
             progress: Callable[[str, int], None] | None = None) -> LoadReport:
    """Convert FtM files and load their rows as one bundle (``sanctionnet load ftm PATH...``).

    Identity resolution first (:func:`loaders.source_ids.attach_records`): an entity whose
    USCC, name or ID number is a stored subject's (from BODS, a registry, a court, an
    earlier load) joins it; a new subject keeps its FtM id.
    """
    conversion, writer = ftm_to_bundle(paths, catalogue=catalogue)
    attach_records(store, hasher, writer, conversion, source="ftm")
    return writer.load(store, catalogue, hasher, conversion, batch_size=batch_size, progress=progress)
