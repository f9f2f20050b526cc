"""Graph Data Science (GDS) on a Neo4j store: whether it is there, and the lifecycle of
its projections (``cypher/gds.cypher``).

The network analyses of leads pull their networks into Python (networkx); at national
size that is hundreds of GB in one process (docs/scaling.md). On Neo4j with GDS they
run where the graph is instead (``analysis.gds_leads``): a Cypher projection of what is
in force on the day goes into GDS's in-memory catalogue under a name of its own, an
algorithm streams its result back, and the projection is dropped, whatever happened.
GDS keeps projections on the server's heap until they are dropped, so a projection
left behind would hold memory until a restart.
"""

from __future__ import annotations

import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import structlog

from graph_model.errors import QueryFailed, SanctionnetError
from graph_model.store.base import Store

__all__ = ["Projection", "graph_name", "has_gds", "list_projections", "projection"]

log = structlog.get_logger(__name__)

# Whether each store has GDS: asked once per store (a query per analysis otherwise).
# Weak keys, so a closed and dropped store is forgotten.
_HAS_GDS: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


class Projection(NamedTuple):
    """A projection in GDS's catalogue: its name and size."""

    name: str
    nodes: int
    relationships: int


def has_gds(store: Store) -> bool:
    """Whether ``store`` is a Neo4j on which GDS answers: the analyses then run there.

    Asked once per store (``CALL gds.version()``) and remembered. Only the ``neo4j``
    dialect is asked; FalkorDB (embedded, or over Bolt) has no GDS.

    Parameters
    ----------
    store : Store
        The graph.

    Returns
    -------
    bool
        True when ``gds.version()`` answers.

    Raises
    ------
    StoreUnavailable
        When the store does not answer (nothing is remembered then).

    Examples
    --------
    The embedded FalkorDB has no GDS, so the analyses run in Python there:

    >>> has_gds(store)
    False
    """
    if store.dialect != "neo4j":
        return False
    try:
        return _HAS_GDS[store]
    except KeyError:
        pass
    try:
        version = store.read_one("gds_version")
    except QueryFailed as exc:  # no such procedure: GDS is not installed
        log.info("gds absent; analyses run in python", reason=str(exc)[:200])
        found = False
    else:
        log.info("gds present; network analyses run on it", version=version and version["version"])
        found = version is not None
    _HAS_GDS[store] = found
    return found


def graph_name(purpose: str) -> str:
    """A projection name no other run uses: ``sanctionnet-<purpose>-<random hex>``.

    Two analyses at once (two processes, or a split inside one) each get their own
    graph in the catalogue, and a name never reaches a query's text, only ``$graph``.

    Parameters
    ----------
    purpose : str
        What the projection is for (``holdings``, ``roles``...), to read the catalogue by.

    Returns
    -------
    str
        The name.

    Examples
    --------
    >>> name = graph_name("holdings")
    >>> name.startswith("sanctionnet-holdings-"), len(name), name == graph_name("holdings")
    (True, 53, False)
    """
    return f"sanctionnet-{purpose}-{uuid.uuid4().hex}"


@contextmanager
def projection(store: Store, query: str, purpose: str, **params: Any) -> Iterator[Projection | None]:
    """Project with ``query`` under a new name; drop the projection when the block ends.

    The projection is dropped on the way out, also when the projection itself or the
    block raised (the error is then the block's; one from the drop is logged). GDS
    makes no projection of zero relationships: the block then gets None.

    Parameters
    ----------
    store : Store
        A Neo4j store with GDS (``has_gds``).
    query : str
        A ``gds_project_*`` query: it takes ``$graph`` and returns ``graph``, ``nodes``
        and ``relationships``.
    purpose : str
        For the name (``graph_name``).
    **params
        The query's other parameters (``on``...).

    Yields
    ------
    Projection or None
        The projection, or None when nothing was projected.

    Examples
    --------
    Every projection gets a name of its own, so nothing else can drop or reuse it:

    >>> graph_name("roles") != graph_name("roles")
    True
    """
    name = graph_name(purpose)
    try:
        row = store.read_one(query, graph=name, **params)
        yield Projection(name, row["nodes"], row["relationships"]) if row and row["graph"] else None
    except BaseException:
        try:
            store.read("gds_drop", graph=name)
        except SanctionnetError as exc:  # keep the first error: it says what went wrong
            log.warning("gds projection not dropped after an error", graph=name, error=str(exc)[:200])
        raise
    store.read("gds_drop", graph=name)


def list_projections(store: Store) -> list[dict]:
    """The projections in GDS's catalogue on ``store``'s database: none is left by an
    analysis, so any found is another program's or a crashed run's.

    Parameters
    ----------
    store : Store
        A Neo4j store with GDS (``has_gds``).

    Returns
    -------
    list of dict
        ``gds_graphs`` rows: ``graph``, ``nodes``, ``relationships``, ``created``.

    Examples
    --------
    Without GDS there is no catalogue to list:

    >>> has_gds(store) and list_projections(store)
    False
    """
    return store.read("gds_graphs")
