"""``sanctionnet audit``: verify the hash-chained audit log, export a range of it."""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from api.audit import AuditLog
from api.audit_read import read_entries, verify
from api.cli.common import EXIT_INPUT, err, in_range, operator
from graph_model.identity.lookup import shown_key
from graph_model.settings import get_settings

__all__ = ["app"]

app = typer.Typer(help="The tamper-evident audit log: verify it, export a range.", no_args_is_help=True)


def _log_path() -> Path:
    return get_settings().data_dir / "audit.log"


@app.command("verify")
def verify_command(
    export: Annotated[Path | None, typer.Option("--export", help="Check a range written by `audit export` "
                                                "instead of the data folder's log.", show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The result as JSON.")] = False,
) -> None:
    """Check every hash, the chain and the head; exit 1 naming where it breaks.

    Exit 0 if the log is intact; 1 if not, with the reason and the first broken
    place (line and seq)."""
    if export is not None and not export.is_file():
        err.print(f"[red]error:[/] {export}: no such file")
        raise typer.Exit(EXIT_INPUT)
    result = verify(export if export is not None else _log_path(), export=export is not None)
    if as_json:
        print(json.dumps(dataclasses.asdict(result), ensure_ascii=False))
    else:
        print(result.where() if result.ok else f"TAMPERED: {result.where()}")
        for note in result.notes:
            print(f"note: {note}")
    if not result.ok:
        raise typer.Exit(1)


@app.command("export")
def export_command(
    start: Annotated[datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], callback=in_range, show_default=False,
                                                   help="First day (UTC), YYYY-MM-DD.")] = None,
    end: Annotated[datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], callback=in_range, show_default=False,
                                                 help="Last day (UTC), included.")] = None,
    event: Annotated[str | None, typer.Option(help="Only this event: check, read_person, entry_notify ...")] = None,
    subject: Annotated[str | None, typer.Option(help="Only entries about this subject id (or naming this person).")]
    = None,
) -> None:
    """Print a range of entries as JSON lines, exactly as stored.

    Anyone can recheck each hash and the links between them
    (`sanctionnet audit verify --export FILE`)."""
    path = _log_path()
    count = 0
    for line, _ in read_entries(path, start=start and start.date(), end=end and end.date(), event=event,
                                subject=subject):
        sys.stdout.buffer.write(line + b"\n")
        count += 1
    sys.stdout.flush()
    # The log names persons, so reading it out is itself a read to record.
    AuditLog(path).write("read_audit", via="cli", who=operator(),
                         range=[start and start.date(), end and end.date()], filter_event=event,
                         filter_subject=shown_key(subject) if subject else None, entries=count)
    err.print(f"[dim]{count} entries[/]")
