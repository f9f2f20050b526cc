"""Leads of ``collusion_group``: Louvain communities in the role network around listed
enterprises.

The person-enterprise role network is read four rings out from the listed firms
(``analysis.lead_reads.read_role_rings``), and a community of more than ``GROUP_MAX``
firms is split again. A group is a lead when it spans two or more provinces, holds a
listed member, ties two or more people together, has few ties outside (low
conductance, from the members' true degrees) and its people each hold roles in several
of its firms (person-firm density). Pure functions in two stages: the true degrees are
read for the members of the candidate communities only, between the stages.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import networkx as nx

from analysis.provinces import province
from graph_model.leads import Lead, LeadKind, make_lead

__all__ = ["GROUP_RINGS", "Community", "collusion_candidates", "collusion_leads", "judged_communities", "listed_firms",
           "role_network"]

# Community size (enterprises) and the largest share of its ties that may leave it.
GROUP_MIN, GROUP_MAX, GROUP_CONDUCTANCE, GROUP_DENSITY = 4, 40, 0.25, 0.2
# Rings of the role network read around listed firms, and Louvain's resolution.
GROUP_RINGS, GROUP_RESOLUTION = 4, 1.0


class Community(NamedTuple):
    """A candidate group: its members, firms and people (sorted), and provinces."""

    members: set[str]
    firms: list[str]
    people: list[str]
    provinces: set[str]


def listed_firms(listed: list[dict]) -> set[str]:
    """The listed enterprises, where the role network is read from.

    Parameters
    ----------
    listed : list of dict
        ``leads_listed`` rows (``id``, ``kind``).

    Returns
    -------
    set of str
        The ids of listed enterprises, with or without a region.

    Examples
    --------
    >>> sorted(listed_firms([{"id": "E1", "kind": "enterprise"}, {"id": "P1", "kind": "person"}]))
    ['E1']
    """
    return {row["id"] for row in listed if row["kind"] == "enterprise"}


def role_network(rows: list[dict], firms: set[str]) -> tuple[nx.Graph, dict[str, str]]:
    """The role network of ``leads_role_edges`` rows, ring after ring, and its kinds.

    Parameters
    ----------
    rows : list of dict
        ``read_role_rings`` rows (``a``, ``b``, ``b_kind``), in the order read: the
        order of the nodes is what Louvain, seeded, starts from.
    firms : set of str
        The listed enterprises the rings were read from (``listed_firms``).

    Returns
    -------
    tuple of (networkx.Graph, dict of str to str)
        The undirected network, and each node's kind.

    Examples
    --------
    >>> graph, kinds = role_network([{"a": "E1", "b": "P1", "b_kind": "person"}], {"E1"})
    >>> list(graph.edges), kinds
    ([('E1', 'P1')], {'P1': 'person', 'E1': 'enterprise'})
    """
    graph = nx.Graph()
    kinds: dict[str, str] = {}
    for row in rows:
        graph.add_edge(row["a"], row["b"])
        kinds[row["b"]] = row["b_kind"]
    for firm in firms:
        kinds.setdefault(firm, "enterprise")
    return graph, kinds


def _induced(graph: nx.Graph, members: set[str]) -> nx.Graph:
    """The subgraph on ``members``, in ``graph``'s own order. (A subgraph view iterates a
    small part in its node set's order, which changes with the string hash seed, and
    Louvain's result follows the order it is given.)"""
    sub = nx.Graph()
    sub.add_nodes_from(n for n in graph if n in members)
    sub.add_edges_from((a, b) for a, b in graph.edges(list(sub)) if b in members)
    return sub


def _communities(graph: nx.Graph, kinds: dict[str, str], depth: int = 3) -> list[set[str]]:
    """Louvain communities; one with more than GROUP_MAX firms is split again on its own
    subgraph (a small tight group tied to a big one by one edge is often absorbed)."""
    found = []
    for community in nx.community.louvain_communities(graph, resolution=GROUP_RESOLUTION, seed=7):
        firms = sum(1 for n in community if kinds.get(n) == "enterprise")
        if firms > GROUP_MAX and depth > 0 and len(community) < len(graph):
            found += _communities(_induced(graph, community), kinds, depth - 1)
        else:
            found.append(community)
    return found


def collusion_candidates(graph: nx.Graph, kinds: dict[str, str], listed_ids: set[str],
                         regions: dict[str, str | None]) -> list[Community]:
    """Collusion, first stage: the communities of a size to report, with a listed firm,
    in two or more provinces and with two or more people.

    Parameters
    ----------
    graph, kinds : networkx.Graph, dict of str to str
        The role network and its kinds (``role_network``).
    listed_ids : set of str
        The listed enterprises (``listed_firms``).
    regions : dict of str to str or None
        The region of each enterprise of ``graph`` (``read_regions``).

    Returns
    -------
    list of Community
        The candidates, whose members' true degrees the second stage needs.

    Examples
    --------
    >>> rings = {("P1", "P2"): ("E1", "E2", "E3", "E4"), ("P3", "P4"): ("E5", "E6", "E7", "E8")}
    >>> rows = [{"a": p, "b": e, "b_kind": "enterprise"} for people, firms in rings.items()
    ...         for p in people for e in firms]
    >>> graph, kinds = role_network(rows + [{"a": "P2", "b": "E5", "b_kind": "enterprise"}], {"E1"})
    >>> kinds.update(dict.fromkeys(("P1", "P2", "P3", "P4"), "person"))
    >>> regions = {"E1": "110101", "E2": "110102", "E3": "440305", "E4": "440306"}
    >>> [(c.firms, c.people, sorted(c.provinces)) for c in collusion_candidates(graph, kinds, {"E1"}, regions)]
    [(['E1', 'E2', 'E3', 'E4'], ['P1', 'P2'], ['11', '44'])]
    """
    return judged_communities(_communities(graph, kinds), kinds, listed_ids, regions)


