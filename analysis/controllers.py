"""Candidate actual controllers (实际控制人) found in the holdings network: pure.

A person or public body that, with the enterprises it already controls, holds more
than half of an enterprise (chain by chain, as ``analysis.ownership`` defines control)
is a candidate controller of it when the registry does not name it. Each candidate
carries its chain, the controller's integrated share and the day the control began.
Storing, lapsing and reviewing candidates is ``analysis.candidates``'s job.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

import networkx as nx

from analysis.ownership import MAJORITY, OwnershipLoop, control_chains, integrated_shares, shares_below
from graph_model.vocabulary.kinds import OPEN_START

__all__ = ["find_candidates"]


def _control_since(graph: nx.DiGraph, top: str, chains: dict[str, list[str]],
                   registered_since: dict[tuple[str, str], str], registrations: dict[str, list[str]]) -> dict[str, str]:
    """The day ``top`` gained control of each company of ``chains``: a registration's
    start, or the day the holdings of ``top`` and what it then controlled first added
    up to a majority (each holding counting from its own start and its holder's
    control); to a fixed point, since control of one company dates control of the next.
    ``registrations`` lists each company's registered controllers."""
    since: dict[str, str] = {top: OPEN_START}
    for _ in range(len(chains) + 1):
        changed = False
        for company in chains:
            starts = [max(registered_since[(m, company)], since[m]) for m in registrations.get(company, ())
                      if m in since]
            held = sorted((max(graph[m][company]["since"], since[m]), graph[m][company]["w"])
                          for m in graph.predecessors(company) if m in since)
            total = Fraction(0)
            for day, w in held:
                total += w
                if total > MAJORITY:
                    starts.append(day)
                    break
            if starts and min(starts) != since.get(company):
                since[company] = min(starts)
                changed = True
        if not changed:
            break
    return since


class _Registry:
    """The registered controllerships: what each controller controls, since when, and
    each company's controllers; ``kinds`` learns each controller's kind."""

    def __init__(self, rows: list[dict], kinds: dict[str, str]) -> None:
        self.controls: dict[str, set[str]] = defaultdict(set)
        self.since: dict[tuple[str, str], str] = {}
        for row in rows:
            self.controls[row["controller"]].add(row["enterprise"])
            self.since[(row["controller"], row["enterprise"])] = row["valid_from"]
            kinds[row["controller"]] = row["kind"]
        self.of_company: dict[str, list[str]] = defaultdict(list)
        for controller, company in self.since:
            self.of_company[company].append(controller)


class _Shares:
    """A holder's integrated shares below it. Holders with nothing on a cycle below them
    (nearly all) get theirs in one pass in topological order; the others are solved
    part by part."""

    def __init__(self, graph: nx.DiGraph) -> None:
        self.graph, self.reverse = graph, graph.reverse(copy=False)
        self.cyclic = {n for part in nx.strongly_connected_components(graph) if len(part) > 1 for n in part}
        self.rank = {n: i for i, n in enumerate(nx.topological_sort(graph.subgraph(set(graph) - self.cyclic)))}

    def __call__(self, top: str) -> dict[str, Fraction]:
        if top not in self.graph:  # a registered controller holding nothing
            return {}
        if self.cyclic and nx.descendants(self.graph, top) & self.cyclic:
            return integrated_shares(self.reverse, top)
        return shares_below(self.graph, top, self.rank)


def find_candidates(graph: nx.DiGraph, registration_rows: list[dict]) -> tuple[list[dict], list[str]]:
    """Every unregistered majority-chain controllership of a person or public body.

    Parameters
    ----------
    graph : networkx.DiGraph
        The holdings network (``holdings_graph``): ``w``, ``since``, ``owner_kind``.
    registration_rows : list of dict
        Every registered controllership (``read_registrations``): ``controller``,
        ``kind``, ``enterprise``, ``valid_from``.

    Returns
    -------
    tuple of (list of dict, list of str)
        A row per candidate (``controller``, ``enterprise``, ``chain``, ``share`` in
        percent, or None when a group below owns all of itself, and ``since``); and
        those groups, one line per controller.

    Examples
    --------
    >>> from analysis.ownership import holdings_from_rows
    >>> graph, _ = holdings_from_rows([
    ...     {"owner": "P1", "owner_kind": "person", "owned": "E1", "share": 60, "valid_from": "2020-01-01"},
    ...     {"owner": "E1", "owner_kind": "enterprise", "owned": "E2", "share": 51, "valid_from": "2021-03-01"}])
    >>> registered = [{"controller": "P2", "kind": "person", "enterprise": "E2", "valid_from": "2019-01-01"}]
    >>> rows, loops = find_candidates(graph, registered)
    >>> [(r["controller"], r["enterprise"], r["chain"], r["share"], r["since"]) for r in rows], loops
    ([('P1', 'E1', ['P1', 'E1'], 60.0, '2020-01-01'), ('P1', 'E2', ['P1', 'E1', 'E2'], 30.6, '2021-03-01')], [])
    """
    kinds = {a: kind for a, _, kind in graph.edges(data="owner_kind")}
    registry = _Registry(registration_rows, kinds)
    shares_of = _Shares(graph)
    rows, loops = [], []
    for top in sorted(n for n, kind in kinds.items() if kind in ("person", "public_body")):
        chains = control_chains(graph, top, registry.controls)
        if not chains:
            continue
        try:
            shares: dict[str, Fraction] | None = shares_of(top)
        except OwnershipLoop as exc:  # the chains stand; only the share is undefined
            shares = None
            loops.append(f"{top}: {exc.detail}")
        since = _control_since(graph, top, chains, registry.since, registry.of_company)
        for enterprise, chain in sorted(chains.items()):
            if enterprise in registry.controls.get(top, ()):
                continue
            share = None if shares is None else round(float(shares.get(enterprise, 0) * 100), 6)
            rows.append({"controller": top, "enterprise": enterprise, "chain": chain, "share": share,
                         "since": since[enterprise]})
    return rows, loops
