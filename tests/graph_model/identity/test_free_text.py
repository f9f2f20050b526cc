"""The two input guards of issue 17 as properties: an ID number typed into free text
never survives validation in clear, and date arithmetic on a day in range never raises."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from graph_model.identity.free_text import mask_id_numbers
from graph_model.identity.identifiers import make_resident_id
from graph_model.lifecycle.acts import Act
from graph_model.vocabulary.days import EARLIEST, latest, parse_day
from graph_model.vocabulary.days import add_months, add_years

_FULL_WIDTH = {ord(c): 0xFF10 + int(c) for c in "0123456789"}
_HIDDEN = ["", "\u200d", "\u200e", "\u2060"]


def _id_number(seed: int) -> str:
    rng = random.Random(seed)
    born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(30_000))
    return make_resident_id(rng, "110101", born, male=rng.random() < 0.5)


@given(seed=st.integers(0, 10**6), before=st.text(max_size=20), after=st.text(max_size=20),
       full_width=st.booleans(), hidden=st.sampled_from(_HIDDEN))
def test_an_id_number_in_any_text_is_masked(seed, before, after, full_width, hidden):
    number = _id_number(seed)
    typed = number.translate(_FULL_WIDTH) if full_width else number
    typed = typed[:8] + hidden + typed[8:]
    # Glued to letters or digits it is not a number on its own; a separator is what users type.
    text = f"{before} {typed}，{after}"
    masked = mask_id_numbers(text)
    ascii_view = masked.translate({ord(ch): None for ch in _HIDDEN if ch}).translate(
        {c: str(c - 0xFF10) for c in range(0xFF10, 0xFF1A)})
    assert number[6:14] not in ascii_view and number[6:14] not in masked
    assert len(masked) == len(text)  # only characters replaced: the text still reads


def test_text_without_an_id_number_is_kept_as_typed():
    for text in ("（2019）黑01执123号", "哈市监处〔2024〕12号", "91230103MA1ABCDE1X", "电话 13800138000", "2024-01-02"):
        assert mask_id_numbers(text) == text


def test_an_act_stores_what_it_is_given_with_id_numbers_masked():
    number = _id_number(1)
    act = Act(actor=f"王五 {number}", department="哈尔滨市市场监督管理局", reason=f"身份证号{number}",
              on="2024-01-05")
    assert number not in act.actor and number not in act.reason
    assert act.reason.endswith(number[:6] + "*" * 8 + number[-4:])


@given(day=st.dates(), years=st.integers(-200, 200), months=st.integers(-2400, 2400))
def test_date_arithmetic_never_raises(day, years, months):
    assert isinstance(add_years(day, years), dt.date)
    assert isinstance(add_months(day, months), dt.date)


@pytest.mark.parametrize("text", ["0", "20240101", "0001-01-01", "1949-09-30", "2024-02-30", "9999-12-31", ""])
def test_a_day_out_of_range_or_not_a_day_is_refused(text):
    with pytest.raises(ValueError):
        parse_day(text)
    with pytest.raises(ValidationError) as refused:
        Act(actor="王五", department="d", reason="r", on=text)
    assert refused.value.errors()[0]["loc"] == ("on",)


def test_the_range_ends_are_days():
    assert parse_day(EARLIEST.isoformat()) == EARLIEST
    assert parse_day(latest().isoformat()) == latest()
