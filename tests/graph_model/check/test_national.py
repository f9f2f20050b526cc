"""The national layer: the court's list binds the debtor and the four roles under the
national rules, one action tree answers across lists, provincial measures bind where
their document binds, terms and working days follow the national rules. On a real
FalkorDB with generated court records; the real court sample in ../shared is read by the
optional test at the end."""

from __future__ import annotations

import csv
import os
import random
from datetime import date
from pathlib import Path

import pytest

from graph_model.catalogue.model import load_catalogue
from graph_model.catalogue.terms import publication_period
from graph_model.catalogue.workdays import add_working_days, is_working_day
from graph_model.check.rules import check
from graph_model.errors import InvalidCatalogue, InvalidInput
from graph_model.identity.identifiers import make_resident_id, make_uscc
from graph_model.lifecycle.acts import NewEntry
from graph_model.lifecycle.transitions import create_entry
from loaders.bundle import load_bundle
from loaders.court import load_court_records
from tests.factories import Bundle
from tests.factories import edit_yaml as _edit
from tests.paths import SHARED

RNG = random.Random(16)
TAIFU = SHARED / "data" / "cn-dishonest-taifu"
HEADER = ["被执行人姓名/名称", "身份证号码/组织机构代码", "法定代表人或负责人姓名", "执行法院", "省份", "执行依据文号",
          "立案时间", "案号", "做出执行依据单位", "生效法律文书确定的义务", "被执行人的履行情况",
          "失信被执行人行为具体情形", "发布时间"]


# -- working days ---------------------------------------------------------------------

def test_working_days_skip_the_spring_festival_and_count_the_adjusted_saturday():
    # 2026: 15-23 February off; Saturday 14 February and Saturday 28 February are worked.
    assert is_working_day(date(2026, 2, 14)) and not is_working_day(date(2026, 2, 16))
    assert add_working_days(date(2026, 2, 13), 3).day == date(2026, 2, 25)
    assert add_working_days(date(2026, 2, 26), 2).day == date(2026, 2, 28)  # a Saturday, worked
    # Monday-Friday counting would have said 18 February, in the middle of the holiday.
    assert add_working_days(date(2026, 2, 13), 3).known


def test_working_days_across_national_day_end_on_the_adjusted_saturday():
    result = add_working_days(date(2026, 9, 30), 3)
    assert result.day == date(2026, 10, 10) and date(2026, 10, 10).weekday() == 5


def test_a_year_without_an_official_calendar_is_counted_monday_to_friday_and_said_so():
    result = add_working_days(date(2031, 1, 2), 3)  # Thursday
    assert result.day == date(2031, 1, 7) and not result.known
    with pytest.raises(ValueError, match="working days must be 0 to 366"):
        add_working_days(date(2026, 1, 1), -1)


def test_court_removal_deadline_counts_working_days(catalogue):
    removal = catalogue.lists["dishonest_debtor"].removal
    assert removal.working_days == 3
    assert not catalogue.lists["dishonest_debtor"].objection_suspends
    assert not catalogue.lists["consumption_restriction"].objection_suspends
    assert catalogue.lists["joint_punishment"].objection_suspends
    assert removal.due(date(2026, 2, 13)) == (date(2026, 2, 25), True)


# -- the action tree -------------------------------------------------------------------


def test_two_codes_for_the_same_act_are_refused(editable):
    _edit(editable / "actions.yaml",
          lambda d: d["nodes"].update({"procurement.government": {"name_zh": "政府采购", "name_en": "Public buying"}}))
    with pytest.raises(InvalidCatalogue, match=r"names the same act as 'procurement'"):
        load_catalogue(editable)


def test_a_measure_must_name_a_node_not_an_alias(editable):
    _edit(editable / "measures" / "joint_punishment.yaml", lambda d: d["measures"][1].update(action="procurement.bid"))
    with pytest.raises(InvalidCatalogue, match=r"measures.1.action 'procurement.bid' is not a node.*alias of 'bidding'"):
        load_catalogue(editable)


