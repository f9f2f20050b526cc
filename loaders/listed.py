"""Listed companies: their boards (董事/高管) and top-10 shareholders (十大股东).

Reads the shapes public datasets use (../shared/data/README.md, B and C): the
Neo4j import CSVs of an A-share knowledge graph (``stock.csv``, ``executive.csv``,
``executive_stock.csv``; or the flat ``executive_prep.csv``), and Tushare's
``top10_holders`` and ``stock_basic`` exports. Any subset of these files may be
given; each is recognised by its header.

* A company is an enterprise keyed by its six-digit stock code (Shenzhen codes that
  lost their leading zeros, ``2658``, are padded back: ``002658``).
* A board member is a person with ``KEY_PERSON_OF`` and the jobs as ``title``. The
  graph's own person id (md5 of name, gender, age) says which board seats are one
  person; a flat file without ids ties a name to one company only.
* A top-10 holder is ``HOLDS_SHARES`` with the ratio, one period per report date
  (``valid_from = valid_to = end_date``): a snapshot, not a holding period. A
  holder whose name looks like a natural person (up to four characters, no
  organisation word) is a person, named by that company, so a director who is
  also a top-10 holder of the same company is one person; a fund product
  (``中国平安保险(集团)股份有限公司-集团本级-自有资金``) is its manager, the name before
  the first ``-``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from graph_model.catalogue.model import Catalogue
from graph_model.identity.pii import IdHasher
from graph_model.store.base import Store
from graph_model.vocabulary.kinds import SubjectKind
from loaders.bundle import LoadReport
from loaders.convert import BundleWriter, Conversion
from loaders.identity import Mention, resolve
from loaders.sourcefile import Table, parse_cn_date, read_records, unreadable

__all__ = ["TABLES", "load_listed", "stock_code"]

STOCKS = Table("stocks", {"stock_id": ("stock_id:ID(Stock)",), "name": ("name",), "code": ("code",),
                          "label": (":LABEL",)}, key_fields=("stock_id", "code"))
STOCK_LIST = Table("stock_list", {"ts_code": ("ts_code",), "symbol": ("symbol",), "name": ("name",),
                                  "list_date": ("list_date",), "list_status": ("list_status",)},
                   key_fields=("ts_code", "symbol", "name"))
EXECUTIVES = Table("executives", {"person_id": ("person_id:ID(Executive)",), "name": ("name",),
                                  "gender": ("gender",), "age": ("age:int", "age")}, key_fields=("person_id", "name"))
SEATS = Table("board_seats", {"person_id": (":START_ID(Executive)",), "jobs": ("jobs",),
                              "stock_id": (":END_ID(Stock)",)}, key_fields=("person_id", "stock_id"))
FLAT_SEATS = Table("board_seats_flat", {"name": ("name",), "gender": ("gender",), "age": ("age",),
                                        "code": ("code",), "jobs": ("jobs",)}, key_fields=("name", "code", "jobs"))
HOLDERS = Table("top10_holders", {"ts_code": ("ts_code",), "ann_date": ("ann_date",), "end_date": ("end_date",),
                                  "holder_name": ("holder_name",), "hold_amount": ("hold_amount",),
                                  "hold_ratio": ("hold_ratio",)}, key_fields=("ts_code", "holder_name", "hold_ratio"))
# Most specific first: a header that names more key fields is tried before one that names fewer.
TABLES = (HOLDERS, STOCK_LIST, SEATS, EXECUTIVES, STOCKS, FLAT_SEATS)

_ORG_WORD = re.compile(r"公司|基金|计划|银行|集团|中心|合伙|资管|信托|证券|保险|投资|管理|组合|账户|产品|有限|社保|汇金|"
                       r"专户|企业|协会|委员会|财政|国资|政府|大学|研究")


def stock_code(text: str) -> str | None:
    """A six-digit A-share code from ``000001.SZ``, ``2658`` or ``600616``; None if not one."""
    digits = text.strip().split(".")[0]
    return digits.zfill(6) if digits.isdigit() and len(digits) <= 6 else None


def _holder_kind(name: str) -> SubjectKind:
    return SubjectKind.person if len(name) <= 4 and not _ORG_WORD.search(name) else SubjectKind.enterprise


def _holder_name(name: str) -> str:
    """The legal holder behind a product account: the part before the first '-'."""
    return name.split("-", 1)[0].strip() if "-" in name else name.strip()


# (where, code, name, person id, jobs) of a board seat; (where, code, holder, name as
# shown, ratio, day) of a top-10 holding.
Seat = tuple[str, str, str, str | None, str]
Holding = tuple[str, str, str, str, float, object]


def _read(paths: list[Path], conversion: Conversion) -> dict[str, list[tuple[str, dict]]]:
    """The readable records of every file, by table."""
    rows: dict[str, list[tuple[str, dict]]] = {t.name: [] for t in TABLES}
    for path in paths:
        for where, table, fields in read_records(Path(path), TABLES):
            conversion.count(table)
            if problem := unreadable(fields):
                conversion.reject(where, *problem)
                continue
            rows[table].append((where, fields))
    return rows


def _companies(rows: dict, conversion: Conversion) -> dict[str, tuple[str, dict]]:
    """Stock code -> (where, {name, listed}), from the stock tables."""
    companies: dict[str, tuple[str, dict]] = {}
    for table in ("stocks", "stock_list"):
        for where, f in rows[table]:
            code = stock_code(f.get("code") or f.get("symbol") or f.get("stock_id", ""))
            if code is None:
                conversion.reject(where, "code", f"not a stock code: {f.get('code') or f.get('symbol')!r}")
                continue
            entry = companies.setdefault(code, (where, {}))[1]
            entry.setdefault("name", f["name"].strip())
            if f.get("list_date"):
                entry.setdefault("listed", f["list_date"])
    return companies


def _seats(rows: dict, conversion: Conversion) -> list[Seat]:
    """Board seats, from the graph's seats (with its person ids) and the flat file."""
    executives = {f["person_id"]: (where, f) for where, f in rows["executives"]}
    seats: list[Seat] = []
    for where, f in rows["board_seats"]:
        code, person = stock_code(f["stock_id"]), executives.get(f["person_id"])
        if code is None or person is None:
            conversion.reject(where, ":END_ID(Stock)" if code is None else ":START_ID(Executive)",
                              "no such stock code" if code is None else f"no executive {f['person_id']!r} in executive.csv")
            continue
        seats.append((where, code, person[1]["name"].strip(), f["person_id"], f["jobs"].strip()))
    for where, f in rows["board_seats_flat"]:
        code = stock_code(f["code"])
        if code is None:
            conversion.reject(where, "code", f"not a stock code: {f['code']!r}")
            continue
        seats.append((where, code, f["name"].strip(), None, f["jobs"].strip()))
    return seats


