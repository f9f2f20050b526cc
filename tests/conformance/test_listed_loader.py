"""Listed companies' boards and top-10 holders, on every store: codes padded back to
six digits, one person per board member across boards, a director who is also a
top-10 holder of the same company is one person, product accounts add up."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from loaders.listed import load_listed
from tests.paths import FIXTURES, SHARED

FIXTURE = FIXTURES / "listed"  # MIT, see SOURCE.md there
BOARD = [FIXTURE / "stock.csv", FIXTURE / "executive.csv", FIXTURE / "executive_stock.csv"]
SHARED_DATA = SHARED / "data"


def _holders(path: Path, rows: list[tuple[str, str, str, float]]) -> Path:
    """A Tushare top10_holders export (with pandas' unnamed index column)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["", "ts_code", "ann_date", "end_date", "holder_name", "hold_amount", "hold_ratio"])
        for i, (code, end, holder, ratio) in enumerate(rows):
            writer.writerow([i, code, "20180315", end, holder, 1000.0, ratio])
    return path


def _graph(store):
    nodes = {r["props"]["id"]: r["props"] for r in store.read("snapshot_nodes") if "Subject" in r["labels"]}
    rels = [r for r in store.read("snapshot_relationships") if r["type"] in ("KEY_PERSON_OF", "HOLDS_SHARES")]
    return nodes, rels


def test_boards_load_with_padded_codes_and_one_person_per_executive(store, catalogue, hasher, batch_size):
    report = load_listed(store, catalogue, hasher, BOARD, batch_size=batch_size)
    assert report.rejects == []
    nodes, rels = _graph(store)
    codes = sorted(n["stock_code"] for n in nodes.values() if n["kind"] == "enterprise")
    assert codes == ["000937", "002658", "600331", "601058"]
    seats = list(csv.DictReader(open(FIXTURE / "executive_stock.csv", encoding="utf-8")))
    executives = {r[":START_ID(Executive)"] for r in seats}
    assert sum(n["kind"] == "person" for n in nodes.values()) == len(executives) == 35
    assert len(rels) == len(seats) == 36  # one executive sits on two of these boards
    titles = {(nodes[r["from_id"]]["name"], nodes[r["to_id"]]["stock_code"]): r["props"]["title"] for r in rels}
    assert titles[("杜玉岱", "601058")] == "董事长/董事"


def test_a_director_who_holds_shares_is_one_person_and_accounts_add_up(store, catalogue, hasher, tmp_path,
                                                                        batch_size):
    holders = _holders(tmp_path / "stockHolder.csv", [
        ("601058.SH", "20171231", "杜玉岱", 5.5),  # the chairman, by name, in his own company
        ("600331.SH", "20171231", "杜玉岱", 1.0),  # a namesake in another company: not him
        ("601058.SH", "20171231", "中国人寿保险股份有限公司-分红-个人分红", 2.25),
        ("601058.SH", "20171231", "中国人寿保险股份有限公司-传统-普通保险产品", 1.25),
        ("601058.SH", "20170630", "中国人寿保险股份有限公司-分红-个人分红", 3.0),
    ])
    report = load_listed(store, catalogue, hasher, [*BOARD, holders], batch_size=batch_size)
    assert report.rejects == [] and report.merged >= 1
    nodes, rels = _graph(store)
    by_name = defaultdict(list)
    for sid, n in nodes.items():
        by_name[n["name"]].append(sid)
    assert len(by_name["杜玉岱"]) == 2  # the chairman, and the holder of 600331 who is only a name
    chairman = {r["from_id"] for r in rels if r["type"] == "KEY_PERSON_OF" and nodes[r["from_id"]]["name"] == "杜玉岱"}
    holds = {(r["from_id"], nodes[r["to_id"]]["stock_code"]) for r in rels if r["type"] == "HOLDS_SHARES"}
    assert (chairman.pop(), "601058") in holds
    [life] = by_name["中国人寿保险股份有限公司"]
    shares = sorted((r["props"]["valid_from"], r["props"]["share"]) for r in rels
                    if r["type"] == "HOLDS_SHARES" and r["from_id"] == life)
    assert shares == [("2017-06-30", 3.0), ("2017-12-31", 3.5)]  # two accounts of one holder, one period


def test_loading_again_changes_nothing(store, catalogue, hasher, tmp_path, batch_size):
    holders = _holders(tmp_path / "stockHolder.csv", [("2658.SZ", "20171231", "敖小强", 30.1)])
    load_listed(store, catalogue, hasher, [*BOARD, holders], batch_size=batch_size)
    before = sorted(map(repr, store.read("snapshot_nodes"))), sorted(map(repr, store.read("snapshot_relationships")))
    load_listed(store, catalogue, hasher, [holders, *reversed(BOARD)], batch_size=batch_size)
    after = sorted(map(repr, store.read("snapshot_nodes"))), sorted(map(repr, store.read("snapshot_relationships")))
    assert after == before


def test_a_holder_row_that_cannot_be_a_holding_is_rejected_by_line(store, catalogue, hasher, tmp_path, batch_size):
    holders = _holders(tmp_path / "stockHolder.csv", [("601058.SH", "20171231", "某投资有限公司", 0.0),
                                                     ("601058.SH", "2017-13-31", "某投资有限公司", 1.0),
                                                     ("601058.SH", "20171231", "某投资有限公司", 2.0)])
    report = load_listed(store, catalogue, hasher, [holders], batch_size=batch_size)
    assert [(r.file, r.line) for r in report.rejects] == [("stockHolder.csv", 2), ("stockHolder.csv", 3)]
    assert report.loaded["relations.csv"] == 1


@pytest.mark.skipif(not (SHARED_DATA / "cn-top10-holders-2017").is_dir(), reason="../shared/data not present")
def test_the_real_boards_and_holders_load_with_the_counts_a_reader_expects(store, catalogue, hasher, request):
    if request.node.callspec.params["store"] != "falkordb":
        pytest.skip("the full samples run on the embedded store; the others run the small fixtures")
    kg, top10 = SHARED_DATA / "cn-stock-executives-kg" / "import", SHARED_DATA / "cn-top10-holders-2017"
    files = [kg / "stock.csv", kg / "executive.csv", kg / "executive_stock.csv", top10 / "stockList.csv",
             top10 / "stockHolder.csv"]
    report = load_listed(store, catalogue, hasher, files)
    assert report.rejects == []
    seats = list(csv.DictReader(open(kg / "executive_stock.csv", encoding="utf-8")))
    holdings = list(csv.DictReader(open(top10 / "stockHolder.csv", encoding="utf-8")))
    board_codes = {r["stock_id:ID(Stock)"].zfill(6) for r in csv.DictReader(open(kg / "stock.csv", encoding="utf-8"))}
    holder_codes = {r["ts_code"][:6] for r in holdings}
    listed_codes = {r["symbol"] for r in csv.DictReader(open(top10 / "stockList.csv", encoding="utf-8"))}
    nodes, rels = _graph(store)
    # One enterprise per stock code, whichever files name it (zero-padded: 2658 is 002658).
    companies = [n for n in nodes.values() if n.get("stock_code")]
    assert len(companies) == len({n["stock_code"] for n in companies}) == len(board_codes | holder_codes | listed_codes)
    assert len(holder_codes) == 196 and holder_codes <= board_codes
    assert sum(r["type"] == "KEY_PERSON_OF" for r in rels) == len({(r[":START_ID(Executive)"], r[":END_ID(Stock)"])
                                                                   for r in seats}) == 24_775
    executives = {r[":START_ID(Executive)"] for r in seats}
    persons_on_boards = {r["from_id"] for r in rels if r["type"] == "KEY_PERSON_OF"}
    assert len(persons_on_boards) == len(executives)
    # Board members who are top-10 holders of their own company: one person each.
    both = {(r["from_id"], r["to_id"]) for r in rels if r["type"] == "HOLDS_SHARES"} & \
           {(r["from_id"], r["to_id"]) for r in rels if r["type"] == "KEY_PERSON_OF"}
    assert len({pair for pair in both}) >= 31
