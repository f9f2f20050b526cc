"""Region table look-ups: codes to names and provinces, province names to regions."""

from __future__ import annotations

from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph_model.regions import (
    counties,
    get_region,
    is_known_region,
    place_names,
    province_abbreviation,
    province_by_short_name,
    province_of,
    provinces,
)

ALL_COUNTIES = counties()


def test_region_table_ships_as_package_data_with_its_source():
    folder = resources.files("graph_model") / "data" / "regions"
    for name in ("provinces.csv", "cities.csv", "areas.csv", "SOURCE.md"):
        assert (folder / name).is_file()
    assert "WTFPL" in (folder / "SOURCE.md").read_text("utf-8")


@pytest.mark.parametrize(
    ("code", "name", "level", "province"),
    [
        ("110000", "北京市", "province", "110000"),
        ("11", "北京市", "province", "110000"),
        ("2301", "哈尔滨市", "city", "230000"),
        ("230100", "哈尔滨市", "city", "230000"),
        ("230103", "南岗区", "county", "230000"),
        (" 520102 ", "南明区", "county", "520000"),
    ],
)
def test_get_region_reads_2_4_and_6_digit_codes(code, name, level, province):
    region = get_region(code)
    assert region is not None
    assert (region.name, region.level, region.province_code) == (name, level, province)
    assert len(region.code) == 6


@pytest.mark.parametrize("code", ["230199", "990000", "11010", "1101011", "abcdef", "", "１１００００"])
def test_unknown_or_malformed_codes_are_not_regions(code):
    assert get_region(code) is None
    assert not is_known_region(code)


def test_province_of_works_for_codes_missing_from_the_table():
    assert province_of("230199") == "230000"  # a registration-authority code, not a county
    assert province_of("110101001") == "110000"  # a street code
    assert province_of("23") == "230000"
    assert province_of("990000") is None
    assert province_of("2301x9") is None
    assert province_of("12345") is None


def test_provinces_are_the_31_mainland_provinces_in_code_order():
    result = provinces()
    assert len(result) == 31
    assert [r.code for r in result] == sorted(r.code for r in result)
    assert all(r.level == "province" and r.code.endswith("0000") and r.province_code == r.code for r in result)
    assert {r.name for r in result} >= {"黑龙江省", "广西壮族自治区", "北京市", "新疆维吾尔自治区"}


def test_counties_of_one_province_accepts_either_code_form():
    heilongjiang = counties("230000")
    assert heilongjiang == counties("23")
    assert heilongjiang and all(c.province_code == "230000" and c.level == "county" for c in heilongjiang)
    assert counties("990000") == []
    assert len(ALL_COUNTIES) == 2978


@given(st.sampled_from(ALL_COUNTIES))
def test_every_county_resolves_to_itself_and_its_province(county):
    assert get_region(county.code) is not None
    assert province_of(county.code) == county.province_code
    assert is_known_region(county.province_code)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("黑龙江", "230000"),
        ("黑龙江省", "230000"),
        ("广西", "450000"),
        ("广西壮族自治区", "450000"),
        ("内蒙古", "150000"),
        ("新疆", "650000"),
        ("西藏", "540000"),
        ("宁夏", "640000"),
        ("北京", "110000"),
        ("北京市", "110000"),
        (" 贵州 ", "520000"),
    ],
)
def test_province_by_short_name_accepts_full_and_short_names(name, code):
    region = province_by_short_name(name)
    assert region is not None and region.code == code


@pytest.mark.parametrize("name", ["黑", "广", "北京市朝阳区", "", "Beijing"])
def test_province_by_short_name_rejects_other_names(name):
    assert province_by_short_name(name) is None


def test_province_abbreviations_used_in_document_numbers():
    assert province_abbreviation("230103") == "黑"
    assert province_abbreviation("110000") == "京"
    assert province_abbreviation("44") == "粤"
    assert province_abbreviation("990000") is None


@pytest.mark.parametrize(
    ("code", "full_name", "city_name", "city_code", "short_name"),
    [
        ("230103", "哈尔滨市南岗区", "哈尔滨市", "230100", "哈尔滨"),
        ("110105", "北京市朝阳区", "北京市", "110000", "北京"),
        ("320281", "江阴市", "无锡市", "320200", "无锡"),
        ("231224", "庆安县", "绥化市", "231200", "绥化"),
        ("441900", "东莞市", "东莞市", "441900", "东莞"),
        ("429004", "仙桃市", "仙桃市", "429004", "仙桃"),
        ("522601", "凯里市", "黔东南苗族侗族自治州", "522600", "贵州"),
    ],
)
def test_place_names_give_the_forms_used_in_department_names(code, full_name, city_name, city_code, short_name):
    place = place_names(code)
    assert place is not None
    assert (place.full_name, place.city_name, place.city_code, place.short_name) == (
        full_name,
        city_name,
        city_code,
        short_name,
    )


def test_place_names_only_for_county_level_codes():
    assert place_names("230100") is None
    assert place_names("230000") is None
    assert place_names("230199") is None
