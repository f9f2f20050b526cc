"""Tender participation loads with rejects per row, and co-bidding groups become leads."""

from __future__ import annotations

import csv
import random

from analysis.leads import find_leads
from graph_model.leads import LeadKind
from loaders.bundle import load_bundle
from loaders.tenders import load_tenders
from tests.factories import Bundle

HEADER = ["tender_id", "published", "bidder", "title", "buyer", "region", "won", "amount"]


def _write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _bidders(store, catalogue, hasher, tmp_path, batch_size, n=24) -> Bundle:
    b = Bundle()
    for i in range(n):
        b.enterprise(f"F{i:02d}", region="440305" if i % 2 else "230103")
    assert not load_bundle(store, catalogue, hasher, b.write(tmp_path / "b"), batch_size=batch_size).rejects
    return b


def test_bids_load_with_clear_rejects_and_reload_changes_nothing(store, catalogue, hasher, tmp_path, batch_size):
    b = _bidders(store, catalogue, hasher, tmp_path, batch_size, n=3)
    uscc = b.subjects[1]["uscc"]
    path = _write(tmp_path / "t.csv", [
        ["T1", "2024-03-01", "F00", "道路养护", "某市交通运输局", "440305", "是", "1200000"],
        ["T1", "2024-03-01", uscc, "", "", "", "否", ""],
        ["T1", "2024-03-01", "F00", "", "", "", "否", ""],  # second bid by F00
        ["T2", "2024-13-01", "F02", "", "", "", "", ""],  # bad date
        ["T2", "2024-04-01", "F99", "", "", "", "", ""],  # unknown bidder
        ["T2", "2024-04-01", "F02", "", "", "", "maybe", ""],  # bad won
    ])
    report = load_tenders(store, catalogue, hasher, [path], batch_size=batch_size)
    assert report.loaded == {"tenders": 1, "bids": 2}
    assert [(r.line, r.field) for r in report.rejects] == [(5, "published"), (7, "won"), (4, "bidder"), (6, "bidder")]
    assert "F99" in report.rejects[3].reason
    before = store.read("tender_bids")
    assert sorted((r["bidder"], r["won"]) for r in before) == [("F00", True), ("F01", False)]
    load_tenders(store, catalogue, hasher, [path], batch_size=batch_size)
    assert sorted(map(repr, store.read("tender_bids"))) == sorted(map(repr, before))
    corrected = _write(tmp_path / "c.csv", [["T1", "2024-03-01", "F00", "", "", "", "否", ""]])
    load_tenders(store, catalogue, hasher, [corrected], batch_size=batch_size)
    assert [r["won"] for r in store.read("tender_bids") if r["bidder"] == "F00"] == [False]


def test_a_group_that_bids_together_and_takes_turns_winning_is_a_co_bidding_lead(store, catalogue, hasher, tmp_path,
                                                                                batch_size):
    _bidders(store, catalogue, hasher, tmp_path, batch_size)
    rng = random.Random(3)
    rows = []
    ring = ["F00", "F01", "F02", "F03"]
    for t in range(8):  # the ring: the same four firms in eight tenders, winners in turn
        for firm in ring:
            rows.append([f"R{t}", "2024-05-01", firm, "", "", "", "是" if firm == ring[t % 4] else "否", ""])
    others = [f"F{i:02d}" for i in range(4, 24)]
    for t in range(60):  # the market: random firms, random tenders
        for firm in rng.sample(others, 4):
            rows.append([f"M{t}", "2024-05-01", firm, "", "", "", "否", ""])
    assert not load_tenders(store, catalogue, hasher, [_write(tmp_path / "t.csv", rows)], batch_size=batch_size).rejects
    leads = find_leads(store, catalogue, [LeadKind.co_bidding])
    assert [lead.key for lead in leads] == [ring]
    assert leads[0].evidence["cohesion"] == 1.0 and leads[0].evidence["exclusivity"] == 1.0
    assert sorted(leads[0].evidence["winners"]) == [f"R{t}" for t in range(8)]
    assert leads[0].provinces == ["23", "44"]


def test_a_stored_tender_keeps_its_day_and_one_uscc_written_two_ways_is_one_bidder(store, catalogue, hasher, tmp_path,
                                                                                  batch_size):
    b = _bidders(store, catalogue, hasher, tmp_path, batch_size, n=2)
    uscc = b.subjects[0]["uscc"]
    first = _write(tmp_path / "a.csv", [["T1", "2024-03-01", "F01", "", "", "", "", ""]])
    assert not load_tenders(store, catalogue, hasher, [first], batch_size=batch_size).rejects
    second = _write(tmp_path / "b.csv", [["T1", "2024-03-02", "F00", "", "", "", "", ""],
                                         ["T2", "2024-04-01", uscc, "", "", "", "", ""],
                                         ["T3", "2024-04-01", uscc.lower(), "", "", "", "", ""]])
    report = load_tenders(store, catalogue, hasher, [second], batch_size=batch_size)
    assert [(r.line, r.field, r.reason.endswith("by the store")) for r in report.rejects] == [(2, "published", True)]
    assert sorted((r["tender"], r["bidder"]) for r in store.read("tender_bids")) == [
        ("T1", "F01"), ("T2", "F00"), ("T3", "F00")]
