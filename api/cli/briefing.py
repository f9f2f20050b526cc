"""``sanctionnet briefing SUBJECT_OR_LEAD -o FILE``: the case briefing of
``GET /v1/briefings/{id}``, written to a file (.html, .pdf or .png)."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import console, exits, in_range, opened
from graph_model.errors import InvalidInput
from graph_model.privacy.masking import Role
from graph_model.privacy.reader import Reader
from graph_model.reports.briefing import assemble_briefing
from graph_model.vocabulary.kinds import SubjectKind
from viz.briefing import to_html
from viz.render import render

__all__ = ["briefing"]

SUFFIXES = (".html", ".pdf", ".png")


@exits
def briefing(
    key: Annotated[str, typer.Argument(metavar="SUBJECT_OR_LEAD",
                                       help="Bundle id, USCC, resident ID number, or a lead id (L…).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write: .html, .pdf or .png.")],
    date: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], callback=in_range, help="As of this date (default today).")
                    ] = None,
    view: Annotated[Role, typer.Option(help="Mask for this reader (public: no persons).")] = Role.investigator,
) -> None:
    """Write a case briefing: graph with the reasons' paths, timeline, measures, sources."""
    suffix = output.suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInput(f"--output {output}: the name must end in {', '.join(SUFFIXES)}")
    started = time.perf_counter()
    with opened() as ctx:
        made = assemble_briefing(ctx.store, ctx.catalogue, ctx.hasher, key, on=date.date() if date else None,
                                 reader=Reader(view, operator=True))
        html = to_html(made)
        data = html.encode("utf-8") if suffix == ".html" else render(html, suffix[1:])
        # As the API: the briefing and the persons it shows (bundle ids), on disk before
        # the file is; a briefing that could not be rendered was given to no one.
        ctx.record("briefing", key=made.key, format=suffix[1:], view=view.value,
                   persons=sorted(n.id for n in made.graph.nodes if n.kind is SubjectKind.person))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    console.print(f"{made.title}: {len(made.graph.nodes)} subjects, {len(made.events)} events, "
                  f"{len(made.measures)} measures → {output} ({len(data):,} bytes, "
                  f"{time.perf_counter() - started:.1f} s)")
