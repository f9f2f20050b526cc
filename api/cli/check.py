"""``sanctionnet check ID``: the same answer as ``GET /v1/check``; ``check --file FILE``:
one answer per line of keys, as ``check_many`` gives them, masked for the role
``--view`` names, through the reader policy as the machine's operator
(``Reader(view, operator=True)``: it answers for the date asked and looks every key up,
where ``POST /v1/check/batch`` answers the public for today only)."""

from __future__ import annotations

import datetime as dt
import json as jsonlib
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from api.cli.common import Opened, console, err, exits, in_range, opened
from api.routers.check import MAX_BATCH
from graph_model.check.answer import CheckAnswer
from graph_model.errors import InvalidInput
from graph_model.identity.lookup import shown_key
from graph_model.privacy.masking import Role
from graph_model.privacy.reader import Reader, check_for, check_many_for

__all__ = ["check"]


def _verdict(answer: CheckAnswer) -> tuple[str, str]:
    if answer.restricted:
        return "RESTRICTED", "red"
    return ("SUSPENDED", "yellow") if answer.suspended else ("not restricted", "green")


def _print(answer: CheckAnswer) -> None:
    verdict, colour = _verdict(answer)
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


def _keys(file: str) -> list[tuple[int, str]]:
    """The keys of ``file`` (``-``: stdin), one a line, with their line numbers; blank
    lines are left out."""
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {file}: {getattr(exc, 'strerror', None) or exc}") from None
    keys = [(n, line.strip()) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if bad := next((n for n, key in keys if "\x00" in key), None):
        # The store's client would cut the query text at it.
        raise InvalidInput(f"{file}, line {bad}: a NUL character, which no key holds")
    return keys


def _print_batch(keys: list[tuple[int, str]], answers: list[CheckAnswer | None], as_json: bool) -> None:
    """One line per key, in order: JSON (``line``, ``key``, ``answer`` or null) or text."""
    for (line, key), answer in zip(keys, answers):
        if as_json:
            shown = answer.model_dump(mode="json") if answer else None
            print(jsonlib.dumps({"line": line, "key": shown_key(key), "answer": shown}, ensure_ascii=False))
        elif answer is None:
            console.print(f"{line}\t{escape(shown_key(key))}\t[dim]no such subject[/]", highlight=False,
                          soft_wrap=True)
        else:
            verdict, colour = _verdict(answer)
            console.print(f"{line}\t{escape(shown_key(key))}\t{escape(answer.subject.id)}\t{escape(answer.subject.name)}\t"
                          f"[{colour}]{verdict}[/]\t{', '.join(answer.measures)}", highlight=False, soft_wrap=True)
    found = [a for a in answers if a is not None]
    err.print(f"{len(answers)} keys: {len(found)} found, {sum(a.restricted for a in found)} restricted, "
              f"{sum(a.suspended for a in found)} suspended, {len(answers) - len(found)} unknown")


def _audit_batch(ctx: Opened, keys: list[tuple[int, str]], answers: list[CheckAnswer | None], *,
                 action: str | None, on: dt.date, region: str | None, view: Role) -> None:
    """The API's ``check_batch`` entry, one per ``MAX_BATCH`` keys (the API's largest
    batch), with the lines of the file it covers. A key that named nobody is recorded
    by its keyed hash, never as typed: it may be a mistyped ID number or a name."""
    for start in range(0, len(keys), MAX_BATCH):
        part_keys, part = keys[start:start + MAX_BATCH], answers[start:start + MAX_BATCH]
        found = [a for a in part if a is not None]
        versions = sorted({a.data_version for a in found if a.data_version is not None})
        ctx.record(
            "check_batch", action=action, date=on, region=region, view=view.value,
            lines=[part_keys[0][0], part_keys[-1][0]],
            subjects=[a.subject.id if a is not None else "?" + ctx.hasher(key.strip())[:24]
                      for (_, key), a in zip(part_keys, part)],
            asked=len(part), not_found=len(part) - len(found), restricted=sum(a.restricted for a in found),
            suspended=sum(a.suspended for a in found),
            restricted_subjects=sorted({a.subject.id for a in found if a.restricted}),
            catalogue_version=ctx.catalogue.version,
            # Without an answer found, the log reads the version itself.
            **({"data_version": versions[0]} if versions else {}),
            **({"data_version_last": versions[-1]} if len(versions) > 1 else {}))


@exits
def check(
    subject: Annotated[str | None, typer.Argument(help="Bundle id, USCC, organisation code, registration number, "
                                                         "resident ID number or enterprise name.")] = None,
    action: Annotated[str | None, typer.Option(help="Action code of the action tree, e.g. bidding.construction (measures on its ancestors and descendants count).")] = None,
    date: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], callback=in_range, help="As of this date (default today).")] = None,
    region: Annotated[str | None, typer.Option(help="Region code (GB/T 2260) where the check is made.")] = None,
    json: Annotated[bool, typer.Option("--json", help="Print the API's JSON answer.")] = False,
    view: Annotated[Role, typer.Option(help="Answer as the API answers this role (public: masked).")] = Role.admin,
    file: Annotated[str | None, typer.Option(
        "--file", metavar="FILE", help="Check every key of FILE (one a line; - reads stdin) instead of SUBJECT: "
                                       "one line per key, in order (with --json: {line, key, answer or null}).")] = None,
) -> None:
    """Is SUBJECT (is every key of --file) restricted (for ACTION) on DATE, and why."""
    if (subject is None) == (file is None):
        raise InvalidInput("give a SUBJECT or --file FILE (one of them)")
    on = date.date() if date else None
    if file is not None:
        keys, day = _keys(file), on or dt.date.today()
        with opened() as ctx:
            # An empty store would answer every key "unknown" and exit 0.
            ctx.require_subjects()
            answers, _ = check_many_for(Reader(view, operator=True), ctx.store, ctx.catalogue, ctx.hasher,
                                        [key for _, key in keys], action=action, on=day, region=region)
            _audit_batch(ctx, keys, answers, action=action, on=day, region=region, view=view)
        _print_batch(keys, answers, json)
        return
    with opened() as ctx:
        # Inside: an unknown key on an empty store is told the store is empty instead.
        answer = check_for(Reader(view, operator=True), ctx.store, ctx.catalogue, ctx.hasher, subject,
                           action=action, on=on, region=region)
        ctx.record("check", subject=answer.subject.id, kind=answer.subject.kind.value, action=action,
                   date=answer.date, region=region, view=view.value, restricted=answer.restricted,
                   suspended=answer.suspended, entries=sorted({r.entry_id for r in answer.reasons}),
                   catalogue_version=answer.catalogue_version, data_version=answer.data_version)
    if json:
        print(answer.model_dump_json(indent=2))
    else:
        _print(answer)
