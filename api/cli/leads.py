"""``sanctionnet leads``: list leads; ``leads find`` runs the analyses and stores what
they find; ``leads review`` records a person's decision."""

from __future__ import annotations

import json as jsonlib
import time
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from analysis.leads import find_leads
from api.cli.common import console, exits, in_range, opened
from graph_model.leads import LeadKind, LeadStatus, list_leads, review_lead, save_leads

__all__ = ["app"]

app = typer.Typer(help="Leads (线索) for investigators: patterns worth a look, never sanctions.",
                  invoke_without_command=True)

Kind = Annotated[LeadKind | None, typer.Option(help="Only this kind.")]


@app.callback()
@exits
def show(ctx: typer.Context, kind: Kind = None,
         status: Annotated[LeadStatus | None, typer.Option(help="Only leads with this status.")] = None,
         subject: Annotated[str | None, typer.Option(help="Only leads that concern this subject id.")] = None,
         limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
         json: Annotated[bool, typer.Option("--json", help="Print the API's JSON answer.")] = False) -> None:
    """List stored leads, strongest first (as GET /v1/leads)."""
    if ctx.invoked_subcommand:
        return
    with opened() as c:
        leads = list_leads(c.store, kind=kind, status=status, subject=subject, limit=limit)
        # As GET /v1/leads: the leads read, and the persons among their members.
        c.record("read_leads", leads=[lead.id for lead in leads])
        members = sorted({m for lead in leads for m in lead.members})
        c.read_person("leads", (r["id"] for r in c.store.read("subject_kinds", ids=members) if r["kind"] == "person"))
    if json:
        print(jsonlib.dumps([lead.model_dump(mode="json") for lead in leads], ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{len(leads)} lead(s)")
    for column in ("id", "kind", "score", "status", "provinces"):
        table.add_column(column, no_wrap=True)
    table.add_column("summary")
    for lead in leads:
        table.add_row(lead.id, lead.kind.value, f"{lead.score:.2f}", lead.status.value, ",".join(lead.provinces),
                      lead.described())
    console.print(table)


@app.command()
@exits
def find(kind: Annotated[list[LeadKind] | None, typer.Option(help="Kinds to look for (default all).")] = None,
         date: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], callback=in_range,
                                                       help="The day the network is read as of.")] = None) -> None:
    """Run the analyses over the stored graph and store the leads; a lead found again
    keeps its review."""
    with opened() as c:
        for what in kind or list(LeadKind):
            started = time.perf_counter()
            leads = find_leads(c.store, c.catalogue, [what], date.date() if date else None)
            save_leads(c.store, leads)
            console.print(f"{what.value}: {len(leads)} lead(s) in {time.perf_counter() - started:.1f} s")


@app.command()
@exits
def review(lead_id: Annotated[str, typer.Argument(help="The lead's id (L...).")],
           status: Annotated[LeadStatus, typer.Option(help="confirmed, dismissed, or open again.")],
           reviewer: Annotated[str, typer.Option(help="Who decides.")],
           reason: Annotated[str, typer.Option(help="Why: what was checked, what was found.")]) -> None:
    """Record a decision on a lead (as POST /v1/leads/{id}/review)."""
    with opened() as c:
        lead = review_lead(c.store, lead_id, status, reviewer, reason)
        c.record("lead_review", lead=lead_id, status=status.value, reviewer=reviewer)
    console.print(f"{lead.id} is now {lead.status.value}")
