"""Court dishonest-debtor records as courts publish them, on every store: one debtor
seen under its USCC, organisation code, masked USCC and name in several courts and
provinces becomes one subject, with every record kept and the reason for each merge.
The records are generated here in the shapes real sources use (see
../shared/data/README.md, section A); the real sample is read by the optional test
at the end."""

from __future__ import annotations

import csv
import json
import random
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from graph_model.identity.identifiers import make_resident_id, make_uscc, org_code_of
from loaders.court import load_court_records
from loaders.sourcefile import parse_cn_date
from tests.paths import SHARED

RNG = random.Random(7)
USCC = make_uscc(RNG, "230103")
ORG = org_code_of(USCC)
OTHER_USCC = make_uscc(RNG, "440303")
NAME = "哈尔滨星河电气有限公司"
COURT_HEADER = ["被执行人姓名/名称", "身份证号码/组织机构代码", "法定代表人或负责人姓名", "执行法院", "省份", "执行依据文号",
                "立案时间", "案号", "做出执行依据单位", "生效法律文书确定的义务", "被执行人的履行情况",
                "失信被执行人行为具体情形", "发布时间"]
REGISTRY_HEADER = ["公司名", "统一社会信用代码", "地址", "工商注册号", "法人信息", "成立日期", "企业类型", "登记机关"]
TAIFU = SHARED / "data" / "cn-dishonest-taifu"


def _court_row(name, card, rep, court, area, case, published, performance="全部未履行"):
    return [name, card, rep, court, area, "（2017）黑0103民初1号", "20180101", case, court,
            "偿还借款本金100万元\n及利息", performance, "有履行能力而拒不履行生效法律文书确定义务", published]


def _csv(path: Path, tables: list[tuple[list[str], list[list[str]]]], encoding: str) -> Path:
    """Stacked tables with blank lines between rows, as the published exports have them."""
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        for header, rows in tables:
            writer.writerow(header)
            for row in rows:
                writer.writerow([])
                writer.writerow(row)
            writer.writerow([])
    return path


def _star(uscc: str) -> str:
    return uscc[:11] + "****" + uscc[15:]


@pytest.fixture
def court_files(tmp_path):
    """One enterprise under five spellings in four provinces, as a GBK CSV (registry
    table stacked on court records) and an API reply in JSON."""
    registry = [[NAME, USCC, "哈尔滨市南岗区学府路1号", "230103400000001", "王大明", "2003/04/1000:00:00.000",
                 "有限责任公司", "哈尔滨市南岗区市场监督管理局"]]
    court = [
        _court_row(NAME, _star(USCC), "王大明", "哈尔滨市南岗区人民法院", "黑龙江", "（2018）黑0103执1352号", "2018年04月08日"),
        _court_row(NAME, f"{ORG[:8]}-{ORG[8]}", "王大明", "深圳市罗湖区人民法院", "广东", "（2017）粤0303执恢99号", "2017年08月31日"),
        _court_row(NAME, ORG, "李小红", "威海市环翠区人民法院", "山东", "(2017)鲁1002执1000号", "2017/09/30"),
        _court_row(NAME, "无", "无", "西安市中级人民法院", "陕西", "（2015）陕01执字第77号", "2016-11-01"),
        # Same case as the first, from a second source: one entry, two source records.
        _court_row(NAME, ORG, "王大明", "南岗区人民法院", "黑龙江", "(2018)黑0103执1352号", "2018年04月08日"),
        # Another company under the same legal rep's name: a different person.
        _court_row("深圳星河贸易有限公司", OTHER_USCC, "王大明", "深圳市罗湖区人民法院", "广东", "（2018）粤0303执5号",
                   "2018年05月02日"),
    ]
    gbk = _csv(tmp_path / "shixin.gbk.csv", [(REGISTRY_HEADER, registry), (COURT_HEADER, court)], "gb18030")
    published = int(datetime(2018, 6, 1, 9, tzinfo=timezone.utc).timestamp() * 1000)
    api = {"status": "0", "data": [{"result": [
        {"iname": NAME, "cardNum": _star(USCC), "businessEntity": "王大明", "courtName": "哈尔滨市香坊区人民法院",
         "areaName": "黑龙江", "caseCode": "（2018）黑0110执200号", "gistId": "（2018）黑0110民初9号",
         "duty": "给付货款", "performance": "全部未履行", "disruptTypeName": "违反财产报告制度",
         "publishDate": published, "regDate": "20180401"}]}]}
    reply = tmp_path / "api.json"
    reply.write_text(json.dumps(api, ensure_ascii=False), "utf-8")
    return [gbk, reply]


