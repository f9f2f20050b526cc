"""Terms the national rules set: listing grounds and their terms, removal deadlines in
working days, and publication and repair periods by the rule in force on the decision date.

These are catalogue data (``lists/*.yaml``: ``grounds``, ``removal``; ``rules.yaml``:
``publication_regimes``); this module holds their shapes and the arithmetic, so a period
is always computed with the rule version that governs it and that version is returned
with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from graph_model.catalogue.workdays import add_working_days
from graph_model.vocabulary.days import HORIZON_YEARS
from graph_model.vocabulary.days import add_months, add_years

__all__ = ["Ground", "PublicationPeriod", "PublicationRegime", "Removal", "TierPeriod", "publication_period"]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Ground(_Spec):
    """A ground for listing (失信名单规定 art. 1 (一)-(六)) and the term it carries."""

    code: str = Field(pattern=r"^[a-z0-9_]+$")
    name_zh: str
    # Words of the court's published "失信被执行人行为具体情形" that name this ground.
    matches: list[str] = Field(min_length=1)
    term_years: int | None = Field(None, ge=1, le=HORIZON_YEARS, description="None: no fixed term (removed under art. 10).")
    extension_max_years: int | None = Field(None, ge=1, le=HORIZON_YEARS)
    source: str
    verified: bool = True

    def recognises(self, text: str) -> bool:
        folded = re.sub(r"\s+", "", text or "")
        return any(word in folded for word in self.matches)

    def last_day(self, determined: date) -> date | None:
        """The last day of a listing on this ground decided on ``determined``, unextended."""
        if self.term_years is None:
            return None
        return add_years(determined, self.term_years) - timedelta(days=1)


class Removal(_Spec):
    """How soon a listing must be removed after an event that ends it (art. 9-10)."""

    working_days: int = Field(ge=0, le=60)
    events: list[str] = Field(min_length=1)
    source: str
    verified: bool = True

    def due(self, event: date) -> tuple[date, bool]:
        """(last day for the removal, whether the official calendar covered every day)."""
        result = add_working_days(event, self.working_days)
        return result.day, result.known


class TierPeriod(_Spec):
    """Publication period of one severity tier: published at least ``min_months`` (then
    repairable on application), at most ``max_months`` (then it stops by itself)."""

    min_months: int = Field(ge=0)
    max_months: int = Field(ge=0, le=HORIZON_YEARS * 12)
    published: bool = True
    repairable: bool = True

    @model_validator(mode="after")
    def _order(self) -> TierPeriod:
        if self.min_months > self.max_months:
            raise ValueError("min_months is more than max_months")
        return self


class PublicationRegime(_Spec):
    """One national rule on publication and repair periods, in force from a date."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name_zh: str
    source: str
    in_force_from: date | None = Field(None, description="None: governs decisions before the next regime.")
    domain: Literal["general", "market_regulation"] = "general"
    tiers: dict[Literal["minor", "general", "serious", "specific_serious"], TierPeriod]
    # Fields (食品、药品、特种设备、安全生产、消防) with a longer minimum.
    longer_minimum_fields: list[str] = Field(default_factory=list)
    longer_minimum_months: int | None = None
    verified: bool = True
    note: str = ""


@dataclass(frozen=True)
class PublicationPeriod:
    """A decision's publication period and the rule version that set it."""

    regime: str
    source: str
    earliest_end: date  # repair may end publication from this day
    latest_end: date  # publication stops by itself after this day
    published: bool
    repairable: bool
    verified: bool


def publication_period(regimes: list[PublicationRegime], decided: date, tier: str, *,
                       domain: str = "general", field: str | None = None) -> PublicationPeriod:
    """The publication period of a decision of ``tier`` made on ``decided``, under the
    regime of ``domain`` in force that day."""
    candidates = sorted((r for r in regimes if r.domain == domain), key=lambda r: r.in_force_from or date.min)
    governing = [r for r in candidates if (r.in_force_from or date.min) <= decided]
    if not governing:
        raise ValueError(f"no {domain} publication rule was in force on {decided.isoformat()}")
    regime = governing[-1]
    period = regime.tiers.get(tier)
    if period is None:
        raise ValueError(f"{regime.id} has no tier {tier!r}: it has {sorted(regime.tiers)}")
    minimum = period.min_months
    if field and field in regime.longer_minimum_fields and regime.longer_minimum_months:
        minimum = max(minimum, regime.longer_minimum_months)
    return PublicationPeriod(regime.id, regime.source, add_months(decided, minimum), add_months(decided, period.max_months),
                             period.published, period.repairable, regime.verified)
