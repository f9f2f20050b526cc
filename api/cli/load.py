"""``sanctionnet load FORMAT PATH...``: load a bundle or a source format; ``load auto``
detects the format."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli.common import Opened, console, err, exits, opened
from loaders.bods import load_bods
from loaders.bundle import LoadReport, load_bundle, no_cycle_collection, write_rejects
from loaders.court import load_court_records
from loaders.detect import detect
from loaders.divisions import load_divisions
from loaders.ftm import load_ftm
from loaders.listed import load_listed
from loaders.registry import load_registry
from loaders.tenders import load_tenders

__all__ = ["LOADERS", "app", "print_format_report", "run_bundle_load", "save_rejects"]


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


def save_rejects(ctx: Opened, rejects: list, path: Path | None, what: str) -> None:
    """Write rejects to ``path``, or to a file of their own in the data folder; say where."""
    if not rejects:
        return
    path = path or ctx.settings.data_dir / "rejects" / f"{datetime.now():%Y%m%dT%H%M%S}-{what}.csv"
    write_rejects(rejects, path)
    err.print(f"[yellow]{len(rejects)} rejected record(s) written to {path}[/]")


def _say_bulk(report: LoadReport) -> None:
    if report.bulk:
        console.print("the store was empty: subjects and relations were created in one bulk write")


def run_bundle_load(ctx: Opened, folder: Path, rejects: Path | None, *, save: bool = True) -> LoadReport:
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
    _say_bulk(report)
    if save:
        save_rejects(ctx, report.rejects, rejects, folder.name)
    return report


@app.command()
@exits
def bundle(
    folder: Annotated[Path, typer.Argument(help="Folder with subjects.csv, relations.csv and entries.csv.")],
    rejects: Annotated[Path | None, typer.Option(help="Where to write rejected rows (CSV).")] = None,
) -> None:
    """Load a bundle (docs/bundle.md); loading it again changes nothing."""
    with opened(create=True) as ctx:
        report = run_bundle_load(ctx, folder, rejects)
    if report.rejects and not report.rows_loaded:
        raise typer.Exit(1)


def print_format_report(ctx: Opened, what: str, report: LoadReport, rejects: Path | None, *,
                        save: bool = True) -> None:
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
    for reason, n in sorted(report.skipped.items()):
        table.add_row(f"skipped: {reason}", f"{n:,}")
    for what, n in sorted(report.notes.items()):
        table.add_row(f"not carried over: {what}", f"{n:,}")
    if report.dangling:
        table.add_row("naming a subject not in the source (looked for in the store)", f"{report.dangling:,}")
    table.add_row("rejected", f"{len(report.rejects):,}")
    console.print(table)
    stats = report.propagation
    console.print(f"propagated {stats.entries} entries into {stats.restrictions} restrictions")
    _say_bulk(report)
    if save:
        save_rejects(ctx, report.rejects, rejects, what)


def _run_format(ctx: Opened, fmt: str, paths: list[Path], rejects: Path | None, *, save: bool = True) -> LoadReport:
    with no_cycle_collection():  # reading and resolving the records makes millions of objects too
        report = LOADERS[fmt](ctx.store, ctx.catalogue, ctx.hasher, paths, batch_size=ctx.settings.batch_size)
    print_format_report(ctx, fmt, report, rejects, save=save)
    return report


def _format_command(fmt: str, summary: str, paths_help: str) -> None:
    """``sanctionnet load FMT PATH...`` for one source format."""

    def command(paths, rejects=None):
        with opened(create=True) as ctx:
            report = _run_format(ctx, fmt, paths, rejects)
        if report.rejects and not report.rows_loaded:
            raise typer.Exit(1)

    # Real objects, not strings: this module's annotations are postponed, and these
    # depend on the factory's arguments.
    command.__annotations__ = {
        "paths": Annotated[list[Path], typer.Argument(help=paths_help)],
        "rejects": Annotated[Path | None, typer.Option(help="Where to write rejected records (CSV).")],
        "return": None,
    }
    command.__doc__ = summary + " Loading the same files again changes nothing (docs/formats.md)."
    app.command(fmt)(exits(command))


def _load_regions(store, catalogue, hasher, paths, *, batch_size: int = 20_000) -> LoadReport:
    return load_divisions(store, paths, batch_size=batch_size)


LOADERS: dict[str, Callable[..., LoadReport]] = {
    "court": load_court_records, "listed": load_listed, "registry": load_registry, "ftm": load_ftm, "bods": load_bods,
    "regions": _load_regions, "tenders": load_tenders,
}
_format_command("court", "Load court dishonest-debtor records (失信被执行人): one entry per case number, each debtor "
                "resolved to one subject across courts.", "CSV or JSON files (GBK or UTF-8).")
_format_command("listed", "Load listed companies' boards (KEY_PERSON_OF) and top-10 holders (HOLDS_SHARES).",
                "Stock lists, board files and top-10 holder files (CSV), each recognised by its header.")
_format_command("registry", "Load enterprise registry records: legal reps, key personnel, shareholders with their "
                "share, branches.", "JSON (nested lists) or stacked-table CSV files.")
_format_command("ftm", "Load FollowTheMoney entities (OpenSanctions data): companies, persons, ownerships, "
                "directorships, family ties.", "JSON-lines (or JSON array) files of FtM entities.")
_format_command("bods", "Load Beneficial Ownership Data Standard 0.4 statements.", "JSON files of BODS statements.")
_format_command("tenders", "Load tender participation (招投标): bids (BID_ON) and winners (WON) of stored subjects.",
                "CSV files: tender_id, published, bidder (id or USCC) [, title, buyer, region, won, amount].")


@app.command()
@exits
def regions(
    paths: Annotated[list[Path] | None, typer.Argument(help="provinces/cities/areas CSV (code,name,...) or loc.dat "
                                                             "files; none: the shipped table and its history.")] = None,
) -> None:
    """Load administrative divisions as Region nodes: the hierarchy (PART_OF) and where
    each abolished code went (SUCCEEDED_BY). Loading again changes nothing."""
    with opened(create=True) as ctx:
        report = load_divisions(ctx.store, paths or None, batch_size=ctx.settings.batch_size)
    for name, n in {**report.read, **report.loaded}.items():
        console.print(f"{name}: {n:,}")


@app.command()
@exits
def auto(
    paths: Annotated[list[Path], typer.Argument(help="Files or bundle folders, of any known format.")],
    rejects: Annotated[Path | None, typer.Option(help="Where to write rejected records (CSV).")] = None,
) -> None:
    """Load files whose format is detected from their content (bundle folder, court records,
    listed companies, registry, FtM, BODS); files of one format load together."""
    by_format: dict[str, list[Path]] = {}
    for path in paths:
        by_format.setdefault(detect(path), []).append(path)
    failed = False
    with opened(create=True) as ctx:
        reports = []
        for fmt, group in by_format.items():
            console.print(f"[bold]{fmt}[/]: {', '.join(map(str, group))}")
            if fmt == "bundle":
                done = [run_bundle_load(ctx, folder, rejects, save=False) for folder in group]
            else:
                done = [_run_format(ctx, fmt, group, rejects, save=False)]
            failed |= any(r.rejects and not r.rows_loaded for r in done)
            reports += done
        # One rejects file for the whole run, each reject naming its source file.
        save_rejects(ctx, [r for report in reports for r in report.rejects], rejects, "auto")
    if failed:
        raise typer.Exit(1)
