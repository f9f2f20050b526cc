"""``sanctionnet controllers derive|list|review``: candidate actual controllers from
majority chains, and a registrar's decision on them."""

from __future__ import annotations

import json as jsonlib
from datetime import datetime
from typing import Annotated

import typer

from analysis.candidates import (CandidateReview, CandidateStatus, Decision, derive_candidates, list_candidates,
                                 review_candidate)
from api.cli.common import console, exits, in_range, opened

__all__ = ["app"]

app = typer.Typer(help="Candidate actual controllers derived from majority chains.", no_args_is_help=True)
Day = Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], callback=in_range, help="As of this date (default today).")]


@app.command()
@exits
def derive(date: Day = None) -> None:
    """Find every unregistered majority-chain controller and store it as a candidate."""
    with opened() as c:
        found = derive_candidates(c.store, c.catalogue, date.date() if date else None)
    console.print(f"{found.candidates} candidate controller(s); reviews of earlier ones are kept; "
                  f"{found.lapsed} lapsed (their control is gone)")
    for loop in found.loops:
        console.print(f"[yellow]no integrated share for {loop}[/]")


@app.command("list")
@exits
def list_(status: Annotated[CandidateStatus | None, typer.Option()] = None,
          subject: Annotated[str | None, typer.Option(help="Candidates for or naming this subject id.")] = None,
          limit: Annotated[int, typer.Option(min=1)] = 100,
          json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List candidates (as GET /v1/controller-candidates)."""
    with opened() as c:
        found = list_candidates(c.store, subject=subject, status=status, limit=limit)
        c.read_person("controller_candidates", {x.controller for x in found if x.controller_kind == "person"})
    if json:
        print(jsonlib.dumps([x.model_dump(mode="json") for x in found], ensure_ascii=False, indent=2))
        return
    for x in found:
        console.print(f"{x.controller} ({x.controller_name}) → {x.enterprise} ({x.enterprise_name}) "
                      f"{x.status.value} {x.share:.4g} % since {x.since}: {' → '.join(x.chain)}")


@app.command()
@exits
def review(controller: str, enterprise: str,
           status: Annotated[Decision, typer.Option()],
           reviewer: Annotated[str, typer.Option()], department: Annotated[str, typer.Option()],
           reason: Annotated[str, typer.Option()], date: Day = None) -> None:
    """Confirm or reject a candidate (as POST /v1/controller-candidates/review)."""
    with opened() as c:
        found, stats = review_candidate(
            c.store, c.catalogue,
            CandidateReview(controller=controller, enterprise=enterprise, status=status, reviewer=reviewer,
                            department=department, reason=reason, on=date.date() if date else None),
            bind=c.settings.bind_confirmed_controllers)
        c.record("controller_review", controller=found.controller, enterprise=found.enterprise, status=status.value,
                 reviewer=reviewer, department=department)
    console.print(f"{found.controller} → {found.enterprise}: {found.status.value}; "
                  f"{stats.entries} entr{'y' if stats.entries == 1 else 'ies'} derived again")
