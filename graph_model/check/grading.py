"""The three-tier risk grade that drives 双随机 sampling (GZ (七), SH-9, PR10-PR12).

high (违法失信、风险较高): an entry in force on a restricting or supervising list that
is a 失信 record, reaching the subject itself or as a person-level record (PR10;
a 差 public-credit grade is such a list, PR11). low (信用较好、风险较低): an
incentive-list entry in force, or no 失信 record for the clean years (PR12). normal
otherwise. Entries under objection are left out: nothing derived from them is
enforced while they are checked.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from graph_model.catalogue.model import Catalogue
from graph_model.check.answer import SubjectRef
from graph_model.check.eligibility import clean_years
from graph_model.check.judging import applies_in, judge
from graph_model.errors import InvalidInput
from graph_model.identity.regions import province_of
from graph_model.store.base import Store
from graph_model.vocabulary.kinds import EntryState

__all__ = ["Grade", "grade"]


class Grade(BaseModel):
    """A subject's risk tier on a date, with what put it there."""

    subject: SubjectRef
    date: date
    tier: Literal["low", "normal", "high"]
    name_zh: str
    sampling_multiplier: float
    sampling_ratio: float = Field(description="Base 双随机 ratio times the tier's multiplier.")
    grounds: list[str]
    entries: list[str]
    legal_basis: str
    catalogue_version: str


def grade(store: Store, catalogue: Catalogue, subject: dict, on: date | None = None,
          region: str | None = None) -> Grade:
    """The subject's grade on ``on`` for supervision in ``region`` (None: anywhere; a
    region-group list counts only in its member provinces)."""
    on = on or date.today()
    if region is not None and province_of(region) is None:
        raise InvalidInput(f"unknown region {region!r}: give a six-digit GB/T 2260 code", field="region")
    judged, known = judge(store, catalogue, subject, on)
    judged = [j for j in judged if applies_in(catalogue, j.list_def, region)[0]]
    active = [j for j in judged if j.state is EntryState.active]
    high = [j for j in active if j.list_def.effect in ("restrict", "supervise") and j.list_def.dishonesty_record]
    good = [j for j in active if j.list_def.effect == "incentive"]
    grounds: list[str]
    if high:
        tier, chosen = "high", high
        grounds = [f"{j.list_def.name_zh} {j.entry['id']}" + ("" if j.role == "entity" else f"（{j.role}）")
                   for j in high]
    elif good:
        tier, chosen = "low", good
        grounds = [f"{j.list_def.name_zh} {j.entry['id']}" for j in good]
    else:
        clean, note = clean_years(catalogue, subject, judged, on)
        tier, chosen, grounds = ("low" if clean else "normal"), [], [note]
    rules = catalogue.rules.grading
    spec = rules.tiers[tier]
    return Grade(subject=known[subject["id"]], date=on, tier=tier, name_zh=spec.name_zh,
                 sampling_multiplier=spec.sampling_multiplier,
                 sampling_ratio=round(rules.base_sampling_ratio * spec.sampling_multiplier, 6),
                 grounds=grounds, entries=sorted({j.entry["id"] for j in chosen}),
                 legal_basis=f"{rules.legal_basis}（{rules.source}）", catalogue_version=catalogue.version)
