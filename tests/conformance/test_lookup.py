"""Every key a screener holds finds its subject, on every store, in ``check`` and
``check_many`` alike, and says what it matched: bundle id, USCC, organisation code
(with or without its hyphen), registration number, resident ID number (18 digits or
15 of the first generation) and an enterprise's full name however it is spelt. A name
several subjects share is a conflict listing them; a person is never found by name; a
code with a wrong check character names nobody. Court records that mask a USCC and
give its organisation code elsewhere build the full USCC, and say why."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from graph_model.check.rules import check, check_many
from graph_model.errors import Conflict, NotFound
from graph_model.identity.identifiers import is_valid_reg_no, make_uscc, org_code_of, upgrade_resident_id
from graph_model.identity.lookup import resolve_subject
from loaders.bundle import load_bundle
from loaders.court import load_court_records
from loaders.registry import load_registry
from tests.factories import Bundle
from tests.paths import SHARED

RNG = random.Random(16)
USCC = make_uscc(RNG, "230103")
ORG = org_code_of(USCC)
NAME = "哈尔滨ABC星河电气（集团）有限公司"
OLD_ID = "230103640301002"  # first generation: born 1964-03-01
TAIFU = SHARED / "data" / "cn-dishonest-taifu"


def _reg_no(prefix: str) -> str:
    return next(prefix + d for d in "0123456789" if is_valid_reg_no(prefix + d))


REG_NO = _reg_no("23010300001234")


@pytest.fixture
def world(store, catalogue, hasher, bundle_dir, batch_size):
    b = Bundle()
    b.enterprise("E1", NAME)
    b.subjects[-1].update(uscc=USCC, reg_no=REG_NO)
    b.enterprise("E2", "同名贸易有限公司")
    b.enterprise("E3", "同名贸易有限公司", region="440303")
    b.enterprise("E4", "王大明")  # an enterprise and a person of one name: the enterprise answers
    b.person("P1", "王大明")
    b.person("P2", "李小红", id_number=upgrade_resident_id(OLD_ID))
    b.entry("1", "E1")
    assert load_bundle(store, catalogue, hasher, b.write(bundle_dir), batch_size=batch_size).rejects == []
    return {s["id"]: s for s in b.subjects}


def _both(store, catalogue, hasher, key: str):
    """The answer of check and of check_many for ``key``; None where it names nobody."""
    try:
        one = check(store, catalogue, hasher, key)
    except NotFound:
        one = None
    [many] = check_many(store, catalogue, hasher, [key])
    assert one == many
    return one


@pytest.mark.parametrize("key, subject, matched_by", [
    ("E1", "E1", "id"), (USCC, "E1", "uscc"), (f" {USCC.lower()} ", "E1", "uscc"),
    (f"{ORG[:8]}-{ORG[8]}", "E1", "org_code"), (ORG, "E1", "org_code"), (REG_NO, "E1", "reg_no"),
    (NAME, "E1", "name"), ("哈尔滨ＡＢＣ星河电气(集团)有限公司", "E1", "name"), (" 哈尔滨 abc 星河电气（集团） 有限公司", "E1", "name"),
    (OLD_ID, "P2", "id_number"), (upgrade_resident_id(OLD_ID), "P2", "id_number"), ("王大明", "E4", "name"),
])
def test_each_key_form_finds_its_subject(store, catalogue, hasher, world, key, subject, matched_by):
    answer = _both(store, catalogue, hasher, key)
    assert (answer.subject.id, answer.matched_by) == (subject, matched_by)
    assert resolve_subject(store, hasher, key)["id"] == subject


def test_an_id_number_finds_its_person(store, catalogue, hasher, world):
    # The factory gave P1 an 18-digit number; hashed, never sent in clear.
    answer = _both(store, catalogue, hasher, world["P1"]["id_number"])
    assert (answer.subject.id, answer.matched_by) == ("P1", "id_number")


def test_check_many_answers_every_form_in_order(store, catalogue, hasher, world):
    keys = ["E1", USCC, ORG, REG_NO, NAME, OLD_ID, "nobody", ORG]
    answers = check_many(store, catalogue, hasher, keys)
    assert [(a.subject.id, a.matched_by) if a else None for a in answers] == [
        ("E1", "id"), ("E1", "uscc"), ("E1", "org_code"), ("E1", "reg_no"), ("E1", "name"), ("P2", "id_number"),
        None, ("E1", "org_code")]
    assert answers[0].restricted and answers[0].reasons == answers[4].reasons


def test_a_shared_name_is_a_conflict_listing_the_candidates(store, catalogue, hasher, world):
    with pytest.raises(Conflict) as one:
        check(store, catalogue, hasher, "同名贸易有限公司")
    assert [(c["id"], c["name"]) for c in one.value.candidates] == [("E2", "同名贸易有限公司"), ("E3", "同名贸易有限公司")]
    assert "E2" in one.value.detail and "E3" in one.value.detail
    with pytest.raises(Conflict) as many:
        check_many(store, catalogue, hasher, ["E1", "同名 贸易有限公司"])
    assert [c["id"] for c in many.value.candidates] == ["E2", "E3"]


def test_a_person_is_never_found_by_name(store, catalogue, hasher, world):
    assert _both(store, catalogue, hasher, "李小红") is None
    with pytest.raises(NotFound):
        resolve_subject(store, hasher, "李小红")


def test_a_code_with_a_wrong_check_character_names_nobody(store, catalogue, hasher, world):
    wrong = ORG[:8] + next(c for c in "0123456789X" if c != ORG[8])
    assert _both(store, catalogue, hasher, f"{wrong[:8]}-{wrong[8]}") is None
    with pytest.raises(NotFound, match="check character is wrong"):
        check(store, catalogue, hasher, wrong)
    bad_reg = REG_NO[:14] + str((int(REG_NO[14]) + 1) % 10)
    assert _both(store, catalogue, hasher, bad_reg) is None


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_a_registration_number_loaded_from_the_registry_finds_the_enterprise(store, catalogue, hasher, tmp_path,
                                                                               batch_size):
    reg_no = _reg_no("11010500007654")
    path = _write_csv(tmp_path / "registry.csv", ["企业名称", "统一社会信用代码", "工商注册号", "法定代表人"],
                      [["北京远景投资有限公司", make_uscc(RNG, "110105"), reg_no, "张三"]])
    assert load_registry(store, catalogue, hasher, [path], batch_size=batch_size).rejects == []
    answer = _both(store, catalogue, hasher, reg_no)
    assert (answer.subject.name, answer.matched_by) == ("北京远景投资有限公司", "reg_no")


COURT_HEADER = ["被执行人姓名/名称", "身份证号码/组织机构代码", "法定代表人或负责人姓名", "执行法院", "省份", "案号", "发布时间"]


def test_a_masked_uscc_and_an_organisation_code_build_the_full_uscc(store, catalogue, hasher, tmp_path, batch_size):
    uscc = make_uscc(RNG, "230199")
    masked = uscc[:11] + "****" + uscc[15:]
    name = "哈尔滨北方电气有限公司"
    path = _write_csv(tmp_path / "shixin.csv", COURT_HEADER, [
        [name, masked, "王大明", "哈尔滨市南岗区人民法院", "黑龙江", "（2018）黑0103执1352号", "2018年04月08日"],
        [name, f"{uscc[8:16]}-{uscc[16]}", "王大明", "哈尔滨市中级人民法院", "黑龙江", "（2017）黑01执750号", "2018年04月04日"]])
    assert load_court_records(store, catalogue, hasher, [path], batch_size=batch_size).rejects == []
    answer = _both(store, catalogue, hasher, uscc)
    assert (answer.subject.name, answer.matched_by, len(answer.reasons)) == (name, "uscc", 2)
    sources = store.read("sources_of_subject", subject_id=answer.subject.id)
    why = {s["record_id"]: s["why"] for s in sources}
    assert f"full USCC {uscc} built from masked USCC" in why["(2018)黑0103执1352号"]
    assert f"organisation code {org_code_of(uscc)}" in why["(2018)黑0103执1352号"]


def test_a_masked_uscc_the_organisation_code_does_not_confirm_is_not_completed(store, catalogue, hasher, tmp_path,
                                                                                 batch_size):
    uscc = make_uscc(RNG, "230199")
    wrong_check = next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != uscc[17])
    name = "哈尔滨南方电气有限公司"
    path = _write_csv(tmp_path / "shixin.csv", COURT_HEADER, [
        [name, uscc[:11] + "****" + uscc[15:17] + wrong_check, "", "哈尔滨市南岗区人民法院", "黑龙江", "（2018）黑0103执9号",
         "2018年04月08日"],
        [name, org_code_of(uscc), "", "哈尔滨市中级人民法院", "黑龙江", "（2017）黑01执9号", "2018年04月04日"]])
    assert load_court_records(store, catalogue, hasher, [path], batch_size=batch_size).rejects == []
    assert _both(store, catalogue, hasher, uscc) is None
    assert _both(store, catalogue, hasher, uscc[:17] + wrong_check) is None
    assert _both(store, catalogue, hasher, name).subject.name == name


@pytest.mark.skipif(not TAIFU.is_dir(), reason="../shared/data/cn-dishonest-taifu not present")
def test_the_taifu_court_records_alone_answer_every_key_of_the_debtor(store, catalogue, hasher, batch_size):
    report = load_court_records(store, catalogue, hasher, [TAIFU / "shixin.utf8.csv"], batch_size=batch_size)
    assert report.rejects == []
    answers = check_many(store, catalogue, hasher, ["91230199744190927K", "74419092-7", "744190927",
                                                    "哈尔滨泰富电气有限公司"])
    assert [a.matched_by for a in answers] == ["uscc", "org_code", "org_code", "name"]
    assert len({a.subject.id for a in answers}) == 1
    debtor = answers[0].subject.id
    assert check(store, catalogue, hasher, "哈尔滨泰富电气有限公司").subject.id == debtor
    whys = [s["why"] for s in store.read("sources_of_subject", subject_id=debtor)]
    assert any("full USCC 91230199744190927K built from masked USCC 91230199744***927K and organisation code "
               "744190927" in why for why in whys)
