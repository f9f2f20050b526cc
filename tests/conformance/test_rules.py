"""PR2-PR15 of domain.md §9(b), one planted scenario each, on every store.

Each test names its rule and the sentence it rests on; the catalogue files carry
the full quotes. PR1 is in test_pr1.py, PR13 (objection, revocation) and the
transitions in test_lifecycle.py.
"""

from __future__ import annotations

from datetime import date

import pytest

from graph_model.check.grading import grade
from graph_model.check.rules import check
from graph_model.errors import Conflict
from graph_model.identity.lookup import resolve_subject
from graph_model.lifecycle.acts import Act
from graph_model.lifecycle.tasks import close_task
from graph_model.lifecycle.transitions import transition
from loaders.bundle import load_bundle
from tests.factories import Bundle

ON = date(2024, 5, 1)


def load(store, catalogue, hasher, bundle_dir, b: Bundle) -> None:
    report = load_bundle(store, catalogue, hasher, b.write(bundle_dir))
    assert report.rejects == []


def ask(store, catalogue, hasher, key, **kw):
    kw.setdefault("on", ON)
    return check(store, catalogue, hasher, key, **kw)


def tasks(store, **kw) -> list[tuple[str, str, str, str]]:
    params = {"status": "", "rule": "", "recipient": "", "due_by": "9999-12-31", "offset": 0, "limit": 1000}
    rows = store.read("tasks", **(params | kw))
    return sorted((r["task"]["rule"], r["task"]["subject_id"], r["task"]["recipient"], r["task"]["recipient_id"])
                  for r in rows)


def test_pr2_soe_arrears_bind_and_publish_its_managers(store, catalogue, hasher, bundle_dir):
    """"对涉及拖欠…的国有企业法定代表人、主要负责人和实际控制人依法追究违法失信责任，并予以公开公示" (GZ (十二))."""
    b = Bundle()
    b.enterprise("SOE", ownership="soe")
    b.enterprise("PRIV", ownership="private")
    for pid, firm, role in (("P_soe", "SOE", "LEGAL_REP_OF"), ("P_ctl", "SOE", "ACTUAL_CONTROLLER_OF"),
                            ("P_priv", "PRIV", "LEGAL_REP_OF")):
        b.person(pid)
        b.role(pid, role, firm, valid_from="2015-01-01")
    b.entry("A1", "SOE", list_="labour_arrears", measures="finance.credit")
    b.entry("A2", "PRIV", list_="labour_arrears")
    load(store, catalogue, hasher, bundle_dir, b)
    for person in ("P_soe", "P_ctl"):
        answer = ask(store, catalogue, hasher, person)
        assert answer.restricted and {"disclosure.publish", "finance.credit"} <= set(answer.measures)
        assert answer.reasons[0].rule == "PR2"
    # A private enterprise in arrears is on the list itself; PR2 reaches only SOE managers.
    assert ask(store, catalogue, hasher, "PRIV").restricted
    assert not ask(store, catalogue, hasher, "P_priv").restricted


def test_pr2_measures_set_by_decision_only_when_ordered(store, catalogue, hasher, bundle_dir):
    b = Bundle()
    b.enterprise("SOE", ownership="soe")
    b.person("P")
    b.role("P", "PRINCIPAL_OF", "SOE", valid_from="2015-01-01")
    b.entry("A1", "SOE", list_="labour_arrears")
    load(store, catalogue, hasher, bundle_dir, b)
    answer = ask(store, catalogue, hasher, "P")
    assert "disclosure.publish" in answer.measures and "finance.credit" not in answer.measures


def test_pr3_public_bodies_and_soes_notify_superior_and_audit(store, catalogue, hasher, bundle_dir):
    """"机关事业单位、国有企业出现违法失信行为的，要通报上级主管单位和审计部门" (GZ/BC)."""
    b = Bundle()
    b.subjects.append({"id": "G_sup", "kind": "public_body", "name": "某市人民政府", "region": "230100"})
    b.subjects.append({"id": "G1", "kind": "public_body", "name": "某市交通运输局", "region": "230103"})
    b.role("G1", "SUPERVISED_BY", "G_sup", valid_from="2010-01-01")
    b.enterprise("SOE", ownership="soe")
    b.enterprise("PRIV")
    for sid in ("G1", "SOE", "PRIV"):
        b.entry(f"J_{sid}", sid)
    load(store, catalogue, hasher, bundle_dir, b)
    assert tasks(store, rule="PR3") == sorted([
        ("PR3", "G1", "superior_unit", "G_sup"), ("PR3", "G1", "审计部门", ""),
        # No superior unit on record: the task says so, for someone to find it.
        ("PR3", "SOE", "superior_unit", ""), ("PR3", "SOE", "审计部门", "")])
    # The unit is found and loaded later: it gets its task, and the "find it" task is
    # superseded rather than left open for ever.
    later = Bundle(subjects=list(b.subjects))
    later.role("SOE", "SUPERVISED_BY", "G_sup", valid_from="2010-01-01")
    load(store, catalogue, hasher, bundle_dir / "later", later)
    assert tasks(store, rule="PR3", status="open") == sorted([
        ("PR3", "G1", "superior_unit", "G_sup"), ("PR3", "G1", "审计部门", ""),
        ("PR3", "SOE", "superior_unit", "G_sup"), ("PR3", "SOE", "审计部门", "")])
    assert tasks(store, rule="PR3", status="superseded") == [("PR3", "SOE", "superior_unit", "")]


