"""Enterprise registry records (工商登记): the enterprise, its legal representative,
key personnel (主要人员), shareholders with their share (股东及出资) and branches
(分支机构).

Two shapes are read. JSON, one object per enterprise as the public credit
information system's API returns it (``entName, creditCode/uniscId, legalPerson,
estDate, regOrg, dom, entType, regState``) with nested lists ``members``
(``name, position``), ``shareholders`` (``inv, invType, blicNo, conProp``) and
``branches`` (``brName, brUscc``); Chinese keys are read as well. Or CSV with
stacked tables, each with its header: enterprises (企业名称, 统一社会信用代码, ...),
key personnel (企业名称/统一社会信用代码, 姓名, 职务), shareholders (…, 股东名称,
股东类型, 证照号码, 持股比例) and branches (…, 分支机构名称, 分支机构统一社会信用代码).

A registry extract says who holds a role *now*: its roles are open-ended periods
from the registration date when the record gives none (``valid_from`` empty).
Shares are percent (``51%``, ``51``); when every share of one enterprise is at most
1 and they sum to at most 1, they are fractions and are multiplied by 100.
"""

from __future__ import annotations

from pathlib import Path

from graph_model.catalogue.model import Catalogue
from graph_model.identity.forms import Scheme, parse_identifier
from graph_model.identity.identifiers import is_valid_reg_no
from graph_model.identity.pii import IdHasher
from graph_model.identity.region_names import region_of_name
from graph_model.identity.regions import get_region
from graph_model.store.base import Store
from graph_model.vocabulary.kinds import SubjectKind
from loaders.bundle import LoadReport
from loaders.convert import BundleWriter, Conversion, raw_record
from loaders.identity import Mention, normalise_name, resolve
from loaders.sourcefile import Table, parse_cn_date, read_records, unreadable

__all__ = ["ENTERPRISES", "load_registry", "registration_mentions", "write_registration"]

_OWNER = {"enterprise": ("企业名称", "公司名", "entName"), "enterprise_uscc": ("统一社会信用代码", "creditCode", "uniscId")}
ENTERPRISES = Table("enterprises", {
    "name": ("企业名称", "公司名", "entName", "name"),
    "uscc": ("统一社会信用代码", "creditCode", "uniscId", "uscc"),
    "legal_rep": ("法定代表人", "法人信息", "legalPerson", "frName"),
    "established": ("成立日期", "estDate"),
    "authority": ("登记机关", "regOrg"),
    "address": ("住所", "地址", "dom"),
    "type": ("企业类型", "entType"),
    "status": ("登记状态", "经营状态", "regState"),
    "reg_no": ("注册号", "工商注册号", "regNo"),
}, key_fields=("name", "uscc"))
MEMBERS = Table("members", {**_OWNER, "name": ("姓名", "name"), "position": ("职务", "position")},
                key_fields=("name", "position"))
SHAREHOLDERS = Table("shareholders", {**_OWNER, "holder": ("股东名称", "股东", "inv"),
                                      "holder_type": ("股东类型", "invType"),
                                      "holder_code": ("证照号码", "证件号码", "blicNo", "cerNo"),
                                      "share": ("持股比例", "出资比例", "conProp", "ratio")},
                     key_fields=("holder", "share"))
BRANCHES = Table("branches", {**_OWNER, "branch": ("分支机构名称", "brName"),
                              "branch_uscc": ("分支机构统一社会信用代码", "brUscc", "brRegNo")},
                 key_fields=("branch",))
# Most specific first (the enterprise table's fields appear in the others' headers).
TABLES = (SHAREHOLDERS, BRANCHES, MEMBERS, ENTERPRISES)
_NESTED = {"members": (MEMBERS, ("members", "主要人员", "keyPersons")),
           "shareholders": (SHAREHOLDERS, ("shareholders", "股东信息", "investors")),
           "branches": (BRANCHES, ("branches", "分支机构"))}
_PERSON_HOLDER = ("自然人", "个人", "natural person", "person")


def _uscc(text: str | None):
    code = parse_identifier(text or "")
    return code if code is not None and code.scheme is Scheme.uscc else None


def _share(text: str) -> float | None:
    text = text.strip().rstrip("%％").strip()
    try:
        return float(text) if text else None
    except ValueError:
        return None


