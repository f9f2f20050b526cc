"""USCC and resident ID numbers: what validates, why not, and what the graph stores instead."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph_model.identifiers import (
    USCC_ALPHABET,
    hash_identifier,
    is_valid_org_code,
    is_valid_resident_id,
    is_valid_uscc,
    make_resident_id,
    make_uscc,
    mask_resident_id,
    normalise_resident_id,
    normalise_uscc,
    org_code_of,
    uscc_check_char,
    validate_resident_id,
    validate_uscc,
)

REAL_USCC = "91230199744190927K"  # a real enterprise; 230199 is a registration-authority code
STANDARD_ID = "11010519491231002X"  # the worked example of GB 11643-1999

seeds = st.integers(min_value=0, max_value=2**32)
regions = st.from_regex(r"[1-6][0-9]{5}", fullmatch=True)
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2024, 12, 31))


def test_real_uscc_is_valid_and_embeds_its_organisation_code():
    assert validate_uscc(REAL_USCC) is None
    assert org_code_of(REAL_USCC) == "744190927"
    assert is_valid_org_code("744190927")
    assert not is_valid_org_code("744190920")


def test_alphabet_is_the_31_characters_of_gb_32100():
    assert len(USCC_ALPHABET) == 31
    assert not set("IOZSV") & set(USCC_ALPHABET)
    assert "M" in USCC_ALPHABET


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91230199744190927", "wrong length 17, expected 18"),
        ("9123I199744190927K", "invalid character 'I' at position 5"),
        ("91230199744190927k", "invalid character 'k' at position 18"),
        ("9123019A744190927K", "region code '23019A' at positions 3-8 is not 6 digits"),
        ("91230199744190927X", "check character is 'X', expected 'K'"),
    ],
)
def test_invalid_uscc_gets_a_reason_a_person_can_act_on(code, reason):
    assert validate_uscc(code) == reason
    assert not is_valid_uscc(code)


def test_uscc_pasted_from_a_document_normalises_to_the_valid_code():
    pasted = " ９１２３０１９９ ７４４１９０９２７ｋ\u3000"
    assert normalise_uscc(pasted) == REAL_USCC
    assert is_valid_uscc(normalise_uscc(pasted))


def test_validation_never_raises_on_odd_input():
    for odd in ("", "\x00" * 18, "一二三四五六七八九十一二三四五六七八", None, 123):
        assert validate_uscc(odd) is not None
        assert validate_resident_id(odd) is not None


@given(seeds, regions, st.sampled_from(["91", "92", "93", "11", "12", "51", "Y1"]))
def test_every_generated_uscc_validates_with_a_valid_org_code(seed, region, prefix):
    code = make_uscc(random.Random(seed), region, prefix[0], prefix[1])
    assert validate_uscc(code) is None
    assert code[:2] == prefix and code[2:8] == region
    assert is_valid_org_code(org_code_of(code))


@given(seeds, regions, st.integers(min_value=0, max_value=17), st.sampled_from(USCC_ALPHABET))
def test_any_single_character_substitution_in_a_uscc_is_detected(seed, region, position, replacement):
    # Weights are non-zero mod the prime 31, so one substituted character always changes the checksum.
    code = make_uscc(random.Random(seed), region)
    if code[position] == replacement:
        replacement = USCC_ALPHABET[(USCC_ALPHABET.index(replacement) + 1) % 31]
    assert not is_valid_uscc(code[:position] + replacement + code[position + 1 :])


def test_check_char_function_matches_validation():
    assert uscc_check_char(REAL_USCC[:17]) == "K"
    with pytest.raises(ValueError):
        uscc_check_char("9123019974419092I")


def test_standard_resident_id_is_valid():
    assert validate_resident_id(STANDARD_ID) is None
    assert is_valid_resident_id(normalise_resident_id(" 11010519491231002x "))


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("1101051949123100", "wrong length 16, expected 18"),
        ("11010519491231002Y", "invalid character 'Y' at position 18"),
        ("1101051949123100X2", "invalid character 'X' at position 17"),
        ("110105194902300026", "birth date 19490230 at positions 7-14 is not a real date"),
        ("110105194912310021", "check character is '1', expected 'X'"),
    ],
)
def test_invalid_resident_id_gets_a_reason(code, reason):
    assert validate_resident_id(code) == reason


@given(seeds, regions, births, st.booleans())
def test_every_generated_resident_id_validates_and_encodes_birth_and_sex(seed, region, birth, male):
    code = make_resident_id(random.Random(seed), region, birth, male)
    assert validate_resident_id(code) is None
    assert code[:6] == region and code[6:14] == birth.strftime("%Y%m%d")
    assert int(code[16]) % 2 == (1 if male else 0)


@given(seeds, births, st.integers(min_value=0, max_value=17), st.sampled_from("0123456789X"))
def test_any_single_character_substitution_in_an_id_number_is_detected(seed, birth, position, replacement):
    code = make_resident_id(random.Random(seed), "110101", birth, True)
    if code[position] == replacement:
        replacement = "0123456789X"[("0123456789X".index(replacement) + 1) % 11]
    assert not is_valid_resident_id(code[:position] + replacement + code[position + 1 :])


def test_masked_id_keeps_region_and_last_four_only():
    assert mask_resident_id("11010119900307123x") == "110101********123X"
    assert mask_resident_id(STANDARD_ID) == "110105********002X"


@given(seeds, births)
def test_mask_never_reveals_the_birth_date(seed, birth):
    code = make_resident_id(random.Random(seed), "230103", birth, False)
    masked = mask_resident_id(code)
    assert len(masked) == 18 and masked[6:14] == "*" * 8
    assert masked[:6] == code[:6] and masked[-4:] == code[-4:]


def test_mask_rejects_a_code_of_the_wrong_length():
    with pytest.raises(ValueError):
        mask_resident_id("110101")


def test_hash_finds_the_same_person_however_the_number_was_typed():
    key = b"demo-key"
    digest = hash_identifier(STANDARD_ID, key)
    assert hash_identifier(" 11010519491231002x", key) == digest
    assert hash_identifier("１１０１０５１９４９１２３１００２Ｘ", key) == digest
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert STANDARD_ID not in digest


def test_hash_depends_on_key_and_number():
    assert hash_identifier(STANDARD_ID, b"a") != hash_identifier(STANDARD_ID, b"b")
    assert hash_identifier(STANDARD_ID, b"a") != hash_identifier("110105194912310037", b"a")
    with pytest.raises(ValueError):
        hash_identifier(STANDARD_ID, b"")
