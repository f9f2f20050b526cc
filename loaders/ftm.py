"""FollowTheMoney (FtM) entities in and out of the graph.

Import turns FtM entity JSON (one entity per line, or one JSON array) into a bundle
folder (docs/bundle.md) and loads it with :func:`loaders.bundle.load_bundle`, so that
validation, rejects and idempotency are the bundle loader's. Export writes every
subject, role period and list entry as FtM entities, read with the named queries of
``cypher/export.cypher``. docs/formats.md has the mapping and what is left out.

The conversion report, the bundle draft, the markers and the export readers here are
shared with :mod:`loaders.bods`.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO

from pydantic import BaseModel, ConfigDict, Field

from graph_model.catalogue import Catalogue, load_catalogue
from graph_model.errors import InvalidInput
from graph_model.identifiers import (may_be_resident_id, normalise_resident_id, normalise_uscc,
                                     validate_resident_id, validate_uscc)
from graph_model.pii import IdHasher
from graph_model.store.base import Store, batched
from graph_model.types import OPEN_END, OPEN_START, BasisKind, EntryState, RelType
from loaders.bundle import LoadReport, Reject, load_bundle
from loaders.rows import COLUMNS, OPTIONAL_COLUMNS

__all__ = ["MARKERS", "PAGE", "BundleDraft", "ConversionReport", "Skip", "bundle_id", "export_ftm", "ftm_to_bundle",
           "iso_day", "load_converted", "load_ftm", "number_text", "read_entries", "read_json_records", "read_relations",
           "read_subjects", "split_marker", "usable_resident_id", "usable_uscc", "with_marker"]

PAGE = 10_000  # rows per page of the paged export queries: their LIMIT in cypher/export.cypher
_FILES = {name: COLUMNS[name] + OPTIONAL_COLUMNS.get(name, ()) for name in COLUMNS}
_R = RelType
# Our types that FtM and BODS have no schema or interest of their own for travel as a
# role (FtM) or interest details (BODS) starting with these markers; import maps them
# back. A title follows the marker after ": ".
MARKERS: dict[RelType, str] = {
    _R.LEGAL_REP_OF: "法定代表人 (legal representative)",
    _R.PRINCIPAL_OF: "主要负责人 (principal)",
    _R.MANAGES: "国有企业管理人员 (SOE manager)",
    _R.ACTUAL_CONTROLLER_OF: "实际控制人 (actual controller)",
    _R.BRANCH_OF: "分支机构 (branch of)",
    _R.SUPERVISED_BY: "上级主管单位 (supervised by)",
}
_LEGAL_REP = re.compile(r"法定代表人|法人代表|legal\s+representative", re.I)
_PRINCIPAL = re.compile(r"主要负责人")
_CONTROLLER = re.compile(r"实际控制人|actual\s+controller", re.I)
_DAY = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:$|T)")


class Skip(BaseModel):
    """A source record, or part of one, that did not become a bundle row, and why."""

    model_config = ConfigDict(frozen=True)
    record: str = Field(description="FtM entity id or BODS record id; '#<position>' where the id may not be shown.")
    kind: str = Field(description="FtM schema, BODS record type or BODS interest type.")
    reason: str


class ConversionReport(BaseModel):
    """What a conversion read, wrote into the bundle and left out, with reasons."""

    source: str
    read: dict[str, int] = Field(default_factory=dict, description="Records read per FtM schema / BODS record type.")
    subjects: dict[str, int] = Field(default_factory=dict, description="Subject rows written per kind.")
    relations: dict[str, int] = Field(default_factory=dict, description="Relation rows written per type.")
    entries: int = 0
    skipped: list[Skip] = Field(default_factory=list)
    notes: dict[str, int] = Field(default_factory=dict, description="Information not carried over, counted by what.")
    dangling: int = Field(0, description="Relation and entry rows naming a subject that is not in this file: the "
                                         "loader looks for it in the store and rejects the row, naming it, if absent.")
    origins: dict[str, list[str]] = Field(default_factory=dict, repr=False,
                                          description="Per bundle file, the source record of each row.")
    lines: dict[str, list[int]] = Field(default_factory=dict, repr=False,
                                        description="Per bundle file, the source line of each row (0: a JSON array).")

    def skipped_by(self) -> dict[tuple[str, str], int]:
        """Skips counted by (kind, reason)."""
        return dict(Counter((s.kind, s.reason) for s in self.skipped))

    def origin(self, file: str, line: int) -> str | None:
        """The source record of a bundle row, as a reject names it (file, physical line)."""
        rows = self.origins.get(file, [])
        return rows[line - 2] if 2 <= line < len(rows) + 2 else None

    def source_rejects(self, rejects: list[Reject]) -> list[Reject]:
        """Rejects of the converted bundle restated against the source file: its name,
        the record's line (0 in a JSON array) and the record id; others unchanged."""
        name = Path(self.source).name
        out = []
        for reject in rejects:
            record = self.origin(reject.file, reject.line)
            if record is None:
                out.append(reject)
                continue
            # The loader's reasons refer to other rows by bundle line ("same period as line 7").
            reason = re.sub(r"\bline (\d+)\b", lambda m: f"record {self.origin(reject.file, int(m[1])) or m[0]}",
                            reject.reason)
            out.append(Reject(name, self.lines[reject.file][reject.line - 2], reject.field,
                              f"{reason} (record {record}, as a {reject.file} row)"))
        return out


