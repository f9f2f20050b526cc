"""``sanctionnet load bundle DIR``: load an interchange bundle."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli.common import Opened, console, err, exits, opened
from loaders.bundle import LoadReport, load_bundle, write_rejects
from loaders.court import load_court_records
from loaders.listed import load_listed
from loaders.registry import load_registry

__all__ = ["app", "print_format_report", "run_bundle_load"]


app = typer.Typer(help="Load data into the graph.", no_args_is_help=True)


def _count_rows(folder: Path) -> dict[str, int]:
    counts = {}
    for name in ("subjects.csv", "relations.csv", "entries.csv", "sources.csv"):
        if name == "sources.csv" and not (folder / name).is_file():
            continue  # optional
        try:
            with open(folder / name, "rb") as handle:
                counts[name] = max(sum(1 for _ in handle) - 1, 0)
        except OSError:
            counts[name] = 0
    return counts


def run_bundle_load(ctx: Opened, folder: Path, rejects: Path | None) -> LoadReport:
    """Load with a progress bar and print the summary; shared with ``demo``."""
    totals = _count_rows(folder)
    columns = (TextColumn("{task.description:<14}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("{task.fields[rate]}"))
    with Progress(*columns, console=err, transient=False) as bar:
        # Tasks start on their first rows, so the rate is that file's own.
        tasks = {name: bar.add_task(name, total=total, rate="", start=False) for name, total in totals.items()}
        tasks["propagation"] = bar.add_task("propagation", total=None, rate="", start=False)

        def progress(stage: str, n: int) -> None:
            task_id = tasks[stage]
            if not bar.tasks[task_id].started:
                bar.start_task(task_id)
            bar.advance(task_id, n)
            task = bar.tasks[tasks[stage]]
            if n and task.elapsed:
                bar.update(tasks[stage], rate=f"{task.completed / task.elapsed:,.0f} rows/s")

        report = load_bundle(ctx.store, ctx.catalogue, ctx.hasher, folder, batch_size=ctx.settings.batch_size,
                             progress=progress)
        bar.update(tasks["propagation"], total=1, completed=1)
    table = Table(title=f"Loaded {folder} in {report.seconds:.1f} s")
    for column in ("file", "read", "loaded", "rejected"):
        table.add_column(column, justify="right" if column != "file" else "left")
    for name in totals:
        rejected = sum(1 for r in report.rejects if r.file == name)
        table.add_row(name, str(report.read.get(name, 0)), str(report.loaded.get(name, 0)), str(rejected))
    console.print(table)
    stats = report.propagation
    console.print(f"propagated {stats.entries} entries into {stats.restrictions} restrictions; "
                  f"{report.rows_loaded / max(report.seconds, 1e-9):,.0f} rows/s overall")
    if report.rejects:
        path = rejects or ctx.settings.data_dir / "rejects" / f"{datetime.now():%Y%m%dT%H%M%S}-{folder.name}.csv"
        write_rejects(report.rejects, path)
        err.print(f"[yellow]{len(report.rejects)} rejected row(s) written to {path}[/]")
    return report


@app.command()
@exits
def bundle(
    folder: Annotated[Path, typer.Argument(help="Folder with subjects.csv, relations.csv and entries.csv.")],
    rejects: Annotated[Path | None, typer.Option(help="Where to write rejected rows (CSV).")] = None,
) -> None:
    """Load a bundle (docs/bundle.md); loading it again changes nothing."""
    with opened() as ctx:
        report = run_bundle_load(ctx, folder, rejects)
    if report.rejects and not report.rows_loaded:
        raise typer.Exit(1)


def print_format_report(ctx: Opened, what: str, report: LoadReport, rejects: Path | None) -> None:
    """The summary every format load prints: read, loaded, merged, rejected; rejects to a file."""
    table = Table(title=f"Loaded {what} in {report.seconds:.1f} s")
    for column in ("", "count"):
        table.add_column(column, justify="right" if column else "left")
    for name, n in report.read.items():
        if not name.startswith("bundle "):
            table.add_row(f"read: {name} records", f"{n:,}")
    for name, n in report.loaded.items():
        table.add_row(f"loaded: {name.removesuffix('.csv')}", f"{n:,}")
    table.add_row("merged into a subject another record named", f"{report.merged:,}")
    table.add_row("rejected", f"{len(report.rejects):,}")
    console.print(table)
    stats = report.propagation
    console.print(f"propagated {stats.entries} entries into {stats.restrictions} restrictions")
    if report.rejects:
        path = rejects or ctx.settings.data_dir / "rejects" / f"{datetime.now():%Y%m%dT%H%M%S}-{what}.csv"
        write_rejects(report.rejects, path)
        err.print(f"[yellow]{len(report.rejects)} rejected record(s) written to {path}[/]")


@app.command()
@exits
def court(
    paths: Annotated[list[Path], typer.Argument(help="CSV or JSON files of dishonest-debtor records (GBK or UTF-8).")],
    rejects: Annotated[Path | None, typer.Option(help="Where to write rejected records (CSV).")] = None,
) -> None:
    """Load court dishonest-debtor records (失信被执行人; docs/formats.md): one entry per case
    number, debtors resolved to one subject across courts; loading again changes nothing."""
    with opened() as ctx:
        report = load_court_records(ctx.store, ctx.catalogue, ctx.hasher, paths, batch_size=ctx.settings.batch_size)
        print_format_report(ctx, "court", report, rejects)
    if report.rejects and not report.rows_loaded:
        raise typer.Exit(1)


@app.command()
@exits
def listed(
    paths: Annotated[list[Path], typer.Argument(help="Stock lists, board files and top-10 holder files (CSV).")],
    rejects: Annotated[Path | None, typer.Option(help="Where to write rejected records (CSV).")] = None,
) -> None:
    """Load listed companies' boards (KEY_PERSON_OF) and top-10 holders (HOLDS_SHARES);
    each file is recognised by its header (docs/formats.md)."""
    with opened() as ctx:
        report = load_listed(ctx.store, ctx.catalogue, ctx.hasher, paths, batch_size=ctx.settings.batch_size)
        print_format_report(ctx, "listed", report, rejects)
    if report.rejects and not report.rows_loaded:
        raise typer.Exit(1)


@app.command()
@exits
def registry(
    paths: Annotated[list[Path], typer.Argument(help="Registry records: JSON (nested lists) or stacked-table CSV.")],
    rejects: Annotated[Path | None, typer.Option(help="Where to write rejected records (CSV).")] = None,
) -> None:
    """Load enterprise registry records: legal reps, key personnel, shareholders with
    their share, branches (docs/formats.md)."""
    with opened() as ctx:
        report = load_registry(ctx.store, ctx.catalogue, ctx.hasher, paths, batch_size=ctx.settings.batch_size)
        print_format_report(ctx, "registry", report, rejects)
    if report.rejects and not report.rows_loaded:
        raise typer.Exit(1)
