"""Eligibility for an incentive (PR12): the green channel and the other 守信激励
measures, answered with whether the subject qualifies and why, instead of a
restriction."""

from __future__ import annotations

from datetime import date

from graph_model.catalogue.actions import ActionMatch
from graph_model.catalogue.model import Catalogue
from graph_model.check.answer import Eligibility
from graph_model.check.judging import Judged, applies_in, day_of
from graph_model.vocabulary.days import add_years
from graph_model.vocabulary.kinds import EntryState, SubjectKind

__all__ = ["clean_years", "eligibility_of"]


def clean_years(catalogue: Catalogue, subject: dict, judged: list[Judged], on: date) -> tuple[bool, str]:
    """Whether the subject has had no 失信 record for ``clean_years`` years up to ``on``.

    A revoked entry was never a record (wrongful listing). Only an enterprise or body
    registered long enough can prove the years: a person's register start is unknown.
    """
    years = catalogue.rules.green_channel.clean_years
    since = add_years(on, -years)
    established = day_of(subject.get("established"))
    if established is None or established > since:
        return False, f"no record of the subject before {since.isoformat()}: {years} clean years unproven"
    dirty = sorted({j.entry["id"] for j in judged if j.list_def.dishonesty_record
                    and not j.history.ever(EntryState.revoked)
                    and j.history.in_state_between(since, on, {EntryState.active})})
    if dirty:
        return False, f"失信 records since {since.isoformat()}: {', '.join(dirty)}"
    return True, f"连续{years}年无不良违法失信记录（{since.isoformat()} 至 {on.isoformat()}）"


def eligibility_of(catalogue: Catalogue, subject: dict, judged: list[Judged], action: str, on: date,
                 region: str | None) -> Eligibility:
    """PR12: an incentive-list entry in force that grants the action, or (green channel)
    three clean years; and in either case no 失信 entry in force on the day. An entry
    under objection neither grants nor blocks (暂不执行); a region-group list grants or
    blocks only in its member provinces."""
    kind = SubjectKind(subject["kind"])
    green = catalogue.rules.green_channel
    grounds, blocked = [], set()
    judged = [j for j in judged if applies_in(catalogue, j.list_def, region)[0]]
    for j in judged:
        binding = j.state is EntryState.active or (
            j.state is EntryState.objection_pending and not j.list_def.objection_suspends)
        if not binding:
            continue
        if j.list_def.effect == "incentive":
            decided = set(j.entry.get("measures") or [])
            if any(catalogue.match(action, m) is ActionMatch.same
                   for m in catalogue.measures_for(j.list_def.id, j.role, kind, decided)):
                grounds.append(f"{j.list_def.name_zh} {j.entry['id']}（{j.entry['deciding_dept']}）")
        elif j.list_def.dishonesty_record:
            blocked.add(j.entry["id"])
    qualified = bool(grounds)
    if catalogue.action_tree.canonical(action) == green.action and not qualified:
        qualified, note = clean_years(catalogue, subject, judged, on)
        grounds.append(note if qualified else f"not met: {note}")
    return Eligibility(action=action, eligible=qualified and not blocked, rule="PR12", grounds=grounds,
                       blocked_by=sorted(blocked), legal_basis=f"{green.legal_basis}（{green.source}）")
