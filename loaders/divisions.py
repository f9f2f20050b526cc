"""Administrative divisions into the graph: ``Region`` nodes for every province,
prefecture and county, current and abolished, with ``PART_OF`` edges up the
hierarchy and ``SUCCEEDED_BY`` from an abolished code to the current region it
resolves to (graph_model.identity.region_history), so analyses and the explorer can group
subjects by province or prefecture across old and new codes.

Sources: by default the shipped 2023 table and the installed historical table; or
files in the shipped table's CSV shape (``provinces.csv``: ``code,name``;
``cities.csv``: ``code,name,provinceCode``; ``areas.csv``: ``code,name,cityCode,
provinceCode``, as github.com/modood/Administrative-divisions-of-China publishes
them) and files in python-stdnum's ``loc.dat`` shape (historical names with years).
Checks and loaders keep using the shipped tables; these nodes are for queries.
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

from graph_model.errors import InvalidInput
from graph_model.identity.region_history import CodeName, _history, parse_loc, resolve_region
from graph_model.identity.regions import _table
from graph_model.store.base import Store, batched
from loaders.bundle import LoadReport
from loaders.sourcefile import decode

__all__ = ["load_divisions"]


def _level(code: str) -> str:
    return "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"


def _six(code: str) -> str:
    return code.strip().ljust(6, "0")


def _parent(code: str) -> str | None:
    if code.endswith("0000"):
        return None
    return code[:2] + "0000" if code.endswith("00") else code[:4] + "00"


def _names(history: tuple[CodeName, ...]) -> str:
    return "；".join(f"{h.name} {h.first_year or ''}-{h.last_year or ''}" for h in history)


def _read(paths: list[Path], report: LoadReport) -> tuple[dict[str, str], dict[str, tuple[CodeName, ...]]]:
    """Current names by code, and histories by code, from the given files."""
    current: dict[str, str] = {}
    history: dict[str, tuple[CodeName, ...]] = {}
    for path in paths:
        text = decode(Path(path).read_bytes(), Path(path))
        if text.lstrip().startswith("#") or '="' in text[:2000]:
            found = parse_loc(text)
            history.update(found)
            report.read[Path(path).name] = len(found)
            continue
        rows = list(csv.DictReader(io.StringIO(text)))
        if not rows or not {"code", "name"} <= set(rows[0]):
            raise InvalidInput(f"{path}: neither a code,name table nor a loc.dat file")
        for row in rows:
            current[_six(row["code"])] = row["name"].strip()
        report.read[Path(path).name] = len(rows)
    return current, history


def load_divisions(store: Store, paths: list[Path] | None = None, *, batch_size: int = 20_000) -> LoadReport:
    """Write Region nodes, PART_OF and SUCCEEDED_BY; the same input again changes nothing."""
    report = LoadReport()
    started = time.perf_counter()
    if paths:
        current, history = _read(paths, report)
    else:
        current = {code: region.name for code, region in _table().by_code.items()}
        history = _history()
        report.read = {"shipped table": len(current), "installed history": len(history)}
    rows, parents, successors = [], [], []
    for code in sorted(set(current) | set(history)):
        names = history.get(code, ())
        # In use today: in the current table, or with a history still open (Hong Kong,
        # Macao, Taiwan; a county created after the table's edition).
        is_current = code in current or bool(names and names[-1].last_year is None)
        name = current.get(code) or (names[-1].name if names else code)
        rows.append({"code": code, "name": name, "level": _level(code), "current": is_current,
                     "province": code[:2] + "0000", "names": _names(names) or None})
        parent = _parent(code)
        if parent and (parent in current or parent in history):
            parents.append({"code": code, "parent": parent})
        if not is_current:
            resolution = resolve_region(code)
            if resolution is not None and resolution.code != code:
                successors.append({"code": code, "successor": resolution.code, "why": resolution.why})
    for query, items in (("load_regions", rows), ("link_region_parents", parents),
                         ("link_region_successors", successors)):
        for batch in batched(items, batch_size):
            store.write(query, rows=batch)
    report.loaded = {"regions": len(rows), "part_of": len(parents), "succeeded_by": len(successors)}
    report.seconds = time.perf_counter() - started
    return report
