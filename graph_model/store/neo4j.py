"""Adapter for Neo4j 5 / 2025.x (and Bolt servers such as Memgraph) via the official driver."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import neo4j
import structlog
from neo4j import GraphDatabase
from neo4j.api import BookmarkManager
from neo4j.exceptions import (
    AuthError,
    ClientError,
    DatabaseUnavailable,
    DriverError,
    Forbidden,
    ForbiddenOnReadOnlyDatabase,
    IncompleteCommit,
    Neo4jError,
    NotALeader,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from cypher import Dialect, Queries, get_queries
from graph_model.errors import (
    ConstraintViolated,
    QueryFailed,
    QueryTimedOut,
    SanctionnetError,
    StoreBusy,
    StoreUnavailable,
    WriteUncertain,
)
from graph_model.store.base import StoreBase, WriteSummary, bind, plain
from graph_model.vocabulary import kinds

__all__ = ["Neo4jStore", "bookmark_manager", "store_error"]

log = structlog.get_logger(__name__)


class SchemaForbidden(QueryFailed):
    """The user may not create indexes or constraints."""


# Neo4j status codes (5.26, org.neo4j.kernel.api.exceptions.Status) of transient errors
# that mean no member can serve the database now, rather than that it is busy.
_UNAVAILABLE = frozenset({
    "Neo.TransientError.General.DatabaseUnavailable",
    "Neo.TransientError.Transaction.LeaderSwitch",
    "Neo.TransientError.Transaction.LeaseExpired",
    "Neo.TransientError.Cluster.ReplicationFailure",
})
# Lock conflicts: the other transaction finishes soon, so a retry a second later works.
_LOCKS = frozenset({
    "Neo.TransientError.Transaction.DeadlockDetected",
    "Neo.TransientError.Transaction.LockAcquisitionTimeout",
})
# Memory pools: other queries must finish first, and a smaller request may fit.
_MEMORY = frozenset({
    "Neo.TransientError.General.MemoryPoolOutOfMemoryError",
    "Neo.TransientError.General.TransactionMemoryLimit",
    "Neo.TransientError.General.OutOfMemoryError",
})
# Seconds a caller should wait after a lock conflict, and after any other busy error
# (memory, transaction limit, a follower behind a bookmark): the driver has already
# retried for 30 s with back-off, so this is about load, not a blip.
_LOCK_RETRY_AFTER_S = 1.0
_BUSY_RETRY_AFTER_S = 5.0

# One bookmark manager per database for the whole process; see bookmark_manager.
_bookmark_managers: dict[tuple[str, str, str | None], BookmarkManager] = {}
_bookmark_managers_lock = threading.Lock()


def bookmark_manager(uri: str, user: str, database: str | None) -> BookmarkManager:
    """The process's bookmark manager for ``database`` at ``uri`` as ``user``.

    Every session a ``Neo4jStore`` opens takes it, in every thread and every store on
    that database: a transaction starts only once the server it reaches has applied
    the last transaction this process committed there (causal consistency). On a
    cluster, a read routed to a follower right after a write (``transition`` reading
    the entry, ``propagate`` reading what is unsettled, the tasks reading their facts)
    would otherwise see the state before it. Keyed by the user too because with no
    database named the user's home database is used; a bookmark speaks of one database.
    """
    key = (uri, user, database)
    with _bookmark_managers_lock:
        manager = _bookmark_managers.get(key)
        if manager is None:
            manager = _bookmark_managers[key] = GraphDatabase.bookmark_manager()
        return manager


def store_error(exc: Neo4jError | DriverError, *, query: str, where: str, wrote: bool,
                timeout_ms: int | None = None) -> SanctionnetError:
    """The sanctionnet error for a driver error that survived the driver's retries.

    ``query`` names the query, ``where`` the server, ``wrote`` whether it was a write
    transaction (a broken commit is then uncertain, not just unavailable) and
    ``timeout_ms`` the read's time limit, if any.
    """
    if isinstance(exc, IncompleteCommit) and wrote:
        return WriteUncertain(f"the connection to Neo4j at {where} broke while query {query!r} was committing: "
                              "it may or may not have been written; read the state before acting again")
    if isinstance(exc, ServiceUnavailable | SessionExpired):
        return StoreUnavailable(f"Neo4j at {where} is not answering: {exc}")
    if isinstance(exc, AuthError):
        return StoreUnavailable(f"Neo4j at {where} refused the credentials: {exc.message}")
    if isinstance(exc, Forbidden):
        return SchemaForbidden(f"query {query!r}: {exc.message}")
    if isinstance(exc, TransientError):
        return _transient(exc, query, where)
    if isinstance(exc, ClientError):
        code = exc.code or ""
        if "TransactionTimedOut" in code:
            limit = f"{timeout_ms} ms" if timeout_ms else "the server's transaction time limit"
            return QueryTimedOut(f"query {query!r} ran past {limit}; ask for less (a limit, a date, one subject)")
        if "ConstraintValidationFailed" in code:
            return ConstraintViolated(f"query {query!r}: {exc.message}")
        return QueryFailed(f"query {query!r} failed: {exc.code}: {exc.message}")
    return QueryFailed(f"query {query!r} failed: {exc}")


def _transient(exc: TransientError, query: str, where: str) -> StoreUnavailable:
    code = exc.code
    if isinstance(exc, DatabaseUnavailable) or code in _UNAVAILABLE:
        return StoreUnavailable(f"Neo4j at {where} cannot serve the database now ({code}): {exc.message}")
    if isinstance(exc, NotALeader | ForbiddenOnReadOnlyDatabase):
        return StoreUnavailable(f"Neo4j at {where} has no member that takes writes now ({code})")
    if code in _LOCKS:
        return StoreBusy(f"Neo4j at {where}: query {query!r} kept conflicting with other writes over locks "
                         f"({code}); try again", retry_after=_LOCK_RETRY_AFTER_S)
    if code in _MEMORY:
        return StoreBusy(f"Neo4j at {where} has no memory free for query {query!r} ({code}); try again later "
                         "or ask for less", retry_after=_BUSY_RETRY_AFTER_S)
    return StoreBusy(f"Neo4j at {where} could not take query {query!r} now ({code}); try again later",
                     retry_after=_BUSY_RETRY_AFTER_S)


class Neo4jStore(StoreBase):
    """Runs the query library over Bolt; the driver retries transient errors."""

    def __init__(self, uri: str, *, user: str = "neo4j", password: str = "", database: str | None = None,
                 dialect: Dialect = "neo4j") -> None:
        self.dialect = dialect
        self.queries = get_queries(dialect, kinds)
        self._uri = uri
        self._database = database
        self._driver = GraphDatabase.driver(uri, auth=(user, password))
        self._bookmarks = bookmark_manager(uri, user, database)

    def _session(self, mode: str) -> neo4j.Session:
        # Writes go to the leader (WRITE_ACCESS, execute_write); every session, read or
        # write, waits for the process's last write there (bookmark_manager).
        return self._driver.session(database=self._database, default_access_mode=mode,
                                    bookmark_manager=self._bookmarks)

    def _run(self, name: str, variant: str | None, params: dict[str, Any], *, read_only: bool,
             timeout_ms: int | None = None):
        query = bind(self.queries, name, variant, params)
        params = plain(params)

        def work(tx: neo4j.ManagedTransaction):
            result = tx.run(query.text, params)
            records = [record.data() for record in result]
            return records, result.consume().counters

        if read_only and timeout_ms:
            work = neo4j.unit_of_work(timeout=timeout_ms / 1000)(work)

        try:
            with self._session(neo4j.READ_ACCESS if read_only else neo4j.WRITE_ACCESS) as session:
                if read_only:
                    return session.execute_read(work)
                return session.execute_write(work)
        except (Neo4jError, DriverError) as exc:
            raise store_error(exc, query=name, where=self._uri, wrote=not read_only,
                              timeout_ms=timeout_ms) from exc

    def read(self, name: str, /, *, variant: str | None = None, timeout_ms: int | None = None,
             **params: Any) -> list[dict]:
        records, _ = self._run(name, variant, params, read_only=True, timeout_ms=timeout_ms)
        return records

    def write(self, name: str, /, *, variant: str | None = None, **params: Any) -> WriteSummary:
        records, counters = self._run(name, variant, params, read_only=False)
        return WriteSummary(
            nodes_created=counters.nodes_created,
            nodes_deleted=counters.nodes_deleted,
            relationships_created=counters.relationships_created,
            relationships_deleted=counters.relationships_deleted,
            properties_set=counters.properties_set,
            rows=records,
        )

    def ensure_schema(self) -> None:
        """Create the indexes and constraints (the ``schema_*`` queries), then wait until
        each is ONLINE. A user without the right to create them is refused each one; all
        are tried (Neo4j grants index and constraint management apart), then what exists
        is checked, and a missing one is an error naming it (docs/neo4j.md, "Schema")."""
        refused = []
        for name in sorted(n for n in self.queries.names() if n.startswith("schema_")):
            try:
                self.write(name)
            except SchemaForbidden:
                # A read/write user may not run schema commands, even IF NOT EXISTS ones.
                refused.append(name)
            except QueryFailed:
                # The falkordb dialect over Bolt (tests) cannot say IF NOT EXISTS, and
                # FalkorDB's Bolt port hides the "already indexed" message.
                if self.dialect != "falkordb":
                    raise
        if self.dialect == "falkordb":
            return  # FalkorDB's Bolt port (tests): its DDL names nothing to check, on an empty graph
        if refused:
            log.warning("no right to create the schema; checking that it exists", refused=refused)
        self._await_schema(refused=bool(refused))

    def _await_schema(self, *, refused: bool) -> None:
        """Wait until every index and constraint of the schema queries is ONLINE (Neo4j
        builds one over existing nodes in the background, and until then a look-up by it
        scans); raise if one is missing or FAILED, or still building after
        ``_SCHEMA_WAIT_S``."""
        required = _required_schema(self.queries)
        deadline = time.monotonic() + _SCHEMA_WAIT_S
        delay = 0.02
        while True:
            states = _schema_states(required, self.read("existing_indexes"))
            missing = [_describe(name, required[name]) for name, state in states.items() if state is None]
            if missing and refused:
                raise SchemaForbidden(f"the Neo4j user may not create indexes or constraints, and these are "
                                      f"missing: {', '.join(missing)}; a user with schema rights must open "
                                      "the store once (any sanctionnet command does; docs/neo4j.md)")
            if missing:
                raise QueryFailed(f"Neo4j did not create {', '.join(missing)}: an index or constraint of "
                                  "another kind may hold that name (SHOW INDEXES, SHOW CONSTRAINTS)")
            failed = [_describe(name, required[name]) for name, state in states.items() if state == "FAILED"]
            if failed:
                raise StoreUnavailable(f"Neo4j could not build {', '.join(failed)}: SHOW INDEXES says why; "
                                       "drop it, and the next start creates it again")
            building = sorted(name for name, state in states.items() if state != "ONLINE")
            if not building:
                return
            if time.monotonic() + delay > deadline:
                raise StoreUnavailable(f"Neo4j's indexes {building} were not ONLINE after {_SCHEMA_WAIT_S:.0f} s")
            if delay >= 1.0:
                log.info("waiting for Neo4j to build indexes", building=building)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)

    def checkpoint(self) -> None:
        """Nothing to do: Neo4j checkpoints its transaction log itself."""

    def close(self) -> None:
        self._driver.close()


# How long ensure_schema waits for Neo4j to build the indexes over existing nodes (all
# of them on a database neo4j-admin imported): look-ups scan until they are ONLINE.
_SCHEMA_WAIT_S = 1800.0
# What a schema query creates: [TEXT] INDEX name ... ON (n.key), or CONSTRAINT name ...
# REQUIRE n.key IS UNIQUE, for one label.
_SCHEMA_DDL = re.compile(r"CREATE\s+(?:(TEXT|RANGE)\s+)?(INDEX|CONSTRAINT)\s+(\w+)\s+IF NOT EXISTS\s+FOR\s*"
                         r"\(\s*(\w+)\s*:\s*(\w+)\s*\)\s*(?:ON\s*\(\s*\4\.(\w+)\s*\)|"
                         r"REQUIRE\s+\4\.(\w+)\s+IS\s+UNIQUE)")


def _required_schema(queries: Queries) -> dict[str, tuple[str, str, str]]:
    """Each schema query's index or constraint: its name to (kind, label, key), kind
    being UNIQUE, RANGE or TEXT."""
    required = {}
    for query in queries.all():
        if query.name.startswith("schema_"):
            match = _SCHEMA_DDL.fullmatch(query.text.strip())
            if not match:
                raise ValueError(f"{query.name}: not a CREATE [TEXT] INDEX or CREATE CONSTRAINT ... IS UNIQUE "
                                 "that ensure_schema can check")
            kind, what, name, _, label, on_key, unique_key = match.groups()
            required[name] = ("UNIQUE" if what == "CONSTRAINT" else kind or "RANGE", label, on_key or unique_key)
    return required


def _schema_states(required: dict[str, tuple[str, str, str]], present: list[dict]) -> dict[str, str | None]:
    """The state of each required index (ONLINE, POPULATING, FAILED; None if absent),
    matched by what it indexes, not by name: IF NOT EXISTS accepts an equivalent one
    under another name. A uniqueness constraint's own index serves a RANGE look-up."""
    states: dict[str, str | None] = {}
    for name, (kind, label, key) in required.items():
        found = [row["state"] for row in present if row["labels"] == [label] and row["properties"] == [key]
                 and (row["unique"] if kind == "UNIQUE" else row["type"] == kind)]
        states[name] = "ONLINE" if "ONLINE" in found else found[0] if found else None
    return states


def _describe(name: str, item: tuple[str, str, str]) -> str:
    kind, label, key = item
    what = "uniqueness constraint" if kind == "UNIQUE" else f"{kind} index"
    return f"{name} ({what} on :{label}({key}))"

