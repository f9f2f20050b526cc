"""Region table look-ups: codes to names and provinces, province names to regions,
historical codes to current regions, court names, addresses and case numbers to regions."""

from __future__ import annotations

from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph_model.identity.region_history import CodeName, code_history, historical_codes, resolve_region
from graph_model.identity.region_names import region_of_case_number, region_of_name
from graph_model.identity.regions import (
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
HISTORICAL = historical_codes()
# 嘉峪关 is a prefecture with one county-level row of the same name, so its name gives the prefecture.
NAMED_COUNTIES = [c for c in ALL_COUNTIES if c.code != "620201"]


def test_region_table_ships_as_package_data_with_its_source():
    folder = resources.files("graph_model.identity") / "data" / "regions"
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


# --- Historical codes -------------------------------------------------------


def test_historical_table_is_read_from_the_installed_stdnum_not_copied():
    assert (resources.files("stdnum.cn") / "loc.dat").is_file()
    assert not any(name.endswith(".dat") for name in (
        p.name for p in (resources.files("graph_model.identity") / "data" / "regions").iterdir()))
    assert "LGPL" in (resources.files("graph_model.identity") / "data" / "regions" / "SOURCE.md").read_text("utf-8")


def test_code_history_gives_names_with_years():
    assert code_history("110103") == (CodeName("崇文区", None, 2010),)
    assert code_history("120110") == (CodeName("东郊区", None, 1991), CodeName("东丽区", 1992, None))
    assert code_history("230103") == (CodeName("南岗区", 1983, None),)
    assert code_history("230199") == ()
    assert code_history("abc") == ()
    assert "110103" in HISTORICAL and "230103" not in HISTORICAL
    assert len(HISTORICAL) > 3000


@pytest.mark.parametrize(
    ("old", "code", "level", "name", "why"),
    [
        ("230103", "230103", "county", "南岗区", "current code"),
        ("120110", "120110", "county", "东丽区", "current code"),  # renamed 1992, code kept
        ("110103", "110000", "province", "崇文区", "abolished 2010; resolved to its province 北京市"),
        ("132627", "130826", "county", "丰宁满族自治县", "abolished 1993; recoded as 丰宁满族自治县"),
        ("110221", "110114", "county", "昌平县", "abolished 1999; renamed 昌平区"),
        ("540128", "540421", "county", "工布江达县", "abolished 1983; recoded as 工布江达县"),  # moved to 林芝
        ("142200", "140900", "city", "忻州地区", "abolished 1999; renamed 忻州市"),
        ("1422", "140900", "city", "忻州地区", "abolished 1999; renamed 忻州市"),
        ("130103", "130100", "city", "桥东区", "abolished 2014; resolved to its prefecture 石家庄市"),
        ("130101", "130100", "city", "市辖区", "not in the 2023 table; resolved to its prefecture 石家庄市"),
        ("653228", "653200", "city", "和康县",
         "created 2024, after the 2023 table; resolved to its prefecture 和田地区"),
        ("512201", "510000", "province", "万县市", "abolished 1992; resolved to its province 四川省"),
    ],
)
def test_resolve_region_maps_old_codes_to_current_regions(old, code, level, name, why):
    resolution = resolve_region(old)
    assert resolution is not None
    assert (resolution.code, resolution.level, resolution.name, resolution.why) == (code, level, name, why)


@pytest.mark.parametrize("code", ["230199", "810000", "710000", "990000", "11010", "", "abcdef", "１１０１０３"])
def test_resolve_region_gives_none_for_codes_in_neither_table(code):
    assert resolve_region(code) is None


def test_every_historical_code_resolves_to_a_current_place_in_its_province():
    failures = []
    for code in HISTORICAL:
        resolution = resolve_region(code)
        region = get_region(resolution.code) if resolution else None
        if region is None or region.province_code != province_of(code) or region.level != resolution.level \
                or region.name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            failures.append((code, resolution))
    assert failures == []


@given(st.sampled_from(HISTORICAL))
def test_province_of_accepts_historical_codes(code):
    assert province_of(code) == code[:2] + "0000" == resolve_region(code).code[:2] + "0000"


@given(st.sampled_from(ALL_COUNTIES + provinces()))
def test_every_current_code_resolves_to_itself(region):
    resolution = resolve_region(region.code)
    assert resolution is not None
    assert (resolution.code, resolution.name, resolution.why) == (region.code, region.name, "current code")


# --- Names to regions -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("哈尔滨市南岗区人民法院", "230103"),
        ("深圳市罗湖区人民法院", "440303"),
        ("罗湖区人民法院", "440303"),  # unique nationally
        ("南岗区法院", "230103"),
        ("黑龙江省高级人民法院", "230000"),
        ("哈尔滨开发区哈平路集中区哈平西路9号", "230100"),
        ("北京市第一中级人民法院", "110000"),
        ("黑龙江", "230000"),
        ("广东", "440000"),
        ("内蒙古", "150000"),
        ("新疆", "650000"),
        ("海南", "460000"),  # the province, not 海南藏族自治州
        ("吉林", "220000"),  # the province and the city 吉林市 lie on one line: the province
        ("吉林市", "220200"),
        ("北京市朝阳区", "110105"),  # not 长春's 朝阳区
        ("长春市朝阳区人民法院", "220104"),
        ("济南市市中区", "370103"),
        ("济南市中区", "370103"),
        ("上海市浦东新区人民法院", "310115"),
        ("青龙县", "130321"),  # 青龙满族自治县
        ("恩施州中级人民法院", "422800"),
        ("湖北省公安县人民法院", "421022"),
        ("赵县人民法院", "130133"),
        ("深圳罗湖", "440303"),
        ("哈尔滨市南岗", "230103"),
        ("北京市崇文区人民法院", "110000"),  # abolished 2010
        ("新疆维吾尔自治区高级人民法院生产建设兵团分院", "650000"),
        (" 哈尔滨市\n南岗区 ", "230103"),
    ],
)
def test_region_of_name_reads_court_names_and_addresses(text, code):
    region = region_of_name(text)
    assert region is not None and region.code == code


