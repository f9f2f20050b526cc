"""An entry's dated history: the periods shown to a registrar agree with the state a
dated check reads, on every day."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from graph_model.lifecycle.history import History, history_text
from graph_model.vocabulary.kinds import EntryState

START = date(2020, 1, 1)

steps = st.lists(st.tuples(st.integers(0, 400), st.sampled_from(list(EntryState))), min_size=1, max_size=8)


@given(steps, st.one_of(st.none(), st.integers(0, 500)))
def test_periods_agree_with_the_state_on_every_day(raw, valid_to_offset):
    dated = sorted((START + timedelta(days=d), s) for d, s in raw)  # days in order, as a history is kept
    valid_to = None if valid_to_offset is None else START + timedelta(days=valid_to_offset)
    history = History.of({"history": history_text(dated),
                          "valid_to": valid_to.isoformat() if valid_to else "9999-12-31"})
    periods = history.periods()
    for a, b in zip(periods, periods[1:]):
        assert a.end is not None and a.end + timedelta(days=1) == b.start  # no gap, no overlap
    assert periods[-1].end is None and periods[0].start == dated[0][0]
    for day in (dated[0][0] + timedelta(days=n) for n in range(0, 520)):
        [span] = [p for p in periods if p.start <= day and (p.end is None or day <= p.end)]
        assert span.state is history.state_on(day), (day, periods)


def test_a_revocation_after_expiry_is_shown():
    history = History.of({"history": "2020-01-01 active;2024-06-01 revoked", "valid_to": "2022-12-31"})
    assert [(p.state.value, p.start.isoformat()) for p in history.periods()] == [
        ("active", "2020-01-01"), ("expired", "2023-01-01"), ("revoked", "2024-06-01")]
    assert history.state_on(date(2024, 6, 1)) is EntryState.revoked