class BundleDraft:
    """Bundle rows being converted from one source file, each with the record it came from."""

    def __init__(self, source: Path) -> None:
        self.report = ConversionReport(source=str(source))
        self.rows: dict[str, list[dict]] = {name: [] for name in _FILES}
        self._origins: dict[str, list[str]] = {name: [] for name in _FILES}
        self._lines: dict[str, list[int]] = {name: [] for name in _FILES}

    def count(self, kind: str) -> None:
        self.report.read[kind] = self.report.read.get(kind, 0) + 1

    def add(self, file: str, row: dict, origin: str, where: str = "") -> None:
        """Add a row converted from record ``origin``, found at ``where`` (``line N``)."""
        self.rows[file].append(row)
        self._origins[file].append(origin)
        self._lines[file].append(int(where[5:]) if where.startswith("line ") and where[5:].isdigit() else 0)

    def skip(self, record: str, kind: str, reason: str) -> None:
        self.report.skipped.append(Skip(record=record, kind=kind, reason=reason))

    def note(self, what: str, n: int = 1) -> None:
        if n:
            self.report.notes[what] = self.report.notes.get(what, 0) + n

    def write(self, folder: Path) -> ConversionReport:
        """Write subjects.csv, relations.csv and entries.csv into ``folder``; finish the report."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, columns in _FILES.items():
            with open(folder / name, "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns)
                writer.writeheader()
                for row in self.rows[name]:
                    writer.writerow({c: _cell(row.get(c)) for c in columns})
        subjects, relations, entries = (self.rows[name] for name in _FILES)
        ids = {row["id"] for row in subjects}
        report = self.report
        report.subjects = dict(Counter(row["kind"] for row in subjects))
        report.relations = dict(Counter(row["type"] for row in relations))
        report.entries = len(entries)
        report.dangling = (sum(1 for r in relations if not {r["from_id"], r["to_id"]} <= ids)
                           + sum(1 for r in entries if r["subject_id"] not in ids))
        report.origins = {name: list(rows) for name, rows in self._origins.items()}
        report.lines = {name: list(rows) for name, rows in self._lines.items()}
        return report


def _cell(value: Any) -> str:
    if value is None or value is False:
        return ""
    if value is True:
        return "true"
    if isinstance(value, float):
        value = number_text(value)
    if isinstance(value, list):
        value = ";".join(value)
    # One physical line per row, so that a reject's line finds its source record.
    return re.sub(r"[\r\n]+", " ", str(value))


def number_text(value: float) -> str:
    """A share as text: ``51`` rather than ``51.0``, ``33.5`` as it is."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def read_json_records(path: Path) -> Iterator[tuple[str, Any]]:
    """``(where, record)`` for each record of a JSON array file or a JSON-lines file
    (a line may hold an array too); a line that is not JSON gives ``(where, None)``.
    ``where`` is ``line N`` or ``[i]``. JSON lines are streamed."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8-sig") as handle:
            first = handle.readline()
            if first.lstrip().startswith("["):
                handle.seek(0)
                try:
                    data = json.load(handle)
                except json.JSONDecodeError as exc:
                    if not _is_json(first):
                        raise InvalidInput(f"{path}: not a JSON array: {exc}") from None
                else:
                    yield from ((f"[{i}]", record) for i, record in enumerate(data if isinstance(data, list) else []))
                    return
            handle.seek(0)
            for n, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    yield f"line {n}", None
                    continue
                if isinstance(record, list):
                    yield from ((f"line {n}[{i}]", item) for i, item in enumerate(record))
                else:
                    yield f"line {n}", record
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read as UTF-8 JSON: {exc}") from None


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    return True


def bundle_id(raw: Any) -> str | None:
    """The bundle id for a source id: as given, or cut to 128 characters with a hash
    suffix; None if empty or if it may be a resident ID number (ids are shown in clear)."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str) or not raw.strip() or may_be_resident_id(raw):
        return None
    value = raw.strip()
    return value if len(value) <= 128 else value[:111] + "~" + hashlib.sha256(value.encode()).hexdigest()[:16]