def _subjects(store) -> dict[str, dict]:
    return {r["props"]["id"]: r["props"] for r in store.read("snapshot_nodes") if "Subject" in r["labels"]}


def test_one_debtor_under_every_spelling_is_one_subject_with_all_its_cases(store, catalogue, hasher, batch_size, court_files):
    report = load_court_records(store, catalogue, hasher, court_files, batch_size=batch_size)
    assert report.rejects == []
    # 5 subjects: two enterprises, 王大明 of each, 李小红. 6 legal-rep periods: 王大明 of
    # NAME on three publication days and per the registry, 李小红, 王大明 of the other.
    # 6 cases. 15 source links: 8 records name their debtor, 7 of them a legal rep too.
    assert report.read == {"enterprises": 1, "court": 7, "bundle subjects.csv": 5, "bundle relations.csv": 6,
                           "bundle entries.csv": 6, "bundle sources.csv": 15}
    enterprises = {sid: s for sid, s in _subjects(store).items() if s["kind"] == "enterprise"}
    assert sorted(s["name"] for s in enterprises.values()) == sorted([NAME, "深圳星河贸易有限公司"])
    [debtor] = [s for s in enterprises.values() if s["name"] == NAME]
    assert (debtor["uscc"], debtor["org_code"], debtor["region"], debtor["established"]) == (
        USCC, ORG, "230103", "2003-04-10")
    entries = store.read("entries_of_subjects", ids=[debtor["id"]])
    assert len(entries) == 5  # six records, one case published twice
    sources = store.read("sources_of_subject", subject_id=debtor["id"])
    assert len(sources) == 7  # the registry row and every court record, none lost
    why = {s["record_id"]: s["why"] for s in sources if "api.json" not in s["source"]}
    assert "organisation code" in why["(2017)粤0303执恢99号"]
    assert "fits" in why["(2018)黑0103执1352号"] and "NOT" not in why["(2018)黑0103执1352号"]
    assert "same name" in why["(2015)陕01执字第77号"]


def test_cases_are_placed_by_their_court_and_dated_by_publication(store, catalogue, hasher, batch_size, court_files):
    load_court_records(store, catalogue, hasher, court_files, batch_size=batch_size)
    entries = {r["props"]["id"]: r["props"] for r in store.read("snapshot_nodes") if "Entry" in r["labels"]}
    assert {e["region"][:2] for e in entries.values()} == {"23", "44", "37", "61"}
    assert entries["court:(2018)黑0103执1352号"]["region"] == "230103"
    assert entries["court:(2017)粤0303执恢99号"]["determined"] == "2017-08-31"
    assert entries["court:(2018)黑0110执200号"]["determined"] == "2018-06-01"  # epoch ms, China time
    assert entries["court:(2015)陕01执字第77号"]["region"] == "610100"  # old case number: by the court's name
    assert {e["list"] for e in entries.values()} == {"dishonest_debtor"}


def test_persons_are_never_merged_on_name_alone(store, catalogue, hasher, batch_size, court_files, tmp_path):
    id_a = make_resident_id(RNG, "340100", date(1964, 3, 1), male=False)
    masked = id_a[:10] + "****" + id_a[14:]
    rows = [_court_row("张敏", masked, "", "合肥市蜀山区人民法院", "安徽", f"（2019）皖0104执{i}号", "2019年05月01日")
            for i in (1, 2)]
    rows += [_court_row("张敏", "", "", "合肥市蜀山区人民法院", "安徽", f"（2019）皖0104执{i}号", "2019年05月01日")
             for i in (3, 4)]
    persons_file = _csv(tmp_path / "persons.csv", [(COURT_HEADER, rows)], "utf-8")
    report = load_court_records(store, catalogue, hasher, [*court_files, persons_file], batch_size=batch_size)
    assert report.rejects == []
    persons = [s for s in _subjects(store).values() if s["kind"] == "person"]
    # 张敏 with one masked ID number (one person), twice by name only (two persons); 王大明
    # of two companies (two persons), 李小红 (one).
    assert sorted(p["name"] for p in persons) == ["张敏", "张敏", "张敏", "李小红", "王大明", "王大明"]
    stored = json.dumps([s for s in store.read("snapshot_nodes")], ensure_ascii=False)
    assert id_a not in stored
    assert masked not in stored, [s for s in store.read("snapshot_nodes") if masked in json.dumps(s, ensure_ascii=False)]


