"""``sanctionnet serve``: the API and the page on http://HOST:PORT."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from api.app import create_app
from api.cli.common import console
from graph_model.settings import get_settings

__all__ = ["run_server", "serve"]


def run_server(host: str, port: int) -> None:
    """Serve until Ctrl-C; the app stops the embedded store if it started it."""
    console.print(f"serving on http://{host}:{port} (Ctrl-C stops)")
    uvicorn.run(create_app(get_settings()), host=host, port=port, log_level="warning")


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
) -> None:
    """Serve the API and the check page."""
    run_server(host, port)
