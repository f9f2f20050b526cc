"""Court dishonest-debtor records (失信被执行人) as courts and zxgk.court.gov.cn publish
them, and the enterprise registration rows that often travel with them.

Accepted: CSV or JSON (array, JSON lines, or an API reply with the records nested),
UTF-8 or GBK/GB18030, with the API field names (``iname, cardNum, courtName,
areaName, caseCode, gistId, gistUnit, duty, performance, disruptTypeName,
publishDate, businessEntity, regDate``) or the Chinese column titles of the
publication pages; one file may stack several tables (a registration table, then
debtor records). Each record becomes an entry on the ``dishonest_debtor`` list,
keyed by its normalised case number (案号), so the same case published twice (by
two sources, or two loads) is one entry; its debtor becomes a subject (identity
resolution in loaders/identity.py), and ``businessEntity`` its legal representative
on the day the record was published. Every record is kept as a source record with
the reason it was attached to its subject.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from graph_model.catalogue.model import Catalogue, ListDef
from graph_model.identity.forms import Identifier, Scheme, parse_identifier
from graph_model.identity.pii import IdHasher
from graph_model.identity.region_names import region_of_case_number, region_of_name
from graph_model.identity.regions import get_region, province_by_short_name
from graph_model.lifecycle.minors import minor_on
from graph_model.store.base import Store
from graph_model.vocabulary.kinds import SubjectKind
from loaders.bundle import LoadReport
from loaders.convert import BundleWriter, Conversion, raw_record
from loaders.identity import Mention, resolve
from loaders.registry import ENTERPRISES, registration_mentions, write_registration
from loaders.sourcefile import Table, parse_cn_date, read_records, unreadable

__all__ = ["COURT_TABLE", "LIST_ID", "case_key", "load_court_records"]

LIST_ID = "dishonest_debtor"

COURT_TABLE = Table("court", {
    "iname": ("iname", "被执行人姓名/名称", "失信被执行人名称", "被执行人姓名", "被执行人名称", "被执行人"),
    "card_num": ("cardNum", "身份证号码/组织机构代码", "证件号码", "身份证号码/组织机构代码/统一社会信用代码"),
    "business_entity": ("businessEntity", "法定代表人或负责人姓名", "企业法人姓名", "法定代表人"),
    "court_name": ("courtName", "执行法院"),
    "area_name": ("areaName", "省份", "地域名称"),
    "gist_id": ("gistId", "执行依据文号"),
    "reg_date": ("regDate", "立案时间"),
    "case_code": ("caseCode", "案号"),
    "gist_unit": ("gistUnit", "做出执行依据单位", "作出执行依据单位"),
    "duty": ("duty", "生效法律文书确定的义务", "法律生效文书确定的义务"),
    "performance": ("performance", "被执行人的履行情况"),
    "disrupt_type_name": ("disruptTypeName", "失信被执行人行为具体情形", "失信被执行人具体情形"),
    "publish_date": ("publishDate", "发布时间"),
    "performed_part": ("performedPart", "已履行部分"),
    "unperform_part": ("unperformPart", "未履行部分"),
    "update_date": ("updateDate", "最新更新日期"),
    "data_source": ("dataSource", "数据来源"),
}, key_fields=("iname", "case_code"))


_NONE = {"", "无", "暂无", "-", "--", "null", "none", "/"}
_ORG_WORDS = re.compile(r"(公司|厂|店|中心|合作社|集团|银行|学校|医院|事务所|研究所|商行|经营部|工作室|协会|基金会|"
                        r"委员会|局|院|所|站|社|部|处|办|会)$")
_PUBLIC_WORDS = re.compile(r"(人民政府|委员会|局|办公室|管理处|街道办事处|人民法院|人民检察院)$")
_FULLWIDTH = {ord("（"): "(", ord("）"): ")", ord("〔"): "(", ord("〕"): ")", ord("［"): "(", ord("］"): ")"}


def case_key(case_code: str) -> str:
    """A case number as compared: ASCII brackets, no spaces (sources mix （） and ())."""
    return re.sub(r"\s+", "", case_code.translate(_FULLWIDTH))


def _given(text: str) -> str:
    return "" if text.strip().lower() in _NONE else text.strip()


@dataclass
class _Case:
    """One case, from every record that publishes it."""

    key: str
    records: list[tuple[str, str, dict]] = field(default_factory=list)  # (where, source, fields)

    def first(self, name: str) -> str:
        return next((r[name] for _, _, r in self.records if _given(r.get(name, ""))), "")


def _kind(name: str, codes: list[Identifier]) -> SubjectKind:
    schemes = {c.scheme for c in codes}
    if schemes & {Scheme.resident_id, Scheme.resident_id_masked}:
        return SubjectKind.person
    if _PUBLIC_WORDS.search(name):
        return SubjectKind.public_body
    if schemes or _ORG_WORDS.search(name) or len(name) > 6:
        return SubjectKind.enterprise
    return SubjectKind.person


def _region(case: _Case) -> str | None:
    code = region_of_case_number(case.key)
    if code:
        return code
    region = region_of_name(case.first("court_name"))
    if region is not None:
        return region.code
    province = province_by_short_name(case.first("area_name"))
    return province.code if province is not None else None


def _raw(fields: dict) -> str:
    """The record as kept: a person's ID number, even as the court masked it, shows no
    more than our own mask (courts leave the birth year visible)."""
    code = parse_identifier(fields.get("card_num") or "")
    if code is not None and code.scheme in (Scheme.resident_id, Scheme.resident_id_masked):
        fields = {**fields, "card_num": code.display}
    return raw_record(fields)


def _state(case: _Case, determined: date) -> tuple[str, str | None]:
    """``active`` while the debt is unpaid; ``expired`` once a source says it is paid in
    full (courts then remove the listing; the list has no repair procedure)."""
    performance = case.first("performance")
    if performance and "未履行" not in performance and "履行" in performance:
        updated = parse_cn_date(case.first("update_date")) or determined
        return "expired", max(updated, determined + timedelta(days=1)).isoformat()
    return "active", None


def load_court_records(store: Store, catalogue: Catalogue, hasher: IdHasher, paths: list[Path], *,
                       batch_size: int = 20_000, progress=None) -> LoadReport:
    """Load court dishonest-debtor records (and registration rows beside them)."""
    conversion = Conversion()
    cases: dict[str, _Case] = {}
    registry: list[tuple[str, dict]] = []
    for path in paths:
        for where, table, fields in read_records(Path(path), (COURT_TABLE, ENTERPRISES)):
            conversion.count(table)
            if problem := unreadable(fields):
                conversion.reject(where, *problem)
                continue
            if table == ENTERPRISES.name:
                fields.pop("_object", None)
                registry.append((where, fields))
                continue
            problem = _court_problem(fields)
            if problem:
                conversion.reject(where, *problem)
                continue
            source = f"{Path(path).name}" + (f" ({fields['data_source']})" if _given(fields.get("data_source", "")) else "")
            key = case_key(fields["case_code"])
            cases.setdefault(key, _Case(key)).records.append((where, source, fields))
    writer = BundleWriter()
    mentions, facts = _mentions(cases, registry, conversion)
    resolved = resolve(store, hasher, mentions)
    _write(writer, cases, registry, facts, resolved, conversion, catalogue.lists[LIST_ID])
    return writer.load(store, catalogue, hasher, conversion, batch_size=batch_size, progress=progress)


def _court_problem(fields: dict) -> tuple[str, str] | None:
    if not _given(fields.get("iname", "")):
        return "iname", "no debtor name"
    if not _given(fields.get("case_code", "")):
        return "caseCode", "no case number"
    try:
        published = parse_cn_date(fields.get("publish_date"))
        if published is None:
            return "publishDate", "no publication date: the listing's date is needed for dated checks"
    except ValueError as exc:
        return "publishDate", str(exc)
    if _minor(fields, published):
        # The number itself is not echoed: the field is named, the rule is said.
        return "cardNum", "the debtor was under 18 on the publication date: a minor may not be listed (失信名单规定 第四条)"
    for name in ("reg_date", "update_date"):
        try:
            parse_cn_date(fields.get(name))
        except ValueError as exc:
            return name, str(exc)
    return None


@dataclass
class _Facts:
    """Per mention ref: what the records say about that subject."""

    name: dict[str, str] = field(default_factory=dict)
    kind: dict[str, SubjectKind] = field(default_factory=dict)
    codes: dict[str, list[Identifier]] = field(default_factory=dict)
    note: dict[str, str] = field(default_factory=dict)


def _codes(text: str) -> list[Identifier]:
    code = parse_identifier(text) if _given(text) else None
    return [code] if code else []


def _mentions(cases: dict[str, _Case], registry, conversion: Conversion) -> tuple[list[Mention], _Facts]:
    mentions: list[Mention] = []
    facts = _Facts()
    for case in cases.values():
        for i, (where, _, fields) in enumerate(case.records):
            ref = f"{case.key}#{i}"
            name = fields["iname"].strip()
            codes = _codes(fields.get("card_num", ""))
            if _given(fields.get("card_num", "")) and not codes:
                # Not a reason to drop the record: the debtor is resolved by name, and the why says so.
                facts.note[ref] = "; cardNum is not a USCC, organisation code or ID number this loader reads"
            kind = _kind(name, codes)
            mentions.append(Mention(ref, kind, name, codes))
            facts.name[ref], facts.kind[ref], facts.codes[ref] = name, kind, codes
            rep = _given(fields.get("business_entity", ""))
            if rep and kind is not SubjectKind.person:
                mentions.append(Mention(f"{ref}:rep", SubjectKind.person, rep, named_by=ref, role="LEGAL_REP_OF"))
    for i, (_, fields) in enumerate(registry):
        mentions += registration_mentions(f"registry#{i}", fields)
    return mentions, facts


def _term(list_def: ListDef, case: _Case, determined: date) -> tuple[str, date | None]:
    """The grounds a case was listed on (失信名单规定 art. 1), as words for its basis, and
    the last day of its term (art. 2): none while any ground has no fixed term (ground
    (一)), or none is recognised; else the shortest fixed term (an extension is the
    court's decision, not the record's)."""
    text = " ".join(fields.get("disrupt_type_name", "") for _, _, fields in case.records)
    grounds = [g for g in list_def.grounds if g.recognises(text)]
    if not grounds:
        return "", None
    names = "、".join(g.name_zh for g in grounds)
    if any(g.term_years is None for g in grounds):
        return f"；纳入情形：{names}（无固定期限，按第十条删除）", None
    shortest = min(grounds, key=lambda g: g.term_years)
    end = shortest.last_day(determined)
    updated = max(filter(None, (parse_cn_date(fields.get("update_date")) for _, _, fields in case.records)),
                  default=None)
    if updated is not None and updated > end:
        # A court may extend the term by one to three years (art. 2) and the record does not
        # say so; a source still publishing the case after the term is the evidence there is.
        return (f"；纳入情形：{names}（期限{shortest.term_years}年，可延长{shortest.extension_max_years}年以内；"
                f"来源于{updated.isoformat()}仍公布，视为延长）"), None
    return f"；纳入情形：{names}（期限{shortest.term_years}年，按{shortest.source}推定；法院可延长）", end


def _minor(fields: dict, determined: date) -> bool:
    """Whether the record's ID number shows a person under 18 on ``determined``."""
    code = parse_identifier(fields.get("card_num") or "")
    return code is not None and code.scheme in (Scheme.resident_id, Scheme.resident_id_masked) and minor_on(
        code.value, determined)


