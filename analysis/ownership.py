"""Integrated ownership and control over a holdings graph: pure functions, exact.

**Integrated ownership.** With A[i][j] the share i holds directly in j, the share i
holds in j along every chain is T = A + A² + ... = A(I−A)⁻¹: shares multiply along a
path and add across paths. Cross-holdings make the paths infinite, so T is solved,
not walked: the holdings are split into strongly connected parts (networkx), taken
from the target outwards, and each part's small linear system is solved by Gaussian
elimination over fractions. Shares are read as exact decimals (33.33 % is 3333/10000),
so the result is exact; a group of enterprises that owns all of itself has no
solution and is reported as such (``OwnershipLoop``).

**Control.** A subject controls an enterprise when it, together with the enterprises
it already controls, holds more than half of it, or when it is registered as its
actual controller; control is followed down to a fixed point.

The graphs come from rows (``holdings_from_rows``): holder -> held, with ``w`` the
direct share as a ``Fraction``. Reading them is ``analysis.ownership_reads``'s job.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from fractions import Fraction

import networkx as nx

from graph_model.errors import InvalidInput

__all__ = ["MAJORITY", "OwnershipLoop", "control_chains", "holdings_from_rows", "integrated_shares", "percent",
           "shares_below"]

MAJORITY = Fraction(1, 2)


class OwnershipLoop(InvalidInput):
    """A group of holdings that owns all of itself: no integrated share exists."""


def _fraction(share: float | int | None) -> Fraction:
    # The decimal as written (33.33 -> 3333/10000), not the float's binary value.
    return Fraction(str(share or 0)) / 100


def percent(value: Fraction) -> float:
    """A fraction as a percentage, rounded to six places.

    Parameters
    ----------
    value : Fraction
        A share as a fraction of the whole.

    Returns
    -------
    float
        The share in percent.

    Examples
    --------
    >>> percent(Fraction(2, 3))
    66.666667
    """
    return round(float(value * 100), 6)


def _solve(matrix: list[list[Fraction]], members: list[str]) -> list[Fraction]:
    """Gauss-Jordan elimination of an augmented square system, exactly."""
    k = len(matrix)
    for col in range(k):
        pivot = next((r for r in range(col, k) if matrix[r][col] != 0), None)
        if pivot is None:
            raise OwnershipLoop(f"{', '.join(sorted(members))} hold all of one another: no integrated share exists")
        matrix[col], matrix[pivot] = matrix[pivot], matrix[col]
        row = [value / matrix[col][col] for value in matrix[col]]
        matrix[col] = row
        for r in range(k):
            factor = matrix[r][col]
            if r != col and factor:
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], row)]
    return [matrix[r][k] for r in range(k)]


def integrated_shares(graph: nx.DiGraph, root: str) -> dict[str, Fraction]:
    """Every node's integrated share in ``root``: all walks, cycles included.

    For every node with a path to ``root``: the sum over all walks from it to ``root``
    of the product of the edges' ``w``. That is column ``root`` of A(I−A)⁻¹ when edges
    point from holder to held, and row ``root`` when they are reversed.

    Parameters
    ----------
    graph : networkx.DiGraph
        Edges with ``w``, a ``Fraction``.
    root : str
        The node whose holders are wanted.

    Returns
    -------
    dict of str to Fraction
        Each node with a path to ``root``, ``root`` itself left out.

    Raises
    ------
    OwnershipLoop
        When a group of nodes holds all of itself.

    Examples
    --------
    >>> half = Fraction(1, 2)
    >>> graph = nx.DiGraph()
    >>> graph.add_edges_from([("P", "A"), ("B", "A"), ("A", "B"), ("Q", "B")], w=half)
    >>> sorted(integrated_shares(graph, "A").items())
    [('B', Fraction(2, 3)), ('P', Fraction(2, 3)), ('Q', Fraction(1, 3))]
    """
    if root not in graph:
        return {}
    sub = graph.subgraph(nx.ancestors(graph, root) | {root})
    parts = nx.condensation(sub)
    value: dict[str, Fraction] = {}
    # Holders point at what they hold, so a part's edges lead to parts solved before it.
    for part in reversed(list(nx.topological_sort(parts))):
        members = sorted(parts.nodes[part]["members"])
        index = {node: i for i, node in enumerate(members)}
        k = len(members)
        # x_i = sum over i's edges (i -> j, w) of w * ([j is root] + x_j)
        matrix = [[Fraction(int(i == j)) for j in range(k)] + [Fraction(0)] for i in range(k)]
        for node in members:
            row = matrix[index[node]]
            for _, target, w in sub.out_edges(node, data="w"):
                if target == root:
                    row[k] += w
                if target in index:
                    row[index[target]] -= w
                else:
                    row[k] += w * value[target]
        value.update(zip(members, _solve(matrix, members)))
    value.pop(root, None)
    return value


def shares_below(graph: nx.DiGraph, source: str, rank: dict[str, int]) -> dict[str, Fraction]:
    """``source``'s integrated share in everything below it, when nothing there is on a cycle.

    Row ``source`` of A(I−A)⁻¹ (edges holder -> held with ``w``) in one pass in
    ``rank`` order. The graph-wide derivation calls this for each of 10⁵ holders,
    where solving part by part (``integrated_shares``) costs a condensation each time.

    Parameters
    ----------
    graph : networkx.DiGraph
        Holder -> held, ``w`` a ``Fraction``.
    source : str
        The holder.
    rank : dict of str to int
        A topological order of the nodes below ``source``: a holder ranks before what
        it holds.

    Returns
    -------
    dict of str to Fraction
        ``source``'s share in each node below it.

    Examples
    --------
    >>> graph = nx.DiGraph()
    >>> graph.add_edges_from([("P", "A"), ("A", "B")], w=Fraction(1, 2))
    >>> graph.add_edge("P", "B", w=Fraction(1, 10))
    >>> shares_below(graph, "P", {"P": 0, "A": 1, "B": 2})
    {'A': Fraction(1, 2), 'B': Fraction(7, 20)}
    """
    value = {source: Fraction(1)}
    for node in sorted(nx.descendants(graph, source), key=rank.__getitem__):
        value[node] = sum((value[h] * graph[h][node]["w"] for h in graph.predecessors(node) if h in value),
                          Fraction(0))
    del value[source]
    return value


def holdings_from_rows(rows: Iterable[dict]) -> tuple[nx.DiGraph, list[str]]:
    """The holdings graph of rows read from the store, and its warnings.

    Holder -> held, with ``w`` the direct share as a fraction (periods of one pair in
    force at once added), ``since`` the earliest of their starts and ``owner_kind``
    where the rows give them.

    Parameters
    ----------
    rows : iterable of dict
        ``owner``, ``owned``, ``share`` (percent), and optionally ``valid_from`` and
        ``owner_kind``.

    Returns
    -------
    tuple of (networkx.DiGraph, list of str)
        The graph, and a warning for each enterprise whose holders add up to over 100 %.

    Examples
    --------
    >>> graph, warnings = holdings_from_rows([
    ...     {"owner": "P", "owned": "A", "share": 33.33, "valid_from": "2020-01-01"},
    ...     {"owner": "P", "owned": "A", "share": 50, "valid_from": "2018-05-01"},
    ...     {"owner": "Q", "owned": "A", "share": 20, "valid_from": "2019-01-01"}])
    >>> graph["P"]["A"]["w"], graph["P"]["A"]["since"], warnings
    (Fraction(8333, 10000), '2018-05-01', ['the holdings in A add up to 103.33 %'])
    """
    graph = nx.DiGraph()
    for row in rows:
        a, b = row["owner"], row["owned"]
        if graph.has_edge(a, b):
            edge = graph[a][b]
            edge["w"] += _fraction(row["share"])
            if "valid_from" in row:
                edge["since"] = min(edge["since"], row["valid_from"])
        else:
            graph.add_edge(a, b, w=_fraction(row["share"]), since=row.get("valid_from"),
                           owner_kind=row.get("owner_kind"))
    warnings = []
    for node in graph:
        total = sum((w for _, _, w in graph.in_edges(node, data="w")), Fraction(0))
        if total > 1:
            warnings.append(f"the holdings in {node} add up to {percent(total)} %")
    return graph, sorted(warnings)


def control_chains(graph: nx.DiGraph, controller: str, registered: dict[str, set[str]] | None = None,
                   ) -> dict[str, list[str]]:
    """Everything ``controller`` controls, each with a chain of control from it.

    A majority held by the controller and what it already controls, or a registered
    controllership; to a fixed point.

    Parameters
    ----------
    graph : networkx.DiGraph
        Holder -> held, ``w`` a ``Fraction``.
    controller : str
        The subject whose control is followed.
    registered : dict of str to set of str, optional
        The enterprises each subject is the registered actual controller of.

    Returns
    -------
    dict of str to list of str
        Each controlled enterprise, with the chain from ``controller`` to it.

    Examples
    --------
    >>> graph = nx.DiGraph()
    >>> graph.add_edge("P", "A", w=Fraction(6, 10))
    >>> graph.add_edge("P", "B", w=Fraction(2, 10))
    >>> graph.add_edge("A", "B", w=Fraction(4, 10))
    >>> control_chains(graph, "P", registered={"B": {"C"}})
    {'A': ['P', 'A'], 'B': ['P', 'A', 'B'], 'C': ['P', 'A', 'B', 'C']}
    """
    registered = registered or {}
    chain: dict[str, list[str]] = {controller: [controller]}
    held: dict[str, Fraction] = defaultdict(Fraction)
    biggest: dict[str, tuple[Fraction, str]] = {}
    frontier = [controller]
    while frontier:
        new = []
        for member in frontier:
            for _, company, w in (graph.out_edges(member, data="w") if member in graph else ()):
                held[company] += w
                if company not in biggest or w > biggest[company][0]:
                    biggest[company] = (w, member)
                if company not in chain and held[company] > MAJORITY:
                    chain[company] = chain[biggest[company][1]] + [company]
                    new.append(company)
            for company in sorted(registered.get(member, ())):
                if company not in chain:
                    chain[company] = chain[member] + [company]
                    new.append(company)
        frontier = new
    del chain[controller]
    return chain
