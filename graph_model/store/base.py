"""The store interface both adapters implement, and what they share.

Adapters take a query *name* from the ``cypher`` registry, never query text, and
return plain dicts. Only adapters retry, and only on transient errors; callers can
rely on every write being idempotent (MERGE / UNWIND), so a retried write is safe.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, TypeVar, runtime_checkable

from cypher import Dialect, Queries, Query
from graph_model.errors import QueryFailed

__all__ = ["Store", "StoreBase", "TimeLimited", "WriteSummary", "bind", "batched", "plain", "read_by_ids"]

T = TypeVar("T")


@dataclass
class WriteSummary:
    """What one write changed, summed over its batches."""

    nodes_created: int = 0
    nodes_deleted: int = 0
    relationships_created: int = 0
    relationships_deleted: int = 0
    properties_set: int = 0
    rows: list[dict] = field(default_factory=list)

    def add(self, other: WriteSummary) -> None:
        self.nodes_created += other.nodes_created
        self.nodes_deleted += other.nodes_deleted
        self.relationships_created += other.relationships_created
        self.relationships_deleted += other.relationships_deleted
        self.properties_set += other.properties_set
        self.rows.extend(other.rows)


@runtime_checkable
class Store(Protocol):
    """A graph store that runs named Cypher queries of one dialect."""

    dialect: Dialect
    queries: Queries

    def read(self, name: str, /, *, variant: str | None = None, timeout_ms: int | None = None,
             **params: Any) -> list[dict]:
        """Run a read query; one dict per record, keyed by the RETURN names. With
        ``timeout_ms`` the store stops it after that long (``QueryTimedOut``)."""
        ...

    def read_one(self, name: str, /, *, variant: str | None = None, timeout_ms: int | None = None,
                 **params: Any) -> dict | None:
        """Like ``read`` for a query that returns at most one record (None if none)."""
        ...

    def write(self, name: str, /, *, variant: str | None = None, **params: Any) -> WriteSummary:
        """Run one write query atomically: it all happens or none of it does."""
        ...

    def write_rows(
        self,
        name: str,
        rows: Iterable[dict],
        /,
        *,
        variant: str | None = None,
        batch_size: int = 20_000,
        **params: Any,
    ) -> WriteSummary:
        """Run ``name`` once per batch of rows, passed as ``$rows``; each batch is atomic."""
        ...

    def create_graph(self, nodes: Mapping[tuple[str, ...], Sequence[dict]],
                     relationships: Mapping[str, Sequence[dict]]) -> bool:
        """Create nodes (by label set, rows as ``load_subjects`` takes them) and
        relationships (by type, rows as ``load_relations`` takes them) in one step if
        the graph has no node; False, with nothing written, when this store cannot or
        the graph is not empty."""
        ...

    def ensure_schema(self) -> None:
        """Create every index and constraint (queries named ``schema_*``); idempotent."""
        ...

    def checkpoint(self) -> None:
        """Make the durable state compact after bulk writes, so recovery is fast."""
        ...

    def close(self) -> None:
        """Release connections. The embedded server keeps running (see ``db stop``)."""
        ...


class StoreBase:
    """What both adapters derive from ``read`` and ``write``."""

    def read(self, name: str, /, *, variant: str | None = None, timeout_ms: int | None = None,
             **params: Any) -> list[dict]:
        raise NotImplementedError

    def write(self, name: str, /, *, variant: str | None = None, **params: Any) -> WriteSummary:
        raise NotImplementedError

    def create_graph(self, nodes: Mapping[tuple[str, ...], Sequence[dict]],
                     relationships: Mapping[str, Sequence[dict]]) -> bool:
        # No bulk path: the loader writes through its UNWIND ... MERGE queries.
        return False

    def read_one(self, name: str, /, *, variant: str | None = None, timeout_ms: int | None = None,
                 **params: Any) -> dict | None:
        rows = self.read(name, variant=variant, timeout_ms=timeout_ms, **params)
        if len(rows) > 1:
            raise QueryFailed(f"query {name!r} returned {len(rows)} records, expected at most one")
        return rows[0] if rows else None

    def write_rows(self, name: str, rows: Iterable[dict], /, *, variant: str | None = None,
                   batch_size: int = 20_000, **params: Any) -> WriteSummary:
        total = WriteSummary()
        for batch in batched(rows, batch_size):
            total.add(self.write(name, variant=variant, rows=batch, **params))
        return total


class TimeLimited:
    """A store whose every read stops after ``timeout_ms`` (``QueryTimedOut``); writes,
    and the reads inside them, run to the end as on the store itself.

    The API hands this to the domain for GET requests and batch checks, so a read
    cannot hold a worker; loads, analyses and the CLI use the store as it is.
    """

    def __init__(self, store: Store, timeout_ms: int) -> None:
        self.store = store
        self.timeout_ms = timeout_ms
        self.dialect = store.dialect
        self.queries = store.queries

    def read(self, name: str, /, *, variant: str | None = None, **params: Any) -> list[dict]:
        return self.store.read(name, variant=variant, timeout_ms=self.timeout_ms, **params)

    def read_one(self, name: str, /, *, variant: str | None = None, **params: Any) -> dict | None:
        return self.store.read_one(name, variant=variant, timeout_ms=self.timeout_ms, **params)

    def __getattr__(self, attribute: str) -> Any:
        # write, write_rows, create_graph, ensure_schema, checkpoint, close: as they are.
        return getattr(self.store, attribute)


def read_by_ids(store: Store, name: str, ids: Iterable[str], *, batch_size: int = 5_000, **params: Any) -> list[dict]:
    """The rows of ``name`` for every id of ``ids``, passed as ``$ids`` in sorted batches
    of ``batch_size`` (a long list is one parameter, and its size bounds a statement)."""
    return [row for batch in batched(sorted(set(ids)), batch_size) for row in store.read(name, ids=batch, **params)]


def bind(queries: Queries, name: str, variant: str | None, params: dict[str, Any]) -> Query:
    """The query for a call, after checking the call passes exactly its ``$params``.

    A missing parameter would silently be null in Cypher, and an extra one means the
    caller and the query text disagree; both are programming errors.
    """
    query = queries.get(name, variant)
    given = set(params)
    if given != query.params:
        missing = sorted(query.params - given)
        extra = sorted(given - query.params)
        raise TypeError(f"query {name!r}: missing parameters {missing}, unexpected {extra}")
    return query


def batched(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items."""
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def plain(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters as both stores accept them: a date parameter becomes its ISO string.

    Only top-level values are converted; rows passed in bulk must already be plain
    (walking every row of a 20,000-row batch cost more than the write itself).
    """
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in params.items()}
