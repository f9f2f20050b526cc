"""Adapter for Neo4j 5 / 2025.x (and Bolt servers such as Memgraph) via the official driver."""

from __future__ import annotations

from typing import Any

import neo4j
import structlog
from neo4j import GraphDatabase
from neo4j.exceptions import (
    AuthError,
    ClientError,
    DriverError,
    Forbidden,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from cypher import Dialect, get_queries
from graph_model.errors import ConstraintViolated, QueryFailed, QueryTimedOut, StoreUnavailable
from graph_model.store.base import StoreBase, WriteSummary, bind, plain
from graph_model.vocabulary import kinds

__all__ = ["Neo4jStore"]

log = structlog.get_logger(__name__)


class SchemaForbidden(QueryFailed):
    """The user may not create indexes or constraints."""


class Neo4jStore(StoreBase):
    """Runs the query library over Bolt; the driver retries transient errors."""

    def __init__(self, uri: str, *, user: str = "neo4j", password: str = "", database: str | None = None,
                 dialect: Dialect = "neo4j") -> None:
        self.dialect = dialect
        self.queries = get_queries(dialect, kinds)
        self._uri = uri
        self._database = database
        self._driver = GraphDatabase.driver(uri, auth=(user, password))

    def _session(self, mode: str) -> neo4j.Session:
        return self._driver.session(database=self._database, default_access_mode=mode)

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
        except (ServiceUnavailable, SessionExpired, TransientError) as exc:
            raise StoreUnavailable(f"Neo4j at {self._uri} is not answering: {exc}") from exc
        except AuthError as exc:
            raise StoreUnavailable(f"Neo4j at {self._uri} refused the credentials: {exc.message}") from exc
        except Forbidden as exc:
            raise SchemaForbidden(f"query {name!r}: {exc.message}") from exc
        except ClientError as exc:
            if exc.code and "TransactionTimedOut" in exc.code:
                raise QueryTimedOut(f"query {name!r} ran past {timeout_ms} ms; ask for less "
                                    "(a limit, a date, one subject)") from exc
            if exc.code and "ConstraintValidationFailed" in exc.code:
                raise ConstraintViolated(f"query {name!r}: {exc.message}") from exc
            raise QueryFailed(f"query {name!r} failed: {exc.code}: {exc.message}") from exc
        except (Neo4jError, DriverError) as exc:
            raise QueryFailed(f"query {name!r} failed: {exc}") from exc

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
        for name in sorted(n for n in self.queries.names() if n.startswith("schema_")):
            try:
                self.write(name)
            except SchemaForbidden:
                # A read/write user may not run schema commands, even IF NOT EXISTS ones;
                # an administrator creates them once (docs/neo4j.md).
                log.warning("no right to create the schema; assuming it exists", query=name)
                return
            except QueryFailed:
                # The falkordb dialect over Bolt (tests) cannot say IF NOT EXISTS, and
                # FalkorDB's Bolt port hides the "already indexed" message.
                if self.dialect != "falkordb":
                    raise

    def checkpoint(self) -> None:
        """Nothing to do: Neo4j checkpoints its transaction log itself."""

    def close(self) -> None:
        self._driver.close()
