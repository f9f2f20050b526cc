"""Adapter for FalkorDB through the ``falkordb`` client (the embedded default)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import redis.exceptions
from falkordb import FalkorDB
from falkordb.helpers import stringify_param_value
from falkordb.query_result import parse_scalar

from cypher import Dialect, get_queries
from graph_model.errors import QueryFailed, QueryTimedOut, StoreUnavailable
from graph_model.store.base import StoreBase, WriteSummary, bind, plain
from graph_model.store.falkordb_bulk import BulkRefused, edge_blobs, node_blobs
from graph_model.vocabulary import kinds

__all__ = ["FalkorStore"]

# Errors worth another try: the socket went away (server restart) or the server is
# still loading its append-only file after a restart.
_TRANSIENT = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, redis.exceptions.BusyLoadingError)
# How long a call keeps retrying transient errors before it reports the store down.
_RETRY_BUDGET_S = 10.0
# Value types of FalkorDB's compact reply (ResultSetScalarTypes in the client).
_NULL, _STRING, _INTEGER, _BOOLEAN, _DOUBLE, _ARRAY, _MAP = 1, 2, 3, 4, 5, 6, 10
# A GRAPH.BULK call is one Redis command, and Redis takes at most 1 GB in one.
_BULK_MAX_BYTES = 900 * 1024 * 1024
# How long ensure_schema waits for indexes built over existing nodes.
_INDEX_WAIT_S = 600.0


class FalkorStore(StoreBase):
    """Runs the ``falkordb`` dialect of the query library on one FalkorDB graph."""

    dialect: Dialect = "falkordb"

    def __init__(self, *, unix_socket_path: str | None = None, host: str | None = None,
                 port: int | None = None, graph: str = "sanctionnet",
                 recover: Callable[[], None] | None = None) -> None:
        """``recover`` is called once when the server stops answering; the embedded
        store passes ``EmbeddedServer.ensure_running`` so a dead server is restarted."""
        self.queries = get_queries(self.dialect, kinds)
        self._recover = recover
        self._where = unix_socket_path or f"{host}:{port}"
        if unix_socket_path:
            self._db = FalkorDB(unix_socket_path=unix_socket_path)
        else:
            self._db = FalkorDB(host=host or "127.0.0.1", port=port or 6379)
        self._graph = self._db.select_graph(graph)
        self.graph_name = graph

    def _run(self, name: str, variant: str | None, params: dict[str, Any], *, read_only: bool,
             timeout_ms: int | None = None):
        """Run a query; a read returns its rows, a write the client's result (for its
        statistics)."""
        query = bind(self.queries, name, variant, params)
        params = plain(params)
        deadline = time.monotonic() + _RETRY_BUDGET_S
        delay = 0.05
        recovered = self._recover is None
        while True:
            try:
                if read_only:
                    return self._read_rows(query.text, params, timeout_ms)
                return self._graph.query(query.text, params)
            except _TRANSIENT as exc:
                if not recovered and not isinstance(exc, redis.exceptions.BusyLoadingError):
                    recovered = True
                    self._recover()  # raises StoreUnavailable with the reason if it cannot
                    continue
                if time.monotonic() + delay > deadline:
                    raise StoreUnavailable(f"FalkorDB at {self._where} is not answering: {exc}") from exc
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 1.0)
            except redis.exceptions.ResponseError as exc:
                message = str(exc)
                if "timed out" in message.lower():
                    raise QueryTimedOut(f"query {name!r} ran past {timeout_ms} ms; ask for less "
                                        "(a limit, a date, one subject)") from exc
                if message.startswith("MISCONF") or "append only file" in message.lower():
                    raise StoreUnavailable(f"FalkorDB cannot persist writes: {message}") from exc
                raise QueryFailed(f"query {name!r} failed: {message}") from exc

    def _read_rows(self, text: str, params: dict[str, Any], timeout_ms: int | None) -> list[dict]:
        """GRAPH.RO_QUERY, with its compact reply turned straight into plain rows.

        The client's QueryResult builds typed objects that we would then convert
        again; a check's reply holds hundreds of small values, and doing both passes
        in Python was most of a check's time. Parameters go through the client's own
        quoting (``stringify_param_value``), as its ``ro_query`` does.
        """
        header = "".join(f"`{key}`={stringify_param_value(value)} " for key, value in params.items())
        limit = ("TIMEOUT", str(timeout_ms)) if timeout_ms else ()
        reply = self._graph.execute_command("GRAPH.RO_QUERY", self.graph_name,
                                            f"CYPHER {header}{text}" if header else text, "--compact", *limit)
        for part in (reply[0], reply[-1]):
            if isinstance(part, redis.exceptions.ResponseError):
                raise part
        if len(reply) < 3:
            return []  # statistics only: the query returns no columns
        keys = [column[1] for column in reply[0]]
        return [dict(zip(keys, (self._cell(cell) for cell in row))) for row in reply[1]]

    def _cell(self, cell: list) -> Any:
        kind, value = cell
        if kind == _STRING or kind == _INTEGER:
            return value
        if kind == _NULL:
            return None
        if kind == _MAP:
            return {value[i]: self._cell(value[i + 1]) for i in range(0, len(value), 2)}
        if kind == _ARRAY:
            return [self._cell(item) for item in value]
        if kind == _BOOLEAN:
            return value == "true"
        if kind == _DOUBLE:
            return float(value)
        # Nodes, edges, paths, points, temporal values: the client knows the graph's
        # label and property names these refer to.
        return _plain_value(parse_scalar(cell, self._graph))

    @staticmethod
    def _rows(result) -> list[dict]:
        keys = [column[1] for column in result.header]
        return [dict(zip(keys, (_plain_value(v) for v in row))) for row in result.result_set]

    @staticmethod
    def _summary(result) -> WriteSummary:
        return WriteSummary(
            nodes_created=int(result.nodes_created),
            nodes_deleted=int(result.nodes_deleted),
            relationships_created=int(result.relationships_created),
            relationships_deleted=int(result.relationships_deleted),
            properties_set=int(result.properties_set),
            rows=FalkorStore._rows(result) if result.header else [],
        )

    def read(self, name: str, /, *, variant: str | None = None, timeout_ms: int | None = None,
             **params: Any) -> list[dict]:
        return self._run(name, variant, params, read_only=True, timeout_ms=timeout_ms)

    def write(self, name: str, /, *, variant: str | None = None, **params: Any) -> WriteSummary:
        return self._summary(self._run(name, variant, params, read_only=False))

    def ensure_schema(self) -> None:
        if self._create_indexes():
            # An index created by a CREATE INDEX replayed from the AOF is populated in
            # the background, so every query replayed after it scans: a 3,000-enterprise
            # load took 32 s to recover instead of 0.4 s. In the AOF's base snapshot the
            # index is ready before the replay starts.
            self.checkpoint()

    def _create_indexes(self) -> bool:
        """Create the indexes that are missing and wait until they are built; True if
        any was missing."""
        created = False
        for name in sorted(n for n in self.queries.names() if n.startswith("schema_")):
            try:
                self.write(name)
                created = True
            except QueryFailed as exc:
                if "already indexed" not in str(exc):
                    raise
        if created:
            self._await_indexes()
        return created

    def _await_indexes(self) -> None:
        """Wait until no index over existing nodes is still being built (FalkorDB
        builds one in the background; until then look-ups by it scan the label).
        An index of a label with no nodes yet reads "0/0" and needs no wait."""
        deadline = time.monotonic() + _INDEX_WAIT_S
        while time.monotonic() < deadline:
            building = [row for row in self.read("index_states")
                        if "UNDER CONSTRUCTION" in row["state"] and " 0/0:" not in row["state"]]
            if not building:
                return
            time.sleep(0.02)
        raise StoreUnavailable(f"FalkorDB's indexes were not built after {_INDEX_WAIT_S:.0f} s: {building}")

    def _has_nodes(self) -> bool:
        # A graph that was never written has no key, and a query on it is an error.
        try:
            exists = self._db.connection.exists(self.graph_name)
        except _TRANSIENT as exc:
            raise StoreUnavailable(f"FalkorDB at {self._where} is not answering: {exc}") from exc
        return bool(exists) and self.read("count_nodes")[0]["n"] > 0

    def create_graph(self, nodes: Mapping[tuple[str, ...], Sequence[dict]],
                     relationships: Mapping[str, Sequence[dict]]) -> bool:
        """Create the whole graph in one GRAPH.BULK command, if the graph has no node.

        ``nodes`` maps a label set to rows as ``load_subjects`` takes them (``id`` and
        ``props``); ``relationships`` maps a type to rows as ``load_relations`` takes
        them (``from_id``, ``to_id`` and the properties). It all happens or none of it
        does, and only while the graph is empty: a write by anyone else between the
        check and the command aborts it (WATCH). Returns False, having written nothing,
        when the graph has nodes, a value has no bulk encoding, or the whole is over
        Redis's 1 GB command limit; the caller then loads through Cypher. Indexes are
        built again before it returns. GRAPH.BULK is written to the append-only file
        like any write; the caller checkpoints when its load is done.
        """
        if self._has_nodes():
            return False
        ids: dict[str, int] = {}
        node_parts: list[bytes] = []
        try:
            for labels, rows in nodes.items():
                for row in rows:
                    ids.setdefault(row["id"], len(ids))
                node_parts += node_blobs(labels, rows)
            if len(ids) != sum(map(len, nodes.values())):
                raise ValueError("create_graph: node ids are not unique")
            edge_parts = [blob for rel, rows in relationships.items() for blob in edge_blobs(rel, rows, ids)]
        except (BulkRefused, KeyError):
            return False  # KeyError: a relationship to a node not given, so not an empty graph
        if sum(map(len, node_parts)) + sum(map(len, edge_parts)) > _BULK_MAX_BYTES:
            return False
        edge_count = sum(map(len, relationships.values()))
        connection = self._db.connection
        try:
            with connection.pipeline(transaction=True) as pipe:
                pipe.watch(self.graph_name)
                if self._has_nodes():
                    return False
                pipe.multi()
                # BEGIN needs the key unused; an empty graph key holds only the schema,
                # which ensure_schema creates again below.
                pipe.delete(self.graph_name)
                pipe.execute_command("GRAPH.BULK", self.graph_name, "BEGIN", len(ids), edge_count,
                                     len(node_parts), len(edge_parts), *node_parts, *edge_parts)
                pipe.execute()
        except (redis.exceptions.WatchError, redis.exceptions.ResponseError):
            # Written by someone else meanwhile (WATCH), or the command was refused: no
            # node was created (the DEL of the empty key may have run; the schema is made
            # again below). A command over Redis's limit closes the connection instead,
            # hence the size check above.
            return False
        except _TRANSIENT as exc:
            raise StoreUnavailable(f"FalkorDB at {self._where} is not answering: {exc}") from exc
        finally:
            self._create_indexes()  # the deleted key took the schema with it
        return True

    def checkpoint(self, timeout: float = 600.0) -> None:
        """Rewrite the append-only file into a snapshot, so a restart loads it instead
        of replaying every query; waits until the rewrite is done."""
        connection = self._db.connection
        try:
            if not connection.info("persistence").get("aof_enabled"):
                return
            try:
                connection.bgrewriteaof()
            except redis.exceptions.ResponseError as exc:
                # Another load's checkpoint is running: waiting for it is as good.
                if "already in progress" not in str(exc):
                    raise
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                state = connection.info("persistence")
                if not (state["aof_rewrite_in_progress"] or state["aof_rewrite_scheduled"]):
                    if state.get("aof_last_bgrewrite_status", "ok") != "ok":
                        raise StoreUnavailable("FalkorDB could not rewrite its append-only file; see its log")
                    return
                time.sleep(0.02)
        except _TRANSIENT as exc:
            raise StoreUnavailable(f"FalkorDB at {self._where} is not answering: {exc}") from exc

    def drop_graph(self) -> None:
        """Delete the whole graph (tests and ``db reset``); no error if it is absent."""
        try:
            self._graph.delete()
        except redis.exceptions.ResponseError:
            pass

    def close(self) -> None:
        self._db.connection.close()


def _plain_value(value: Any) -> Any:
    # Queries return maps and scalars; a stray node or edge is turned into its
    # properties so that no driver object leaves the adapter.
    if hasattr(value, "properties") and isinstance(value.properties, dict):
        return dict(value.properties)
    if isinstance(value, dict):
        return {k: _plain_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_value(v) for v in value]
    return value
