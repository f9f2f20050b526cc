"""The explorer's graph on both stores: ties in force on a date, states drawn from
entries, capped neighbourhoods, a lead's graph, search, and the public's view."""

from __future__ import annotations

import datetime as dt

import pytest

from graph_model.privacy.masking import Role, mask_name, mask_subgraph
from graph_model.views.subgraph import NodeState, among, neighbourhood, search
from graph_model.vocabulary.kinds import SubjectKind
from loaders.bundle import load_bundle
from tests.factories import Bundle

ON = dt.date(2024, 6, 1)


def _case() -> tuple[Bundle, str]:
    b = Bundle()
    b.enterprise("E1", "哈尔滨泰富电气有限公司")
    b.enterprise("E2", "深圳泰富贸易有限公司", region="440300")
    b.enterprise("E3", "泰富控股有限公司")
    b.enterprise("E4", "异议中有限公司")
    _, id_number = b.person("P1", "杨天夫")
    b.person("P2", "李前任")
    b.role("P1", "LEGAL_REP_OF", "E1", valid_from="2003-04-10")
    b.role("P2", "LEGAL_REP_OF", "E1", valid_from="1999-01-01", valid_to="2003-04-09")
    b.role("E3", "HOLDS_SHARES", "E1", share="35.5", valid_from="2010-01-01")
    b.role("P1", "LEGAL_REP_OF", "E2", valid_from="2023-01-01")
    b.role("P1", "LEGAL_REP_OF", "E4", valid_from="2020-01-01")
    b.entry("J1", "E1", determined="2022-03-01")
    b.entry("J4", "E4", determined="2022-03-01", state="objection_pending")
    # A registration agent with many firms: a super node.
    b.person("AGENT", "代理人")
    for i in range(30):
        b.enterprise(f"F{i:02d}")
        b.role("AGENT", "KEY_PERSON_OF", f"F{i:02d}", valid_from="2015-01-01", title="董事")
    return b, id_number


@pytest.fixture
def case(store, catalogue, hasher, tmp_path, batch_size):
    b, id_number = _case()
    report = load_bundle(store, catalogue, hasher, b.write(tmp_path / "b"), batch_size=batch_size)
    assert not report.rejects, report.rejects
    return store, id_number, b


def test_a_subjects_ties_on_a_date_with_the_state_each_subject_is_in(case, catalogue):
    store, _, _ = case
    graph = neighbourhood(store, catalogue, "E1", ON)
    assert {n.id for n in graph.nodes} == {"E1", "P1", "E3"}  # P2's term ended in 2003
    by_id = {n.id: n for n in graph.nodes}
    assert by_id["E1"].state is NodeState.restricted and by_id["E1"].listed
    assert by_id["P1"].state is NodeState.restricted and not by_id["P1"].listed  # PR1 reaches the legal rep
    assert [(e.id, e.role) for e in by_id["P1"].entries] == [("J1", "LEGAL_REP_OF"), ("J4", "LEGAL_REP_OF")]
    assert by_id["E3"].state is None  # a shareholder is not bound
    shares = {(e.from_, e.type, e.to): e.share for e in graph.edges}
    assert shares == {("P1", "LEGAL_REP_OF", "E1"): None, ("E3", "HOLDS_SHARES", "E1"): 35.5}
    assert not graph.truncated
    before = neighbourhood(store, catalogue, "E1", dt.date(2000, 1, 1))
    assert {n.id for n in before.nodes} == {"E1", "P2"}  # E3 came in 2010, P1 in 2003
    assert {n.id: n.state for n in before.nodes}["E1"] is None  # not listed before 2022


def test_an_objection_draws_suspended(case, catalogue):
    store, _, _ = case
    e4 = {n.id: n for n in neighbourhood(store, catalogue, "E4", ON).nodes}["E4"]
    assert e4.state is NodeState.suspended


def test_a_super_node_is_capped_and_says_how_many_it_left_out(case, catalogue):
    store, _, _ = case
    graph = neighbourhood(store, catalogue, "AGENT", ON, limit=10)
    assert len(graph.nodes) == 11 and graph.truncated and graph.hidden == 20
    assert len(graph.edges) == 10


def test_a_leads_members_with_ties_of_every_period(case, catalogue):
    store, _, _ = case
    graph = among(store, catalogue, ["P1", "P2", "E1", "E2"], None, ON)
    assert {(e.from_, e.to, e.valid_to) for e in graph.edges} == {
        ("P1", "E1", None), ("P1", "E2", None), ("P2", "E1", dt.date(2003, 4, 9))}
    in_force = among(store, catalogue, ["P1", "P2", "E1", "E2"], ON, ON)
    assert {(e.from_, e.to) for e in in_force.edges} == {("P1", "E1"), ("P1", "E2")}


def test_search_by_code_then_by_name(case, catalogue, hasher):
    store, id_number, b = case
    uscc = next(s["uscc"] for s in b.subjects if s["id"] == "E2")
    assert [h.id for h in search(store, catalogue, hasher, uscc, ON)] == ["E2"]
    assert [h.id for h in search(store, catalogue, hasher, id_number, ON)] == ["P1"]
    hits = search(store, catalogue, hasher, "泰富", ON)
    assert [h.id for h in hits] == ["E3", "E2", "E1"]  # starting with it first, then the shorter name
    assert {h.id: h.state for h in hits}["E1"] is NodeState.restricted
    assert search(store, catalogue, hasher, "无此名", ON) == []


def test_a_mistyped_id_number_never_reaches_the_store(case, catalogue, hasher, monkeypatch):
    store, id_number, _ = case
    sent = []
    real = store.read
    monkeypatch.setattr(store, "read", lambda *a, **kw: sent.append(kw) or real(*a, **kw))
    mistyped = id_number[:-1] + ("0" if id_number[-1] != "0" else "1")  # the check digit is wrong
    assert search(store, catalogue, hasher, mistyped, ON) == []
    assert mistyped not in repr(sent) and mistyped[:17] not in repr(sent)


def test_the_public_sees_no_person(case, catalogue):
    store, _, _ = case
    graph = mask_subgraph(neighbourhood(store, catalogue, "E1", ON), Role.public)
    assert {n.id for n in graph.nodes} == {"E1", "E3"}
    assert all(e.from_ != "P1" and e.to != "P1" for e in graph.edges)
    assert [e.id for e in graph.nodes[0].entries] == ["J1"]
    assert mask_name("杨天夫", SubjectKind.person, Role.public) == "杨**"
    assert mask_name("杨天夫", SubjectKind.person, Role.investigator) == "杨天夫"
    assert mask_name("泰富控股有限公司", SubjectKind.enterprise, Role.public) == "泰富控股有限公司"