def test_every_measure_names_one_node_and_every_node_has_its_parent(catalogue):
    tree = catalogue.action_tree
    assert all(m.action in tree.nodes for _, m in catalogue.measures)
    assert all(code.rpartition(".")[0] in ("", *tree.nodes) for code in tree.nodes)
    assert tree.match("bidding.construction", "bidding").value == "broader"
    assert tree.match("travel", "travel.flight").value == "narrower"
    assert tree.match("procurement.bid", "bidding").value == "same"
    assert tree.match("procurement", "bidding") is None


def test_catalogue_export_shows_the_tree_and_what_is_unverified(catalogue):
    from graph_model.catalogue.publish import render

    text = render(catalogue, "md")
    assert "  - `travel.flight` 乘坐民用航空器" in text and "`procurement.bid` → `bidding`" in text
    assert "## 待核 Unverified" in text and "measure `dd.bidding`" in text


# -- scope and legal basis per region ---------------------------------------------------

def test_provincial_measures_bind_where_their_document_binds(catalogue):
    measures = {m.id: m for _, m in catalogue.measures}
    assert measures["tb.disclosure.publish"].applies_in == ["63"]  # Qinghai's document only
    assert measures["jp.procurement.bid"].applies_in is None  # 国办发〔2019〕35号: everywhere
    assert measures["dd.travel.flight"].applies_in is None
    pr1 = catalogue.lists["joint_punishment"].propagation[0]
    assert "依托贵州" in pr1.basis_in("520102")[0]
    assert "依托贵州" not in pr1.basis_in("320102")[0] and "国办发〔2019〕35号" in pr1.basis_in("320102")[1]
    assert "全国信用信息共享平台(天津)" in pr1.basis_in("120113")[0]


def _joint(store, catalogue, hasher, region: str, tmp_path) -> None:
    b = Bundle()
    b.enterprise("E1", "江苏某某建设有限公司", region=region)
    b.person("P1", "张某")
    b.role("P1", "LEGAL_REP_OF", "E1", valid_from="2015-01-01")
    b.entry("J1", "E1", determined="2024-05-01", region=region)
    b.entry("T1", "E1", list_="tax_blacklist", determined="2024-05-01", region=region)
    load_bundle(store, catalogue, hasher, b.write(tmp_path / "bundle"))


def test_a_jiangsu_listing_quotes_no_guizhou_document_and_qinghai_measures_bind_in_qinghai(
        falkor_store, catalogue, hasher, tmp_path):
    _joint(falkor_store, catalogue, hasher, "320102", tmp_path)
    person = check(falkor_store, catalogue, hasher, "P1", on=date(2025, 1, 1))
    [reason] = person.reasons
    assert reason.rule == "PR1" and "贵州" not in reason.legal_basis and "国办发〔2019〕35号" in reason.legal_basis
    assert reason.unverified  # 35号's own wording was not read
    in_guizhou = check(falkor_store, catalogue, hasher, "P1", on=date(2025, 1, 1), region="520102")
    assert "依托贵州信用联合奖惩平台" in in_guizhou.reasons[0].legal_basis
    # The tax blacklist's publication is Qinghai's measure: asked in Jiangsu it does not bind.
    anywhere = check(falkor_store, catalogue, hasher, "E1", action="disclosure.publish", on=date(2025, 1, 1))
    assert anywhere.restricted and anywhere.reasons[0].measure_applies_in == {"disclosure.publish": ["63"]}
    assert not check(falkor_store, catalogue, hasher, "E1", action="disclosure.publish", on=date(2025, 1, 1),
                     region="320102").restricted
    assert check(falkor_store, catalogue, hasher, "E1", action="disclosure.publish", on=date(2025, 1, 1),
                 region="630102").restricted