def load_registry(store: Store, catalogue: Catalogue, hasher: IdHasher, paths: list[Path], *,
                  batch_size: int = 20_000, progress=None) -> LoadReport:
    """Load registry records: enterprises and their legal reps, key personnel,
    shareholders and branches."""
    conversion = Conversion()
    enterprises: list[tuple[str, dict]] = []
    parts: dict[str, list[tuple[str, dict]]] = {name: [] for name in _NESTED}
    for path in paths:
        for where, table, fields in read_records(Path(path), TABLES):
            conversion.count(table)
            if problem := unreadable(fields):
                conversion.reject(where, *problem)
                continue
            obj = fields.pop("_object", None)
            if table == "enterprises":
                enterprises.append((where, fields))
                for name, (nested, aliases) in _NESTED.items():
                    for i, item in enumerate(nested.nested(obj or {}, aliases)):
                        parts[name].append((f"{where}.{name}[{i}]", {"enterprise": fields["name"],
                                                                     "enterprise_uscc": fields.get("uscc", ""),
                                                                     **item}))
                        conversion.count(name)
            else:
                parts[table].append((where, fields))
    mentions: list[Mention] = []
    owner_ref: dict[tuple[str, str], str] = {}  # (normalised name, uscc) -> the mention that names the enterprise

    def owner(where: str, fields: dict) -> str | None:
        """The mention of the enterprise a member/shareholder/branch row belongs to."""
        uscc = _uscc(fields.get("enterprise_uscc"))
        name = fields.get("enterprise", "").strip()
        key = (normalise_name(name), uscc.value if uscc else "")
        if key not in owner_ref:
            if not name and not uscc:
                conversion.reject(where, "企业名称", "names no enterprise (name or USCC)")
                return None
            owner_ref[key] = f"owner#{len(owner_ref)}"
            mentions.append(Mention(owner_ref[key], SubjectKind.enterprise, name or uscc.value,
                                    [uscc] if uscc else []))
        return owner_ref[key]

    for i, (where, f) in enumerate(enterprises):
        uscc = _uscc(f.get("uscc"))
        if f.get("uscc") and uscc is None:
            conversion.reject(where, "uscc", f"not a valid USCC: {f['uscc']!r}")
            continue
        ref = f"ent#{i}"
        owner_ref.setdefault((normalise_name(f["name"]), uscc.value if uscc else ""), ref)
        mentions += registration_mentions(ref, f)
    rows: dict[str, list] = {name: [] for name in _NESTED}
    for name in _NESTED:
        for i, (where, f) in enumerate(parts[name]):
            ref = owner(where, f)
            if ref is None:
                continue
            mine = f"{name}#{i}"
            if name == "members":
                mentions.append(Mention(mine, SubjectKind.person, f["name"].strip(), named_by=ref, role=f["position"]))
            elif name == "shareholders":
                personal = f.get("holder_type", "").strip().lower().startswith(_PERSON_HOLDER)
                code = parse_identifier(f.get("holder_code", ""))
                kind = SubjectKind.person if personal or (code and code.personal) else SubjectKind.enterprise
                # A full ID number identifies the holder by its keyed hash; it is not written anywhere.
                id_hash = hasher(code.value) if code and code.scheme is Scheme.resident_id else None
                codes = [code] if code and code.scheme is not Scheme.resident_id else []
                mentions.append(Mention(mine, kind, f["holder"].strip(), codes, id_hash=id_hash,
                                        named_by=ref if kind is SubjectKind.person else None, role="股东"))
            else:
                branch_uscc = _uscc(f.get("branch_uscc"))
                mentions.append(Mention(mine, SubjectKind.enterprise, f["branch"].strip(),
                                        [branch_uscc] if branch_uscc else []))
            rows[name].append((where, f, ref, mine))
    resolved = resolve(store, hasher, mentions)
    kinds = {m.ref: m.kind for m in mentions}
    writer = _write(enterprises, rows, resolved, kinds, conversion)
    return writer.load(store, catalogue, hasher, conversion, batch_size=batch_size, progress=progress)


def registration_mentions(ref: str, fields: dict) -> list[Mention]:
    """The enterprise a registration row names (mention ``ref``) and its legal rep (``ref:rep``)."""
    uscc = _uscc(fields.get("uscc"))
    mentions = [Mention(ref, SubjectKind.enterprise, fields["name"].strip(), [uscc] if uscc else [])]
    if fields.get("legal_rep", "").strip() not in ("", "无"):
        mentions.append(Mention(f"{ref}:rep", SubjectKind.person, fields["legal_rep"].strip(), named_by=ref,
                                role="法定代表人"))
    return mentions


def _source(writer: BundleWriter, record_id: str, where: str, sid: str, why: str, raw: dict) -> None:
    writer.add("sources.csv", {"record_id": record_id, "source": where.rpartition(":")[0] or "registry",
                               "subject_id": sid, "why": why, "raw": raw_record(raw)}, where)