def iso_day(value: Any, *, end: bool = False) -> tuple[str | None, bool]:
    """An ISO day from an FtM or BODS date, and whether it was widened: a full date as
    given (a time part dropped); a year or a month alone widened to its first day (a
    start) or its last day (an end, ``end=True``); ``(None, False)`` if unreadable."""
    match = _DAY.match(value.strip()) if isinstance(value, str) else None
    if not match:
        return None, False
    year, month, day = match.groups()
    try:
        if day:
            return date(int(year), int(month), int(day)).isoformat(), False
        first = date(int(year), int(month or 1), 1)
    except ValueError:
        return None, False
    if month:
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    else:
        last = date(first.year, 12, 31)
    return (last if end else first).isoformat(), True


def split_marker(text: str | None) -> tuple[RelType | None, str | None]:
    """The relation type a role (FtM) or details text (BODS) names by its marker, and
    the title after it; ``(None, text)`` if it starts with no marker."""
    for rel, marker in MARKERS.items():
        if text == marker:
            return rel, None
        if text and text.startswith(marker + ": "):
            return rel, text[len(marker) + 2:].strip() or None
    return None, text


def with_marker(rel: RelType, title: str | None) -> str:
    """The role or details text for a marked type (inverse of :func:`split_marker`)."""
    return f"{MARKERS[rel]}: {title}" if title else MARKERS[rel]


def usable_uscc(value: Any) -> str | None:
    """``value`` as a USCC if it is a valid one and cannot be a resident ID number."""
    if not isinstance(value, str):
        return None
    code = normalise_uscc(value)
    return code if validate_uscc(code) is None and not may_be_resident_id(code) else None


def usable_resident_id(value: Any) -> str | None:
    """``value`` as a resident ID number if it is a valid one (GB 11643)."""
    if not isinstance(value, str):
        return None
    code = normalise_resident_id(value)
    return code if validate_resident_id(code) is None else None


def load_converted(convert: Callable[[Path, Path], ConversionReport], store: Store, catalogue: Catalogue,
                   hasher: IdHasher, path: Path, *, work_dir: Path | None = None, batch_size: int = 20_000,
                   progress: Callable[[str, int], None] | None = None) -> tuple[ConversionReport, LoadReport]:
    """Convert ``path`` into a bundle (in ``work_dir``, kept; else a temporary folder) and
    load it; the loader's rejects name the source file, line and record, not the bundle."""
    with tempfile.TemporaryDirectory(prefix="sanctionnet-convert-") as tmp:
        folder = Path(work_dir) if work_dir is not None else Path(tmp) / "bundle"
        conversion = convert(Path(path), folder)
        report = load_bundle(store, catalogue, hasher, folder, batch_size=batch_size, progress=progress)
    report.rejects = conversion.source_rejects(report.rejects)
    return conversion, report


# ------------------------------------------------------------------ export readers


def read_subjects(store: Store) -> Iterator[dict]:
    """Every subject, a page at a time, in the store's id order."""
    after = ""
    while True:
        rows = store.read("export_subjects", after=after)
        yield from rows
        if len(rows) < PAGE:
            return
        after = rows[-1]["id"]


