"""Mainland China region table: provinces, prefectures and counties by 6-digit code.

Identifiers, list entries and deciding departments carry region codes; this
module turns them into names and province codes so the graph can answer
"which province decided this" and "where is this enterprise registered".
The table is the NBS 2023 statistical code list shipped as package data under
``data/regions/`` (see SOURCE.md there) and is read once, lazily.

Old codes (abolished or renamed since 1980) come from python-stdnum's
``stdnum/cn/loc.dat``, read at run time from the installed package because its
licence (LGPL) keeps it out of this repository. :func:`resolve_region` maps them
onto the 2023 table; :func:`region_of_name` and :func:`region_of_case_number`
find the region named in a court name, an address or a case number (案号).

Contract: look-ups never raise on a string argument; unknown or malformed codes
give ``None``/``False``. Every returned code is the 6-digit form. "Current"
means present in the 2023 table.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from typing import Literal

__all__ = [
    "CodeName",
    "Level",
    "PlaceNames",
    "Region",
    "Resolution",
    "code_history",
    "counties",
    "get_region",
    "historical_codes",
    "is_known_region",
    "place_names",
    "province_abbreviation",
    "province_by_short_name",
    "province_of",
    "provinces",
    "region_of_case_number",
    "region_of_name",
    "resolve_region",
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


# --- Historical codes -------------------------------------------------------

# Grouping rows (old and new spellings) that name no place, so no name is matched on them.
_PSEUDO_NAMES = frozenset((*_PSEUDO_CITIES, "林区", "省直辖县级行政单位", "自治区直辖县级行政单位"))
_TABLE_YEAR = 2023  # the edition of the shipped table; later loc.dat entries are "after the table"
_LOC_LINE = re.compile(r'^( *)(\d+) \w+="(.*)"$')
_LOC_NAME = re.compile(r"^(?:\[(\d*)-(\d*)\])?(.+)$")


@dataclass(frozen=True)
class CodeName:
    """One name a code has had, with the first and last year it was listed (None: open)."""

    name: str
    first_year: int | None
    last_year: int | None  # None while the name is still in use


@dataclass(frozen=True)
class Resolution:
    """Where a current or historical code lies in the 2023 table.

    ``level`` is the level of ``code`` (``city`` is a prefecture), which is coarser
    than the input when an abolished code's successor is unknown. ``name`` is
    the name the input code last had; ``why`` says how it was resolved.
    """

    code: str
    level: Level
    name: str
    why: str  # "current code", "abolished 2010; resolved to its province 北京市"


@functools.cache
def _history() -> dict[str, tuple[CodeName, ...]]:
    """Read python-stdnum's ``cn/loc.dat``: 6-digit code -> names with their years.

    The file nests codes by indentation (``11 province="北京市"`` then
    ``  0103 county="[-2010]崇文区"``); a code's digits are its parents' digits
    followed by its own.
    """
    text = (resources.files("stdnum.cn") / "loc.dat").read_text("utf-8")
    history: dict[str, tuple[CodeName, ...]] = {}
    stack: list[tuple[int, str]] = []
    for line in text.splitlines():
        match = _LOC_LINE.match(line)
        if match is None:  # comments and blank lines
            continue
        indent, digits, names = len(match[1]), match[2], match[3]
        while stack and stack[-1][0] >= indent:
            stack.pop()
        code = "".join(d for _, d in stack) + digits
        stack.append((indent, digits))
        parsed = (_LOC_NAME.match(part).groups() for part in names.split(","))
        history[code.ljust(6, "0")] = tuple(
            CodeName(name, int(start) if start else None, int(end) if end else None) for start, end, name in parsed
        )
    return history


def code_history(code: str) -> tuple[CodeName, ...]:
    """Return the names a 2-, 4- or 6-digit code has had since about 1980, oldest first.

    E.g. ``"110103"`` → ``(CodeName("崇文区", None, 2010),)``; empty if unknown.
    """
    six = _six_digits(code)
    return _history().get(six, ()) if six else ()


def historical_codes() -> list[str]:
    """Return the 6-digit codes loc.dat lists and the 2023 table lacks, ordered by code.

    Mostly abolished ones, plus 市辖区 rows (``130101``) and codes newer than the table.
    """
    return sorted(code for code in _history() if code not in _table().by_code and province_of(code))


def _is_prefecture(code: str) -> bool:
    """Return whether a 6-digit code is a current prefecture that is a place (not 市辖区)."""
    region = _table().by_code.get(code)
    return region is not None and region.level == "city" and region.name not in _PSEUDO_CITIES


@functools.cache
def _children() -> dict[str, tuple[Region, ...]]:
    """Group current regions: ``"city" + province prefix`` → its prefectures (places only);
    a 2- or 4-digit prefix → the counties under it."""
    groups: dict[str, list[Region]] = defaultdict(list)
    for region in _table().by_code.values():
        if region.level == "city" and _is_prefecture(region.code):
            groups["city" + region.code[:2]].append(region)
    for county in _table().counties:
        groups[county.code[:2]].append(county)
        groups[county.code[:4]].append(county)
    return {key: tuple(regions) for key, regions in groups.items()}


def _status(names: tuple[CodeName, ...]) -> str:
    """Say why a code is not in the 2023 table."""
    last = names[-1]
    if last.last_year is not None:
        return f"abolished {last.last_year}"
    if last.first_year is not None and last.first_year > _TABLE_YEAR:
        return f"created {last.first_year}, after the {_TABLE_YEAR} table"
    return f"not in the {_TABLE_YEAR} table"


def _successor(code: str, names: tuple[CodeName, ...]) -> tuple[Region, str] | None:
    """Find the current region an abolished code became by name: the same name, else the same core.

    A county is looked for in its own prefecture, then in the prefecture its
    abolished prefecture became, then in its province. Province-wide, district
    names (桥东区, 城区) count only if the old prefecture is gone, since several
    cities of one province may have them; county names are unique in a province.
    A match counts only if it is unique in the place looked at.
    """
    wanted = {n.name for n in names} - _PSEUDO_NAMES
    groups = _children()
    if code.endswith("00"):
        pools = [(groups.get("city" + code[:2], ()), wanted)]
    else:
        pools = [(groups.get(code[:4], ()), wanted)]
        gone = not _is_prefecture(code[:4] + "00")
        parent = resolve_region(code[:4]) if gone else None
        if parent is not None and parent.level == "city":
            pools.append((groups.get(parent.code[:4], ()), wanted))
        counties_only = {n for n in wanted if not n.endswith("区")}
        pools.append((groups.get(code[:2], ()), wanted if gone else counties_only))
    for pool, pool_names in pools:
        cores = {_core(n)[0] for n in pool_names} - {None}
        same = [r for r in pool if r.name in pool_names]
        similar = [r for r in pool if _core(r.name)[0] in cores]
        for how, hits in (("recoded as", same), ("renamed", similar)):
            if len(hits) == 1:
                return hits[0], how
    return None


def resolve_region(code: str) -> Resolution | None:
    """Return where a current or historical 2-, 4- or 6-digit code lies today, else None.

    A current code resolves to itself. An abolished one resolves to the current
    region that has its name, or its name with another suffix (昌平县 → 昌平区),
    found as :func:`_successor` says (e.g. 132627 丰宁满族自治县, recoded 1993,
    → 130826); else to its prefecture, else to its province. loc.dat does not
    say which district absorbed a merged one, so 崇文区 110103 (abolished 2010,
    now part of 东城区) resolves to 北京市 110000: Beijing's prefecture row
    (市辖区) is no place. A code stays in the province its first two digits
    name, so pre-1997 Chongqing codes resolve within Sichuan.
    """
    six = _six_digits(code)
    if six is None or province_of(six) is None:
        return None
    table = _table()
    current = table.by_code.get(six)
    if current is not None:
        return Resolution(six, current.level, current.name, "current code")
    names = _history().get(six)
    if not names:
        return None
    name, status = names[-1].name, _status(names)
    successor = _successor(six, names)
    if successor is not None:
        region, how = successor
        level = table.by_code[region.code].level  # 中山 442000 is a county row and a city, read as the city
        return Resolution(region.code, level, name, f"{status}; {how} {region.name}")
    if not six.endswith("00"):
        parent = resolve_region(six[:4]) if not _is_prefecture(six[:4] + "00") else None
        prefecture = parent.code if parent is not None and parent.level == "city" else six[:4] + "00"
        if _is_prefecture(prefecture):
            city = table.by_code[prefecture]
            return Resolution(city.code, "city", name, f"{status}; resolved to its prefecture {city.name}")
    province = table.by_code[six[:2] + "0000"]
    return Resolution(province.code, "province", name, f"{status}; resolved to its province {province.name}")


# --- Names to regions -------------------------------------------------------

_ETHNIC_MULTI = (
    "蒙古|维吾尔|布依|朝鲜|土家|哈尼|哈萨克|傈僳|拉祜|东乡|纳西|景颇|柯尔克孜|达斡尔|仫佬|布朗|撒拉|毛南|"
    "仡佬|锡伯|阿昌|普米|塔吉克|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺"
)
# Multi-character peoples may drop 族 (博尔塔拉蒙古自治州); single characters must keep it.
_AUTONOMOUS = re.compile(rf"^(.{{2,}}?)(?:(?:{_ETHNIC_MULTI})族?|[满回藏苗彝壮侗瑶白傣黎佤畲水土羌怒京]族)+自治([县旗州])$")
_SUFFIXES = ("自治县", "自治旗", "自治州", "新区", "林区", "特区", "地区", "市", "区", "县", "旗", "盟")
_WHITESPACE = re.compile(r"\s+")


@functools.cache
def _core(name: str) -> tuple[str | None, str | None]:
    """Return a name without its suffix (南岗, 哈尔滨, 青龙) and, for autonomous units, its
    everyday short form (青龙县, 恩施州); None where there is no such form of two or more characters."""
    match = _AUTONOMOUS.match(name)
    if match:
        return match[1], match[1] + match[2]
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name.removesuffix(suffix), None
    return None, None


@functools.cache
def _aliases() -> tuple[tuple[dict[str, frozenset[str]], ...], int]:
    """Index the names a text may use: (strong, two-character, bare) name tables and the longest name.

    Strong: province, prefecture and county names, prefectures without their
    suffix (哈尔滨) and autonomous units' short forms (青龙县). Two-character: county
    names of two characters (赵县, 城区). Bare: county names without their
    suffix (南岗). Names that abolished codes had and no current region has
    (崇文区) map to the codes' resolutions; two-character ones are left out.
    """
    strong: dict[str, set[str]] = defaultdict(set)
    two_char: dict[str, set[str]] = defaultdict(set)
    bare: dict[str, set[str]] = defaultdict(set)
    for province in _table().provinces:
        for name in _short_names(province):
            strong[name].add(province.code)
    for region in _table().by_code.values():
        if region.level == "city" and _is_prefecture(region.code):
            for name in filter(None, (region.name, *_core(region.name))):
                strong[name].add(region.code)
    for county in _table().counties:
        core, everyday = _core(county.name)
        (strong if len(county.name) > 2 else two_char)[county.name].add(county.code)
        if core:
            bare[core].add(county.code)
        if everyday:
            strong[everyday].add(county.code)
    current = set(strong) | set(two_char) | set(bare)
    for code, names in _history().items():
        for old in names:
            if len(old.name) > 2 and old.name not in current and old.name not in _PSEUDO_NAMES:
                resolution = resolve_region(code)
                if resolution is not None:
                    strong[old.name].add(resolution.code)
    tables = tuple({name: frozenset(codes) for name, codes in table.items()} for table in (strong, two_char, bare))
    return tables, max(len(name) for table in tables for name in table)


def _lineage(code: str) -> tuple[str, ...]:
    """Return a code with its prefecture (if a place) and province, most specific first."""
    chain = (code, code[:4] + "00", code[:2] + "0000")
    return tuple(dict.fromkeys(c for i, c in enumerate(chain) if i == 0 or i == 2 or _is_prefecture(c)))


def _narrow(context: set[str], codes: frozenset[str]) -> set[str]:
    """Keep the pairs of a context and new candidates that lie on one line, each as the deeper one."""
    kept = set()
    for a in context:
        for b in codes:
            if a in _lineage(b):
                kept.add(b)
            elif b in _lineage(a):
                kept.add(a)
    return kept


def region_of_name(text: str) -> Region | None:
    """Return the most specific region a court name, address or province name names, else None.

    "哈尔滨市南岗区人民法院" → 230103, "黑龙江省高级人民法院" → 230000,
    "哈尔滨开发区哈平路…" → 230100, "黑龙江"/"新疆" → the province,
    "最高人民法院" → None. At each position the longest known name is taken
    (names inside a longer one are dropped); left to right, each name narrows
    the candidates to those on one line with what came before (北京市朝阳区 →
    110105, not 长春's 朝阳区), and a name that fits nothing before it is
    ignored. Two-character county names (赵县) count only at the start or right
    after a counted name; county names without suffix (南岗) only right after a
    counted name or as the whole text, since they are also common words (公安,
    解放路). A name shared by several regions (朝阳区) with nothing to decide
    between them gives their nearest common region, or None if there is none.
    """
    if not isinstance(text, str):
        return None
    text = _WHITESPACE.sub("", text)
    province = province_by_short_name(text)
    if province is not None:
        return province
    tables, longest = _aliases()
    spans = []
    for start in range(len(text)):
        for stop in range(min(len(text), start + longest), start + 1, -1):
            kind = next((k for k, table in enumerate(tables) if text[start:stop] in table), None)
            if kind is not None:
                spans.append((start, stop, tables[kind][text[start:stop]], kind))
                break
    context: set[str] | None = None
    end = 0
    for start, stop, codes, kind in spans:
        if any(s <= start and stop <= e and (s, e) != (start, stop) for s, e, _, _ in spans):
            continue  # 南岗 inside 南岗区
        # Short and bare names are common words (公安, 解放路, 新区): only where a place name is expected.
        if kind and (start != end or (kind == 2 and context is None and stop - start < len(text))):
            continue
        narrowed = set(codes) if context is None else _narrow(context, codes)
        if narrowed:
            context, end = narrowed, stop
    if not context:
        return None
    common = set.intersection(*(set(_lineage(c)) for c in context))
    return get_region(max(common, key=lambda c: len(c.rstrip("0")))) if common else None


# --- Case numbers -----------------------------------------------------------

_BY_ABBREVIATION = {abbreviation: prefix for prefix, abbreviation in _ABBREVIATIONS.items()}
# Since 2016 (最高人民法院《关于人民法院案件案号的若干规定》): （year）+ province abbreviation
# + court code (none: high court, 2 digits: intermediate, 4 digits: basic court) + case type.
_CASE_NUMBER = re.compile(r"^[(〔\[]([0-9]{4})[)〕\]](\w)([0-9]{4}|[0-9]{2})?(?=[\u4e00-\u9fff])")
_CASE_NUMBER_SINCE = 2016


def region_of_case_number(case: str) -> str | None:
    """Return the 6-digit region of the court in a 2016-style case number (案号), else None.

    "（2018）黑0103执1352号" → ``230103``; a 2-digit court code (黑01, an
    intermediate court) gives its prefecture ``230100``; no code (黑执) gives the
    province ``230000``. Court codes that are not places (Beijing's 京01-03,
    maritime courts 沪72, 京0491) fall back to the prefecture, then the
    province. Older case numbers (（2015）深罗法民一初字第5248号), the Supreme
    Court's (最高法) and the 兵团 courts' (兵) give None.
    """
    if not isinstance(case, str):
        return None
    # NFKC folds full-width brackets and digits (（２０１８）) to ASCII.
    match = _CASE_NUMBER.match(_WHITESPACE.sub("", unicodedata.normalize("NFKC", case)))
    if match is None or int(match[1]) < _CASE_NUMBER_SINCE or match[2] not in _BY_ABBREVIATION:
        return None
    province, court = _BY_ABBREVIATION[match[2]], match[3]
    while court:
        resolution = resolve_region(province + court)
        if resolution is not None and (resolution.level == "county" or _is_prefecture(resolution.code)):
            return resolution.code
        court = court[:-2]
    return province + "0000"
