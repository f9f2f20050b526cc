"""Leads (线索) for investigators: patterns in the network worth a person's look.

A lead is never a sanction. It has a kind, a score between 0 and 1, the evidence
(chains, dates, regions) and a status that only a person changes, with a reason; the
record, and storing and reviewing it, are ``graph_model.leads``. Finding leads again
keeps every review: a lead's id is a hash of its kind and the subjects that define it.

Kinds, and the module that detects each (pure functions over plain rows and graphs):

* ``phoenix`` (易地出现, ``detect_roles``): someone tied to a listed enterprise on its
  listing day (legal rep, principal, controller, or a holder of at least 20 %) takes
  such a role in an enterprise in another province within two years of the listing.
* ``shared_controller`` (``detect_roles``): one person controls (legal rep, principal
  or actual controller on the listing day) listed enterprises in two or more provinces.
* ``circular_ownership`` and ``shell_chain`` (``detect_holdings``): enterprises that
  hold each other round a cycle; pass-through holding layers without staff.
* ``collusion_group`` (``detect_groups``): Louvain communities in the person-enterprise
  role network around listed enterprises, few ties outside and dense roles inside.
* ``co_bidding`` (``detect_bids``): where tender data is loaded, groups of firms that
  bid together, cohesive and exclusive (Wachs & Kertész 2019).

``find_leads`` reads (``analysis.lead_reads``, ``analysis.ownership_reads``) and
detects. The analyses run in Python on the part of the graph they need, read in a few
large queries: networkx's strongly connected parts and Louvain are what FalkorDB lacks
(its ``algo.*`` has no SCC or Louvain). On Neo4j with Graph Data Science
(``analysis.gds.has_gds``), circular ownership, collusion groups and co-bidding run
there instead (``analysis.gds_leads``), and only their findings are read. A read that
depends on what a detector found (the roles taken by the tied subjects, the true
degrees of candidate communities, the regions of what was found) comes between the
detector's two stages, so that nothing more than that is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from analysis.detect_bids import co_bidding
from analysis.detect_groups import GROUP_RINGS, collusion_candidates, collusion_leads, listed_firms, role_network
from analysis.detect_holdings import circular_leads, cycles, shell_chain_leads, shell_chains
from analysis.detect_roles import listed_enterprises, phoenix_leads, phoenix_since, phoenix_ties, shared_controllers
from analysis.gds import has_gds
from analysis.gds_leads import circular_on_gds, co_bidding_on_gds, collusion_on_gds
from analysis.lead_reads import (read_bids, read_degrees, read_listed, read_operating, read_regions, read_role_rings,
                                 read_roles_taken, read_ties)
from analysis.ownership_reads import holdings_graph
from graph_model.catalogue.model import Catalogue
from graph_model.leads import Lead, LeadKind
from graph_model.store.base import Store

__all__ = ["find_leads"]


def _role_leads(store: Store, listed: list[dict], wanted: set[LeadKind]) -> list[Lead]:
    by_listed = listed_enterprises(listed)
    ties = read_ties(store, by_listed)  # read once for both kinds
    found: list[Lead] = []
    if LeadKind.phoenix in wanted:
        tied = phoenix_ties(by_listed, ties)
        if tied:
            found += phoenix_leads(tied, read_roles_taken(store, tied, since=phoenix_since(tied)))
    if LeadKind.shared_controller in wanted:
        found += shared_controllers(by_listed, ties)
    return found


def _holding_leads(store: Store, listed_ids: set[str], wanted: set[LeadKind], on: dt.date, gds: bool) -> list[Lead]:
    found: list[Lead] = []
    if gds and LeadKind.circular_ownership in wanted:
        found += circular_on_gds(store, listed_ids, on)
        wanted = wanted - {LeadKind.circular_ownership}
    if not wanted & {LeadKind.circular_ownership, LeadKind.shell_chain}:
        return found
    holdings = holdings_graph(store, on)
    if LeadKind.circular_ownership in wanted:
        parts = cycles(holdings)
        regions = read_regions(store, {node for part in parts for node in part})
        found += circular_leads(holdings, parts, regions, listed_ids)
    if LeadKind.shell_chain in wanted:
        chains = shell_chains(holdings, read_operating(store, on))
        regions = read_regions(store, {n for holder, chain, target in chains for n in (holder, *chain, target)})
        found += shell_chain_leads(holdings, chains, regions, listed_ids)
    return found


def _collusion_leads(store: Store, listed: list[dict], on: dt.date) -> list[Lead]:
    firms = listed_firms(listed)
    graph, kinds = role_network(read_role_rings(store, firms, on, GROUP_RINGS), firms)
    if graph.number_of_edges() == 0:
        return []
    regions = read_regions(store, [n for n in graph if kinds.get(n) == "enterprise"])
    candidates = collusion_candidates(graph, kinds, firms, regions)
    degree = read_degrees(store, {n for c in candidates for n in c.members}, on)
    return collusion_leads(graph, kinds, firms, candidates, degree)


def find_leads(store: Store, catalogue: Catalogue, kinds: Sequence[LeadKind | str] | None = None,
               on: dt.date | None = None, *, gds: bool | None = None) -> list[Lead]:
    """Run the analyses of ``kinds`` over the stored graph; nothing is saved.

    Parameters
    ----------
    store : Store
        The graph.
    catalogue : Catalogue
        The lists; every list's entries can start a lead (kept for list-specific rules).
    kinds : sequence of LeadKind or str, optional
        The kinds to look for; all by default.
    on : datetime.date, optional
        The day of the holdings and roles, and each lead's ``found_on``; today by default.
    gds : bool, optional
        Whether circular ownership, collusion groups and co-bidding run on GDS; by
        default where the store has it (``has_gds``). False runs them in Python anywhere.

    Returns
    -------
    list of Lead
        Best first (score, then id). ``graph_model.leads.save_leads`` stores them.

    Examples
    --------
    >>> bundle = Bundle()
    >>> [bundle.enterprise(e, region=r) for e, r in (("E1", "110101"), ("E2", "440305"), ("E3", "440306"))]
    ['E1', 'E2', 'E3']
    >>> for a, b in (("E1", "E2"), ("E2", "E3"), ("E3", "E1")):
    ...     bundle.role(a, "HOLDS_SHARES", b, share="30", valid_from="2020-01-01")
    >>> bundle.entry("N1", "E1", determined="2022-03-01")
    >>> load(bundle)
    >>> [(lead.kind.value, lead.key, lead.score) for lead in find_leads(store, catalogue, on=dt.date(2024, 6, 1))]
    [('circular_ownership', ['E1', 'E2', 'E3'], 1.0)]
    """
    del catalogue  # every list's entries can start a lead; kept for list-specific rules later
    on = on or dt.date.today()
    wanted = {LeadKind(k) for k in kinds} if kinds else set(LeadKind)
    gds = has_gds(store) if gds is None else gds
    listed = read_listed(store)
    found: list[Lead] = []
    if wanted & {LeadKind.phoenix, LeadKind.shared_controller}:
        found += _role_leads(store, listed, wanted)
    if wanted & {LeadKind.circular_ownership, LeadKind.shell_chain}:
        found += _holding_leads(store, {row["id"] for row in listed}, wanted, on, gds)
    if LeadKind.collusion_group in wanted:
        found += collusion_on_gds(store, listed, on) if gds else _collusion_leads(store, listed, on)
    if LeadKind.co_bidding in wanted:
        found += co_bidding_on_gds(store) if gds else co_bidding(read_bids(store))
    for lead in found:
        lead.found_on = on
    return sorted(found, key=lambda lead: (-lead.score, lead.id))
