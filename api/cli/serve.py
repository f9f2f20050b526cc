"""``sanctionnet serve``: the API and the pages on http://HOST:PORT."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from api.app import create_app
from api.cli.common import console, exits
from graph_model.settings import get_settings
from graph_model.store import EmbeddedServer

__all__ = ["run_server", "serve"]


def run_server(host: str, port: int, workers: int = 1) -> None:
    """Serve until Ctrl-C; the app stops the embedded store if it started it. With
    several workers the store is started here first, so that no worker owns it, and
    stopped here at the end if this call started it. A data folder without a store is
    refused here (``NoStore``, exit 3), before anything listens: the API never starts
    a new, empty store."""
    settings = get_settings()
    server = None
    if settings.store == "embedded":
        server = EmbeddedServer(settings.data_dir, fsync=settings.fsync, create=False)
        server.require_store()
    console.print(f"serving on http://{host}:{port} with {workers} worker(s) (Ctrl-C stops)")
    # uvicorn believes X-Forwarded-For from 127.0.0.1 by default, so any local process
    # could name the client the audit log records. Only the configured proxies are.
    proxies = {"proxy_headers": bool(settings.trusted_proxies.strip()),
               "forwarded_allow_ips": settings.trusted_proxies.strip() or None}
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", **proxies)
        return
    started = server.start() if server is not None else False
    try:
        uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="warning",
                    **proxies)
    finally:
        if started:
            server.stop()


@exits
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes (each with its own store "
                                                              "connection); 2 per core is a start.")] = 1,
) -> None:
    """Serve the API, the explorer and the check page."""
    run_server(host, port, workers)