def _holdings(rows: dict, conversion: Conversion) -> list[Holding]:
    """Usable top-10 holdings: a stock code, a ratio in (0, 100] and a report date."""
    holdings: list[Holding] = []
    for where, f in rows["top10_holders"]:
        code = stock_code(f["ts_code"])
        try:
            ratio = float(f["hold_ratio"])
            day = parse_cn_date(f["end_date"])
        except ValueError as exc:
            conversion.reject(where, "hold_ratio" if "float" in str(exc) else "end_date", str(exc))
            continue
        if code is None or not 0 < ratio <= 100 or day is None:
            conversion.reject(where, "ts_code" if code is None else "hold_ratio" if day else "end_date",
                              f"not usable: {f['ts_code']!r}, {f['hold_ratio']!r}, {f['end_date']!r}")
            continue
        holdings.append((where, code, _holder_name(f["holder_name"]), f["holder_name"].strip(), ratio, day))
    return holdings


def _mentions(companies: dict, seats: list[Seat], holdings: list[Holding]) -> list[Mention]:
    """Every company, board member and holder named, for the identity resolution."""
    mentions: list[Mention] = []
    for code, (_, info) in companies.items():
        mentions.append(Mention(f"stock:{code}", SubjectKind.enterprise, info.get("name") or code, stock_code=code))
    for i, (where, code, name, person_id, jobs) in enumerate(seats):
        mentions.append(Mention(f"seat#{i}", SubjectKind.person, name, named_by=f"stock:{code}", role=jobs,
                                source_key=f"stock-kg-executive:{person_id}" if person_id else None))
    for i, (where, code, holder, _, _, _) in enumerate(holdings):
        kind = _holder_kind(holder)
        mentions.append(Mention(f"holder#{i}", kind, holder, named_by=f"stock:{code}" if kind is SubjectKind.person
                                else None, role="十大股东"))
    return mentions


