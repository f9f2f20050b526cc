"""Old region codes (abolished or renamed since 1980), resolved onto the current table.

The history comes from python-stdnum's ``stdnum/cn/loc.dat``, read at run time from
the installed package because its licence (LGPL) keeps it out of this repository.
Same contract as :mod:`graph_model.identity.regions`: look-ups never raise on a string.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources

from graph_model.identity.regions import _PSEUDO_CITIES, Level, Region, _six_digits, _table, province_of

__all__ = ["CodeName", "Resolution", "code_history", "historical_codes", "parse_loc", "resolve_region"]

_ETHNIC_MULTI = (
    "蒙古|维吾尔|布依|朝鲜|土家|哈尼|哈萨克|傈僳|拉祜|东乡|纳西|景颇|柯尔克孜|达斡尔|仫佬|布朗|撒拉|毛南|"
    "仡佬|锡伯|阿昌|普米|塔吉克|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺"
)
# Multi-character peoples may drop 族 (博尔塔拉蒙古自治州); single characters must keep it.
_AUTONOMOUS = re.compile(rf"^(.{{2,}}?)(?:(?:{_ETHNIC_MULTI})族?|[满回藏苗彝壮侗瑶白傣黎佤畲水土羌怒京]族)+自治([县旗州])$")
_SUFFIXES = ("自治县", "自治旗", "自治州", "新区", "林区", "特区", "地区", "市", "区", "县", "旗", "盟")


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
    """python-stdnum's ``cn/loc.dat``, parsed (see :func:`parse_loc`)."""
    return parse_loc((resources.files("stdnum.cn") / "loc.dat").read_text("utf-8"))


def parse_loc(text: str) -> dict[str, tuple[CodeName, ...]]:
    """6-digit code -> names with their years, from text in ``loc.dat``'s format.

    The file nests codes by indentation (``11 province="北京市"`` then
    ``  0103 county="[-2010]崇文区"``); a code's digits are its parents' digits
    followed by its own.
    """
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
