"""Feedback from implementing departments and effectiveness statistics (F7, SH-10/11, GZ (十)).

A department that got a hit reports whether it applied the measure and, if not,
why ("完善重点惩戒措施的成效统计与反馈机制", GZ (十)). Statistics count applied and
not-applied reports per list, measure, region and department; SH-10 makes the
application results a yearly KPI per district.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from graph_model.catalogue.model import Catalogue
from graph_model.check.judging import applies_in
from graph_model.errors import InvalidInput, NotFound
from graph_model.identity.free_text import FreeText
from graph_model.identity.regions import province_of
from graph_model.lifecycle.history import History
from graph_model.store.base import Store
from graph_model.vocabulary.days import Day
from graph_model.vocabulary.kinds import IN_FORCE_STATES, EntryState, SubjectKind

__all__ = ["FeedbackIn", "Stats", "record_feedback", "stats"]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    entry_id: str = Field(min_length=1, max_length=128)
    subject_id: str = Field(min_length=1, max_length=128, description="The subject the hit was about.")
    action: str = Field(pattern=r"^[a-z_]+(\.[a-z_]+)*$", examples=["bidding.construction"])
    department: FreeText = Field(min_length=1, max_length=200, examples=["哈尔滨市公共资源交易中心"])
    region: str = Field(pattern=r"^\d{6}$", description="Where the department acted (GB/T 2260).")
    outcome: Literal["applied", "not_applied"]
    reason: FreeText = Field("", max_length=2000, description="Required when not applied.")
    on: Day | None = None

    @model_validator(mode="after")
    def _reason(self) -> FeedbackIn:
        if self.outcome == "not_applied" and not self.reason:
            raise ValueError("reason is required when the measure was not applied")
        return self


class Count(BaseModel):
    applied: int = 0
    not_applied: int = 0

    @property
    def total(self) -> int:
        return self.applied + self.not_applied

    def rate(self) -> float | None:
        return round(self.applied / self.total, 4) if self.total else None


class Row(BaseModel):
    key: str
    applied: int
    not_applied: int
    applied_rate: float | None


class Stats(BaseModel):
    since: date
    until: date
    total: int
    by_list: list[Row]
    by_action: list[Row]
    by_region: list[Row]
    by_department: list[Row]


def record_feedback(store: Store, catalogue: Catalogue, feedback: FeedbackIn) -> str:
    """Store one report. It must be about a hit the check could have given: on that day
    the entry was in force (applying a suspended measure is not a valid report), bound
    the subject, applied in the region, and carried the action for the subject's role."""
    on = feedback.on or date.today()
    if province_of(feedback.region) is None:
        raise InvalidInput(f"unknown region code {feedback.region!r}", field="region")
    found = store.read_one("entry_by_id", entry_id=feedback.entry_id)
    if found is None:
        raise NotFound(f"no entry {feedback.entry_id!r}")
    entry = found["entry"]
    list_def = catalogue.lists.get(entry["list"])
    if list_def is None:
        raise InvalidInput(f"entry {feedback.entry_id!r} is on list {entry['list']!r}, "
                           "which the catalogue no longer has", field="entry_id")
    state = History.of(entry).state_on(on)
    if state not in IN_FORCE_STATES:
        raise InvalidInput(f"entry {feedback.entry_id!r} was {state.value if state else 'not recorded'} "
                           f"on {on.isoformat()}; it restricted nobody that day", field="on")
    if state is EntryState.objection_pending and feedback.outcome == "applied":
        raise InvalidInput(f"entry {feedback.entry_id!r} was under objection on {on.isoformat()}; "
                           "its measures were suspended (暂不执行), not applied", field="outcome")
    if not applies_in(catalogue, list_def, feedback.region)[0]:
        raise InvalidInput(f"list {list_def.id!r} does not apply in {feedback.region}", field="region")
    # The subject id is not echoed: a caller may have put an ID number there.
    bound = [row for row in store.read("entry_bound", entry_id=feedback.entry_id) if row["id"] == feedback.subject_id]
    if not bound:
        raise InvalidInput(f"entry {feedback.entry_id!r} does not bind this subject", field="subject_id")
    decided = set(entry.get("measures") or [])
    actions = {m.action for row in bound
               for m in catalogue.measures_for(list_def.id, row["role"], SubjectKind(row["kind"]), decided)}
    feedback = feedback.model_copy(update={"action": catalogue.action_tree.canonical(feedback.action)})
    if feedback.action not in actions:
        raise InvalidInput(f"entry {feedback.entry_id!r} does not carry {feedback.action!r} for this subject "
                           f"({', '.join(sorted(actions)) or 'no measures'})", field="action")
    feedback_id = f"FB-{secrets.token_hex(8)}"
    props = feedback.model_dump(mode="json", exclude={"on"})
    props["on"] = on.isoformat()
    store.write("record_feedback", entry_id=feedback.entry_id, feedback_id=feedback_id, props=props)
    return feedback_id


def _rows(counts: dict[str, Count]) -> list[Row]:
    return [Row(key=k, applied=c.applied, not_applied=c.not_applied, applied_rate=c.rate())
            for k, c in sorted(counts.items(), key=lambda kv: (-kv[1].total, kv[0]))]


def stats(store: Store, since: date | None = None, until: date | None = None) -> Stats:
    since, until = since or date(1, 1, 1), until or date(9999, 12, 31)
    groups: dict[str, dict[str, Count]] = {g: defaultdict(Count) for g in ("list", "action", "region", "department")}
    total = 0
    for row in store.read("feedback_counts", since=since.isoformat(), until=until.isoformat()):
        total += row["n"]
        for group, counts in groups.items():
            count = counts[row[group]]
            setattr(count, row["outcome"], getattr(count, row["outcome"]) + row["n"])
    return Stats(since=since, until=until, total=total, by_list=_rows(groups["list"]),
                 by_action=_rows(groups["action"]), by_region=_rows(groups["region"]),
                 by_department=_rows(groups["department"]))