def _write_boards(writer: BundleWriter, resolved: dict, companies: dict, seats: list[Seat]) -> None:
    """The companies and their board members, each with its source record."""
    for code, (where, info) in companies.items():
        sid = writer.subject({"id": resolved[f"stock:{code}"].subject_id, "kind": "enterprise",
                              "name": info.get("name") or code, "stock_code": code}, where or code, None)
        writer.add("sources.csv", {"record_id": f"stock:{code}", "source": "listed companies", "subject_id": sid,
                                   "why": resolved[f"stock:{code}"].why,
                                   "raw": json.dumps(info, ensure_ascii=False, sort_keys=True)}, where or code)
    for i, (where, code, name, person_id, jobs) in enumerate(seats):
        cid = resolved[f"stock:{code}"].subject_id
        pid = writer.subject({"id": resolved[f"seat#{i}"].subject_id, "kind": "person", "name": name}, where, None)
        writer.relation({"from_id": pid, "to_id": cid, "type": "KEY_PERSON_OF", "title": jobs}, where)
        writer.add("sources.csv", {"record_id": f"seat:{person_id or name}@{code}", "source": "listed company boards",
                                   "subject_id": pid, "why": resolved[f"seat#{i}"].why}, where)


def _write_holdings(writer: BundleWriter, resolved: dict, holdings: list[Holding], conversion: Conversion) -> None:
    """The holders and one holding per holder, company and report date: one holder's
    product accounts in one company and period add up to its holding."""
    held: dict[tuple[str, str, object], list] = {}
    for i, (where, code, holder, shown, ratio, day) in enumerate(holdings):
        hid, cid = resolved[f"holder#{i}"].subject_id, resolved[f"stock:{code}"].subject_id
        if hid == cid:
            conversion.reject(where, "holder_name", f"{shown} is the company itself (treasury shares): no holding")
            continue
        writer.subject({"id": hid, "kind": _holder_kind(holder).value, "name": holder}, where, None)
        if (hid, cid, day) in held:
            conversion.merged += 1
            held[(hid, cid, day)][1] += ratio
        else:
            held[(hid, cid, day)] = [where, ratio]
        writer.add("sources.csv", {"record_id": f"top10:{code}:{day.isoformat()}:{shown}", "source": "top-10 holders",
                                   "subject_id": hid, "why": resolved[f"holder#{i}"].why}, where)
    for (hid, cid, day), (where, ratio) in held.items():
        writer.relation({"from_id": hid, "to_id": cid, "type": "HOLDS_SHARES", "share": round(min(ratio, 100), 4),
                         "valid_from": day.isoformat(), "valid_to": day.isoformat(),
                         "title": f"十大股东（报告期 {day.isoformat()}）"}, where)


def load_listed(store: Store, catalogue: Catalogue, hasher: IdHasher, paths: list[Path], *,
                batch_size: int = 20_000, progress=None) -> LoadReport:
    """Load listed-company boards and top-10 holders from any of the files above."""
    conversion = Conversion()
    rows = _read(paths, conversion)
    companies = _companies(rows, conversion)
    seats = _seats(rows, conversion)
    holdings = _holdings(rows, conversion)
    for code in sorted({s[1] for s in seats} | {h[1] for h in holdings}):  # a fixed order: ids follow it
        companies.setdefault(code, ("", {}))
    resolved = resolve(store, hasher, _mentions(companies, seats, holdings))
    writer = BundleWriter()
    _write_boards(writer, resolved, companies, seats)
    _write_holdings(writer, resolved, holdings, conversion)
    return writer.load(store, catalogue, hasher, conversion, batch_size=batch_size, progress=progress)