def read_relations(store: Store, ids: Iterable[str], roles: Iterable[RelType]) -> Iterator[dict]:
    """The role periods of types ``roles`` held by the subjects ``ids``, batch by batch,
    each batch sorted by (from, to, type, valid_from)."""
    types = [str(rel) for rel in roles]
    for batch in batched(ids, PAGE):
        rows = store.read("export_relations", ids=batch, roles=types)
        yield from sorted(rows, key=lambda r: (r["from_id"], r["to_id"], r["type"], r["valid_from"] or ""))


def read_entries(store: Store) -> Iterator[dict]:
    """Every list entry that is on a subject, in id order, with ``state_since``: the day
    it entered its current state, from its history (None for active and expired)."""
    after = ""
    while True:
        rows = store.read("export_entries", after=after)
        for row in rows:
            if row["subject_id"] is not None:
                yield {**row, "state_since": _state_since(row)}
        if len(rows) < PAGE:
            return
        after = rows[-1]["entry_id"]


def _state_since(entry: dict) -> str | None:
    if entry["state"] in (EntryState.active, EntryState.expired):
        return None  # a bundle row needs none: active from determination, expired by valid_to
    steps = [step.split(" ") for step in (entry.get("history") or "").split(";") if " " in step]
    return next((day for day, state in reversed(steps) if state == entry["state"]), None)


# ----------------------------------------------------------------------- FtM import

# link schema -> (from property, to property, title property, default type, marked types)
_LINKS: dict[str, tuple[str, str, str, RelType | None, set[RelType]]] = {
    "Ownership": ("owner", "asset", "role", _R.HOLDS_SHARES, {_R.ACTUAL_CONTROLLER_OF}),
    "Directorship": ("director", "organization", "role", _R.KEY_PERSON_OF,
                     {_R.LEGAL_REP_OF, _R.PRINCIPAL_OF, _R.MANAGES}),
    "Employment": ("employee", "employer", "role", _R.STAFF_OF, set()),
    "Family": ("person", "relative", "relationship", _R.RELATIVE_OF, set()),
    "UnknownLink": ("subject", "object", "role", None, {_R.BRANCH_OF, _R.SUPERVISED_BY}),
}
_EXPORT_LINK = {rel: schema for schema, spec in _LINKS.items() for rel in {spec[3], *spec[4]} - {None}}
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
_SUMMARY = "sanctionnet "  # prefix of an exported Sanction's summary: JSON of entry fields FtM has no property for


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


def _span(props: dict, draft: BundleDraft) -> tuple[str | None, str | None]:
    """(valid_from, valid_to) from startDate/endDate: earliest start, latest end."""
    days = {}
    for prop, end in (("startDate", False), ("endDate", True)):
        parsed = [iso_day(v, end=end) for v in _values(props, prop)]
        draft.note("dates given as a year or month only, widened", sum(widened for _, widened in parsed))
        draft.note("unreadable dates ignored", sum(day is None for day, _ in parsed))
        good = [day for day, _ in parsed if day]
        days[prop] = (max(good) if end else min(good)) if good else None
    return days["startDate"], days["endDate"]


def _title(text: str | None, draft: BundleDraft) -> str | None:
    if text and len(text) > 200:
        draft.note("titles cut to 200 characters")
        return text[:200]
    return text


def _subject(entity: dict, sid: str, where: str, draft: BundleDraft) -> None:
    schema, props = entity["schema"], entity["properties"]
    names = _values(props, "name")
    name = names[0] if names else (entity.get("caption") or " ".join(
        _values(props, "firstName")[:1] + _values(props, "lastName")[:1])).strip()
    if not name:
        draft.skip(sid, schema, "no name")
        return
    if len(set(names)) > 1 or any(_values(props, p) for p in ("alias", "weakAlias", "previousName")):
        draft.note("names beyond the first (aliases) not kept")
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
        draft.note("dates given as a year or month only, widened", int(widened))
        row["ownership"] = "soe" if "gov.soe" in topics else None
        ignored = "identifiers other than a valid USCC ignored"
    draft.note(ignored, int(any(_values(props, p) for p in _ID_PROPS - used)))
    if kind == "enterprise" and schema != "Company" and (row["uscc"] or "").startswith("1"):
        # Registration department 1 (机构编制): government organs and public institutions.
        row["kind"] = "public_body"
    draft.add("subjects.csv", row, sid, where)


