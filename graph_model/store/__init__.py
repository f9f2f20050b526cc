"""Store adapters behind one interface, and the factory that opens the configured one."""

from __future__ import annotations

from graph_model.errors import InvalidInput
from graph_model.settings import Settings
from graph_model.store.base import Store, WriteSummary
from graph_model.store.embedded import EmbeddedServer, NoStore, ServerStatus

__all__ = ["EmbeddedServer", "NoStore", "ServerStatus", "Store", "WriteSummary", "open_store"]


def open_store(settings: Settings, *, start: bool = True, create: bool = True
               ) -> tuple[Store, EmbeddedServer | None, bool]:
    """Open the configured store, with its schema in place.

    Returns the store, the embedded server (None for Neo4j) and whether this call
    started that server, so that whoever started it can stop it on exit.
    ``create=False`` (every command that only reads, and the API): a data folder with
    no embedded store raises ``NoStore`` and is left untouched, rather than answering
    from a new, empty store (``EmbeddedServer.has_store``). Neo4j's database is its
    operator's: it is opened as it is.
    """
    if settings.store == "neo4j":
        from graph_model.store.neo4j import Neo4jStore

        if not settings.neo4j_uri:
            raise InvalidInput("SANCTIONNET_STORE=neo4j needs SANCTIONNET_NEO4J_URI (e.g. neo4j://host:7687)")
        store: Store = Neo4jStore(
            settings.neo4j_uri,
            user=settings.neo4j_user,
            password=settings.neo4j_password.get_secret_value(),
            database=settings.neo4j_database,
            dialect=settings.neo4j_dialect,
        )
        store.ensure_schema()
        return store, None, False

    from graph_model.store.falkordb import FalkorStore

    server = EmbeddedServer(settings.data_dir, fsync=settings.fsync, create=create)
    started = server.start() if start else False
    store = FalkorStore(unix_socket_path=str(server.socket), graph=settings.graph, recover=server.ensure_running)
    store.ensure_schema()
    return store, server, started
