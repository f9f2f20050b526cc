"""The bundled catalogue's content: the lists and measures the rules engine relies on.

test_catalogue.py checks the loader (validation, link pass, versions); this file checks
what the policy officer wrote: ids and settings the engine depends on, one-line quotes,
and that every quote is verbatim from the seed documents in ``shared/docs``.
"""

from __future__ import annotations

import re
import unicodedata

import pytest

from graph_model.catalogue.model import load_catalogue
from tests.paths import SHARED

LR, PR, AC = "LEGAL_REP_OF", "PRINCIPAL_OF", "ACTUAL_CONTROLLER_OF"

# The action codes a checking system asks about; a list reuses one of these wherever it fits,
# so that one code answers across lists. industry.censure (行业协会警告、通报批评、公开谴责)
# is the one code no shared code fits.
SHARED_ACTIONS = {
    "securities.issue", "bidding", "procurement", "bidding.construction",
    "fiscal.subsidy", "tax.preference", "finance.credit", "finance.facilitation", "travel.flight",
    "travel.rail_high_grade", "land.transfer", "honours.award", "admin.facilitation",
    "admin.notify_commit", "admin.green_channel", "market.entry", "industry.exit", "office.legal_rep",
    "profession.qualification", "disclosure.publish", "supervision.sampling", "supervision.interview",
    "inspection.reduced", "internet.conduct", "welfare.assistance", "welfare.housing",
}
EXTRA_ACTIONS = {"industry.censure"}

# Lists with no propagation to persons: no seed extends them to anyone (domain.md §0).
NO_PROPAGATION = [
    "key_attention", "red_list", "yangtze_delta_env", "procurement_bad_conduct", "commitment_breach",
    "public_credit_excellent", "public_credit_poor", "time_limited_rectification", "statistics_dishonest",
    "tax_blacklist", "finance_blacklist", "welfare_blacklist", "internet_blacklist", "culture_penalty",
    "industry_blacklist", "false_litigation", "honour_lists",
]
# The national layer (national.md): the court's list and a court's 限消 order bind the four
# roles (NR1), the wage-arrears list its legal representative or principal and the persons
# named (NR2), the tax list the persons its determination names (NR3).
NATIONAL = {"dishonest_debtor", "consumption_restriction", "tax_major_violation", "wage_arrears"}


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def _measures(catalogue, list_id):
    return {m.action: m for m in catalogue.measures_of(list_id)}


def _only_rule(list_def):
    assert len(list_def.propagation) == 1
    return list_def.propagation[0]


def test_catalogue_loads(catalogue):
    assert catalogue.lists and catalogue.measures and catalogue.version
    # One measure family per list, named after it.
    assert set(catalogue.families) == set(catalogue.lists)
    assert all(f.list == stem for stem, f in catalogue.families.items())


def test_every_named_list_exists(catalogue):
    assert set(NO_PROPAGATION) | {"joint_punishment", "labour_arrears", "market_ban", "abnormal_operation",
                                  "seriously_illegal", "intermediary_violation"} | NATIONAL == set(catalogue.lists)
    assert {k for k, v in catalogue.lists.items() if v.layer == "national"} == NATIONAL
    for list_id in NO_PROPAGATION:
        assert catalogue.lists[list_id].propagation == []


def test_joint_punishment(catalogue):
    jp = catalogue.lists["joint_punishment"]
    rule = _only_rule(jp)
    assert jp.effect == "restrict" and rule.rule == "PR1" and rule.roles == [LR, PR, AC]


def test_labour_arrears_pr2(catalogue):
    la = catalogue.lists["labour_arrears"]
    assert la.effect == "restrict" and la.dishonesty_record
    assert set(la.subject_kinds) == {"enterprise", "public_body"}
    rule = _only_rule(la)
    assert rule.rule == "PR2" and rule.roles == [LR, PR, AC]
    assert rule.ownership == ["soe"] and rule.publish
    measures = _measures(catalogue, "labour_arrears")
    for action in ("bidding", "fiscal.subsidy"):
        assert measures[action].targets == ["entity"]
    publish = measures["disclosure.publish"]
    assert set(publish.targets) == {LR, PR, AC} and publish.subject_kinds == ["person"]
    assert publish.applies == "always"
    credit = measures["finance.credit"]
    assert set(credit.targets) == {LR, PR, AC} and credit.applies == "by_decision"


def test_key_attention_supervises_only(catalogue):
    ka = catalogue.lists["key_attention"]
    assert ka.effect == "supervise" and ka.dishonesty_record
    measures = catalogue.measures_of("key_attention")
    assert [m.action for m in measures] == ["supervision.sampling"]
    assert measures[0].targets == ["entity"] and measures[0].type == "administrative"


def test_red_list_incentives(catalogue):
    rl = catalogue.lists["red_list"]
    assert rl.effect == "incentive" and not rl.dishonesty_record
    measures = _measures(catalogue, "red_list")
    assert {"admin.green_channel", "inspection.reduced"} <= set(measures)
    assert measures["admin.green_channel"].targets == ["entity"]
    assert all(m.type == "incentive" for m in measures.values())


