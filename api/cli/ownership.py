"""``sanctionnet owners ID`` and ``sanctionnet controlled ID``: the answers of
``GET /v1/subjects/{id}/owners`` and ``/controlled``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from analysis.owners import controlled as find_controlled
from analysis.owners import owners as find_owners
from analysis.ownership_answers import ControlledAnswer, OwnersAnswer
from api.cli.common import console, exits, in_range, opened
from graph_model.privacy.reader import OPERATOR, resolve_for
from graph_model.vocabulary.kinds import SubjectKind

__all__ = ["controlled", "owners"]

Subject = Annotated[str, typer.Argument(help="Bundle id, USCC or resident ID number.")]
Date = Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], callback=in_range, help="As of this date (default today).")]
Json = Annotated[bool, typer.Option("--json", help="Print the API's JSON answer.")]


def _print_owners(answer: OwnersAnswer) -> None:
    console.print(f"[bold]{answer.subject.name}[/] ({answer.subject.id}) on {answer.date}: "
                  f"ultimate owners by {answer.rule.value if answer.rule else 'no rule (none found)'}")
    for owner in answer.ultimate_owners:
        chain = " → ".join(owner.paths[0].ids) if owner.paths else owner.role or ""
        console.print(f"- {owner.subject.name} ({owner.subject.id}) {owner.basis.value} "
                      f"{owner.share:.4g} %  {chain}")
    if answer.holders:
        console.print("integrated shares: " + ", ".join(f"{h.subject.id} {h.share:.4g} %" for h in answer.holders))
    for warning in answer.warnings:
        console.print(f"[yellow]{warning}[/]")


def _print_controlled(answer: ControlledAnswer) -> None:
    console.print(f"[bold]{answer.subject.name}[/] ({answer.subject.id}) on {answer.date} controls "
                  f"{len(answer.controlled)}")
    for item in answer.controlled:
        console.print(f"- {item.subject.name} ({item.subject.id}) {item.basis.value} {item.share:.4g} %  "
                      + " → ".join(item.via))
    for warning in answer.warnings:
        console.print(f"[yellow]{warning}[/]")


@exits
def owners(subject: Subject, date: Date = None, json: Json = False) -> None:
    """Ultimate owners of SUBJECT: integrated shares, chains, and the rule step that found them."""
    with opened() as ctx:
        found = resolve_for(OPERATOR, ctx.store, ctx.hasher, subject)
        answer = find_owners(ctx.store, found, date.date() if date else None)
        ctx.read_person("owners", {h.subject.id for h in [*answer.holders, *answer.ultimate_owners]
                                   if h.subject.kind is SubjectKind.person}, subject=found)
    if json:
        print(answer.model_dump_json(indent=2))
    else:
        _print_owners(answer)


@exits
def controlled(subject: Subject, date: Date = None, json: Json = False) -> None:
    """Everything SUBJECT controls, directly or through chains."""
    with opened() as ctx:
        found = resolve_for(OPERATOR, ctx.store, ctx.hasher, subject)
        answer = find_controlled(ctx.store, found, date.date() if date else None)
        ctx.read_person("controlled", subject=found)
    if json:
        print(answer.model_dump_json(indent=2))
    else:
        _print_controlled(answer)