def test_a_revocation_withdraws_open_tasks_and_keeps_done_ones(store, catalogue, hasher, bundle_dir):
    """A wrong listing must not go on producing notifications: revoking it, through the
    API or by a bundle row, withdraws its open tasks; a task already done stays done."""
    b = Bundle()
    b.subjects.append({"id": "G_sup", "kind": "public_body", "name": "某市人民政府", "region": "230100"})
    b.subjects.append({"id": "G1", "kind": "public_body", "name": "某市交通运输局", "region": "230103"})
    b.role("G1", "SUPERVISED_BY", "G_sup", valid_from="2010-01-01")
    b.enterprise("SOE", ownership="soe")
    b.entry("J_G1", "G1")
    b.entry("J_SOE", "SOE")
    load(store, catalogue, hasher, bundle_dir, b)
    close_task(store, "PR3|J_G1|G_sup", Act(actor="a", department="某市人民政府", reason="已通报"))
    transition(store, catalogue, "J_G1", "revoke", Act(actor="a", department="d", reason="认定错误"))
    b.entries = []
    b.entry("J_SOE", "SOE", state="revoked", state_since="2024-03-01")
    load(store, catalogue, hasher, bundle_dir / "again", b)
    assert tasks(store, rule="PR3", status="done") == [("PR3", "G1", "superior_unit", "G_sup")]
    assert tasks(store, rule="PR3", status="withdrawn") == sorted([
        ("PR3", "G1", "审计部门", ""), ("PR3", "SOE", "superior_unit", ""), ("PR3", "SOE", "审计部门", "")])
    assert tasks(store, status="open") == []


def test_pr4_staff_notify_employer_discipline_and_personnel(store, catalogue, hasher, bundle_dir):
    """"工作人员出现违法失信行为的，要通报所在单位及相关纪检监察、组织人事部门" (GZ/BC)."""
    b = Bundle()
    b.subjects.append({"id": "G1", "kind": "public_body", "name": "某市交通运输局", "region": "230103"})
    b.enterprise("PRIV")
    b.enterprise("E_listed")
    b.person("P_staff")
    b.role("P_staff", "STAFF_OF", "G1", valid_from="2018-01-01")
    b.person("P_private")
    b.role("P_private", "STAFF_OF", "PRIV", valid_from="2018-01-01")
    b.person("P_rep")  # a legal rep of a listed enterprise who also works for G1
    b.role("P_rep", "STAFF_OF", "G1", valid_from="2018-01-01")
    b.role("P_rep", "LEGAL_REP_OF", "E_listed", valid_from="2018-01-01")
    b.entry("J1", "P_staff")
    b.entry("J2", "P_private")
    b.entry("J3", "E_listed")
    load(store, catalogue, hasher, bundle_dir, b)
    assert tasks(store, rule="PR4") == sorted([
        ("PR4", "P_staff", "employer", "G1"), ("PR4", "P_staff", "纪检监察部门", ""),
        ("PR4", "P_staff", "组织人事部门", "")])


def test_pr5_market_ban_binds_the_entity_and_the_named_persons_permanently(store, catalogue, hasher, bundle_dir):
    """"…市场主体及其相关责任人，…在一定期限内实施市场和行业禁入措施，直至永远逐出市场" (GZ (十一))."""
    b = Bundle()
    b.enterprise("E1")
    b.person("P_named")
    b.person("P_rep")
    b.role("P_rep", "LEGAL_REP_OF", "E1", valid_from="2015-01-01")
    b.entry("B1", "E1", list_="market_ban", named="P_named", permanent="true")
    load(store, catalogue, hasher, bundle_dir, b)
    for key in ("E1", "P_named"):
        for on in (ON, date(2090, 1, 1)):
            answer = ask(store, catalogue, hasher, key, action="market.entry", on=on)
            assert answer.restricted and answer.reasons[0].rule in ("PR5", "LISTED")
    named = ask(store, catalogue, hasher, "P_named", action="market.entry")
    assert [(s.subject.id, s.role) for s in named.reasons[0].path] == [("P_named", "NAMED"), ("E1", None)]
    # Not named in the decision: the legal rep is not banned by PR5.
    assert not ask(store, catalogue, hasher, "P_rep").restricted
    with pytest.raises(Conflict, match="cannot be repaired"):
        transition(store, catalogue, "B1", "repair", Act(actor="a", department="d", reason="r"))


