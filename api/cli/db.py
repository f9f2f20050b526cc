"""``sanctionnet db start|stop|status``: the embedded FalkorDB server."""

from __future__ import annotations

import typer

from api.cli.common import console, err, exits
from graph_model.settings import get_settings
from graph_model.store import EmbeddedServer

__all__ = ["app"]


app = typer.Typer(help="Start, stop and inspect the embedded graph store.", no_args_is_help=True)


def _server() -> EmbeddedServer:
    settings = get_settings()
    if settings.store != "embedded":
        err.print("[red]error:[/] SANCTIONNET_STORE is not `embedded`; the Neo4j server is run by its operator")
        raise typer.Exit(1)
    return EmbeddedServer(settings.data_dir, fsync=settings.fsync)


@app.command()
@exits
def start() -> None:
    """Start the store; if one already runs for this data folder, reuse it."""
    server = _server()
    if server.start():
        console.print(f"started FalkorDB (pid {server.status().pid}) on {server.socket}")
    else:
        console.print(f"already running (pid {server.status().pid}) on {server.socket}; reusing it")


@app.command()
@exits
def stop() -> None:
    """Stop the store after flushing its append-only file."""
    server = _server()
    console.print("stopped" if server.stop() else "not running")


@app.command()
def status() -> None:
    """Say whether the store runs, where, and with which pid. Exit 3 if it does not."""
    state = _server().status()
    console.print(f"{state.detail}; pid {state.pid or '-'}; socket {state.socket}; data {state.data_dir}")
    if not state.running:
        raise typer.Exit(3)