@pytest.mark.parametrize(
    "text",
    ["最高人民法院", "朝阳区人民法院", "城区人民法院", "公安局", "解放路", "新区管委会", "罗湖法院", "", "Beijing"],
)
def test_region_of_name_gives_none_for_no_or_ambiguous_places(text):
    assert region_of_name(text) is None


def test_every_county_name_resolves_to_itself():
    failures = []
    for county in NAMED_COUNTIES:
        place = place_names(county.code)
        province = get_region(county.province_code)
        for text in (place.full_name, province.name + place.full_name + "人民法院"):
            region = region_of_name(text)
            if region is None or region.code != county.code:
                failures.append((text, region))
    assert failures == []


@given(st.sampled_from(NAMED_COUNTIES), st.sampled_from(["", "人民法院", "市场监督管理局", "人民路1号"]))
def test_city_and_county_name_resolve_to_the_county(county, tail):
    place = place_names(county.code)
    name = place.city_name + county.name if place.city_code != county.code else county.name
    assert region_of_name(name + tail).code == county.code


@given(st.text(max_size=40))
def test_region_of_name_never_raises(text):
    region = region_of_name(text)
    assert region is None or get_region(region.code) == region


# --- Case numbers -----------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("（2018）黑0103执1352号", "230103"),
        ("（2017）粤0303执恢99号", "440303"),
        ("(2016)黑0103执02014号", "230103"),
        ("（２０１８）黑０１０３执1352号", "230103"),
        ("〔2019〕黑01民终12号", "230100"),  # intermediate court: the prefecture
        ("（2019）黑执12号", "230000"),  # high court: the province
        ("（2018）京01民初1号", "110000"),  # 北京一中院: Beijing's 1101 is no place
        ("（2018）京0105民初1号", "110105"),
        ("（2018）京0491民初1号", "110000"),  # 北京互联网法院
        ("（2018）沪72民初1号", "310000"),  # 上海海事法院
        ("（2015）深罗法民一初字第5248号", None),
        ("（2015）黑0103执1号", None),  # before the 2016 rules
        ("（2018）最高法民终1号", None),
        ("（2018）兵01执1号", None),
        ("黑0103执1352号", None),
        ("", None),
    ],
)
def test_region_of_case_number_reads_the_court_code(case, code):
    assert region_of_case_number(case) == code


@given(st.sampled_from(ALL_COUNTIES), st.integers(min_value=2016, max_value=2030))
def test_every_county_court_code_resolves_to_its_county(county, year):
    case = f"（{year}）{province_abbreviation(county.code)}{county.code[2:]}执{year % 97}号"
    assert region_of_case_number(case) == county.code