def test_market_ban_pr5(catalogue):
    mb = catalogue.lists["market_ban"]
    rule = _only_rule(mb)
    assert mb.effect == "restrict" and rule.rule == "PR5" and rule.roles == ["NAMED"]
    assert mb.duration.permanent_allowed and not mb.repairable
    measures = _measures(catalogue, "market_ban")
    entry = measures["market.entry"]
    assert set(entry.targets) == {"entity", "NAMED"} and set(entry.subject_kinds) == {"enterprise", "person"}
    assert set(measures["disclosure.publish"].targets) == {"entity", "NAMED"}


def test_yangtze_delta_list_is_regional(catalogue):
    yd = catalogue.lists["yangtze_delta_env"]
    assert yd.effect == "restrict" and yd.scope == "region_group" and yd.region_group == "yangtze_delta"
    assert catalogue.provinces_of(yd)
    assert {"bidding", "fiscal.subsidy", "honours.award"} <= set(_measures(catalogue, "yangtze_delta_env"))


@pytest.mark.parametrize("list_id", ["abnormal_operation", "seriously_illegal"])
def test_pr6_lists(catalogue, list_id):
    list_def = catalogue.lists[list_id]
    rule = _only_rule(list_def)
    assert list_def.effect == "restrict" and rule.rule == "PR6" and rule.roles == [LR, PR]
    measures = _measures(catalogue, list_id)
    for action in ("procurement", "bidding.construction", "land.transfer", "honours.award"):
        assert measures[action].targets == ["entity"]
    offices = {m.id: m for m in catalogue.measures_of(list_id) if m.action == "office.legal_rep"}
    office = offices[f"{list_id[:1]}{'o' if list_id == 'abnormal_operation' else 'i'}.office.legal_rep"]
    assert set(office.targets) == {LR, PR} and office.subject_kinds == ["person"]
    assert office.applies == "by_decision"  # QH: where the basis so provides
    if list_id == "seriously_illegal":
        # 企业信息公示暂行条例 art. 17: three years, always, on the enterprise's legal rep and principal.
        ban = offices["si.office.legal_rep_ban"]
        assert ban.applies == "always" and ban.term_years == 3 and set(ban.targets) == {LR, PR}


def test_procurement_bad_conduct_pr7(catalogue):
    pb = catalogue.lists["procurement_bad_conduct"]
    assert pb.effect == "restrict" and pb.duration.default_years == 3
    assert "一定期限内" in pb.duration.note and "第七十七条" in pb.duration.note
    assert _measures(catalogue, "procurement_bad_conduct")["procurement"].targets == ["entity"]


def test_commitment_breach_pr9(catalogue):
    cb = catalogue.lists["commitment_breach"]
    assert cb.effect == "restrict" and set(cb.subject_kinds) == {"enterprise", "person", "public_body"}
    measures = _measures(catalogue, "commitment_breach")
    assert measures["admin.notify_commit"].targets == ["entity"]
    assert "disclosure.publish" in measures


def test_intermediary_violation_pr8(catalogue):
    iv = catalogue.lists["intermediary_violation"]
    rule = _only_rule(iv)
    assert iv.effect == "restrict" and rule.rule == "PR8" and rule.roles == ["NAMED"]
    measures = _measures(catalogue, "intermediary_violation")
    assert measures["industry.exit"].targets == ["entity"]
    qualification = measures["profession.qualification"]
    assert qualification.targets == ["NAMED"] and qualification.applies == "by_decision"


def test_public_credit_grades_pr11(catalogue):
    good = catalogue.lists["public_credit_excellent"]
    assert good.effect == "incentive" and "finance.facilitation" in _measures(catalogue, good.id)
    poor = catalogue.lists["public_credit_poor"]
    assert poor.effect == "supervise" and poor.dishonesty_record
    assert "supervision.sampling" in _measures(catalogue, poor.id)
    [task] = poor.tasks
    assert (task.rule, task.kind, task.recipient) == ("PR11", "interview", "deciding_dept")


def test_time_limited_rectification(catalogue):
    tr = catalogue.lists["time_limited_rectification"]
    assert tr.effect == "supervise"
    interview = _measures(catalogue, tr.id)["supervision.interview"]
    assert interview.type == "administrative"
    [task] = tr.tasks
    assert (task.rule, task.kind, task.recipient) == ("PR10", "interview", "deciding_dept")
    assert "谁认定、谁约谈" in task.legal_basis


def test_sector_lists(catalogue):
    assert catalogue.lists["welfare_blacklist"].subject_kinds == ["person"]
    assert {"welfare.assistance", "welfare.housing"} <= set(_measures(catalogue, "welfare_blacklist"))
    assert "internet.conduct" in _measures(catalogue, "internet_blacklist")
    assert catalogue.lists["honour_lists"].effect == "incentive"
    for list_id in ("dishonest_debtor", "false_litigation"):
        assert catalogue.lists[list_id].deciding_dept_types == ["人民法院"]


