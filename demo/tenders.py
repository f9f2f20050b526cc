"""Tender participation for a demo bundle: a market of regional tenders with random
bidders, and planted bidding rings, for ``sanctionnet load tenders`` and the
co-bidding benchmark.

Market: each tender draws 3–8 bidders from the enterprises of one province and one
winner among them. Rings: 3–5 enterprises of one province that bid together in
6–12 tenders, winning in turn, now and then with one outside bidder. Same arguments,
same file.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections import defaultdict
from pathlib import Path

__all__ = ["TENDER_HEADER", "write_tenders"]

TENDER_HEADER = ("tender_id", "published", "bidder", "title", "buyer", "region", "won")
_START = dt.date(2022, 1, 1)
_WORKS = ("道路养护工程", "办公设备采购", "物业管理服务", "绿化工程", "信息化建设", "食堂食材配送", "校舍维修", "污水管网改造")


def _enterprises(folder: Path) -> dict[str, list[str]]:
    """Enterprise ids by province, from the bundle's subjects.csv."""
    by_province: dict[str, list[str]] = defaultdict(list)
    with open(folder / "subjects.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["kind"] == "enterprise" and row["region"]:
                by_province[row["region"][:2]].append(row["id"])
    return by_province


def write_tenders(folder: Path, *, tenders: int = 20_000, rings: int = 50, seed: int = 5) -> list[list[str]]:
    """Write ``folder / "tenders.csv"``; return the planted rings (sorted enterprise ids)."""
    rng = random.Random(seed)
    by_province = _enterprises(folder)
    provinces = sorted(p for p, ids in by_province.items() if len(ids) >= 50)
    rows: list[tuple] = []
    planted: list[list[str]] = []
    used: set[str] = set()

    def tender(tid: str, province: str, bidders: list[str], winner: str) -> None:
        day = _START + dt.timedelta(days=rng.randrange(1000))
        title = f"{rng.choice(_WORKS)}项目"
        for bidder in bidders:
            rows.append((tid, day.isoformat(), bidder, title, f"{province}0100某局", f"{province}0100",
                         "是" if bidder == winner else "否"))

    for n in range(rings):
        province = rng.choice(provinces)
        pool = [e for e in by_province[province] if e not in used]
        ring = sorted(rng.sample(pool, rng.randint(3, 5)))
        used.update(ring)
        planted.append(ring)
        for k in range(rng.randint(6, 12)):
            bidders = list(ring)
            if rng.random() < 0.3:
                bidders.append(rng.choice(by_province[province]))
            tender(f"RING{n:03d}-{k:02d}", province, bidders, ring[k % len(ring)])
    for n in range(tenders):
        province = rng.choice(provinces)
        bidders = rng.sample(by_province[province], rng.randint(3, 8))
        tender(f"T{n:06d}", province, bidders, rng.choice(bidders))
    rows.sort(key=lambda r: (r[0], r[2]))
    with open(folder / "tenders.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(TENDER_HEADER)
        writer.writerows(rows)
    return planted