def test_loading_again_changes_nothing(store, catalogue, hasher, batch_size, court_files):
    load_court_records(store, catalogue, hasher, court_files, batch_size=batch_size)
    before = (sorted(map(repr, store.read("snapshot_nodes"))), sorted(map(repr, store.read("snapshot_relationships"))))
    again = load_court_records(store, catalogue, hasher, list(reversed(court_files)), batch_size=batch_size)
    after = (sorted(map(repr, store.read("snapshot_nodes"))), sorted(map(repr, store.read("snapshot_relationships"))))
    assert again.rejects == [] and after == before


def test_a_bad_record_is_rejected_by_file_line_and_field_and_the_rest_load(store, catalogue, hasher, batch_size, tmp_path):
    rows = [_court_row(NAME, USCC, "王大明", "哈尔滨市南岗区人民法院", "黑龙江", "（2018）黑0103执1号", "2018年13月08日"),
            _court_row(NAME, USCC, "王大明", "哈尔滨市南岗区人民法院", "黑龙江", "", "2018年04月08日"),
            _court_row(NAME, USCC, "王大明", "哈尔滨市南岗区人民法院", "黑龙江", "（2018）黑0103执3号", "2018年04月08日")]
    path = _csv(tmp_path / "bad.csv", [(COURT_HEADER, rows)], "gb18030")
    report = load_court_records(store, catalogue, hasher, [path], batch_size=batch_size)
    # Each record starts on its own line after a blank one, and its duty text spans two.
    assert [(r.file, r.line, r.field) for r in report.rejects] == [("bad.csv", 3, "publishDate"),
                                                                  ("bad.csv", 6, "caseCode")]
    assert "month must be in 1..12" in report.rejects[0].reason
    assert report.loaded["entries.csv"] == 1


@pytest.mark.parametrize("text, expected", [("20180302", date(2018, 3, 2)), ("2018年04月08日", date(2018, 4, 8)),
                                            ("2017/08/31", date(2017, 8, 31)), ("2018-4-8", date(2018, 4, 8)),
                                            ("2003/04/1000:00:00.000", date(2003, 4, 10)), ("", None)])
def test_the_date_spellings_sources_use(text, expected):
    assert parse_cn_date(text) == expected


@pytest.mark.skipif(not TAIFU.is_dir(), reason="../shared/data/cn-dishonest-taifu not present")
def test_the_taifu_sample_is_one_enterprise_with_all_its_cases_across_provinces(store, catalogue, hasher, batch_size):
    files = [TAIFU / "shixin.gbk.csv", TAIFU / "createChain.gbk.csv"]
    report = load_court_records(store, catalogue, hasher, files, batch_size=batch_size)
    assert report.rejects == []
    assert report.read["court"] == 29 + 30 and report.read["enterprises"] == 1
    enterprises = [s for s in _subjects(store).values() if s["kind"] == "enterprise"]
    assert [(e["name"], e["uscc"]) for e in enterprises] == [("哈尔滨泰富电气有限公司", "91230199744190927K")]
    entries = [r["props"] for r in store.read("snapshot_nodes") if "Entry" in r["labels"]]
    cases = {r["caseCode"] for name in ("shixin.utf8.csv",) for r in csv.DictReader(
        open(TAIFU / name, encoding="utf-8"), fieldnames=["iname", "cardNum", "rep", "court", "area", "gist", "reg",
                                                           "caseCode"]) if r["caseCode"] and r["caseCode"] != "案号"}
    assert len(cases) == 29 and len(entries) == 30  # createChain adds one case shixin lacks
    assert {e["region"][:2] for e in entries} == {"23", "44", "37", "61"}  # 黑龙江, 广东, 山东, 陕西
    assert len(store.read("sources_of_subject", subject_id=enterprises[0]["id"])) == 29 + 30 + 1
