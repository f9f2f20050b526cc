"""Whether an ID number shows a minor: the court's list never takes one (失信名单规定 art. 4).

The birth date is read from the number where it is at hand (a loader's record, a key
typed by a registrar) and never stored: the store keeps ID numbers only hashed and masked.
"""

from __future__ import annotations

from datetime import date

from graph_model.identity.identifiers import (
    is_valid_resident_id,
    may_be_old_resident_id,
    normalise_resident_id,
    upgrade_resident_id,
)
from graph_model.vocabulary.days import add_years

__all__ = ["minor_on"]


def minor_on(number: str, day: date) -> bool:
    """Whether ``number`` (18 or 15 digits, or masked with its birth year showing, as
    courts publish it) is the number of someone under 18 on ``day``. A masked number
    counts only when its birth year alone proves it; anything else is not a minor here."""
    norm = normalise_resident_id(number)
    if len(norm) == 15 and may_be_old_resident_id(norm):
        norm = upgrade_resident_id(norm)
    if is_valid_resident_id(norm):
        born = date(int(norm[6:10]), int(norm[10:12]), int(norm[12:14]))
        return add_years(born, 18) > day
    year = norm[6:10]
    if len(norm) == 18 and "*" in norm and year.isdigit():
        return day.year - int(year) < 18  # under 18 on 31 December of that year
    return False
