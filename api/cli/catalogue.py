"""``sanctionnet catalogue``: validate and publish the list and measure catalogue."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import console, err, exits
from graph_model.catalogue.model import load_catalogue
from graph_model.catalogue.publish import render
from graph_model.settings import get_settings

__all__ = ["app"]

app = typer.Typer(help="Validate and publish the catalogue (措施清单).", no_args_is_help=True)


class Format(StrEnum):
    json = "json"
    csv = "csv"
    md = "md"


@app.command()
@exits
def export(
    format: Annotated[Format, typer.Option("--format", "-f", help="json, csv (one row per measure) or md.")] = Format.json,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (default stdout).")] = None,
) -> None:
    """Publish every list and measure with its legal basis and the catalogue version."""
    catalogue = load_catalogue(get_settings().catalogue_dir)
    text = render(catalogue, format.value)
    if output is None:
        print(text, end="")
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output} (catalogue {catalogue.version})")


@app.command()
@exits
def validate() -> None:
    """Load and cross-check the catalogue files; print the version or the first error."""
    catalogue = load_catalogue(get_settings().catalogue_dir)
    console.print(f"catalogue {catalogue.version}: {len(catalogue.lists)} lists, {len(catalogue.measures)} measures")
