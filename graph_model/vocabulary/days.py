"""The days sanctionnet takes as input, and the range each may lie in.

Every date a caller gives (a check's ``date``, a listing's ``determined`` and
``valid_to``, an act's ``on``, a range's ``from`` and ``to``) lies between
``EARLIEST`` (1949-10-01: no listing, role or act of this system is older) and
today plus ``HORIZON_YEARS`` (longer than any term, extension or publication
period in the catalogue; the catalogue loader refuses one that is not). A day
outside is refused with a 422 (the API) or a bad-parameter error (the CLI) naming
the field, before any date arithmetic runs: a year-1 date once made a grade
computation fail deep inside the handler.

A day is written ``YYYY-MM-DD``. A bare number is not a day: pydantic would read
``0`` as 1970-01-01 (a Unix timestamp).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

__all__ = ["EARLIEST", "HORIZON_YEARS", "Day", "add_months", "add_years", "check_day", "latest", "parse_day"]

EARLIEST = date(1949, 10, 1)
HORIZON_YEARS = 10
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def latest(today: date | None = None) -> date:
    """The last day an input may name: today plus ``HORIZON_YEARS``."""
    return add_years(today or date.today(), HORIZON_YEARS)


def check_day(value: date) -> date:
    """``value`` if it lies in the input range; a ``ValueError`` saying the range if not."""
    last = latest()
    if not EARLIEST <= value <= last:
        raise ValueError(f"must lie between {EARLIEST.isoformat()} and {last.isoformat()} "
                         f"(today + {HORIZON_YEARS} years)")
    return value


def _iso_only(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO.match(value.strip()):
        return value.strip()
    raise ValueError("must be a day written YYYY-MM-DD")


def parse_day(text: str) -> date:
    """``text`` (``YYYY-MM-DD``) as a day in range; ``ValueError`` naming what is wrong."""
    value = _iso_only(text)
    try:
        day = date.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        raise ValueError(f"{text!r} is not a calendar day") from None
    return check_day(day)


Day = Annotated[date, BeforeValidator(_iso_only), AfterValidator(check_day),
                Field(json_schema_extra={"x-range": f"{EARLIEST.isoformat()} .. today + {HORIZON_YEARS} years"})]
"""A day in the input range, written ``YYYY-MM-DD`` (a pydantic field or a FastAPI
query parameter)."""


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (earlier if negative); 29 February -> 28.
    Saturates at ``date.min`` and ``date.max`` rather than raising: inputs are held to
    ``graph_model.vocabulary.days``' range, and arithmetic on a valid day never fails."""
    year = day.year + years
    if year < date.min.year:
        return date.min
    if year > date.max.year:
        return date.max
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` later; the month's last day where it is shorter.
    Saturates at ``date.min`` and ``date.max`` like ``add_years``."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if year < date.min.year:
        return date.min
    if year > date.max.year:
        return date.max
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(f"no such day: {year}-{month + 1}")
