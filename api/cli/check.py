"""``sanctionnet check ID``: the same answer as ``GET /v1/check``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from api.cli.common import console, exits, opened
from graph_model.errors import NotFound
from graph_model.masking import Role, mask_check
from graph_model.rules import check as run_check
from graph_model.rules import not_found_detail
from graph_model.types import CheckAnswer

__all__ = ["check"]


def _print(answer: CheckAnswer) -> None:
    verdict = "RESTRICTED" if answer.restricted else "SUSPENDED" if answer.suspended else "not restricted"
    colour = "red" if answer.restricted else "yellow" if answer.suspended else "green"
    console.print(f"[bold {colour}]{verdict}[/] {answer.subject.name} ({answer.subject.id}) on {answer.date}")
    if answer.measures:
        console.print("measures in force: " + ", ".join(answer.measures))
    for reason in answer.reasons:
        path = " → ".join(
            f"{s.subject.name}({s.subject.id})" + (f" -{s.role}-" if s.role else "") for s in reason.path
        )
        console.print(f"- {reason.rule} {reason.entry_id} [{reason.state.value}] {reason.deciding_dept} "
                      f"{reason.basis}: {path}; {', '.join(reason.measures)}")
    if answer.eligibility:
        e = answer.eligibility
        console.print(f"{e.action}: {'[green]eligible[/]' if e.eligible else '[yellow]not eligible[/]'} "
                      f"({e.rule}) {'; '.join(e.grounds)}" + (f"; blocked by {', '.join(e.blocked_by)}" if e.blocked_by else ""))
    console.print(f"[dim]catalogue {answer.catalogue_version}[/]")


@exits
def check(
    subject: Annotated[str, typer.Argument(help="Bundle id, USCC or resident ID number.")],
    action: Annotated[str | None, typer.Option(help="Action code, e.g. procurement.bid.")] = None,
    date: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="As of this date (default today).")] = None,
    region: Annotated[str | None, typer.Option(help="Region code (GB/T 2260) where the check is made.")] = None,
    json: Annotated[bool, typer.Option("--json", help="Print the API's JSON answer.")] = False,
    view: Annotated[Role, typer.Option(help="Answer as the API answers this role (public: masked).")] = Role.admin,
) -> None:
    """Is SUBJECT restricted (for ACTION) on DATE, and why."""
    with opened() as ctx:
        answer = mask_check(run_check(ctx.store, ctx.catalogue, ctx.hasher, subject, action=action,
                                      on=date.date() if date else None, region=region), view)
    if answer is None:
        raise NotFound(not_found_detail(subject))
    if json:
        print(answer.model_dump_json(indent=2))
    else:
        _print(answer)
