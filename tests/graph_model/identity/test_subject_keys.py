"""The keys a screener holds, without a store: first-generation ID numbers upgraded,
registration numbers checked, names folded, masked USCCs completed, and what of a key
may be sent to the store or echoed."""

from __future__ import annotations

import pytest

from graph_model.identity.forms import complete_uscc, parse_identifier
from graph_model.identity.identifiers import (
    is_valid_reg_no,
    is_valid_resident_id,
    may_be_old_resident_id,
    upgrade_resident_id,
)
from graph_model.identity.lookup import _attempts, may_be_id_number, not_found_detail, shown_key
from graph_model.identity.names import name_key
from graph_model.identity.pii import IdHasher
from graph_model.vocabulary.kinds import MatchedBy, SubjectKey

HASHER = IdHasher(b"test-key-not-secret")


def test_a_first_generation_id_number_is_upgraded_as_gb_11643_does():
    # GB 11643's own example, 11010519491231002X, was 110105491231002 in the first generation:
    # "19" goes before the year; the check is sum(digit * weight) mod 11 over the 17 digits,
    # weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2:
    # 1*7+1*9+0*10+1*5+0*8+5*4+1*2+9*1+4*6+9*3+1*7+2*9+3*10+1*5+0*8+0*4+2*2 = 167,
    # 167 mod 11 = 2, and position 2 of "10X98765432" is X.
    assert upgrade_resident_id("110105491231002") == "11010519491231002X"
    assert upgrade_resident_id("110105 491231 002") == "11010519491231002X"
    assert is_valid_resident_id(upgrade_resident_id("340123800229001"))
    with pytest.raises(ValueError):
        upgrade_resident_id("11010549123100")


def test_an_old_id_number_is_told_by_its_region_digit_and_birth_date():
    assert may_be_old_resident_id("110105491231002")
    assert not may_be_old_resident_id("110105491331002")  # month 13
    assert not may_be_old_resident_id("910105491231002")  # no province starts with 9
    assert not may_be_old_resident_id("230199400002017")  # 1940-00-02: the taifu registration number


def test_a_registration_number_has_a_gs_15_2006_check_digit():
    assert is_valid_reg_no("230199400002017")  # 哈尔滨泰富电气's, as the registry publishes it
    assert not is_valid_reg_no("230199400002018")
    assert not is_valid_reg_no("23019940000201")
    assert not is_valid_reg_no("23019940000201X")


@pytest.mark.parametrize("typed", ["哈尔滨泰富电气(集团)有限公司", "哈尔滨泰富电气（集团）有限公司", " 哈尔滨 泰富电气（集团）有限公司 ",
                                   "哈尔滨泰富电气\u3000（集团）有限公司"])
def test_names_fold_brackets_and_spaces(typed):
    assert name_key(typed) == "哈尔滨泰富电气(集团)有限公司"


def test_names_fold_full_width_letters_and_digits_and_case():
    assert name_key("ＡＢＣ１２３科技有限公司") == name_key("abc123科技有限公司") == name_key("ABC 123 科技有限公司")
    assert name_key("哈尔滨甲公司") != name_key("哈尔滨乙公司")


def test_a_masked_uscc_is_completed_by_its_organisation_code_only_when_the_check_confirms():
    masked = parse_identifier("91230199744****927K")
    assert complete_uscc(masked, "744190927") == "91230199744190927K"
    assert complete_uscc(masked, "744190935") is None  # a valid organisation code that does not fit the shown 927
    assert complete_uscc(parse_identifier("91230199744****927A"), "744190927") is None  # wrong check character
    assert complete_uscc(parse_identifier("9123****744***927K"), "744190927") is None  # region hidden


def test_a_15_digit_key_never_reaches_the_store_in_clear():
    reg_no = _ambiguous_reg_no()
    assert may_be_id_number(reg_no) and is_valid_reg_no(reg_no)
    [step] = _attempts(HASHER, reg_no)
    assert {(a.by, a.matched_by) for a in step} == {(SubjectKey.id_hash, MatchedBy.id_number),
                                                    (SubjectKey.reg_no_hash, MatchedBy.reg_no)}
    assert all(reg_no not in a.value and a.value != upgrade_resident_id(reg_no) for a in step)
    assert [[(a.by, a.value) for a in s] for s in _attempts(HASHER, "230199400002017")] == [
        [(SubjectKey.reg_no_hash, HASHER("230199400002017"))]]


def test_a_15_digit_key_is_echoed_masked():
    assert shown_key("110105491231002") == "110105******002"
    assert "491231" not in not_found_detail(" 110105491231002 ")
    assert shown_key("11010519491231002X") == "110105********002X"


@pytest.mark.parametrize("key, by", [("E000038", [SubjectKey.id]), ("74419092-7", [SubjectKey.id, SubjectKey.org_code]),
                                     ("７４４１９０９２－７", [SubjectKey.id, SubjectKey.org_code]),
                                     ("91230199744190927k", [SubjectKey.id, SubjectKey.uscc]),
                                     ("哈尔滨泰富电气有限公司", [SubjectKey.id, SubjectKey.name_key]),
                                     ("74419092-8", [SubjectKey.id]),  # wrong check character: not an org code
                                     ("   ", [])])
def test_each_key_is_tried_only_in_the_forms_its_shape_and_check_allow(key, by):
    assert [a.by for step in _attempts(HASHER, key) for a in step] == by


def test_a_mistyped_code_is_explained_without_echoing_digits_of_an_id_number():
    assert "check character is wrong" in not_found_detail("74419092-8")
    assert "check digit is wrong" in not_found_detail("230199400002018")
    assert "check" not in not_found_detail("11010519491231002Y")


def _ambiguous_reg_no() -> str:
    """A valid registration number that is also a plausible first-generation ID number."""
    for seq in range(100):
        candidate = f"110105800101{seq:02d}"
        for last in "0123456789":
            if is_valid_reg_no(candidate + last) and may_be_old_resident_id(candidate + last):
                return candidate + last
    raise AssertionError("no such number")
