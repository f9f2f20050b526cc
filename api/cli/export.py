"""``sanctionnet export ftm|bods FILE``: the graph in an interchange format; ``export neo4j-admin
DIR``: files for Neo4j's offline importer, and ``neo4j-admin-finish DIR`` after it ran."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.progress import Progress, TextColumn, TimeElapsedColumn

from api.cli.common import Opened, console, err, exits, opened
from exports.bods import export_bods
from exports.ftm import export_ftm
from exports.neo4j_admin import Written, export_store, finish_import
from exports.neo4j_admin_bundle import export_bundle
from graph_model.catalogue.model import load_catalogue
from graph_model.errors import InvalidInput
from graph_model.identity.pii import IdHasher
from graph_model.privacy.masking import Role
from graph_model.settings import get_settings
from graph_model.vocabulary.days import parse_day
from loaders.bundle import write_rejects

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


def _write(path: Path, write, what: str, view: Role) -> None:
    with opened() as ctx, _output(path) as out:
        count = write(ctx.store, out)
        _audit(ctx, what, view, count)
    err.print(f"wrote {count:,} records to {path}")


def _audit(ctx: Opened, what: str, view: Role, records: int) -> None:
    """An export names every person the view shows: one entry records it (how many
    records, not each person, which would make it as large as the export)."""
    ctx.record("export", format=what, view=view.value, records=records)


@app.command()
@exits
def ftm(path: Target, view: View = Role.admin) -> None:
    """FollowTheMoney entities, one JSON object a line (docs/formats.md). Persons carry no
    ID number in any form."""
    with opened() as ctx, _output(path) as out:
        count = export_ftm(ctx.store, out, reader=view, catalogue=ctx.catalogue)
        _audit(ctx, "ftm", view, count)
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
        day = parse_day(published) if published else None
    except ValueError as exc:
        raise InvalidInput(f"--published: {exc}") from None

    def write(store, out: TextIO) -> int:
        return export_bods(store, out, published=day, reader=view)

    _write(path, write, "bods", view)


Folder = Annotated[Path, typer.Argument(help="Folder for the import files (new, or empty).")]


@contextmanager
def _progress():
    """A progress callback for the export: nodes and relationships written, with rates."""
    columns = (TextColumn("{task.description:<14}"), TextColumn("{task.completed:>12,.0f}"), TimeElapsedColumn(),
               TextColumn("{task.fields[rate]}"))
    with Progress(*columns, console=err, transient=False) as bar:
        tasks = {stage: bar.add_task(stage, total=None, rate="") for stage in ("nodes", "relationships")}

        def progress(stage: str, n: int) -> None:
            bar.advance(tasks[stage], n)
            task = bar.tasks[tasks[stage]]
            if task.elapsed:
                bar.update(tasks[stage], rate=f"{task.completed / task.elapsed:,.0f} rows/s")

        yield progress


@app.command("neo4j-admin")
@exits
def neo4j_admin(
    folder: Folder,
    bundle: Annotated[Path | None, typer.Option(
        help="Convert this bundle folder instead of exporting the store (no store needed): validated and "
             "hashed as `load bundle` does; needs SANCTIONNET_ID_HASH_KEY, the deployment's key.")] = None,
    rejects: Annotated[Path | None, typer.Option(help="With --bundle: where to write rejected rows (CSV).")] = None,
) -> None:
    """CSV files and the command line (import.sh, import.args, README.txt) for Neo4j's
    `neo4j-admin database import full`: every node and relationship of the store, or of a
    bundle (docs/neo4j.md). Run `export neo4j-admin-finish` on the new database after."""
    if bundle is None:
        with opened() as ctx, _progress() as progress:
            written = export_store(ctx.store, folder, progress=progress)
            _audit(ctx, "neo4j-admin", Role.admin, written.nodes + written.relationships)
    else:
        settings = get_settings()
        if settings.id_hash_key is None or not settings.id_hash_key.get_secret_value():
            raise InvalidInput("--bundle needs SANCTIONNET_ID_HASH_KEY: the key the Neo4j deployment looks ID numbers "
                               "up with (a key made up here would match nothing there)")
        with _progress() as progress:
            written = export_bundle(load_catalogue(settings.catalogue_dir), IdHasher.from_settings(settings), bundle,
                                    folder, batch_size=settings.batch_size, progress=progress)
        _say_rejects(written, rejects or settings.data_dir / "rejects" / f"{datetime.now():%Y%m%dT%H%M%S}-"
                     f"{bundle.name}-neo4j-admin.csv")
    rows = written.nodes + written.relationships
    console.print(f"wrote {written.nodes:,} nodes and {written.relationships:,} relationships in {written.files} files "
                  f"to {folder} in {written.seconds:.1f} s ({rows / max(written.seconds, 1e-9):,.0f} rows/s)")
    console.print(f"import: {folder / 'import.sh'} [DATABASE]; then `sanctionnet export neo4j-admin-finish {folder}` "
                  "(README.txt)")


def _say_rejects(written: Written, path: Path) -> None:
    report = written.report
    if report and report.rejects:
        write_rejects(report.rejects, path)
        err.print(f"[yellow]{len(report.rejects)} rejected row(s) written to {path}[/]")
    if report and not report.rows_loaded:
        err.print("[red]error:[/] no valid row in the bundle; nothing written")
        raise typer.Exit(1)


@app.command("neo4j-admin-finish")
@exits
def neo4j_admin_finish(folder: Annotated[Path, typer.Argument(help="The folder neo4j-admin imported.")]) -> None:
    """After `neo4j-admin database import full` of FOLDER, on the new database: create the
    schema, set the empty lists neo4j-admin cannot write, and check that the database
    holds every node and relationship of FOLDER. Then, after a --bundle export, run
    `sanctionnet db propagate`."""
    with opened() as ctx:
        done = finish_import(ctx.store, folder)
    console.print(f"the database holds the {done['nodes']:,} nodes and {done['relationships']:,} relationships of "
                  f"{folder}; {done['restored']:,} nodes got their empty lists back")
