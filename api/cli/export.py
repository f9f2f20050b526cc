"""``sanctionnet export ftm|bods FILE``: the graph in an interchange format."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, TextIO

import typer

from api.cli.common import err, exits, opened
from graph_model.errors import InvalidInput
from graph_model.masking import Role
from loaders.bods import export_bods
from loaders.ftm import export_ftm

__all__ = ["app"]

app = typer.Typer(help="Write the graph in an interchange format.", no_args_is_help=True)
Target = Annotated[Path, typer.Argument(help="File to write; '-' for standard output.")]
View = Annotated[Role, typer.Option(help="Mask for this reader: `public` leaves out persons, ties to them and "
                                         "every listing but restricting ones in force.")]


@contextmanager
def _output(path: Path):
    if str(path) == "-":
        yield sys.stdout
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
        yield handle
    tmp.replace(path)  # a reader never sees half a file


def _write(path: Path, write) -> None:
    with opened() as ctx, _output(path) as out:
        count = write(ctx.store, out)
    err.print(f"wrote {count:,} records to {path}")


@app.command()
@exits
def ftm(path: Target, view: View = Role.admin) -> None:
    """FollowTheMoney entities, one JSON object a line (docs/formats.md). Persons carry no
    ID number in any form."""
    with opened() as ctx, _output(path) as out:
        count = export_ftm(ctx.store, out, reader=view, catalogue=ctx.catalogue)
    err.print(f"wrote {count:,} records to {path}")


@app.command()
@exits
def bods(
    path: Target,
    published: Annotated[str | None, typer.Option(help="publicationDate to write (YYYY-MM-DD; default today), "
                                                        "so two exports of one graph are identical.")] = None,
    view: View = Role.admin,
) -> None:
    """Beneficial Ownership Data Standard 0.4 statements, one JSON array (docs/formats.md)."""
    try:
        day = date.fromisoformat(published) if published else None
    except ValueError:
        raise InvalidInput(f"--published: {published!r} is not a date (YYYY-MM-DD)") from None

    def write(store, out: TextIO) -> int:
        return export_bods(store, out, published=day, reader=view)

    _write(path, write)
