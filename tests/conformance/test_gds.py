"""Leads on Neo4j's Graph Data Science and in Python find the same, and no projection is
left in GDS's catalogue, also after an error. Only the real Neo4j (the ``neo4j`` store,
with GDS) runs these; the other stores skip them."""

from __future__ import annotations

import datetime as dt

import pytest

from analysis.gds import has_gds, list_projections, projection
from analysis.gds_leads import circular_parts
from analysis.leads import find_leads
from demo.generate import generate_bundle
from demo.rings import matches, plant_rings
from demo.tenders import write_tenders
from graph_model.errors import QueryFailed
from graph_model.leads import LeadKind
from loaders.bundle import load_bundle
from loaders.tenders import load_tenders
from tests.factories import Bundle

# The demo generator's "today": every planted ring is in force on it.
ON = dt.date(2026, 6, 30)
PER_KIND = 5
KINDS = (LeadKind.circular_ownership, LeadKind.collusion_group, LeadKind.co_bidding)


@pytest.fixture
def gds_store(store):
    if store.dialect != "neo4j" or not has_gds(store):
        pytest.skip("GDS runs on the real Neo4j only")
    return store


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A small demo with rings planted in it (demo.rings) and tenders with bidding rings
    (demo.tenders): the folder, the planted truth and the bidding rings."""
    folder = tmp_path_factory.mktemp("gds") / "demo"
    generate_bundle(folder, enterprises=2000, seed=4)
    truth = plant_rings(folder, per_kind=PER_KIND)
    bidding = write_tenders(folder, tenders=1000, rings=PER_KIND)
    return folder, truth, bidding


def _hits(kind: LeadKind, leads, rings: list[list[str]]) -> list[list[str]]:
    return [ring for ring in rings if any(matches(kind.value, lead.key, ring) for lead in leads)]


def test_gds_and_python_find_the_same_leads(gds_store, demo, catalogue, hasher, batch_size):
    folder, truth, bidding = demo
    assert not load_bundle(gds_store, catalogue, hasher, folder, batch_size=batch_size).rejects
    load_tenders(gds_store, catalogue, None, [folder / "tenders.csv"], batch_size=batch_size)
    found = {gds: {kind: find_leads(gds_store, catalogue, [kind], ON, gds=gds) for kind in KINDS}
             for gds in (False, True)}
    python, on_gds = found[False], found[True]

    # Circular ownership: the same parts, so exactly the same leads, with their evidence.
    circular = LeadKind.circular_ownership
    assert [lead.model_dump() for lead in on_gds[circular]] == [lead.model_dump() for lead in python[circular]]
    assert {tuple(lead.key) for lead in on_gds[circular]} == {tuple(r.key) for r in truth.kinds[circular.value]}

    # Louvain differs between networkx and GDS; on clear-cut rings both find the same.
    collusion = LeadKind.collusion_group
    rings = [r.key for r in truth.kinds[collusion.value]]
    assert _hits(collusion, on_gds[collusion], rings) == _hits(collusion, python[collusion], rings) == rings

    co_bidding = LeadKind.co_bidding
    hits = _hits(co_bidding, python[co_bidding], bidding)
    assert hits and _hits(co_bidding, on_gds[co_bidding], bidding) == hits
    # A group both find is judged by the same rules: the same lead.
    mine = {lead.id: lead.model_dump() for lead in on_gds[co_bidding]}
    both = [lead.id for lead in python[co_bidding] if lead.id in mine]
    assert len(both) >= len(hits)
    assert [mine[i] for i in both] == [lead.model_dump() for lead in python[co_bidding] if lead.id in mine]

    assert list_projections(gds_store) == []


@pytest.fixture
def cycle(gds_store, catalogue, hasher, tmp_path, batch_size):
    """A -> B -> C -> A from 2020, and a listed A."""
    bundle = Bundle()
    for sid, region in (("A", "310101"), ("B", "440305"), ("C", "440306")):
        bundle.enterprise(sid, region=region)
    for a, b in (("A", "B"), ("B", "C"), ("C", "A")):
        bundle.role(a, "HOLDS_SHARES", b, share="30", valid_from="2020-01-01")
    bundle.entry("N1", "A", determined="2022-03-01")
    assert not load_bundle(gds_store, catalogue, hasher, bundle.write(tmp_path / "b"), batch_size=batch_size).rejects
    return gds_store


def test_a_projection_is_dropped_after_its_block_and_after_an_error(cycle):
    with projection(cycle, "gds_project_holdings", "holdings", on=ON.isoformat()) as graph:
        assert (graph.nodes, graph.relationships) == (3, 3)
        assert [row["graph"] for row in list_projections(cycle)] == [graph.name]
    assert list_projections(cycle) == []

    with pytest.raises(RuntimeError, match="the analysis failed"):
        with projection(cycle, "gds_project_holdings", "holdings", on=ON.isoformat()):
            raise RuntimeError("the analysis failed")
    assert list_projections(cycle) == []

    with pytest.raises(QueryFailed, match="gds_scc_parts"):  # a GDS call inside the block fails
        with projection(cycle, "gds_project_holdings", "holdings", on=ON.isoformat()) as graph:
            cycle.read("gds_scc_parts", graph=graph.name + "-gone")
    assert list_projections(cycle) == []

    with pytest.raises(QueryFailed):  # the projecting query itself fails
        with projection(cycle, "gds_scc_parts", "holdings"):
            pass
    assert list_projections(cycle) == []


def test_nothing_in_force_projects_nothing_and_finds_nothing(cycle, catalogue):
    assert circular_parts(cycle, ON) == [["A", "B", "C"]]
    assert circular_parts(cycle, dt.date(2019, 6, 1)) == []
    with projection(cycle, "gds_project_holdings", "holdings", on="2019-06-01") as graph:
        assert graph is None
    assert [lead.key for lead in find_leads(cycle, catalogue, on=ON)] == [["A", "B", "C"]]
    assert list_projections(cycle) == []