def _link_type(schema: str, role: str | None, has_share: bool) -> tuple[RelType | None, str | None]:
    """The type a link becomes, and its title: a marker, a role that says 法定代表人 /
    主要负责人 (Directorship) or 实际控制人 (Ownership without a percentage), or the default."""
    _, _, _, default, marked = _LINKS[schema]
    rel, rest = split_marker(role)
    if rel in marked:
        return rel, rest
    found = None
    if role and schema == "Directorship":
        found = next(((p, t) for p, t in ((_LEGAL_REP, _R.LEGAL_REP_OF), (_PRINCIPAL, _R.PRINCIPAL_OF))
                      if p.search(role)), None)
    elif role and schema == "Ownership" and not has_share and _CONTROLLER.search(role):
        found = (_CONTROLLER, _R.ACTUAL_CONTROLLER_OF)
    if found:
        # A bare "法定代表人" is no title; "法定代表人、董事长" keeps its wording.
        return found[1], None if found[0].fullmatch(role.strip()) else role
    return default, role


def _link(entity: dict, fid: str, where: str, draft: BundleDraft) -> None:
    schema, props = entity["schema"], entity["properties"]
    src, dst, title_prop, _, _ = _LINKS[schema]
    ends = [_values(props, src), _values(props, dst)]
    if not all(ends):
        draft.skip(fid, schema, f"lacks {src} or {dst}")
        return
    draft.note("link ends beyond the first ignored", int(any(len(e) > 1 for e in ends)))
    from_id, to_id = bundle_id(ends[0][0]), bundle_id(ends[1][0])
    if from_id is None or to_id is None:
        draft.skip(fid, schema, "names an entity whose id may be an ID number")
        return
    role = "; ".join(_values(props, title_prop)) or None
    percentage = _values(props, "percentage")
    rel, title = _link_type(schema, role, bool(percentage))
    if rel is None:
        draft.skip(fid, schema, "the nature of an UnknownLink is not known")
        return
    share = None
    draft.note("percentages of actual-controller links not kept",
               int(rel is _R.ACTUAL_CONTROLLER_OF and bool(percentage)))
    if rel is _R.HOLDS_SHARES:
        if not percentage:
            draft.skip(fid, schema, "no percentage: a shareholding needs a share")
            return
        try:
            share = float(percentage[0].strip().rstrip("%").strip().replace(",", "."))
        except ValueError:
            share = None
        if share is None or not 0 < share <= 100:
            draft.skip(fid, schema, "percentage is not a number in (0, 100]")
            return
    valid_from, valid_to = _span(props, draft)
    draft.add("relations.csv", {"from_id": from_id, "to_id": to_id, "type": rel.value, "share": share,
                                "valid_from": valid_from, "valid_to": valid_to, "title": _title(title, draft)},
              fid, where)