def _write(writer: BundleWriter, cases, registry, facts: _Facts, resolved, conversion: Conversion,
           list_def: ListDef) -> None:
    def subject(ref: str, where: str, row: dict) -> str:
        return writer.subject({"id": resolved[ref].subject_id, **row}, where, conversion)

    for case in cases.values():
        determined = parse_cn_date(case.first("publish_date"))
        entry_id = f"court:{case.key}"
        debtor = None
        seen: dict[str, int] = {}
        for i, (where, source, fields) in enumerate(case.records):
            ref = f"{case.key}#{i}"
            # A case published twice by one source is two records: the second is key#2.
            seen[source] = seen.get(source, 0) + 1
            record_id = case.key if seen[source] == 1 else f"{case.key}#{seen[source]}"
            # Its own full USCC, or the one identity resolution built for its subject (a masked
            # USCC completed by an organisation code another record gives).
            uscc = next((c.value for c in facts.codes[ref] if c.scheme is Scheme.uscc), None) or resolved[ref].uscc
            sid = subject(ref, where, {"kind": facts.kind[ref].value, "name": facts.name[ref], "uscc": uscc,
                                       "region": uscc[2:8] if uscc and get_region(uscc[2:8]) else None})
            debtor = debtor or sid
            if sid != debtor:
                conversion.reject(where, "iname", f"case {case.key} names another debtor than its first record "
                                                  f"({debtor}); the record is kept as a source only")
            writer.add("sources.csv", {"record_id": record_id, "source": source, "subject_id": sid,
                                       "entry_id": entry_id, "why": resolved[ref].why + facts.note.get(ref, ""),
                                       "raw": _raw(fields)}, where)
            rep = resolved.get(f"{ref}:rep")
            if rep is not None:
                rid = subject(f"{ref}:rep", where, {"kind": "person", "name": fields["business_entity"].strip()})
                day = parse_cn_date(fields["publish_date"]).isoformat()
                writer.relation({"from_id": rid, "to_id": sid, "type": "LEGAL_REP_OF", "valid_from": day,
                                 "valid_to": day, "title": "法定代表人（失信被执行人名单公布之日）"}, where)
                writer.add("sources.csv", {"record_id": record_id, "source": source, "subject_id": rid,
                                           "why": rep.why, "raw": _raw(fields)}, where)
        state, since = _state(case, determined)
        gist = case.first("gist_id")
        ground_text, valid_to = _term(list_def, case, determined)
        writer.add("entries.csv", {
            "entry_id": entry_id, "subject_id": debtor, "list": LIST_ID, "deciding_dept": case.first("court_name"),
            "basis": case.first("case_code") + (f"（执行依据 {gist}）" if gist else "") + ground_text,
            "basis_kind": "judgment", "determined": determined.isoformat(),
            "valid_to": valid_to.isoformat() if valid_to and state != "expired" else None,
            "state": state, "state_since": since, "region": _region(case),
        }, case.records[0][0])
    for i, (where, fields) in enumerate(registry):
        write_registration(writer, conversion, f"registry#{i}", where, fields, resolved)
