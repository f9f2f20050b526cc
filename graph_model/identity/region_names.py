"""The region a court name, an address or a case number (案号) names.

Same contract as :mod:`graph_model.identity.regions`: look-ups never raise on a string.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict

from graph_model.identity.region_history import _PSEUDO_NAMES, _core, _history, _is_prefecture, resolve_region
from graph_model.identity.regions import (
    _ABBREVIATIONS,
    Region,
    _short_names,
    _table,
    get_region,
    province_by_short_name,
)

__all__ = ["region_of_case_number", "region_of_name"]

_WHITESPACE = re.compile(r"\s+")


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
