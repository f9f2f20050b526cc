"""``sanctionnet demo``: generate a realistic dataset, load it, optionally serve it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from analysis.leads import find_leads
from api.cli.common import console, exits, opened
from api.cli.load import run_bundle_load
from api.cli.serve import run_server
from api.keys import KeyStore
from demo.generate import generate_bundle
from graph_model.leads import save_leads
from graph_model.privacy.masking import Role
from graph_model.settings import get_settings

__all__ = ["demo"]


@exits
def demo(
    enterprises: Annotated[int, typer.Option(min=10, help="Number of enterprises (persons: 1.5 times as many).")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same data.")] = 0,
    serve: Annotated[bool, typer.Option("--serve", help="Then serve the API until Ctrl-C, and stop the store.")] = False,
    host: Annotated[str, typer.Option(help="Interface to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
) -> None:
    """Generate the demo bundle into DATA_DIR/demo-bundle and load it."""
    with opened(create=True) as ctx:
        folder = Path(ctx.settings.data_dir) / "demo-bundle"
        started = time.perf_counter()
        stats = generate_bundle(folder, enterprises=enterprises, seed=seed)
        console.print(f"generated {stats.subjects:,} subjects, {stats.relations:,} relations, "
                      f"{stats.entries:,} entries in {time.perf_counter() - started:.1f} s → {folder}")
        run_bundle_load(ctx, folder, None)
        started = time.perf_counter()
        leads = find_leads(ctx.store, ctx.catalogue)
        save_leads(ctx.store, leads)
        console.print(f"found {len(leads):,} leads for the explorer in {time.perf_counter() - started:.1f} s "
                      "(`sanctionnet leads`)")
        server, owned = ctx.server, ctx.started
    if not serve:
        return
    try:
        example = _example(folder)
        # The API needs a key: an investigator key for this demo, carried in the link's
        # fragment (the browser keeps it for the tab and never sends it in a URL).
        key, token = KeyStore(get_settings().data_dir).create(Role.investigator, "demo investigator")
        # soft_wrap: a link broken over two lines by the terminal width would not work.
        console.print(f"explorer: http://{host}:{port}/?subject={example}#key={token}", soft_wrap=True)
        console.print(f"API key {key.id} (investigator), for curl: -H 'Authorization: Bearer {token}'",
                      soft_wrap=True)
        run_server(host, port)
    finally:
        if owned and server is not None:
            server.stop()
            console.print("stopped the embedded store")


def _example(folder: Path) -> str:
    with open(folder / "entries.csv", encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            fields = line.split(",")
            if fields[7] == "active":
                return fields[1]
    return "E000001"
