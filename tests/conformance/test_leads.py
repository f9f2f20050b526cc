"""Leads on both store adapters: each kind found from a planted pattern and not from
its near miss; reviews are kept when leads are found again; nothing is sanctioned."""

from __future__ import annotations

import datetime as dt

import pytest

from analysis.leads import find_leads
from graph_model.errors import NotFound
from graph_model.leads import LeadKind, LeadStatus, list_leads, review_lead, save_leads
from loaders.bundle import load_bundle
from tests.factories import Bundle

ON = dt.date(2025, 6, 1)
HLJ, GD, SH = "230103", "440305", "310101"


def _network() -> Bundle:
    b = Bundle()
    # phoenix: P1, legal rep of listed L1 (Heilongjiang), founds N1 in Guangdong a year later.
    b.enterprise("L1", region=HLJ)
    b.person("P1")
    b.role("P1", "LEGAL_REP_OF", "L1", valid_from="2015-01-01")
    b.entry("J1", "L1", determined="2022-03-01")
    b.subjects.append({"id": "N1", "kind": "enterprise", "name": "新设有限公司", "region": GD,
                       "established": "2023-02-01", "status": "active"})
    b.role("P1", "LEGAL_REP_OF", "N1", valid_from="2023-02-01")
    # Near misses: a new role in the same province; one long after the window; a revoked listing.
    b.enterprise("N_same", region=HLJ)
    b.role("P1", "ACTUAL_CONTROLLER_OF", "N_same", valid_from="2022-06-01")
    b.enterprise("N_late", region=SH)
    b.role("P1", "LEGAL_REP_OF", "N_late", valid_from="2025-05-01")
    b.enterprise("L_rev", region=HLJ)
    b.person("P_rev")
    b.role("P_rev", "LEGAL_REP_OF", "L_rev", valid_from="2015-01-01")
    b.entry("J_rev", "L_rev", determined="2022-03-01", state="revoked")
    b.enterprise("N_rev", region=GD)
    b.role("P_rev", "LEGAL_REP_OF", "N_rev", valid_from="2022-09-01")
    # shared controller: C1 controls listed L2 (Guangdong) and L3 (Shanghai); C2 two in one province.
    for sid, region in (("L2", GD), ("L3", SH), ("L4", HLJ), ("L5", HLJ)):
        b.enterprise(sid, region=region)
        b.entry(f"J{sid}", sid, determined="2023-01-10")
    b.person("C1")
    b.role("C1", "LEGAL_REP_OF", "L2", valid_from="2018-01-01")
    b.role("C1", "ACTUAL_CONTROLLER_OF", "L3", valid_from="2019-01-01")
    b.person("C2")
    b.role("C2", "LEGAL_REP_OF", "L4", valid_from="2018-01-01")
    b.role("C2", "LEGAL_REP_OF", "L5", valid_from="2018-01-01")
    # circular ownership: A -> B -> C -> A; shell chain: Q -> S1 -> S2 -> T, S2 has no staff.
    for sid in ("A", "B", "C", "S1", "S2", "S3", "T"):
        b.enterprise(sid, region=GD if sid in ("B", "S2") else SH)
    for a, c in (("A", "B"), ("B", "C"), ("C", "A")):
        b.role(a, "HOLDS_SHARES", c, share="30", valid_from="2020-01-01")
    b.person("Q")
    b.role("Q", "HOLDS_SHARES", "S1", share="100", valid_from="2020-01-01")
    b.role("S1", "HOLDS_SHARES", "S2", share="100", valid_from="2020-01-01")
    b.role("S2", "HOLDS_SHARES", "T", share="80", valid_from="2020-01-01")
    # T and S3 also pass holdings on, but people work in them: operating companies.
    b.person("W")
    b.role("T", "HOLDS_SHARES", "S3", share="100", valid_from="2020-01-01")
    b.role("W", "STAFF_OF", "S3", valid_from="2020-01-01")
    b.role("W", "MANAGES", "T", valid_from="2020-01-01")
    b.role("S3", "HOLDS_SHARES", "L2", share="10", valid_from="2020-01-01")
    return b