def test_pr6_abnormal_or_seriously_illegal_restricts_the_firm_and_office_holding(store, catalogue, hasher,
                                                                                   bundle_dir):
    """"完善以法定代表人、负责人任职限制为主要内容的失信惩戒机制，对被列入经营异常名录或者严重违法企业名单的企业，
    在政府采购、工程招投标、国有土地出让、授予荣誉称号等工作中，依法予以限制或者禁入" (QH)."""
    b = Bundle()
    for firm, pid in (("E_ordered", "P_ordered"), ("E_plain", "P_plain")):
        b.enterprise(firm)
        b.person(pid)
        b.role(pid, "LEGAL_REP_OF", firm, valid_from="2015-01-01")
    b.entry("S1", "E_ordered", list_="seriously_illegal", measures="office.legal_rep")
    b.entry("S2", "E_plain", list_="abnormal_operation")
    load(store, catalogue, hasher, bundle_dir, b)
    for firm in ("E_ordered", "E_plain"):
        answer = ask(store, catalogue, hasher, firm)
        assert {"procurement", "bidding.construction", "land.transfer", "honours.award"} <= set(
            answer.measures)
    office = ask(store, catalogue, hasher, "P_ordered", action="office.legal_rep")
    assert office.restricted and office.reasons[0].rule == "PR6"
    # "where the basis so provides": without it in the decision, no office restriction.
    assert not ask(store, catalogue, hasher, "P_plain", action="office.legal_rep").restricted


def test_pr7_procurement_ban_for_the_list_period(store, catalogue, hasher, bundle_dir):
    """"对列入不良行为记录名单的供应商，在一定期限内禁止参加政府采购活动" (QH)."""
    b = Bundle()
    b.enterprise("E1")
    b.entry("G1", "E1", list_="procurement_bad_conduct", determined="2022-03-01", valid_to="2025-02-28")
    load(store, catalogue, hasher, bundle_dir, b)
    assert ask(store, catalogue, hasher, "E1", action="procurement.government").restricted
    assert not ask(store, catalogue, hasher, "E1", action="procurement.government", on=date(2025, 3, 1)).restricted


def test_pr8_intermediary_exit_and_the_persons_concerned(store, catalogue, hasher, bundle_dir):
    """"对不遵守执业规则、造成恶劣影响和严重后果的中介服务机构，依法追究当事人行政和法律责任" (QH)."""
    b = Bundle()
    b.enterprise("AGENCY")
    b.person("P_cpa")
    b.entry("I1", "AGENCY", list_="intermediary_violation", named="P_cpa", measures="profession.qualification")
    load(store, catalogue, hasher, bundle_dir, b)
    assert ask(store, catalogue, hasher, "AGENCY", action="industry.exit").restricted
    person = ask(store, catalogue, hasher, "P_cpa", action="profession.qualification")
    assert person.restricted and person.reasons[0].rule == "PR8"


def test_pr9_a_broken_commitment_ends_commitment_based_approval(store, catalogue, hasher, bundle_dir):
    """"申请人、被审批人不再适用告知承诺的审批方式" (SH-1)."""
    b = Bundle()
    b.enterprise("E1")
    b.entry("C1", "E1", list_="commitment_breach")
    load(store, catalogue, hasher, bundle_dir, b)
    answer = ask(store, catalogue, hasher, "E1", action="admin.notify_commit")
    assert answer.restricted and answer.reasons[0].list == "commitment_breach"


def test_pr10_key_attention_raises_supervision_but_restricts_nothing(store, catalogue, hasher, bundle_dir):
    """Key-attention subjects get "与其失信程度相对应的严格监管措施", not joint punishment (GZ (八))."""
    b = Bundle()
    b.enterprise("E1")
    b.enterprise("E_plain")
    b.entry("K1", "E1", list_="key_attention")
    load(store, catalogue, hasher, bundle_dir, b)
    answer = ask(store, catalogue, hasher, "E1")
    assert not answer.restricted and answer.reasons == []
    high = grade(store, catalogue, resolve_subject(store, hasher, "E1"), ON)
    assert (high.tier, high.entries) == ("high", ["K1"])
    assert high.sampling_multiplier > 1 and high.sampling_ratio > catalogue.rules.grading.base_sampling_ratio
    # Established 2010, nothing on record: three clean years -> the low tier.
    low = grade(store, catalogue, resolve_subject(store, hasher, "E_plain"), ON)
    assert low.tier == "low" and low.sampling_multiplier < 1


