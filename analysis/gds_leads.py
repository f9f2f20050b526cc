"""The network analyses of leads on Neo4j's Graph Data Science (GDS): the Neo4j path of
``analysis.leads.find_leads`` when ``analysis.gds.has_gds`` says GDS is there.

Only the network pull and the algorithm change; what the detectors do after them is
the same code or the same rules:

* ``circular_ownership``: ``gds.scc`` on the shareholding network in force on the day
  gives the parts networkx's ``cycles`` gives; the holdings between their members, then
  ``detect_holdings.circular_leads``, make the same leads.
* ``collusion_group``: ``gds.louvain`` on the person-enterprise role network in force,
  a community of more than ``GROUP_MAX`` firms split again on its own subgraph
  (``gds.graph.filter``), as ``detect_groups`` does; then ``detect_groups.judged_communities`` and
  ``detect_groups.collusion_leads`` with the members' true degrees.
* ``co_bidding``: ``gds.louvain`` on the co-bidding network (pairs that met in
  ``COBID_MIN`` tenders, weighted), judged by ``detect_bids.bidding_group_leads``.

GDS Louvain is not networkx Louvain: on clear-cut communities they agree, at the margins
they may not. The role network is the whole one in force, not four rings around the
listed firms: the rings only bounded what Python reads. Shell chains, phoenix and shared
controllers are local patterns, not graph algorithms: they stay as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import networkx as nx

from analysis.detect_bids import COBID_MIN, COBID_TENDER_MAX, bidding_group_leads
from analysis.detect_groups import (GROUP_MAX, GROUP_MIN, Community, collusion_leads, judged_communities, listed_firms,
                                    role_network)
from analysis.detect_holdings import circular_leads
from analysis.gds import Projection, projection
from analysis.lead_reads import read_degrees, read_regions, read_role_rings
from analysis.ownership import holdings_from_rows
from graph_model.leads import Lead
from graph_model.store.base import Store, batched, read_by_ids

__all__ = ["circular_on_gds", "circular_parts", "co_bidding_on_gds", "collusion_on_gds", "role_communities"]

_BATCH = 5_000


def _candidates(communities: list[list[dict]], listed_ids: set[str]) -> list[Community]:
    """The rules of ``detect_groups.judged_communities`` for communities streamed back
    as member rows (``id``, ``kind``, ``region``)."""
    kinds = {m["id"]: m["kind"] for members in communities for m in members}
    regions = {m["id"]: m["region"] for members in communities for m in members}
    return judged_communities(({m["id"] for m in members} for members in communities), kinds, listed_ids, regions)
# How many times a community of more than GROUP_MAX firms is split again, as
# detect_groups._communities does.
_SPLITS = 3


def circular_parts(store: Store, on: dt.date) -> list[list[str]]:
    """Circular ownership, first stage on GDS: the strongly connected parts of the
    shareholding network in force on ``on`` (``gds.scc``), as ``cycles`` gives them.

    Parameters
    ----------
    store : Store
        A Neo4j store with GDS (``analysis.gds.has_gds``).
    on : datetime.date
        The day the holdings are in force.

    Returns
    -------
    list of list of str
        Each part of more than one enterprise, sorted; the parts sorted.

    Examples
    --------
    The parts are those networkx finds in the same network (``cycles``):

    >>> from analysis.detect_holdings import cycles
    >>> cycles(nx.DiGraph([("E1", "E2"), ("E2", "E3"), ("E3", "E1"), ("P1", "E1")]))
    [['E1', 'E2', 'E3']]
    """
    with projection(store, "gds_project_holdings", "holdings", on=on.isoformat()) as graph:
        rows = store.read("gds_scc_parts", graph=graph.name) if graph else []
    return sorted(sorted(row["members"]) for row in rows)


def _holdings_among(store: Store, members: set[str], on: dt.date) -> nx.DiGraph:
    """The holdings in force on ``on`` between ``members``, as ``holdings_graph`` has them."""
    rows = [row for row in read_by_ids(store, "holdings_of", members, batch_size=_BATCH, on=on.isoformat())
            if row["owned"] in members]
    graph, _ = holdings_from_rows(rows)
    graph.remove_edges_from(list(nx.selfloop_edges(graph)))
    return graph


def circular_on_gds(store: Store, listed_ids: set[str], on: dt.date) -> list[Lead]:
    """``circular_ownership`` leads on GDS: the same leads as in Python
    (``cycles``, then ``circular_leads``), without reading the whole network.

    Parameters
    ----------
    store : Store
        A Neo4j store with GDS.
    listed_ids : set of str
        Subjects with an entry (``read_listed``).
    on : datetime.date
        The day the holdings are in force.

    Returns
    -------
    list of Lead
        ``circular_ownership`` leads, keyed by the group.

    Examples
    --------
    What comes back is scored as in Python, by ``circular_leads``:

    >>> from fractions import Fraction
    >>> holdings = nx.DiGraph()
    >>> holdings.add_edges_from([("E1", "E2"), ("E2", "E1")], w=Fraction(3, 10))
    >>> [lead.key for lead in circular_leads(holdings, [["E1", "E2"]], {}, set())]
    [['E1', 'E2']]
    """
    parts = circular_parts(store, on)
    members = {node for part in parts for node in part}
    return circular_leads(_holdings_among(store, members, on), parts, read_regions(store, members), listed_ids)


def _communities(store: Store, graph: Projection, firms: list[str], depth: int) -> list[list[dict]]:
    """The members of each community of ``graph`` with a listed firm and GROUP_MIN to
    GROUP_MAX firms; a bigger one is split again on its own subgraph (as networkx's is)."""
    store.read("gds_louvain_mutate", graph=graph.name)
    found = []
    for row in store.read("gds_role_communities", graph=graph.name, firms=firms, min=GROUP_MIN, max=GROUP_MAX):
        if row["firms"] <= GROUP_MAX:
            found.append(row["members"])
        elif depth > 0 and row["size"] < graph.nodes:
            with projection(store, "gds_filter_community", "roles-split", parent=graph.name,
                            community=row["community"]) as sub:
                found += _communities(store, sub, firms, depth - 1) if sub else []
    return found


def role_communities(store: Store, firms: Iterable[str], on: dt.date) -> list[list[dict]]:
    """Collusion, the community search on GDS: Louvain on the role network in force on
    ``on``, communities of more than ``GROUP_MAX`` firms split again.

    Parameters
    ----------
    store : Store
        A Neo4j store with GDS.
    firms : iterable of str
        The listed enterprises (``listed_firms``): only communities holding one come back.
    on : datetime.date
        The day the roles are in force.

    Returns
    -------
    list of list of dict
        Each community's members (``id``, ``kind``, ``region``), with a listed firm and
        ``GROUP_MIN`` to ``GROUP_MAX`` enterprises.

    Examples
    --------
    Each community then goes through the rules of ``judged_communities``:

    >>> members = [{"id": f"E{i}", "kind": "enterprise", "region": f"{11 + i % 2}0101"} for i in range(4)]
    >>> members += [{"id": p, "kind": "person", "region": None} for p in ("P1", "P2")]
    >>> [c.firms for c in _candidates([members], {"E1"})]
    [['E0', 'E1', 'E2', 'E3']]
    """
    with projection(store, "gds_project_roles", "roles", on=on.isoformat()) as graph:
        return _communities(store, graph, sorted(firms), _SPLITS) if graph else []


def collusion_on_gds(store: Store, listed: list[dict], on: dt.date) -> list[Lead]:
    """``collusion_group`` leads on GDS: communities from ``role_communities``, judged as
    in Python (``judged_communities``, then ``collusion_leads`` with true degrees).

    Parameters
    ----------
    store : Store
        A Neo4j store with GDS.
    listed : list of dict
        ``leads_listed`` rows (``read_listed``).
    on : datetime.date
        The day the roles are in force.

    Returns
    -------
    list of Lead
        ``collusion_group`` leads, keyed by the group's enterprises.

    Examples
    --------
    Only listed enterprises start a group:

    >>> sorted(listed_firms([{"id": "E1", "kind": "enterprise"}, {"id": "P1", "kind": "person"}]))
    ['E1']
    """
    firms = listed_firms(listed)
    candidates = _candidates(role_communities(store, firms, on), firms)
    members = {n for c in candidates for n in c.members}
    if not members:
        return []
    # The roles between the candidates' members only: the ties and density of each group.
    rows = [row for row in read_role_rings(store, members, on, rings=1) if row["b"] in members]
    graph, _ = role_network(rows, set())
    kinds = {n: "enterprise" for c in candidates for n in c.firms} | {n: "person" for c in candidates for n in c.people}
    return collusion_leads(graph, kinds, firms, candidates, read_degrees(store, members, on))


def co_bidding_on_gds(store: Store) -> list[Lead]:
    """``co_bidding`` leads on GDS: Louvain on the co-bidding network, the groups judged
    by ``bidding_group_leads`` on the bids of their members' tenders only.

    Parameters
    ----------
    store : Store
        A Neo4j store with GDS.

    Returns
    -------
    list of Lead
        ``co_bidding`` leads, keyed by the group.

    Examples
    --------
    A group found is judged on its bids:

    >>> rows = [{"tender": f"T{t}", "bidder": f, "region": "440305", "won": False}
    ...         for t in range(3) for f in ("E1", "E2")]
    >>> [lead.key for lead in bidding_group_leads([["E1", "E2"]], rows)]
    [['E1', 'E2']]
    """
    with projection(store, "gds_project_cobidding", "cobidding", min=COBID_MIN, tender_max=COBID_TENDER_MAX) as graph:
        groups = [row["members"] for row in store.read("gds_cobidding_groups", graph=graph.name)] if graph else []
    members = sorted({f for group in groups for f in group})
    rows = {(row["tender"], row["bidder"]): row for batch in batched(members, _BATCH)
            for row in store.read("gds_group_bids", ids=batch)}
    return bidding_group_leads(groups, list(rows.values()))