@pytest.fixture
def network(store, catalogue, hasher, tmp_path, batch_size):
    report = load_bundle(store, catalogue, hasher, _network().write(tmp_path / "b"), batch_size=batch_size)
    assert not report.rejects, report.rejects
    return store


def test_each_kind_is_found_from_its_pattern_and_not_from_near_misses(network, catalogue):
    leads = {kind: [lead.key for lead in find_leads(network, catalogue, [kind], ON)] for kind in LeadKind
             if kind not in (LeadKind.collusion_group, LeadKind.co_bidding)}
    assert leads == {LeadKind.phoenix: [["P1", "N1"]],
                     LeadKind.shared_controller: [["C1"]],
                     LeadKind.circular_ownership: [["A", "B", "C"]],
                     LeadKind.shell_chain: [["S1", "S2"]]}
    phoenix = find_leads(network, catalogue, [LeadKind.phoenix], ON)[0]
    assert phoenix.provinces == ["23", "44"] and phoenix.evidence["days_after"] == 337
    assert phoenix.evidence["entry"] == "J1" and 0 < phoenix.score <= 1


def test_reviews_are_kept_when_leads_are_found_again_and_nothing_is_sanctioned(network, catalogue):
    entries_before = network.read("count_entries")
    restrictions_before = network.read("count_restrictions")
    leads = find_leads(network, catalogue, on=ON)
    assert save_leads(network, leads) == len(leads)
    phoenix = list_leads(network, kind=LeadKind.phoenix)[0]
    assert phoenix.status is LeadStatus.open and phoenix.members == ["L1", "N1", "P1"]
    reviewed = review_lead(network, phoenix.id, LeadStatus.confirmed, "investigator 7", "same person, new firm")
    assert reviewed.status is LeadStatus.confirmed and reviewed.reviews[0].endswith("investigator 7: same person, new firm")
    save_leads(network, find_leads(network, catalogue, on=ON))
    again = list_leads(network, subject="P1")
    assert [(lead.id, lead.status) for lead in again] == [(phoenix.id, LeadStatus.confirmed)]
    assert {lead.kind for lead in list_leads(network, status=LeadStatus.open)} >= {LeadKind.shared_controller}
    with pytest.raises(NotFound):
        review_lead(network, "L-none", LeadStatus.dismissed, "x", "y")
    assert network.read("count_entries") == entries_before
    assert network.read("count_restrictions") == restrictions_before


def test_a_tight_group_across_provinces_around_a_listed_firm_is_a_collusion_lead(store, catalogue, hasher, tmp_path,
                                                                               batch_size):
    b = Bundle()
    for group, regions in (("G", (HLJ, GD, GD, SH, HLJ)), ("H", (GD,) * 5)):  # H: one province only
        firms = [f"{group}{i}" for i in range(1, 6)]
        people = [f"{group}P{i}" for i in range(1, 4)]
        for firm, region in zip(firms, regions):
            b.enterprise(firm, region=region)
        for person in people:
            b.person(person)
        for i, firm in enumerate(firms):
            b.role(people[i % 3], "LEGAL_REP_OF", firm, valid_from="2019-01-01")
            b.role(people[(i + 1) % 3], "HOLDS_SHARES", firm, share="40", valid_from="2019-01-01")
            b.role(people[(i + 2) % 3], "MANAGES", firm, valid_from="2019-01-01")
        b.entry(f"J{group}", f"{group}1", determined="2023-05-01")
    report = load_bundle(store, catalogue, hasher, b.write(tmp_path / "g"), batch_size=batch_size)
    assert not report.rejects
    leads = find_leads(store, catalogue, [LeadKind.collusion_group], ON)
    assert [lead.key for lead in leads] == [["G1", "G2", "G3", "G4", "G5"]]
    assert leads[0].provinces == ["23", "31", "44"] and leads[0].evidence["listed"] == ["G1"]
    assert set(leads[0].members) == {"G1", "G2", "G3", "G4", "G5", "GP1", "GP2", "GP3"}
