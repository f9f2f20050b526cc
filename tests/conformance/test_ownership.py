"""Integrated ownership, ultimate owners and control, on both store adapters."""

from __future__ import annotations

import datetime as dt
import itertools
from fractions import Fraction

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.owners import controlled, owners
from analysis.ownership import OwnershipLoop, integrated_shares, shares_below
from analysis.ownership_answers import OwnerBasis, OwnerRule
from loaders.bundle import load_bundle
from tests.factories import Bundle

ON = dt.date(2024, 6, 1)


def _load(store, catalogue, hasher, tmp_path, b: Bundle, batch_size) -> None:
    report = load_bundle(store, catalogue, hasher, b.write(tmp_path / "b"), batch_size=batch_size)
    assert not report.rejects, report.rejects


def _subject(store, sid):
    return store.read("subject_kinds", ids=[sid])[0] | {"name": sid}


def _holds(b: Bundle, owner: str, owned: str, share: str, **dates) -> None:
    b.role(owner, "HOLDS_SHARES", owned, share=share, **dates)


def test_cross_holdings_are_solved_exactly(store, catalogue, hasher, tmp_path, batch_size):
    """A and B hold half of each other; P holds the other half of A, Q of B. Every
    walk P -> A -> B -> A ... counts: P's share in A is 1/2 * (1 + 1/4 + 1/16 + ...) = 2/3."""
    b = Bundle()
    for sid in ("A", "B"):
        b.enterprise(sid)
    for sid in ("P", "Q"):
        b.person(sid)
    _holds(b, "P", "A", "50")
    _holds(b, "B", "A", "50")
    _holds(b, "A", "B", "50")
    _holds(b, "Q", "B", "50")
    _load(store, catalogue, hasher, tmp_path, b, batch_size)
    answer = owners(store, _subject(store, "A"), ON)
    shares = {h.subject.id: h.share for h in answer.holders}
    assert shares == {"P": pytest.approx(200 / 3, abs=1e-6), "B": pytest.approx(200 / 3, abs=1e-6),
                      "Q": pytest.approx(100 / 3, abs=1e-6)}
    assert answer.rule is OwnerRule.ownership_or_control
    assert [(o.subject.id, o.basis) for o in answer.ultimate_owners] == [("P", OwnerBasis.equity),
                                                                         ("Q", OwnerBasis.equity)]
    q = next(o for o in answer.ultimate_owners if o.subject.id == "Q")
    assert q.paths[0].ids == ["Q", "B", "A"] and q.paths[0].share == pytest.approx(25)


def test_the_rule_order_falls_to_control_then_to_the_senior_manager(store, catalogue, hasher, tmp_path,
                                                                     batch_size):
    b = Bundle()
    for sid in ("X", "H1", "H2", "M", "R"):
        b.enterprise(sid)
    for sid in ("P", "S1", "S2", "LR", "RC"):
        b.person(sid)
    # P controls X through three majorities but holds only 0.51^3 = 13.3 % of it.
    _holds(b, "P", "H1", "51")
    _holds(b, "H1", "H2", "51")
    _holds(b, "H2", "X", "51")
    _holds(b, "S1", "X", "24.5")
    _holds(b, "S2", "X", "24.5")
    # A holding that ended before the day asked about does not count.
    _holds(b, "S1", "H1", "49", valid_from="2010-01-01", valid_to="2020-12-31")
    b.role("LR", "LEGAL_REP_OF", "X", valid_from="2015-01-01")
    b.role("LR", "LEGAL_REP_OF", "M", valid_from="2015-01-01")
    b.role("RC", "ACTUAL_CONTROLLER_OF", "R", valid_from="2015-01-01")
    _holds(b, "S1", "R", "10")
    _load(store, catalogue, hasher, tmp_path, b, batch_size)

    x = owners(store, _subject(store, "X"), ON)
    assert x.rule is OwnerRule.ownership_or_control
    assert [(o.subject.id, o.paths[0].ids) for o in x.ultimate_owners] == [("P", ["P", "H1", "H2", "X"])]
    assert x.ultimate_owners[0].share == pytest.approx(51 ** 3 / 10_000)
    assert "S1" not in {h.subject.id for h in x.ultimate_owners}
    registered = owners(store, _subject(store, "R"), ON)
    assert [(o.subject.id, o.basis, o.role) for o in registered.ultimate_owners] == [
        ("RC", OwnerBasis.registered_control, "ACTUAL_CONTROLLER_OF")]
    manager = owners(store, _subject(store, "M"), ON)
    assert manager.rule is OwnerRule.senior_manager
    assert [(o.subject.id, o.basis) for o in manager.ultimate_owners] == [("LR", OwnerBasis.senior_manager)]
    # Before 2021 S1 also held 49 % of H1: S1's share of X then includes that chain.
    earlier = owners(store, _subject(store, "X"), dt.date(2020, 6, 1))
    s1 = next(h for h in earlier.holders if h.subject.id == "S1")
    assert s1.share == pytest.approx(24.5 + 49 * 51 * 51 / 10_000)