def test_asking_an_ancestor_or_descendant_action_answers_and_says_which(falkor_store, catalogue, hasher, tmp_path):
    _joint(falkor_store, catalogue, hasher, "320102", tmp_path)
    construction = check(falkor_store, catalogue, hasher, "E1", action="bidding.construction", on=date(2025, 1, 1))
    assert construction.restricted and construction.measures == ["bidding"]
    assert construction.reasons[0].action_match == {"bidding": "broader"}
    old = check(falkor_store, catalogue, hasher, "E1", action="procurement.bid", on=date(2025, 1, 1))
    assert old.restricted and old.reasons[0].action_match == {"bidding": "same"}
    travel = check(falkor_store, catalogue, hasher, "P1", action="travel", on=date(2025, 1, 1))
    assert travel.restricted and travel.reasons[0].action_match == {
        "travel.flight": "narrower", "travel.rail_high_grade": "narrower"}
    with pytest.raises(InvalidInput, match="unknown action 'travel.flights'"):
        check(falkor_store, catalogue, hasher, "E1", action="travel.flights")


# -- the court's list on generated records ----------------------------------------------

def _court_csv(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _row(name, card, rep, case, published, ground):
    return [name, card, rep, "哈尔滨市南岗区人民法院", "黑龙江", "（2017）黑0103民初1号", "20180101", case,
            "南岗区人民法院", "偿还借款", "全部未履行", ground, published]


@pytest.fixture
def debtor(falkor_store, catalogue, hasher, tmp_path):
    uscc = make_uscc(RNG, "230103")
    path = _court_csv(tmp_path / "court.csv", [
        _row("哈尔滨北方机电有限公司", uscc, "李四海", "（2018）黑0103执1号", "2018年03月09日", "违反财产报告制度"),
    ])
    report = load_court_records(falkor_store, catalogue, hasher, [path])
    assert not report.rejects
    person = next(r["subject"]["id"] for r in falkor_store.read("subject_by", variant="name", key="李四海"))
    return {"uscc": uscc, "person": person}


def test_a_unit_on_the_court_list_is_restricted_nationally_and_so_is_its_legal_rep(
        falkor_store, catalogue, hasher, debtor):
    on = date(2019, 6, 1)
    unit = check(falkor_store, catalogue, hasher, debtor["uscc"], on=on)
    assert {"procurement", "bidding", "travel.flight", "travel.rail_high_grade", "consumption.real_estate"} <= set(
        unit.measures)
    procurement = check(falkor_store, catalogue, hasher, debtor["uscc"], action="procurement", on=on)
    assert "财库〔2016〕125号" in procurement.reasons[0].legal_basis
    [reason] = check(falkor_store, catalogue, hasher, debtor["person"], action="travel.flight", on=on).reasons
    assert reason.rule == "NR1" and reason.role == "LEGAL_REP_OF" and reason.entry_id.startswith("court:")
    assert "法定代表人、主要负责人、影响债务履行的直接责任人员、实际控制人" in reason.legal_basis
    assert [s.subject.name for s in reason.path] == ["李四海", "哈尔滨北方机电有限公司"]
    # The natural-person measures do not bind the unit's legal representative.
    assert "office.soe_officer" not in check(falkor_store, catalogue, hasher, debtor["person"], on=on).measures


def test_a_fixed_term_ground_ends_after_two_years(falkor_store, catalogue, hasher, debtor):
    assert check(falkor_store, catalogue, hasher, debtor["person"], action="travel.flight",
                 on=date(2020, 3, 8)).restricted
    assert not check(falkor_store, catalogue, hasher, debtor["person"], action="travel.flight",
                     on=date(2020, 3, 9)).restricted
    assert not check(falkor_store, catalogue, hasher, debtor["uscc"], on=date(2020, 3, 9)).restricted


def test_an_ended_court_listing_shows_its_removal_deadline_in_working_days(falkor_store, catalogue, debtor):
    from graph_model.views.entries import entry_view

    view = entry_view(falkor_store, catalogue, "court:(2018)黑0103执1号")
    assert view.valid_to == date(2020, 3, 8)
    # Term over on Sunday 8 March 2020: three working days are 9, 10 and 11 March.
    assert view.removal_due.event == date(2020, 3, 8) and view.removal_due.due == date(2020, 3, 11)
    assert view.removal_due.calendar_known and "第十条" in view.removal_due.source


def test_a_fixed_term_case_still_published_after_its_term_stays_listed(falkor_store, catalogue, hasher, tmp_path):
    header = HEADER + ["最新更新日期"]
    path = tmp_path / "court.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerow(_row("哈尔滨延期机电有限公司", make_uscc(RNG, "230103"), "", "（2018）黑0103执9号",
                             "2018年03月09日", "违反财产报告制度") + ["2021年05月01日"])
    load_court_records(falkor_store, catalogue, hasher, [path])
    [subject] = [r["subject"]["id"] for r in falkor_store.read("subject_by", variant="name", key="哈尔滨延期机电有限公司")]
    # Two years would end 2020-03-08; the court still published it in 2021: an extension.
    answer = check(falkor_store, catalogue, hasher, subject, action="procurement", on=date(2022, 1, 1))
    assert answer.restricted and "视为延长" in answer.reasons[0].basis


