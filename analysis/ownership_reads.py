"""Reading the ownership network from the store (``cypher/ownership.cypher``).

Around one subject the network is walked one level per query, until nothing new is
found; what controls what is decided in memory, by the pure functions of
``analysis.ownership`` and ``analysis.owner_rule``. The whole network on a day
(``holdings_graph``) and every registered controllership are read in one query each,
for leads and candidate controllers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import networkx as nx

from analysis.ownership import control_chains, holdings_from_rows
from graph_model.errors import InvalidInput
from graph_model.store.base import Store, batched, read_by_ids

__all__ = ["MAX_SUBJECTS", "holdings_graph", "read_officers", "read_registered_controllers", "read_registrations",
           "walk_control", "walk_holders"]

# A walk that reaches more subjects than this stops with an error instead of going on.
MAX_SUBJECTS = 50_000
_BATCH = 5_000


def _walk(store: Store, query: str, starts: set[str], on: dt.date, far: str, seen: set[str]) -> list[dict]:
    """Rows of ``query`` from ``starts`` outwards, level by level, until nothing new;
    ``seen`` (the subjects already walked) grows as it goes."""
    seen |= starts
    start, frontier, rows = min(starts), set(starts), []
    while frontier:
        found = read_by_ids(store, query, frontier, batch_size=_BATCH, on=on.isoformat())
        rows += found
        frontier = {row[far] for row in found} - seen
        seen |= frontier
        if len(seen) > MAX_SUBJECTS:
            raise InvalidInput(f"the holdings around {start} reach more than {MAX_SUBJECTS:,} subjects; "
                               "this analysis is for one network, not the whole graph")
    return rows


def walk_holders(store: Store, target: str, on: dt.date) -> list[dict]:
    """The holdings above ``target`` on ``on``: its holders, theirs, and so on.

    Parameters
    ----------
    store : Store
        The graph.
    target : str
        A subject id.
    on : datetime.date
        The day the holdings are in force.

    Returns
    -------
    list of dict
        ``holders_of`` rows: ``owner``, ``owner_kind``, ``owner_name``, ``owned``, ``share``.

    Raises
    ------
    InvalidInput
        When the walk reaches more than ``MAX_SUBJECTS`` subjects.

    Examples
    --------
    >>> bundle = Bundle()
    >>> bundle.enterprise("E1"), bundle.enterprise("H1"), bundle.person("P1")[0]
    ('E1', 'H1', 'P1')
    >>> bundle.role("H1", "HOLDS_SHARES", "E1", share="60")
    >>> bundle.role("P1", "HOLDS_SHARES", "H1", share="50")
    >>> load(bundle)
    >>> [(row["owner"], row["owned"], row["share"]) for row in walk_holders(store, "E1", dt.date(2024, 6, 1))]
    [('H1', 'E1', 60.0), ('P1', 'H1', 50.0)]
    """
    return _walk(store, "holders_of", {target}, on, "owner", set())


def walk_control(store: Store, source: str, on: dt.date) -> tuple[list[dict], list[dict]]:
    """The holdings below ``source`` on ``on``, and the registered controllerships of what
    it comes to control, whose holdings are walked in turn.

    Parameters
    ----------
    store : Store
        The graph.
    source : str
        A subject id.
    on : datetime.date
        The day the holdings and registrations are in force.

    Returns
    -------
    tuple of (list of dict, list of dict)
        ``holdings_of`` rows (``owner``, ``owned``, ``owned_kind``, ``owned_name``,
        ``share``) and ``registered_controlled`` rows (``controller``, ``controlled``,
        ``kind``, ``name``).

    Examples
    --------
    >>> bundle = Bundle()
    >>> bundle.person("P1")[0], bundle.enterprise("E1"), bundle.enterprise("E2")
    ('P1', 'E1', 'E2')
    >>> bundle.role("P1", "HOLDS_SHARES", "E1", share="60")
    >>> bundle.role("E1", "ACTUAL_CONTROLLER_OF", "E2")
    >>> load(bundle)
    >>> rows, registered = walk_control(store, "P1", dt.date(2024, 6, 1))
    >>> [(row["owner"], row["owned"]) for row in rows], [(row["controller"], row["controlled"]) for row in registered]
    ([('P1', 'E1')], [('E1', 'E2')])
    """
    walked: set[str] = set()
    rows = _walk(store, "holdings_of", {source}, on, "owned", walked)
    registered: dict[str, set[str]] = {}
    registered_rows: list[dict] = []
    while True:
        # Registrations are read for the subject and for everything it comes to control.
        members = ({source} | set(control_chains(holdings_from_rows(rows)[0], source, registered))) - set(registered)
        if not members:
            break
        for member in members:
            registered[member] = set()
        for batch in batched(sorted(members), _BATCH):
            for row in store.read("registered_controlled", ids=batch, on=on.isoformat()):
                registered_rows.append(row)
                registered[row["controller"]].add(row["controlled"])
        new = {c for cs in registered.values() for c in cs} - walked
        if new:
            rows += _walk(store, "holdings_of", new, on, "owned", walked)
    return rows, registered_rows


def read_registered_controllers(store: Store, ids: Iterable[str], on: dt.date) -> list[dict]:
    """The registered actual controllers of ``ids`` on ``on``.

    Parameters
    ----------
    store : Store
        The graph.
    ids : iterable of str
        Subject ids (``OwnerNetwork.registration_targets``).
    on : datetime.date
        The day the registrations are in force.

    Returns
    -------
    list of dict
        ``registered_controllers_of`` rows: ``id``, ``kind``, ``name``, ``controlled``.

    Examples
    --------
    >>> bundle = Bundle()
    >>> bundle.person("P1", "张三")[0], bundle.enterprise("E1")
    ('P1', 'E1')
    >>> bundle.role("P1", "ACTUAL_CONTROLLER_OF", "E1", valid_from="2020-01-01")
    >>> load(bundle)
    >>> read_registered_controllers(store, {"E1"}, dt.date(2024, 6, 1))
    [{'id': 'P1', 'kind': 'person', 'name': '张三', 'controlled': 'E1'}]
    """
    return read_by_ids(store, "registered_controllers_of", ids, batch_size=_BATCH, on=on.isoformat())


def read_officers(store: Store, target: str, on: dt.date) -> list[dict]:
    """The registered controllers and senior managers of ``target`` on ``on``.

    Parameters
    ----------
    store : Store
        The graph.
    target : str
        A subject id.
    on : datetime.date
        The day the roles are in force.

    Returns
    -------
    list of dict
        ``officers_of`` rows: ``id``, ``kind``, ``name``, ``role``.

    Examples
    --------
    >>> bundle = Bundle()
    >>> bundle.person("P1", "张三")[0], bundle.enterprise("E1")
    ('P1', 'E1')
    >>> bundle.role("P1", "LEGAL_REP_OF", "E1")
    >>> load(bundle)
    >>> read_officers(store, "E1", dt.date(2024, 6, 1))
    [{'id': 'P1', 'kind': 'person', 'name': '张三', 'role': 'LEGAL_REP_OF'}]
    """
    return store.read("officers_of", id=target, on=on.isoformat())


def holdings_graph(store: Store, on: dt.date) -> nx.DiGraph:
    """Holder -> held for every shareholding in force on ``on``.

    With ``w``, ``since`` and ``owner_kind`` as ``holdings_from_rows`` builds them, and
    without an enterprise's holding of its own shares: that makes no cycle and no control.

    Parameters
    ----------
    store : Store
        The graph.
    on : datetime.date
        The day the holdings are in force.

    Returns
    -------
    networkx.DiGraph
        The whole shareholding network.

    Examples
    --------
    >>> bundle = Bundle()
    >>> bundle.enterprise("E1"), bundle.enterprise("E2")
    ('E1', 'E2')
    >>> bundle.role("E1", "HOLDS_SHARES", "E2", share="30", valid_from="2020-01-01")
    >>> load(bundle)
    >>> list(holdings_graph(store, dt.date(2024, 6, 1)).edges(data=True))
    [('E1', 'E2', {'w': Fraction(3, 10), 'since': '2020-01-01', 'owner_kind': 'enterprise'})]
    """
    graph, _ = holdings_from_rows(store.read("holdings_on", on=on.isoformat()))
    graph.remove_edges_from(list(nx.selfloop_edges(graph)))
    return graph


def read_registrations(store: Store, on: dt.date) -> list[dict]:
    """Every registered actual controllership in force on ``on``.

    Parameters
    ----------
    store : Store
        The graph.
    on : datetime.date
        The day the registrations are in force.

    Returns
    -------
    list of dict
        ``registered_controllers_on`` rows: ``controller``, ``kind``, ``enterprise``,
        ``valid_from``.

    Examples
    --------
    >>> bundle = Bundle()
    >>> bundle.person("P1")[0], bundle.enterprise("E1")
    ('P1', 'E1')
    >>> bundle.role("P1", "ACTUAL_CONTROLLER_OF", "E1", valid_from="2020-01-01")
    >>> load(bundle)
    >>> [(row["controller"], row["kind"], row["enterprise"], row["valid_from"])
    ...  for row in read_registrations(store, dt.date(2024, 6, 1))]
    [('P1', 'person', 'E1', '2020-01-01')]
    """
    return store.read("registered_controllers_on", on=on.isoformat())