def write_registration(writer: BundleWriter, conversion: Conversion, ref: str, where: str, fields: dict,
                       resolved: dict) -> str:
    """Write a registration row (mentions from :func:`registration_mentions`): the
    enterprise with its USCC, registration number, founding date, registered region and
    status, its legal rep (an open-ended role: an extract says who holds it now) and the
    source record.
    Returns the enterprise's subject id."""
    uscc = _uscc(fields.get("uscc"))
    try:
        established = parse_cn_date(fields.get("established"))
    except ValueError:
        established = None
        conversion.reject(where, "established", f"not a date: {fields.get('established')!r}; left empty")
    # Registered where the USCC's positions 3-8 say, when they are a region code (registration-
    # authority codes such as 230199 are not), else where the authority or the address is.
    region = (uscc.value[2:8] if uscc and get_region(uscc.value[2:8]) else None) or \
        getattr(region_of_name(fields.get("authority", "")), "code", None) or \
        getattr(region_of_name(fields.get("address", "")), "code", None)
    reg_no = "".join((fields.get("reg_no") or "").split()) or None
    if reg_no and not is_valid_reg_no(reg_no):
        # Not a reason to reject the registration: the number is left out (and not echoed:
        # 15 digits may be an old ID number).
        conversion.note("registration numbers (工商注册号) without a valid GS 15-2006 check digit, left out")
        reg_no = None
    sid = writer.subject({"id": resolved[ref].subject_id, "kind": "enterprise", "name": fields["name"].strip(),
                          "uscc": uscc.value if uscc else None, "region": region, "status": fields.get("status") or None,
                          "established": established.isoformat() if established else None, "reg_no": reg_no},
                         where, conversion)
    record_id = f"registry:{uscc.value if uscc else normalise_name(fields['name'])}"
    _source(writer, record_id, where, sid, resolved[ref].why, fields)
    if f"{ref}:rep" in resolved:
        rep = resolved[f"{ref}:rep"]
        rid = writer.subject({"id": rep.subject_id, "kind": "person", "name": fields["legal_rep"].strip()}, where,
                             conversion)
        writer.relation({"from_id": rid, "to_id": sid, "type": "LEGAL_REP_OF", "title": "法定代表人（登记信息）"}, where)
        _source(writer, record_id, where, rid, rep.why, fields)
    return sid


def _write(enterprises, rows, resolved, kinds, conversion: Conversion) -> BundleWriter:
    writer = BundleWriter()

    def subject(ref: str, row: dict, where: str, counted: bool = True) -> str:
        return writer.subject({"id": resolved[ref].subject_id, **row}, where, conversion if counted else None)

    for i, (where, f) in enumerate(enterprises):
        if f"ent#{i}" in resolved:  # not rejected above
            write_registration(writer, conversion, f"ent#{i}", where, f, resolved)
    shares = _shares(rows["shareholders"], conversion)
    for name, items in rows.items():
        for where, f, ref, mine in items:
            owner_id = subject(ref, {"kind": "enterprise", "name": f.get("enterprise") or resolved[ref].subject_id},
                               where, counted=False)
            if name == "members":
                pid = subject(mine, {"kind": "person", "name": f["name"].strip()}, where)
                writer.relation({"from_id": pid, "to_id": owner_id, "type": "KEY_PERSON_OF",
                                 "title": f["position"].strip()}, where)
            elif name == "shareholders":
                if mine not in shares:
                    continue
                code = parse_identifier(f.get("holder_code", ""))
                hid = subject(mine, {"kind": kinds[mine].value, "name": f["holder"].strip(),
                                     "uscc": code.value if code and code.scheme is Scheme.uscc else None}, where)
                f = {**f, "holder_code": code.display if code else f.get("holder_code")}  # as kept in the source
                writer.relation({"from_id": hid, "to_id": owner_id, "type": "HOLDS_SHARES", "share": shares[mine],
                                 "title": "股东（登记信息）"}, where)
            else:
                code = _uscc(f.get("branch_uscc"))
                bid = subject(mine, {"kind": "enterprise", "name": f["branch"].strip(),
                                     "uscc": code.value if code else None}, where)
                writer.relation({"from_id": bid, "to_id": owner_id, "type": "BRANCH_OF"}, where)
            key = normalise_name(f.get("name") or f.get("holder") or f.get("branch"))
            _source(writer, f"registry:{name}:{owner_id}:{key}", where, resolved[mine].subject_id,
                    resolved[mine].why, f)
    return writer


def _shares(items: list, conversion: Conversion) -> dict[str, float]:
    """Percent per shareholder mention; fractions (all ≤ 1, summing to ≤ 1) times 100."""
    by_owner: dict[str, list[tuple[str, str, float | None]]] = {}
    for where, f, ref, mine in items:
        by_owner.setdefault(ref, []).append((where, mine, _share(f.get("share", ""))))
    out: dict[str, float] = {}
    for owner, shares in by_owner.items():
        values = [v for _, _, v in shares if v is not None]
        fractions = values and all(v <= 1 for v in values) and sum(values) <= 1.0001
        for where, mine, value in shares:
            if value is None or value <= 0:
                conversion.reject(where, "持股比例", "no share: a shareholding needs its percentage")
                continue
            value = value * 100 if fractions else value
            if value > 100:
                conversion.reject(where, "持股比例", f"{value}% is more than 100%")
                continue
            out[mine] = round(value, 4)
    return out