def test_a_minor_is_never_listed(falkor_store, catalogue, hasher, tmp_path):
    minor = make_resident_id(RNG, "230103", date(2005, 6, 1), True)
    adult = make_resident_id(RNG, "230103", date(1980, 6, 1), True)
    b = Bundle()
    b.person("P9", "王小明", id_number=minor)
    load_bundle(falkor_store, catalogue, hasher, b.write(tmp_path / "bundle"))
    path = _court_csv(tmp_path / "court.csv", [
        _row("王小明", minor, "", "（2020）黑0103执2号", "2020年01月02日", "有履行能力而拒不履行生效法律文书确定义务"),
        _row("王大明", adult, "", "（2020）黑0103执3号", "2020年01月02日", "有履行能力而拒不履行生效法律文书确定义务"),
    ])
    report = load_court_records(falkor_store, catalogue, hasher, [path])
    [reject] = report.rejects
    assert reject.field == "cardNum" and "失信名单规定 第四条" in reject.reason and minor not in reject.reason
    [listed] = [r["subject"]["id"] for r in falkor_store.read("subject_by", variant="name", key="王大明")]
    assert check(falkor_store, catalogue, hasher, listed, on=date(2021, 1, 1)).restricted
    # A bundle row listing the minor (the ID number is in its subjects.csv) is rejected.
    b.entry("M1", "P9", list_="dishonest_debtor", determined="2020-01-02")
    report = load_bundle(falkor_store, catalogue, hasher, b.write(tmp_path / "bundle2"))
    [reject] = report.rejects
    assert (reject.file, reject.field) == ("entries.csv", "subject_id") and "第四条" in reject.reason
    # Through the API, a decision naming the minor by ID number is refused, naming the rule.
    new = NewEntry(list="dishonest_debtor", subject=minor, deciding_dept="哈尔滨市南岗区人民法院",
                   basis="（2020）黑0103执2号", basis_kind="judgment", determined=date(2020, 1, 2), region="230103",
                   actor="书记员", department="哈尔滨市南岗区人民法院", reason="纳入失信被执行人名单",
                   on=date(2020, 1, 2))
    with pytest.raises(InvalidInput) as raised:
        create_entry(falkor_store, catalogue, hasher, new)
    assert "第四条" in str(raised.value.detail) and minor not in str(raised.value.detail)
    # By bundle id the age cannot be known: the decision must name the person by ID number.
    with pytest.raises(InvalidInput, match="name the person by resident ID number"):
        create_entry(falkor_store, catalogue, hasher, new.model_copy(update={"subject": "P9"}))


# -- publication periods by the rule in force ---------------------------------------------

