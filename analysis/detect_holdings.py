"""Leads from the shareholding network: ``circular_ownership`` and ``shell_chain``.

* ``circular_ownership``: enterprises that hold each other round a cycle (strongly
  connected parts of the network, networkx).
* ``shell_chain``: two or more enterprises in a row that each have one holder, hold one
  enterprise and have nobody working in them: pass-through holding layers.

Pure functions over the holdings graph (``analysis.ownership_reads.holdings_graph``:
holder -> held, with ``w`` the share as a fraction). Each detector has two stages,
because the regions read between them are those of what the first stage found.
"""

from __future__ import annotations

import networkx as nx

from analysis.ownership import percent
from analysis.provinces import province
from graph_model.leads import Lead, LeadKind, make_lead

__all__ = ["ShellChain", "circular_leads", "cycles", "shell_chain_leads", "shell_chains"]

# The holder, the pass-through layers in order, and the enterprise they lead to.
ShellChain = tuple[str, list[str], str]


def cycles(holdings: nx.DiGraph) -> list[list[str]]:
    """Circular ownership, first stage: the groups of enterprises that hold each other.

    Parameters
    ----------
    holdings : networkx.DiGraph
        Holder -> held.

    Returns
    -------
    list of list of str
        Each strongly connected part of more than one node, sorted.

    Examples
    --------
    >>> holdings = nx.DiGraph([("E1", "E2"), ("E2", "E3"), ("E3", "E1"), ("P1", "E1")])
    >>> cycles(holdings)
    [['E1', 'E2', 'E3']]
    """
    return [sorted(part) for part in nx.strongly_connected_components(holdings) if len(part) > 1]


def circular_leads(holdings: nx.DiGraph, parts: list[list[str]], regions: dict[str, str | None],
                   listed_ids: set[str]) -> list[Lead]:
    """Circular ownership, second stage: a lead per group, with its holdings.

    Parameters
    ----------
    holdings : networkx.DiGraph
        Holder -> held, ``w`` the share as a fraction.
    parts : list of list of str
        The first stage's result (``cycles``).
    regions : dict of str to str or None
        The region of each member of ``parts`` (``read_regions``).
    listed_ids : set of str
        Subjects with an entry: a listed member raises the score.

    Returns
    -------
    list of Lead
        ``circular_ownership`` leads, keyed by the group.

    Examples
    --------
    >>> from fractions import Fraction
    >>> holdings = nx.DiGraph()
    >>> holdings.add_edges_from([("E1", "E2"), ("E2", "E1")], w=Fraction(3, 10))
    >>> [(lead.key, lead.score, lead.evidence["holdings"][0])
    ...  for lead in circular_leads(holdings, [["E1", "E2"]], {"E1": "110101", "E2": "440305"}, {"E2"})]
    [(['E1', 'E2'], 1.0, {'owner': 'E1', 'owned': 'E2', 'share': 30.0})]
    """
    leads = []
    for part in parts:
        edges = sorted((a, b, percent(holdings[a][b]["w"])) for a, b in holdings.subgraph(part).edges)
        listed = sorted(set(part) & listed_ids)
        provinces = {p for node in part if (p := province(regions.get(node)))}
        score = 0.5 + 0.3 * bool(listed) + 0.1 * (len(provinces) > 1) + 0.1 * (len(part) <= 4)
        leads.append(make_lead(LeadKind.circular_ownership, part, part, score,
                               f"{len(part)} enterprises hold each other in a cycle: " + ", ".join(part),
                               {"holdings": [{"owner": a, "owned": b, "share": s} for a, b, s in edges],
                                "listed": listed}, provinces))
    return leads


def shell_chains(holdings: nx.DiGraph, operating: set[str]) -> list[ShellChain]:
    """Shell chains, first stage: runs of two or more pass-through layers.

    A layer has one holder, holds one enterprise, has nobody working in it and is on no
    cycle. Only enterprises are held, so a node with a holder is an enterprise.

    Parameters
    ----------
    holdings : networkx.DiGraph
        Holder -> held.
    operating : set of str
        Enterprises with people working in them (``read_operating``).

    Returns
    -------
    list of tuple of (str, list of str, str)
        The holder, the layers in order and the enterprise held through them.

    Examples
    --------
    >>> holdings = nx.DiGraph([("P1", "S1"), ("S1", "S2"), ("S2", "E1"), ("P2", "E2"), ("E2", "E3")])
    >>> shell_chains(holdings, operating={"E2"})
    [('P1', ['S1', 'S2'], 'E1')]
    """
    cyclic = {node for part in nx.strongly_connected_components(holdings) if len(part) > 1 for node in part}

    def passthrough(node: str) -> bool:
        return (holdings.in_degree(node) == 1 and holdings.out_degree(node) == 1 and node not in operating
                and node not in cyclic)

    layers = {node for node in holdings if passthrough(node)}
    chains = []
    for node in layers:
        (holder,) = holdings.predecessors(node)
        if holder in layers:
            continue  # not the first layer of its chain
        chain = [node]
        while (nxt := next(holdings.successors(chain[-1]))) in layers:
            chain.append(nxt)
        if len(chain) >= 2:
            chains.append((holder, chain, next(holdings.successors(chain[-1]))))
    return chains


def shell_chain_leads(holdings: nx.DiGraph, chains: list[ShellChain], regions: dict[str, str | None],
                      listed_ids: set[str]) -> list[Lead]:
    """Shell chains, second stage: a lead per chain, with the shares along it.

    Parameters
    ----------
    holdings : networkx.DiGraph
        Holder -> held, ``w`` the share as a fraction.
    chains : list of tuple of (str, list of str, str)
        The first stage's result (``shell_chains``).
    regions : dict of str to str or None
        The region of each subject of ``chains`` (``read_regions``).
    listed_ids : set of str
        Subjects with an entry: a listed holder or target raises the score.

    Returns
    -------
    list of Lead
        ``shell_chain`` leads, keyed by the layers, in the order of their layers.

    Examples
    --------
    >>> from fractions import Fraction
    >>> holdings = nx.DiGraph()
    >>> holdings.add_edges_from([("P1", "S1"), ("S1", "S2"), ("S2", "E1")], w=Fraction(1))
    >>> [(lead.key, lead.score, lead.summary)
    ...  for lead in shell_chain_leads(holdings, [("P1", ["S1", "S2"], "E1")], {}, {"E1"})]
    [(['S1', 'S2'], 0.85, 'P1 holds E1 through 2 enterprises without staff that hold nothing else: P1 → S1 → S2 → E1')]
    """
    leads = []
    for holder, chain, target in sorted(chains, key=lambda c: c[1]):
        provinces = {p for n in (holder, *chain, target) if (p := province(regions.get(n)))}
        shares = [percent(holdings[a][b]["w"]) for a, b in zip([holder, *chain], [*chain, target])]
        score = min(1.0, 0.35 + 0.15 * len(chain) + 0.2 * bool({holder, target} & listed_ids)
                    + 0.1 * (len(provinces) > 1))
        leads.append(make_lead(LeadKind.shell_chain, chain, [holder, *chain, target], score,
                               f"{holder} holds {target} through {len(chain)} enterprises without staff that hold "
                               "nothing else: " + " → ".join([holder, *chain, target]),
                               {"holder": holder, "layers": chain, "target": target, "shares": shares}, provinces))
    return leads