def judged_communities(communities: Iterable[set[str]], kinds: dict[str, str], listed_ids: set[str],
                       regions: dict[str, str | None]) -> list[Community]:
    """The communities found by any search (networkx Louvain here, GDS on Neo4j) that
    are candidates: a size to report, a listed firm, two or more provinces and two or
    more people.

    Parameters
    ----------
    communities : iterable of set of str
        The members of each community.
    kinds, listed_ids, regions
        As for ``collusion_candidates``: each member's kind, the listed enterprises,
        each enterprise's region.

    Returns
    -------
    list of Community
        The candidates, whose members' true degrees the second stage needs.

    Examples
    --------
    >>> kinds = {**dict.fromkeys(("E1", "E2", "E3", "E4"), "enterprise"), "P1": "person", "P2": "person"}
    >>> regions = {"E1": "110101", "E2": "110102", "E3": "440305", "E4": "440306"}
    >>> [c.firms for c in judged_communities([set(kinds)], kinds, {"E1"}, regions)]
    [['E1', 'E2', 'E3', 'E4']]
    >>> judged_communities([set(kinds) - {"P2"}], kinds, {"E1"}, regions)  # one person's own firms
    []
    """
    candidates = []
    for community in communities:
        firms = sorted(n for n in community if kinds.get(n) == "enterprise")
        if not GROUP_MIN <= len(firms) <= GROUP_MAX or not set(firms) & listed_ids:
            continue
        provinces = {p for n in firms if (p := province(regions.get(n)))}
        people = sorted(n for n in community if kinds.get(n) == "person")
        if len(provinces) >= 2 and len(people) >= 2:  # one person's own firms are other kinds
            candidates.append(Community(community, firms, people, provinces))
    return candidates


def collusion_leads(graph: nx.Graph, kinds: dict[str, str], listed_ids: set[str], candidates: list[Community],
                    degree: dict[str, int]) -> list[Lead]:
    """Collusion, second stage: the candidates with few ties outside and dense roles.

    Parameters
    ----------
    graph, kinds : networkx.Graph, dict of str to str
        The role network and its kinds (``role_network``).
    listed_ids : set of str
        The listed enterprises (``listed_firms``).
    candidates : list of Community
        The first stage's result (``collusion_candidates``).
    degree : dict of str to int
        The true degree of every candidate member (``read_degrees``): the network was
        cut out of the graph, so a community at its edge would look closed.

    Returns
    -------
    list of Lead
        ``collusion_group`` leads, keyed by the group's enterprises.

    Examples
    --------
    >>> graph, kinds = role_network([{"a": p, "b": e, "b_kind": "enterprise"}
    ...                              for p in ("P1", "P2") for e in ("E1", "E2", "E3", "E4")], {"E1"})
    >>> kinds.update(P1="person", P2="person")
    >>> group = Community(set(graph), ["E1", "E2", "E3", "E4"], ["P1", "P2"], {"11", "44"})
    >>> degree = {"E1": 2, "E2": 2, "E3": 3, "E4": 2, "P1": 4, "P2": 4}
    >>> [(lead.key, lead.score, lead.evidence["conductance"])
    ...  for lead in collusion_leads(graph, kinds, {"E1"}, [group], degree)]
    [(['E1', 'E2', 'E3', 'E4'], 0.7176, 0.0588)]
    """
    leads = []
    for community, firms, people, provinces in candidates:
        inner = graph.subgraph(community)
        volume = sum(degree.get(n, 0) for n in community)
        cut = volume - 2 * inner.number_of_edges()
        conductance = cut / volume if volume else 1.0
        # Share of person-firm pairs of the group that are tied: a ring's few people each
        # hold roles in several of its firms; an ordinary firm's people work there only.
        tied = sum(1 for a, b in inner.edges if (kinds.get(a) == "person") != (kinds.get(b) == "person"))
        density = tied / (len(firms) * len(people))
        if conductance > GROUP_CONDUCTANCE or density < GROUP_DENSITY:
            continue
        listed = sorted(set(firms) & listed_ids)
        score = 0.35 * (1 - conductance / GROUP_CONDUCTANCE) + 0.45 * min(density / 0.5, 1) + 0.2 * (len(provinces) > 2)
        leads.append(make_lead(LeadKind.collusion_group, firms, [*firms, *people], score,
                               f"{len(firms)} enterprises in {len(provinces)} provinces tied through {len(people)} "
                               f"people, {len(listed)} of them listed",
                               {"enterprises": firms, "people": people, "listed": listed,
                                "ties": inner.number_of_edges(), "ties_outside": cut,
                                "conductance": round(conductance, 4), "density": round(density, 4)},
                               provinces))
    return leads