def test_publication_periods_follow_the_rule_in_force_on_the_decision_date(catalogue):
    regimes = catalogue.rules.publication_regimes
    before = publication_period(regimes, date(2022, 5, 1), "serious")
    assert (before.regime, before.earliest_end, before.latest_end) == ("ndrc_2019_527", date(2022, 11, 1),
                                                                       date(2025, 5, 1))
    fire = publication_period(regimes, date(2024, 5, 1), "general", field="消防")
    assert fire.regime == "ndrc_order_58" and fire.earliest_end == date(2025, 5, 1)
    new = publication_period(regimes, date(2026, 4, 1), "serious")
    assert new.regime == "ndrc_credit_repair_2026" and new.earliest_end == date(2027, 4, 1) and not new.verified
    samr = publication_period(regimes, date(2024, 1, 10), "minor", domain="market_regulation")
    assert samr.regime == "samr_order_45" and samr.latest_end == date(2024, 4, 10)


# -- the real court sample (optional) -------------------------------------------------------

@pytest.mark.skipif(not TAIFU.exists(), reason="../shared/data/cn-dishonest-taifu is not here")
@pytest.mark.parametrize("files", [["shixin.utf8.csv"], ["shixin.utf8.csv", "createChain.utf8.csv"]])
def test_the_real_court_sample_finds_one_debtor_restricted_with_national_bases(falkor_store, catalogue, hasher,
                                                                               files):
    load_court_records(falkor_store, catalogue, hasher, [TAIFU / f for f in files])
    found = {check(falkor_store, catalogue, hasher, key).subject.id
             for key in ("91230199744190927K", "74419092-7", "哈尔滨泰富电气有限公司")}
    assert len(found) == 1
    on = date(2018, 6, 1)
    for action, basis in (("procurement", "财库〔2016〕125号"), ("travel.flight", "限制被执行人高消费")):
        answer = check(falkor_store, catalogue, hasher, "91230199744190927K", action=action, on=on)
        assert answer.restricted and all(basis in r.legal_basis for r in answer.reasons)
    [yang] = [r["subject"]["id"] for r in falkor_store.read("subject_by", variant="name", key="杨天夫")]
    flights = check(falkor_store, catalogue, hasher, yang, action="travel.flight", on=on)
    assert flights.restricted and all(r.rule == "NR1" and r.entry_id.startswith("court:") for r in flights.reasons)
    assert all(r.path[1].subject.id in found for r in flights.reasons)
    # Before any listing he was named in, no restriction.
    assert not check(falkor_store, catalogue, hasher, yang, action="travel.flight", on=date(2016, 1, 1)).restricted


def test_an_objection_suspends_an_administrative_listing_but_not_the_courts(falkor_store, catalogue, hasher,
                                                                            tmp_path):
    b = Bundle()
    b.enterprise("E1")
    b.enterprise("E2")
    b.entry("C1", "E1", list_="dishonest_debtor", state="objection_pending", state_since="2024-01-01")
    b.entry("J1", "E2", state="objection_pending", state_since="2024-01-01")
    load_bundle(falkor_store, catalogue, hasher, b.write(tmp_path / "bundle"))
    court = check(falkor_store, catalogue, hasher, "E1", action="procurement", on=date(2024, 6, 1))
    # 失信名单规定 art. 12: the listing stays in force while a correction is reviewed.
    assert court.restricted and court.reasons[0].state == "objection_pending" and not court.reasons[0].suspended
    joint = check(falkor_store, catalogue, hasher, "E2", action="bidding", on=date(2024, 6, 1))
    assert not joint.restricted and joint.suspended and joint.reasons[0].suspended