def test_pr11_a_poor_public_credit_grade_means_an_interview(store, catalogue, hasher, bundle_dir):
    """"对国家推送的…“差”级的企业，开展约谈并督促整改" (BC-17), "谁认定、谁约谈" (GZ (九))."""
    b = Bundle()
    b.enterprise("E1")
    b.entry("D1", "E1", list_="public_credit_poor")
    load(store, catalogue, hasher, bundle_dir, b)
    assert grade(store, catalogue, resolve_subject(store, hasher, "E1"), ON).tier == "high"
    assert tasks(store, rule="PR11") == [("PR11", "E1", "deciding_dept", "哈尔滨市南岗区人民法院")]


def test_pr12_green_channel_for_red_lists_and_three_clean_years(store, catalogue, hasher, bundle_dir):
    """"对被列入…红名单的申请人或连续三年无不良违法失信记录的申请人…实行容缺受理、简化程序等“绿色通道”" (GZ (一))."""
    b = Bundle()
    b.enterprise("E_red")
    b.entry("R1", "E_red", list_="red_list")
    b.enterprise("E_clean")
    b.enterprise("E_repaired")
    b.entry("J1", "E_repaired", determined="2022-01-01", state="repaired", state_since="2023-01-01")
    b.enterprise("E_revoked")
    b.entry("J2", "E_revoked", determined="2022-01-01", state="revoked", state_since="2022-06-01")
    b.enterprise("E_both")
    b.entry("R2", "E_both", list_="red_list")
    b.entry("J3", "E_both", determined="2024-01-01")
    b.person("P1")
    load(store, catalogue, hasher, bundle_dir, b)
    green = "admin.green_channel"

    def eligible(key):
        return ask(store, catalogue, hasher, key, action=green).eligibility

    assert eligible("E_red").eligible and "R1" in eligible("E_red").grounds[0]
    assert eligible("E_clean").eligible
    assert not eligible("E_repaired").eligible  # repaired in 2023: a record within three years
    assert eligible("E_repaired").grounds[0].startswith("not met")
    assert eligible("E_revoked").eligible  # a wrong listing was never a record
    both = eligible("E_both")
    assert not both.eligible and both.blocked_by == ["J3"]
    assert not eligible("P1").eligible  # a person's register start is unknown: only a red list qualifies


@pytest.mark.parametrize("region, applies", [("310101", True), ("320102", True), ("330102", True),
                                             ("340102", True), ("110101", False), (None, True)])
def test_pr15_region_group_list_applies_in_every_member_region(store, catalogue, hasher, bundle_dir,
                                                                region, applies):
    """"形成区域统一的严重失信企业名单" (SH-14): a Yangtze Delta entry from Zhejiang holds in
    Shanghai, Jiangsu, Zhejiang and Anhui, not in Beijing."""
    b = Bundle()
    b.enterprise("E1", region="330102")
    b.entry("Y1", "E1", list_="yangtze_delta_env", region="330000")
    b.enterprise("E2")
    b.entry("J1", "E2")  # a national list applies everywhere
    load(store, catalogue, hasher, bundle_dir, b)
    answer = ask(store, catalogue, hasher, "E1", region=region)
    assert answer.restricted is applies
    if applies:
        assert answer.reasons[0].applies_in == ["31", "32", "33", "34"]
    assert ask(store, catalogue, hasher, "E2", region=region).restricted
    # Incentives and supervision read the same scope: outside the group the entry
    # neither blocks the green channel nor raises the grade.
    green = ask(store, catalogue, hasher, "E1", region=region, action="admin.green_channel").eligibility
    assert green.blocked_by == (["Y1"] if applies else [])
    subject = resolve_subject(store, hasher, "E1")
    assert (grade(store, catalogue, subject, ON, region).tier == "high") is applies


def test_pr14_repair_ends_pr2_derivatives_too(store, catalogue, hasher, bundle_dir):
    """"修复完成后…停止公示其失信记录，终止实施联合惩戒措施" (GZ (十三)), for the entry and what it derived."""
    b = Bundle()
    b.enterprise("SOE", ownership="soe")
    b.person("P")
    b.role("P", "LEGAL_REP_OF", "SOE", valid_from="2015-01-01")
    b.entry("A1", "SOE", list_="labour_arrears")
    load(store, catalogue, hasher, bundle_dir, b)
    transition(store, catalogue, "A1", "repair", Act(actor="王五", department="人社局", reason="已清偿欠薪",
                                                    on=date(2024, 6, 1)))
    for key in ("SOE", "P"):
        assert ask(store, catalogue, hasher, key).restricted
        assert not ask(store, catalogue, hasher, key, on=date(2024, 6, 1)).restricted