def test_equity_and_control_add_up_and_registrations_above_count(store, catalogue, hasher, tmp_path, batch_size):
    """Article 6: a 30 % holder and the registered controller are both owners; a person
    registered as controller of a holding company owns what it holds a majority of."""
    b = Bundle()
    for sid in ("X", "E1", "T"):
        b.enterprise(sid)
    for sid in ("P1", "RC", "P"):
        b.person(sid)
    _holds(b, "P1", "X", "30")
    b.role("RC", "ACTUAL_CONTROLLER_OF", "X", valid_from="2015-01-01")
    b.role("P", "ACTUAL_CONTROLLER_OF", "E1", valid_from="2015-01-01")
    _holds(b, "E1", "T", "60")
    _load(store, catalogue, hasher, tmp_path, b, batch_size)
    x = owners(store, _subject(store, "X"), ON)
    assert [(o.subject.id, o.basis) for o in x.ultimate_owners] == [("P1", OwnerBasis.equity),
                                                                    ("RC", OwnerBasis.registered_control)]
    t = owners(store, _subject(store, "T"), ON)
    assert [(o.subject.id, o.basis, o.paths[0].ids) for o in t.ultimate_owners] == [
        ("P", OwnerBasis.majority_control, ["P", "E1", "T"])]


def test_controlled_follows_majorities_and_registrations_down_the_chain(store, catalogue, hasher, tmp_path,
                                                                        batch_size):
    b = Bundle()
    for sid in ("H1", "H2", "X", "Y", "Z", "MINOR"):
        b.enterprise(sid)
    b.person("P")
    b.person("O")
    _holds(b, "P", "H1", "51")
    _holds(b, "H1", "H2", "51")
    _holds(b, "H2", "X", "30")
    _holds(b, "H1", "X", "21")  # with H2's 30 %: 51 % of X is held by what P controls
    _holds(b, "P", "MINOR", "10")
    _holds(b, "O", "MINOR", "90")
    b.role("P", "ACTUAL_CONTROLLER_OF", "Y", valid_from="2015-01-01")
    _holds(b, "Y", "Z", "60")
    _load(store, catalogue, hasher, tmp_path, b, batch_size)
    answer = controlled(store, _subject(store, "P"), ON)
    got = {c.subject.id: (c.basis, c.via) for c in answer.controlled}
    assert got == {"H1": (OwnerBasis.majority_control, ["P", "H1"]),
                   "H2": (OwnerBasis.majority_control, ["P", "H1", "H2"]),
                   # Through the largest holding among what P controls (H2's 30 %).
                   "X": (OwnerBasis.majority_control, ["P", "H1", "H2", "X"]),
                   "Y": (OwnerBasis.registered_control, ["P", "Y"]),
                   "Z": (OwnerBasis.majority_control, ["P", "Y", "Z"])}
    x = next(c for c in answer.controlled if c.subject.id == "X")
    assert x.share == pytest.approx(51 * 21 / 100 + 51 * 51 * 30 / 10_000)


def test_a_group_that_owns_all_of_itself_is_reported(store, catalogue, hasher, tmp_path, batch_size):
    b = Bundle()
    for sid in ("A", "B"):
        b.enterprise(sid)
    _holds(b, "A", "B", "100")
    _holds(b, "B", "A", "100")
    _load(store, catalogue, hasher, tmp_path, b, batch_size)
    with pytest.raises(OwnershipLoop, match="A, B hold all of one another"):
        owners(store, _subject(store, "A"), ON)


def _walks_numerically(edges: dict[tuple[int, int], float], root: int, n: int) -> dict[int, float]:
    """x = A(e_root + x), iterated until it settles: the power series, in floats."""
    x = [0.0] * n
    for _ in range(2000):
        new = [sum(w * ((b == root) + x[b]) for (a, b), w in edges.items() if a == i) for i in range(n)]
        if max(abs(p - q) for p, q in zip(new, x)) < 1e-13:
            break
        x = new
    return {i: v for i, v in enumerate(new) if i != root}


@given(st.integers(2, 7).flatmap(lambda n: st.tuples(
    st.just(n),
    st.dictionaries(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda e: e[0] != e[1]),
                    st.integers(1, 45), max_size=n * 2))))
def test_integrated_shares_are_the_power_series_and_the_paths_in_acyclic_graphs(case):
    n, raw = case
    # Every holder set of a company stays under 100 %, so the series converges.
    edges = {e: w / 100 for e, w in raw.items() if sum(v for (a, b), v in raw.items() if b == e[1]) < 100}
    graph = nx.DiGraph()
    graph.add_nodes_from(str(i) for i in range(n))
    for (a, b), w in edges.items():
        graph.add_edge(str(a), str(b), w=Fraction(round(w * 100)) / 100)
    exact = integrated_shares(graph, "0")
    numeric = _walks_numerically(edges, 0, n)
    for i, value in numeric.items():
        assert float(exact.get(str(i), 0)) == pytest.approx(value, abs=1e-9)
    if nx.is_directed_acyclic_graph(graph):
        rank = {n: i for i, n in enumerate(nx.topological_sort(graph))}
        reverse = graph.reverse(copy=False)
        for source in graph:  # the one-pass form the graph-wide derivation uses
            assert shares_below(graph, source, rank) == {n: v for n, v in integrated_shares(reverse, source).items()
                                                         if v}
        for source in graph:
            if source != "0":
                paths = sum((Fraction(1) * _product(graph, p) for p in nx.all_simple_paths(graph, source, "0")),
                            Fraction(0))
                assert exact.get(source, Fraction(0)) == paths


def _product(graph, path) -> Fraction:
    out = Fraction(1)
    for a, b in itertools.pairwise(path):
        out *= graph[a][b]["w"]
    return out