def test_a_consortium_with_a_listed_member_is_restricted_as_a_whole_over_http(tmp_path):
    from tests.serving import api_key, client, free_port, run_cli, serve, stop

    env = {**os.environ, "SANCTIONNET_DATA_DIR": str(tmp_path / "data"), "SANCTIONNET_ID_HASH_KEY": "k"}
    listed = make_uscc(RNG, "230103")
    court = _court_csv(tmp_path / "court.csv", [
        _row("哈尔滨北方机电有限公司", listed, "李四海", "（2018）黑0103执1号", "2018年03月09日",
             "有履行能力而拒不履行生效法律文书确定义务")])
    b = Bundle()
    b.enterprise("E1", "哈尔滨清白建设有限公司")
    assert run_cli(env, "load", "court", str(court)).returncode == 0
    assert run_cli(env, "load", "bundle", str(b.write(tmp_path / "bundle"))).returncode == 0
    port = free_port()
    proc = serve(env, port)
    try:
        with client(port, api_key(env, "screener")) as api:
            asked = {"subjects": ["E1", listed], "action": "bidding.construction", "consortium": True}
            body = api.post("/v1/check/batch", json=asked).json()
            assert body["restricted"] == [1] and body["answers"][1]["matched_by"] == "uscc"
            assert body["consortium"]["restricted"] and body["consortium"]["members"] == [1]
            assert any("法〔2016〕285号" in basis for basis in body["consortium"]["legal_basis"])
            alone = api.post("/v1/check/batch", json={**asked, "subjects": ["E1"]}).json()
            assert alone["consortium"] == {"restricted": False, "members": [], "measures": [], "legal_basis": []}
            assert api.post("/v1/check/batch", json={"subjects": ["E1"]}).json()["consortium"] is None
    finally:
        assert stop(proc) == 0
        run_cli(env, "db", "stop")


def test_on_the_demo_whoever_may_not_bid_may_not_bid_for_construction_either(falkor_store, catalogue, hasher,
                                                                            tmp_path):
    from graph_model.check.rules import check_many
    from demo.generate import generate_bundle

    generate_bundle(tmp_path / "demo", enterprises=200, seed=0)
    assert load_bundle(falkor_store, catalogue, hasher, tmp_path / "demo").rejects == []
    ids = [row["id"] for row in csv.DictReader(open(tmp_path / "demo" / "subjects.csv", encoding="utf-8"))]
    on = date(2025, 1, 1)
    bidding = check_many(falkor_store, catalogue, hasher, ids, action="bidding", on=on)
    construction = check_many(falkor_store, catalogue, hasher, ids, action="bidding.construction", on=on)
    old = check_many(falkor_store, catalogue, hasher, ids, action="procurement.bid", on=on)
    barred = {a.subject.id for a in bidding if a and a.restricted and "bidding" in a.measures}
    assert barred  # the demo lists some bidders
    assert barred <= {a.subject.id for a in construction if a and a.restricted}
    assert barred == {a.subject.id for a in old if a and a.restricted and "bidding" in a.measures}


def test_a_travel_restriction_never_bars_leaving_the_country(catalogue):
    # "交通出行" (wage arrears) binds flights, trains and ships; leaving the country needs a
    # court's or a tax authority's own decision (border.exit, by decision).
    wage = {m.action for m in catalogue.measures_of("wage_arrears")}
    assert {"travel.flight", "travel.rail_high_grade"} <= wage and "border.exit" not in wage
    assert all(catalogue.match("border.exit", m) is None for _, m in catalogue.measures
               if m.action.startswith("travel"))
    assert all(m.applies == "by_decision" for _, m in catalogue.measures if m.action == "border.exit")


def test_a_first_generation_id_number_in_a_record_is_kept_masked():
    from loaders.convert import raw_record

    kept = raw_record({"cardNum": "110105491231002", "duty": "被告（身份证号110105491231002）偿还"})
    assert "110105491231002" not in kept and "110105******002" in kept


@pytest.mark.slow
def test_the_make_demo_data_restricts_e000038_for_construction_bidding(falkor_store, catalogue, hasher, tmp_path):
    from demo.generate import generate_bundle

    generate_bundle(tmp_path / "demo", enterprises=20_000, seed=0)  # what `make demo` loads
    assert load_bundle(falkor_store, catalogue, hasher, tmp_path / "demo").rejects == []
    answer = check(falkor_store, catalogue, hasher, "E000038", action="bidding.construction", on=date(2025, 1, 1))
    assert answer.restricted and answer.reasons[0].action_match == {"bidding": "broader"}
