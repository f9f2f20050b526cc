"""Judging a subject's restriction records for a day: which entry binds it, in which
role, in which state, from the entry's history and the catalogue. An entry restricts
only on days it was ``active``; under an open objection its records are *suspended*
(GZ (十七): "联合惩戒措施在信息核实期间暂不执行"); repaired, revoked and expired entries
give none from that day on, while a date before still has its answer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from graph_model.catalogue.model import Catalogue, ListDef
from graph_model.check.answer import SubjectRef
from graph_model.lifecycle.history import History
from graph_model.store.base import Store
from graph_model.vocabulary.days import add_years
from graph_model.vocabulary.kinds import OPEN_END, OPEN_START, EntryState, SubjectKey

__all__ = ["Judged", "applies_in", "day_of", "judge", "judged_records", "names_on_paths", "subject_ref", "window"]


def day_of(value: str | None) -> date | None:
    """A stored day (ISO text), None for an open end (the sentinels) or none at all."""
    if value in (None, "", OPEN_START, OPEN_END):
        return None
    return date.fromisoformat(value)


@dataclass(frozen=True)
class Judged:
    """One restriction record on the subject, with its entry judged for a date."""

    restriction: dict
    entry: dict
    list_def: ListDef
    history: History
    state: EntryState | None  # on the date asked
    current: EntryState | None  # today

    @property
    def role(self) -> str:
        return self.restriction["role"]


def window(catalogue: Catalogue, on: date, *, clean_years: bool) -> dict[str, str]:
    """The days whose entries a judgement for ``on`` must see (``subject_records``'s
    $from and $to): the day itself, or with ``clean_years`` the span before it that
    PR12 asks about."""
    since = add_years(on, -catalogue.rules.green_channel.clean_years) if clean_years else on
    return {"from": since.isoformat(), "to": on.isoformat()}


def judge(store: Store, catalogue: Catalogue, subject: dict, on: date,
          records: list[dict] | None = None) -> tuple[list[Judged], dict[str, SubjectRef]]:
    """Every restriction record on ``subject`` on a list the catalogue knows that may
    bear on ``on`` (or on the clean years before it, if it reads them), judged for ``on``;
    and the subjects their paths name. ``records``: the subject's records as
    ``subject_records`` returns them, if the caller has read them already."""
    if records is None:
        records = store.read_one("subject_records", variant=SubjectKey.id, key=subject["id"],
                                 **window(catalogue, on, clean_years=True))["records"]
    judged = judged_records(catalogue, records, on)
    return judged, names_on_paths(store, [subject], judged)


def judged_records(catalogue: Catalogue, records: list[dict], on: date) -> list[Judged]:
    today = date.today()
    judged = []
    for row in records:
        list_def = catalogue.lists.get(row["entry"]["list"])
        if list_def is None:
            continue
        history = History.of(row["entry"])
        judged.append(Judged(row["restriction"], row["entry"], list_def, history,
                             history.state_on(on), history.state_on(today)))
    return judged


def applies_in(catalogue: Catalogue, list_def: ListDef, region: str | None) -> tuple[bool, list[str] | None]:
    """Whether the list's entries count in ``region`` (None: anywhere), and the member
    provinces of its region group (None: national)."""
    provinces = catalogue.provinces_of(list_def)
    if provinces is None:
        return True, None
    return (region is None or region[:2] in provinces), sorted(provinces)


def subject_ref(row: dict) -> SubjectRef:
    return SubjectRef(id=row["id"], kind=row["kind"], name=row.get("name") or "")


def names_on_paths(store: Store, subjects: Iterable[dict], judged: Iterable[Judged]) -> dict[str, SubjectRef]:
    """The subjects, and every other subject on the paths of ``judged``, by id: one
    read for however many subjects."""
    known = {subject["id"]: subject_ref(subject) for subject in subjects}
    missing = {i for j in judged for i in j.restriction["path_ids"]} - set(known)
    if missing:
        for row in store.read("subjects_by_ids", ids=sorted(missing)):
            known[row["subject"]["id"]] = subject_ref(row["subject"])
    return known