def _sanction(entity: dict, fid: str, where: str, draft: BundleDraft, list_ids: set[str]) -> None:
    props = entity["properties"]
    lists = [v for v in _values(props, "programId") + _values(props, "program") if v in list_ids]
    if not lists:
        draft.skip(fid, "Sanction", _NOT_MAPPED["Sanction"])
        return
    first = {p: (_values(props, p) or [None])[0] for p in
             ("entity", "authority", "authorityId", "reason", "listingDate", "startDate", "status", "endDate")}
    subject_id = bundle_id(first["entity"])
    if first["entity"] and subject_id is None:
        draft.skip(fid, "Sanction", "names an entity whose id may be an ID number")
        return
    missing = [p for p in ("entity", "authority", "authorityId", "reason") if not first[p]]
    missing += [] if first["listingDate"] or first["startDate"] else ["listingDate"]
    if missing:
        draft.skip(fid, "Sanction", f"a Sanction on our list needs {', '.join(missing)} to become an entry")
        return
    state = (first["status"] or "active").lower()
    if first["reason"] not in set(BasisKind) or state not in set(EntryState):
        draft.skip(fid, "Sanction", "reason must be a basis kind and status an entry state")
        return
    draft.note("Sanctions without a status taken as active", int(first["status"] is None))
    extra = next((_summary(s) for s in _values(props, "summary") if s.startswith(_SUMMARY)), {})
    entry_id = bundle_id((_values(props, "recordId") or [None])[0]) or fid
    draft.add("entries.csv", {
        "entry_id": entry_id, "subject_id": subject_id, "list": lists[0],
        "deciding_dept": first["authority"], "basis": first["authorityId"], "basis_kind": first["reason"],
        "determined": iso_day(first["listingDate"] or first["startDate"])[0], "state": state,
        "valid_to": iso_day(first["endDate"], end=True)[0], "region": extra.get("region"),
        "state_since": extra.get("state_since"), "named": [i for i in map(bundle_id, _list(extra.get("named"))) if i],
        "measures": _values(props, "provisions"), "permanent": bool(extra.get("permanent"))}, fid, where)


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _summary(text: str) -> dict:
    """Entry fields an exported Sanction carries in its summary (region, state_since, ...)."""
    try:
        value = json.loads(text[len(_SUMMARY):])
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def ftm_to_bundle(path: Path, folder: Path, *, catalogue: Catalogue | None = None) -> ConversionReport:
    """Convert an FtM entity file (JSON lines or a JSON array) into a bundle in ``folder``.

    Subjects come from Company, Organization, LegalEntity, PublicBody and Person; role
    periods from Ownership, Directorship, Employment, Family and (our markers only)
    UnknownLink; entries from Sanctions on one of ``catalogue``'s lists (default: the
    bundled catalogue). Everything else is counted in the report as skipped, with why.
    """
    list_ids = set((catalogue or load_catalogue()).lists)
    draft = BundleDraft(path)
    links: list[tuple[dict, str, str]] = []
    for where, entity in read_json_records(path):
        if not (isinstance(entity, dict) and isinstance(entity.get("schema"), str) and entity.get("id")):
            draft.count("(not an entity)")
            draft.skip(where, "(not an entity)", "not a JSON object with id and schema")
            continue
        schema = entity["schema"]
        draft.count(schema)
        entity["properties"] = entity.get("properties") if isinstance(entity.get("properties"), dict) else {}
        fid = bundle_id(entity["id"])
        if fid is None:
            draft.skip(where, schema, "id is empty or may be an ID number: ids are shown in clear")
        elif schema in _SUBJECTS:
            _subject(entity, fid, where, draft)
        elif schema in _LINKS or schema == "Sanction":
            links.append((entity, fid, where))
        else:
            draft.skip(fid, schema, _NOT_MAPPED.get(schema, f"no counterpart in the graph for schema {schema}"))
    for entity, fid, where in links:
        if entity["schema"] == "Sanction":
            _sanction(entity, fid, where, draft, list_ids)
        else:
            _link(entity, fid, where, draft)
    return draft.write(folder)


def load_ftm(store: Store, catalogue: Catalogue, hasher: IdHasher, path: Path, *, work_dir: Path | None = None,
             batch_size: int = 20_000, progress: Callable[[str, int], None] | None = None,
             ) -> tuple[ConversionReport, LoadReport]:
    """Convert an FtM file into a bundle and load it (``sanctionnet load ftm PATH``)."""
    return load_converted(lambda p, f: ftm_to_bundle(p, f, catalogue=catalogue), store, catalogue, hasher, path,
                          work_dir=work_dir, batch_size=batch_size, progress=progress)


# ----------------------------------------------------------------------- FtM export

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
    src, dst, title_prop, _, _ = _LINKS[schema]
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
        props["summary"] = [_SUMMARY + json.dumps(extra, ensure_ascii=False, sort_keys=True)]
    return {"id": "entry-" + hashlib.sha256(row["entry_id"].encode()).hexdigest()[:32], "schema": "Sanction",
            "properties": props}


def export_ftm(store: Store, out: TextIO) -> int:
    """Write every subject, role period and list entry as FtM entities, one JSON object
    per line (``sanctionnet export ftm FILE``); return how many.

    The order is fixed (subjects, then role periods by holder, then entries) and the ids
    of periods and entries are hashes of their keys, so the same graph gives the same
    file. Persons carry their name only: no ID number, hash or masked form.
    """
    written = 0
    ids: list[str] = []
    for row in read_subjects(store):
        ids.append(row["id"])
        written += _emit(out, _ftm_subject(row))
    for row in read_relations(store, ids, RelType):
        written += _emit(out, _ftm_relation(row))
    for row in read_entries(store):
        written += _emit(out, _ftm_sanction(row))
    return written


def _emit(out: TextIO, entity: dict) -> int:
    out.write(json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n")
    return 1
