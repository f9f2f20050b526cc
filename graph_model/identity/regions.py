"""Mainland China region table: provinces, prefectures and counties by 6-digit code.

Identifiers, list entries and deciding departments carry region codes; this
module turns them into names and province codes so the graph can answer
"which province decided this" and "where is this enterprise registered".
The table is the NBS 2023 statistical code list shipped as package data under
``data/regions/`` (see SOURCE.md there) and is read once, lazily.

Old codes are in :mod:`graph_model.identity.region_history`; names, addresses and case
numbers (案号) are read in :mod:`graph_model.identity.region_names`.

Contract: look-ups never raise on a string argument; unknown or malformed codes
give ``None``/``False``. Every returned code is the 6-digit form. "Current"
means present in the 2023 table.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources
from typing import Literal

__all__ = [
    "Level",
    "PlaceNames",
    "Region",
    "counties",
    "get_region",
    "is_known_region",
    "place_names",
    "province_abbreviation",
    "province_by_short_name",
    "province_of",
    "provinces",
]

Level = Literal["province", "city", "county"]

# The five autonomous regions' short names drop the ethnic designation as well
# as the suffix, so they cannot be derived by stripping 省/市/自治区.
_AUTONOMOUS_SHORT = {"15": "内蒙古", "45": "广西", "54": "西藏", "64": "宁夏", "65": "新疆"}

# One-character abbreviations (简称) as used in court case numbers and document numbers.
_ABBREVIATIONS = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉",
    "23": "黑", "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣",
    "37": "鲁", "41": "豫", "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼",
    "50": "渝", "51": "川", "52": "黔", "53": "滇", "54": "藏", "61": "陕", "62": "甘",
    "63": "青", "64": "宁", "65": "新",
}  # fmt: skip

_MUNICIPALITIES = ("11", "12", "31", "50")
# Prefecture rows that are groupings, not places a name is formed from.
_PSEUDO_CITIES = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")

# NBS codes below county level have 9 (township) or 12 (village) digits.
_WELL_FORMED_LENGTHS = (2, 4, 6, 9, 12)


@dataclass(frozen=True)
class Region:
    """One province, prefecture-level city or county-level unit.

    ``code`` is always 6 digits (``110000``, ``110100``, ``110101``) and
    ``province_code`` is the 6-digit code of the province it lies in.
    """

    code: str
    name: str
    level: Level
    province_code: str


@dataclass(frozen=True)
class PlaceNames:
    """The name forms of a county-level region as departments and companies use them."""

    code: str  # 230103
    full_name: str  # 哈尔滨市南岗区, 北京市朝阳区; 庆安县, 江阴市 (counties and county-level cities stand alone)
    city_name: str  # 哈尔滨市; the municipality 北京市; the county itself if no prefecture
    city_code: str  # 230100; 110000 for a municipality; the county's own code if no prefecture
    short_name: str  # 哈尔滨, 北京, 湖北: the place word that starts a company name


@dataclass(frozen=True)
class _Table:
    """The loaded region table with its look-up indexes."""

    by_code: dict[str, Region]
    provinces: tuple[Region, ...]
    counties: tuple[Region, ...]
    by_short_name: dict[str, Region]
    county_by_code: dict[str, Region]  # 东莞 441900 is a city in by_code, a county here


def _rows(filename: str) -> list[dict[str, str]]:
    """Return the rows of one packaged CSV file as dicts."""
    text = (resources.files(__package__) / "data" / "regions" / filename).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _short_names(region: Region) -> tuple[str, ...]:
    """Return the names a person might use for a province, full name included."""
    prefix = region.code[:2]
    if prefix in _AUTONOMOUS_SHORT:
        return (region.name, _AUTONOMOUS_SHORT[prefix])
    return (region.name, region.name.removesuffix("省").removesuffix("市"))


@functools.cache
def _table() -> _Table:
    """Load and index the packaged CSV files (once per process)."""
    provinces_ = tuple(
        Region(row["code"] + "0000", row["name"], "province", row["code"] + "0000")
        for row in _rows("provinces.csv")
    )
    cities = tuple(
        Region(row["code"] + "00", row["name"], "city", row["provinceCode"] + "0000")
        for row in _rows("cities.csv")
    )
    counties_ = tuple(
        Region(row["code"], row["name"], "county", row["provinceCode"] + "0000")
        for row in _rows("areas.csv")
    )
    by_code: dict[str, Region] = {}
    # Later levels must not shadow earlier ones: 东莞 441900 is both a city and its
    # own county-level row, and as a code of the form XXXX00 it reads as the city.
    for region in (*provinces_, *cities, *counties_):
        by_code.setdefault(region.code, region)
    by_short = {name: p for p in provinces_ for name in _short_names(p)}
    ordered = tuple(sorted(counties_, key=lambda r: r.code))
    return _Table(by_code, provinces_, ordered, by_short, {c.code: c for c in ordered})


def _six_digits(code: str) -> str | None:
    """Return ``code`` padded to 6 digits if it is a 2-, 4- or 6-digit string, else None."""
    if not isinstance(code, str):
        return None
    code = code.strip()
    if len(code) not in (2, 4, 6) or not (code.isascii() and code.isdigit()):
        return None
    return code.ljust(6, "0")


def get_region(code: str) -> Region | None:
    """Return the region for a 2-, 4- or 6-digit code, or None if unknown or malformed.

    2- and 4-digit forms are padded with zeros (``"23"`` → ``230000``). A 6-digit
    code ending in ``00`` is read as a prefecture (or province for ``0000``).
    """
    six = _six_digits(code)
    return None if six is None else _table().by_code.get(six)


def is_known_region(code: str) -> bool:
    """Return whether ``code`` names a province, city or county in the table."""
    return get_region(code) is not None


def province_of(code: str) -> str | None:
    """Return the 6-digit province code for any well-formed code of a known province.

    Works for codes missing from the table (registration-authority codes such
    as 230199, newer or abolished counties such as 110103 崇文区) as long as the
    first two digits are a current province. Well-formed means 2, 4, 6, 9 or 12 ASCII digits.
    """
    if not isinstance(code, str):
        return None
    code = code.strip()
    if len(code) not in _WELL_FORMED_LENGTHS or not (code.isascii() and code.isdigit()):
        return None
    province = code[:2] + "0000"
    return province if province in _table().by_code else None


def provinces() -> list[Region]:
    """Return all 31 mainland province-level regions, ordered by code."""
    return list(_table().provinces)


def counties(province_code: str | None = None) -> list[Region]:
    """Return county-level regions ordered by code, optionally only one province's.

    ``province_code`` may be given in 2- or 6-digit form; an unknown one gives an
    empty list. Includes NBS development-zone units (``xxxx7x``) and cities
    without counties (东莞 441900), each as a county-level row.
    """
    table = _table()
    if province_code is None:
        return list(table.counties)
    wanted = province_of(province_code)
    return [c for c in table.counties if c.province_code == wanted] if wanted else []


def province_by_short_name(name: str) -> Region | None:
    """Return the province for its full or short name, e.g. 黑龙江, 广西, 北京市; else None.

    One-character abbreviations (黑, 桂) are not accepted here because several
    provinces have a second abbreviation that would clash; see
    :func:`province_abbreviation` for the other direction.
    """
    if not isinstance(name, str):
        return None
    return _table().by_short_name.get(name.strip())


def province_abbreviation(code: str) -> str | None:
    """Return the one-character abbreviation (简称) of the province containing ``code``.

    E.g. ``"230103"`` → ``"黑"``; None if the province is unknown.
    """
    province = province_of(code)
    return None if province is None else _ABBREVIATIONS.get(province[:2])


def place_names(code: str) -> PlaceNames | None:
    """Return the name forms of a known county-level region, else None.

    E.g. ``230103`` → 哈尔滨市南岗区 / 哈尔滨市 / 230100 / 哈尔滨. Used to build
    department names ("<full_name>市场监督管理局") and company names.
    """
    county = _table().county_by_code.get(_six_digits(code) or "")
    if county is None:
        return None
    province = _table().by_code[county.province_code]
    city = get_region(county.code[:4])
    if county.code[:2] in _MUNICIPALITIES:
        city_name, city_code = province.name, province.code
    elif city is None or city.name in _PSEUDO_CITIES:
        city_name, city_code = county.name, county.code
    else:
        city_name, city_code = city.name, city.code
    short = city_name[:-1] if city_name.endswith("市") else _short_names(province)[-1]
    # Only districts are named with their city (哈尔滨市南岗区); counties, county-level cities and
    # zones named after their city stand alone (庆安县, 江阴市, 石家庄高新技术产业开发区).
    district = county.name.endswith("区") and not county.name.startswith(city_name[:2])
    full = city_name + county.name if district and city_name != county.name else county.name
    return PlaceNames(county.code, full, city_name, city_code, short)
