"""The ``sanctionnet`` command: one Typer app per group, joined here."""

from __future__ import annotations

import typer

from api.cli import (audit, briefing, catalogue, check, controllers, db, demo, export, keys, leads, load, ownership,
                     serve, validate)
from api.cli import backup
from api.logs import configure_logging

__all__ = ["app", "main"]

app = typer.Typer(name="sanctionnet", help="Joint sanctions network: load, check, serve.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
app.add_typer(db.app, name="db")
app.add_typer(audit.app, name="audit")
app.add_typer(keys.app, name="keys")
app.add_typer(load.app, name="load")
app.add_typer(catalogue.app, name="catalogue")
app.add_typer(export.app, name="export")
app.add_typer(leads.app, name="leads")
app.add_typer(controllers.app, name="controllers")
app.command()(briefing.briefing)
app.command()(check.check)
app.command()(demo.demo)
app.command()(serve.serve)
app.command()(validate.validate)
app.command()(ownership.owners)
app.command()(ownership.controlled)
app.command()(backup.backup)
app.command()(backup.restore)


def main() -> None:
    configure_logging()
    app()
