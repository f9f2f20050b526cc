"""Working days (工作日) as Chinese rules count them: public holidays off, adjusted weekend
days (调休上班) on.

The national rules set deadlines in working days: a court deletes a debtor's record
"三个工作日内" after an art. 10 event or the end of its term (失信名单规定 arts. 9-10),
信用中国 stops publishing within 3 working days of a removal, 双公示 puts decisions
online within 7 working days. Monday-Friday is wrong around the Spring Festival and
National Day, when the State Council moves weekends. The calendar comes from the
``chinesecalendar`` package, which the State Council's yearly notice updates; a year it
does not know yet (the notice comes out in November or December for the next year) is
counted Monday-Friday and said so (``CalendarDay.known``), never silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

__all__ = ["WorkdayResult", "add_working_days", "is_working_day"]

# A deadline further out than this is not a working-day rule any document sets.
_MAX_WORKING_DAYS = 366


@dataclass(frozen=True)
class WorkdayResult:
    """A deadline counted in working days, and whether the official calendar covered
    every day counted (False: some year was counted Monday-Friday)."""

    day: date
    known: bool


def _working(day: date) -> tuple[bool, bool]:
    """(is a working day, the official calendar knows the year)."""
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:
        return day.weekday() < 5, False


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day (a year the calendar lacks: Monday-Friday)."""
    return _working(day)[0]


def add_working_days(start: date, days: int) -> WorkdayResult:
    """The last day of a period of ``days`` working days after ``start``: "自…之日起三个
    工作日内" counts from the next day, so the period's first working day follows ``start``.

    >>> add_working_days(date(2026, 2, 13), 3).day  # Friday before the Spring Festival
    datetime.date(2026, 2, 25)
    """
    if not 0 <= days <= _MAX_WORKING_DAYS:
        raise ValueError(f"working days must be 0 to {_MAX_WORKING_DAYS}, not {days}")
    day, known, left = start, True, days
    while left:
        day += timedelta(days=1)
        working, in_calendar = _working(day)
        known = known and in_calendar
        left -= working
    return WorkdayResult(day, known)