def test_action_codes_are_shared(catalogue):
    actions = {m.action for _, m in catalogue.measures if catalogue.lists[m_list(catalogue, m)].layer == "provincial"}
    assert actions <= SHARED_ACTIONS | EXTRA_ACTIONS
    # Every code any measure names is a node of the one action tree.
    assert {m.action for _, m in catalogue.measures} <= set(catalogue.action_tree.nodes)
    # An action is either a benefit or a restriction, on every list: a checking system
    # asking one code must not get both kinds of answer.
    incentive = {m.action for _, m in catalogue.measures if m.type == "incentive"}
    sanction = {m.action for _, m in catalogue.measures if m.type != "incentive"}
    assert not incentive & sanction


def m_list(catalogue, measure) -> str:
    return next(list_id for list_id, m in catalogue.measures if m is measure)


# A space between two CJK characters or CJK punctuation marks: what a folded YAML scalar (>-)
# leaves where it joins two Chinese lines.
_CJK = r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]"
_FOLDED = re.compile(rf"{_CJK}\s+{_CJK}")


def _quotes(catalogue):
    """(where, text) of every quote the catalogue gives as verbatim: what it marks
    unverified (from memory, [M] in national.md) is exempt until a policy officer checks it."""
    for list_id, list_def in catalogue.lists.items():
        if list_def.verified:
            yield f"{list_id}.criteria", list_def.criteria
        for p in list_def.propagation:
            if p.verified:
                yield f"{list_id}.propagation.{p.rule}", p.legal_basis
            yield from ((f"{list_id}.propagation.{p.rule}.regional", r.legal_basis) for r in p.regional)
        for t in list_def.tasks:
            yield f"{list_id}.tasks.{t.rule}", t.legal_basis
    for _, measure in catalogue.measures:
        if measure.verified:
            yield measure.id, measure.legal_basis
        yield from ((f"{measure.id}.regional", r.legal_basis) for r in measure.regional)


def test_measures_cite_basis_and_source(catalogue):
    for _, measure in catalogue.measures:
        assert measure.legal_basis.strip() and measure.source.strip(), measure.id
        assert measure.initiating_dept_types and measure.implementing_dept_types, measure.id


def test_quotes_are_one_line(catalogue):
    texts = list(_quotes(catalogue))
    texts += [(f"{k}.exit_rule", v.exit_rule) for k, v in catalogue.lists.items()]
    texts += [(f"{k}.duration.note", v.duration.note) for k, v in catalogue.lists.items()]
    for where, text in texts:
        assert "\n" not in text, where
        assert not _FOLDED.search(text), f"{where}: space between CJK characters: {text!r}"


# --- quotes are verbatim from the seeds --------------------------------------------------

SHARED_DOCS = SHARED / "docs"
# Pinyin annotations in the Shanghai file, e.g. 規(guī).
_PINYIN = re.compile(r"\([a-zü āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]+\)")
# The Shanghai file is Traditional Chinese; the catalogue quotes it in Simplified. This table
# maps the Traditional characters of the passages the catalogue quotes (沪府办规〔2020〕9号
# items 1, 3, 6, 9–14) and nothing else: quoting a new Shanghai passage may need more pairs.
_T2S = str.maketrans(
    "內劃動務勵區啟單嚴報場實審將對強復態應懲時會業榮機檔歸減濟營獎獲環產異監確稅稱約級統經網續臺號規計記認"
    "誠談請諾議譽貸資較輸農運過違適錄長門開關險響領頻風體",
    "内划动务励区启单严报场实审将对强复态应惩时会业荣机档归减济营奖获环产异监确税称约级统经网续台号规计记认"
    "诚谈请诺议誉贷资较输农运过违适录长门开关险响领频风体",
)


def _normalise(text: str) -> str:
    """Full-width punctuation as half-width (NFKC), no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.fixture(scope="module")
def seed_texts():
    if not (SHARED_DOCS / "domain.md").exists():
        pytest.skip(f"seed documents not found in {SHARED_DOCS}")
    # national.md quotes the national rules' own words (its [R] facts).
    paths = [SHARED_DOCS / "domain.md", SHARED_DOCS / "national.md", *sorted((SHARED_DOCS / "policies").glob("*.txt"))]
    # Markdown emphasis (national.md bolds the words that matter) is not part of a quote.
    return [_normalise(_PINYIN.sub("", p.read_text("utf-8").replace("**", "")).translate(_T2S)) for p in paths]


def _fragments(quote: str) -> list[str]:
    """A quote's passages: "……" marks an elision, "；" joins two passages."""
    return [f for f in re.split(r"……|；", quote) if f.strip()]


def _not_found(quotes, seed_texts):
    return [(where, f) for where, quote in quotes for f in _fragments(quote)
            if not any(_normalise(f) in text for text in seed_texts)]


def test_criteria_are_verbatim(catalogue, seed_texts):
    criteria = [(k, v.criteria) for k, v in catalogue.lists.items() if v.verified]
    assert _not_found(criteria, seed_texts) == []


def test_legal_bases_are_verbatim(catalogue, seed_texts):
    quotes = [(w, q) for w, q in _quotes(catalogue) if not w.endswith(".criteria")]
    assert _not_found(quotes, seed_texts) == []
