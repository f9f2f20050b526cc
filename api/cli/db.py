"""``sanctionnet db start|stop|status``: the embedded FalkorDB server; ``db propagate``:
derive every entry's restrictions and tasks again."""

from __future__ import annotations

import typer

from api.cli.common import console, err, exits, opened
from graph_model.lifecycle.propagation import propagate as propagate_entries
from graph_model.settings import get_settings
from graph_model.store import EmbeddedServer

__all__ = ["app"]


app = typer.Typer(help="Start, stop and inspect the graph store; derive its records again.", no_args_is_help=True)


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


@app.command()
@exits
def propagate() -> None:
    """Derive every entry's restriction records and tasks again from the entries, roles
    and catalogue, and remove the records nothing supports any more. Idempotent. Run it
    after editing the catalogue's propagation rules, or if a process died between an
    entry's transition and its re-derivation (checks read the entry's state directly
    and are right meanwhile; derived person records and tasks catch up here). On a
    record that exists it sets only what a rerun can change: the rule, the role
    period's end and the catalogue version."""
    with opened() as ctx:
        stats = propagate_entries(ctx.store, ctx.catalogue, batch_size=ctx.settings.batch_size)
    console.print(f"propagated {stats.entries} entries into {stats.restrictions} restrictions "
                  f"and {stats.tasks} tasks in {stats.seconds:.1f} s")
