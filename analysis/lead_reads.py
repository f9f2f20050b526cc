"""Reading the parts of the graph the detectors of leads need (``cypher/leads.cypher``).

A few large queries, batched by id where they start from a set of subjects. Each
returns plain rows, sets or dicts; the detectors (``analysis.detect_*``) do the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from graph_model.store.base import Store, read_by_ids

__all__ = ["read_bids", "read_degrees", "read_listed", "read_operating", "read_regions", "read_role_rings",
           "read_roles_taken", "read_ties"]

_BATCH = 5_000


def _read(store: Store, query: str, ids: Iterable[str], **params) -> list[dict]:
    return read_by_ids(store, query, ids, batch_size=_BATCH, **params)


def read_listed(store: Store) -> list[dict]:
    """The entries that were not revoked, with their subject: where every lead starts.

    Parameters
    ----------
    store : Store
        The graph.

    Returns
    -------
    list of dict
        ``leads_listed`` rows: ``id``, ``kind``, ``name``, ``region``, ``entry_id``,
        ``list``, ``determined``, ``state``.

    Examples
    --------
    >>> bundle = Bundle()
    >>> bundle.enterprise("E1", region="440305")
    'E1'
    >>> bundle.entry("N1", "E1", determined="2022-03-01")
    >>> load(bundle)
    >>> [(row["id"], row["region"], row["entry_id"], row["determined"]) for row in read_listed(store)]
    [('E1', '440305', 'N1', '2022-03-01')]
    """
    return store.read("leads_listed")


def read_ties(store: Store, ids: Iterable[str]) -> list[dict]:
    """Who is or was legal rep, principal, controller or holder of ``ids``, with the period.

    Parameters
    ----------
    store : Store
        The graph.
    ids : iterable of str
        Subject ids (the listed enterprises).

    Returns
    -------
    list of dict
        ``leads_ties`` rows: ``tied``, ``tied_kind``, ``listed``, ``role``, ``share``,
        ``valid_from``, ``valid_to``.

    Examples
    --------
    >>> bundle = Bundle()
    >>> bundle.person("P1")[0], bundle.enterprise("E1")
    ('P1', 'E1')
    >>> bundle.role("P1", "LEGAL_REP_OF", "E1", valid_from="2020-01-01")
    >>> load(bundle)
    >>> [(row["tied"], row["role"], row["listed"], row["valid_from"]) for row in read_ties(store, ["E1"])]
    [('P1', 'LEGAL_REP_OF', 'E1', '2020-01-01')]
    """
    return _read(store, "leads_ties", ids)


def read_roles_taken(store: Store, ids: Iterable[str], since: str) -> list[dict]:
    """The roles ``ids`` took in enterprises on or after ``since``.

    Parameters
    ----------
    store : Store
        The graph.
    ids : iterable of str
        Subject ids (those tied to listed enterprises).
    since : str
        An ISO day (``phoenix_since``).

    Returns
    -------
    list of dict
        ``leads_roles_taken`` rows: ``tied``, ``taken``, ``name``, ``region``,
        ``established``, ``role``, ``share``, ``valid_from``.

    Examples
    --------
    >>> bundle = Bundle()
    >>> bundle.person("P1")[0], bundle.enterprise("E1"), bundle.enterprise("E2")
    ('P1', 'E1', 'E2')
    >>> bundle.role("P1", "LEGAL_REP_OF", "E1", valid_from="2019-01-01")
    >>> bundle.role("P1", "LEGAL_REP_OF", "E2", valid_from="2022-06-01")
    >>> load(bundle)
    >>> [(row["tied"], row["taken"], row["valid_from"]) for row in read_roles_taken(store, {"P1"}, "2022-03-01")]
    [('P1', 'E2', '2022-06-01')]
    """
    return _read(store, "leads_roles_taken", ids, since=since)


def read_regions(store: Store, ids: Iterable[str]) -> dict[str, str | None]:
    """The region of each of ``ids``.

    Parameters
    ----------
    store : Store
        The graph.
    ids : iterable of str
        Subject ids.

    Returns
    -------
    dict of str to str or None
        By id; ids not stored are left out.

    Examples
    --------
    >>> bundle = Bundle()
    >>> bundle.enterprise("E1", region="440305")
    'E1'
    >>> load(bundle)
    >>> read_regions(store, ["E1", "E9"])
    {'E1': '440305'}
    """
    return {row["id"]: row["region"] for row in _read(store, "leads_regions", ids)}


def read_operating(store: Store, on: dt.date) -> set[str]:
    """The enterprises with people working in them on ``on`` (staff, managers, key
    persons, a principal): an enterprise without any is a candidate shell.

    Parameters
    ----------
    store : Store
        The graph.
    on : datetime.date
        The day the roles are in force.

    Returns
    -------
    set of str
        Enterprise ids.

    Examples
    --------
    >>> bundle = Bundle()
    >>> bundle.person("P1")[0], bundle.enterprise("E1"), bundle.enterprise("E2")
    ('P1', 'E1', 'E2')
    >>> bundle.role("P1", "MANAGES", "E1")
    >>> load(bundle)
    >>> read_operating(store, dt.date(2024, 6, 1))
    {'E1'}
    """
    return {row["id"] for row in store.read("leads_operating", on=on.isoformat())}


def read_role_rings(store: Store, firms: Iterable[str], on: dt.date, rings: int) -> list[dict]:
    """The person-enterprise roles in force on ``on``, ``rings`` rings out from ``firms``:
    firm -> its people -> their firms -> their people -> ...

    Parameters
    ----------
    store : Store
        The graph.
    firms : iterable of str
        Where the rings start (``listed_firms``).
    on : datetime.date
        The day the roles are in force.
    rings : int
        How many rings are read.

    Returns
    -------
    list of dict
        ``leads_role_edges`` rows (``a``, ``b``, ``b_kind``), ring after ring.

    Examples
    --------
    >>> bundle = Bundle()
    >>> bundle.person("P1")[0], bundle.enterprise("E1"), bundle.enterprise("E2")
    ('P1', 'E1', 'E2')
    >>> bundle.role("P1", "LEGAL_REP_OF", "E1")
    >>> bundle.role("P1", "KEY_PERSON_OF", "E2")
    >>> load(bundle)
    >>> [(row["a"], row["b"]) for row in read_role_rings(store, {"E1"}, dt.date(2024, 6, 1), rings=2)]
    [('E1', 'P1'), ('P1', 'E1'), ('P1', 'E2')]
    """
    rows: list[dict] = []
    frontier, seen = set(firms), set(firms)
    for _ in range(rings):
        ring = _read(store, "leads_role_edges", frontier, on=on.isoformat())
        rows += ring
        frontier = {row["b"] for row in ring} - seen
        seen |= frontier
    return rows


def read_degrees(store: Store, ids: Iterable[str], on: dt.date) -> dict[str, int]:
    """How many subjects each of ``ids`` shares a role in force on ``on`` with: the true
    degree in the role network.

    Parameters
    ----------
    store : Store
        The graph.
    ids : iterable of str
        Subject ids (the members of candidate communities).
    on : datetime.date
        The day the roles are in force.

    Returns
    -------
    dict of str to int
        By id; subjects without a role are left out.

    Examples
    --------
    >>> bundle = Bundle()
    >>> bundle.person("P1")[0], bundle.enterprise("E1"), bundle.enterprise("E2")
    ('P1', 'E1', 'E2')
    >>> bundle.role("P1", "LEGAL_REP_OF", "E1")
    >>> bundle.role("P1", "MANAGES", "E2")
    >>> load(bundle)
    >>> read_degrees(store, ["P1", "E1"], dt.date(2024, 6, 1))
    {'E1': 1, 'P1': 2}
    """
    return {row["id"]: row["degree"] for row in _read(store, "leads_degrees", ids, on=on.isoformat())}


def read_bids(store: Store) -> list[dict]:
    """Every bid, with whether it won: the co-bidding network.

    Parameters
    ----------
    store : Store
        The graph.

    Returns
    -------
    list of dict
        ``tender_bids`` rows: ``bidder``, ``region``, ``tender``, ``won``.

    Examples
    --------
    >>> bundle = Bundle()
    >>> bundle.enterprise("E1", region="440305")
    'E1'
    >>> load(bundle)
    >>> _ = store.write("load_tenders", rows=[{"id": "T1", "props": {"published": "2024-03-01"}}])
    >>> _ = store.write("load_bids", rows=[{"tender_id": "T1", "subject_id": "E1", "won": True, "amount": None}])
    >>> read_bids(store)
    [{'bidder': 'E1', 'region': '440305', 'tender': 'T1', 'won': True}]
    """
    return store.read("tender_bids")
