"""Leads of ``co_bidding``: groups of firms that bid together, where tender data is loaded.

Louvain on the co-bidding network of firms that met in ``COBID_MIN`` tenders or more,
and nearly every pair of a group's members must have met that often. A group is
scored by cohesion (the share of each member's bids made in tenders where another
member bids, averaged) and exclusivity (the share of the bids in those tenders that
come from the group), after Wachs & Kertész (2019); the winners among them are given,
as rotation is the usual pattern. A pure function over the ``tender_bids`` rows.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable

import networkx as nx

from analysis.provinces import province
from graph_model.leads import Lead, LeadKind, make_lead

__all__ = ["COBID_MIN", "COBID_TENDER_MAX", "bidding_group_leads", "co_bidding"]

# Co-bidding (Wachs & Kertész 2019): firms that met in at least this many tenders,
# tenders with at most this many bidders (open calls with dozens say little), and
# the least cohesion, exclusivity and density (share of member pairs that met that
# often) of a reported group. In a closed market of random bidders, half-market
# Louvain groups reach cohesion 0.9 and exclusivity 0.6 by chance, but not density.
COBID_MIN, COBID_TENDER_MAX = 3, 30
COBID_COHESION, COBID_EXCLUSIVITY, COBID_DENSITY = 0.5, 0.75, 0.8


class _Bids:
    """The bids indexed: bidders and winners per tender, tenders and region per firm."""

    def __init__(self, rows: list[dict]) -> None:
        self.bidders: dict[str, set[str]] = defaultdict(set)
        self.tenders: dict[str, set[str]] = defaultdict(set)
        self.winners: dict[str, set[str]] = defaultdict(set)
        self.regions: dict[str, str | None] = {}
        for row in rows:
            self.bidders[row["tender"]].add(row["bidder"])
            self.tenders[row["bidder"]].add(row["tender"])
            self.regions[row["bidder"]] = row["region"]
            if row["won"]:
                self.winners[row["tender"]].add(row["bidder"])

    def met(self) -> dict[tuple[str, str], int]:
        """How many tenders of 2 to ``COBID_TENDER_MAX`` bidders each pair of firms met in.
        In sorted order: the network's order (which Louvain follows) must not depend on
        a set's, which changes with the string hash seed."""
        met: dict[tuple[str, str], int] = defaultdict(int)
        for firms in self.bidders.values():
            if 2 <= len(firms) <= COBID_TENDER_MAX:
                for pair in itertools.combinations(sorted(firms), 2):
                    met[pair] += 1
        return met

    def network(self, met: dict[tuple[str, str], int]) -> nx.Graph:
        """Firms that met in ``COBID_MIN`` tenders or more, weighted by how many."""
        graph = nx.Graph()
        graph.add_weighted_edges_from((a, b, n) for (a, b), n in met.items() if n >= COBID_MIN)
        return graph


def co_bidding(rows: list[dict]) -> list[Lead]:
    """Groups of firms that bid together, cohesive and exclusive: Louvain on the
    co-bidding network, then ``bidding_group_leads``' judgement.

    Parameters
    ----------
    rows : list of dict
        ``tender_bids`` rows: ``tender``, ``bidder``, ``region``, ``won``.

    Returns
    -------
    list of Lead
        ``co_bidding`` leads, keyed by the group, scored cohesion × exclusivity.

    Examples
    --------
    >>> rows = [{"tender": f"T{t}", "bidder": firm, "region": "440305", "won": firm == f"E{t % 3}"}
    ...         for t in range(4) for firm in ("E0", "E1", "E2")]
    >>> [(lead.key, lead.score, lead.evidence["winners"]["T3"]) for lead in co_bidding(rows)]
    [(['E0', 'E1', 'E2'], 1.0, ['E0'])]
    """
    bids = _Bids(rows)
    met = bids.met()
    graph = bids.network(met)
    communities = nx.community.louvain_communities(graph, weight="weight", seed=7) if graph else []
    return _judged(communities, bids, met)


def bidding_group_leads(groups: Iterable[Iterable[str]], rows: list[dict]) -> list[Lead]:
    """Co-bidding groups found by any community search (networkx here, GDS on Neo4j),
    judged: dense (nearly every pair met in ``COBID_MIN`` tenders), cohesive and
    exclusive.

    Parameters
    ----------
    groups : iterable of iterable of str
        Communities of the co-bidding network (firm ids).
    rows : list of dict
        ``tender_bids`` rows of every bid in every tender a member bid in.

    Returns
    -------
    list of Lead
        ``co_bidding`` leads, keyed by the group, scored cohesion × exclusivity.

    Examples
    --------
    >>> rows = [{"tender": f"T{t}", "bidder": firm, "region": "440305", "won": firm == f"E{t % 3}"}
    ...         for t in range(4) for firm in ("E0", "E1", "E2")]
    >>> [(lead.key, lead.score) for lead in bidding_group_leads([["E2", "E0", "E1"]], rows)]
    [(['E0', 'E1', 'E2'], 1.0)]
    """
    bids = _Bids(rows)
    return _judged(groups, bids, bids.met())


def _judged(groups: Iterable[Iterable[str]], bids: _Bids, met: dict[tuple[str, str], int]) -> list[Lead]:
    leads = []
    for members in groups:
        community = set(members)
        group = sorted(community)
        pairs = len(group) * (len(group) - 1) // 2
        if len(group) < 2 or sum(met.get(p, 0) >= COBID_MIN for p in itertools.combinations(group, 2)) / pairs \
                < COBID_DENSITY:
            continue
        shared = sorted(t for t in {t for f in group for t in bids.tenders[f]} if len(bids.bidders[t] & community) >= 2)
        cohesion = sum(len(bids.tenders[f] & set(shared)) / len(bids.tenders[f]) for f in group) / len(group)
        exclusivity = (sum(len(bids.bidders[t] & community) for t in shared)
                       / sum(len(bids.bidders[t]) for t in shared))
        if cohesion < COBID_COHESION or exclusivity < COBID_EXCLUSIVITY:
            continue
        winners = bids.winners
        won = sorted({f for t in shared for f in winners[t] & community})
        provinces = {p for f in group if (p := province(bids.regions.get(f)))}
        leads.append(make_lead(LeadKind.co_bidding, group, group, cohesion * exclusivity,
                               f"{len(group)} firms bid together in {len(shared)} tenders (cohesion {cohesion:.2f}, "
                               f"exclusivity {exclusivity:.2f}); {len(won)} of them won some",
                               {"tenders": shared, "cohesion": round(cohesion, 4),
                                "exclusivity": round(exclusivity, 4),
                                "winners": {t: sorted(winners[t] & community) for t in shared if winners[t] & community}},
                               provinces))
    return leads
