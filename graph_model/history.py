"""An entry's state over time, from the history kept on the entry node.

Each entry carries two parallel lists, ``hist_on`` (ISO dates) and ``hist_state``:
the state it entered on each date, in order. The state on a day is the last one
entered on or before it (several transitions on one day: the last counts, so a
dated answer is the end-of-day state). A notification also enters the scheduled
``active`` state at the end of the notice period; a later transition before that
date replaces what was scheduled. Expiry is not stored: an entry is ``expired``
on any day after its ``valid_to``. Reading dated answers from these lists needs
no extra query per entry, so a long history does not slow the check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from graph_model.types import IN_FORCE_STATES, OPEN_END, EntryState

__all__ = ["History", "Period", "add_years", "bundle_history"]


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (earlier if negative); 29 February -> 28."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Period:
    state: EntryState
    start: date
    end: date | None  # last day in this state; None: still in it


@dataclass(frozen=True)
class History:
    """The dated states of one entry."""

    on: tuple[date, ...]
    states: tuple[EntryState, ...]
    valid_to: date | None = None

    @classmethod
    def of(cls, entry: dict) -> History:
        valid_to = entry.get("valid_to")
        if not entry.get("hist_on") and entry.get("state"):
            # An entry stored before histories were kept: its state since determination.
            on, states = bundle_history(EntryState(entry["state"]), date.fromisoformat(entry["determined"]), None, 0)
            entry = {**entry, "hist_on": on, "hist_state": states}
        return cls(tuple(date.fromisoformat(d) for d in entry.get("hist_on") or ()),
                   tuple(EntryState(s) for s in entry.get("hist_state") or ()),
                   None if valid_to in (None, "", OPEN_END) else date.fromisoformat(valid_to))

    def state_on(self, day: date) -> EntryState | None:
        """The state at the end of ``day``; None before the entry existed."""
        current = None
        for on, state in zip(self.on, self.states):
            if on > day:
                break
            current = state
        if current in IN_FORCE_STATES and self.valid_to is not None and day > self.valid_to:
            return EntryState.expired
        return current

    def periods(self) -> list[Period]:
        """Consecutive (state, first day, last day) spans, expiry included."""
        spans: list[Period] = []
        for i, (on, state) in enumerate(zip(self.on, self.states)):
            nxt = self.on[i + 1] if i + 1 < len(self.on) else None
            if nxt == on:
                continue  # superseded the same day
            end = nxt - timedelta(days=1) if nxt else None
            if state in IN_FORCE_STATES and self.valid_to is not None and (end is None or end > self.valid_to):
                if on <= self.valid_to:
                    spans.append(Period(state, on, self.valid_to))
                spans.append(Period(EntryState.expired, max(on, self.valid_to + timedelta(days=1)), None))
                break
            spans.append(Period(state, on, end))
        return spans

    def in_state_between(self, start: date, end: date, states=IN_FORCE_STATES) -> bool:
        """Whether the entry was in one of ``states`` on some day of [start, end]."""
        return any(p.state in states and p.start <= end and (p.end is None or p.end >= start)
                   for p in self.periods())

    def ever(self, state: EntryState) -> bool:
        return state in self.states


def bundle_history(state: EntryState, determined: date, state_since: date | None,
                   notice_days: int) -> tuple[list[str], list[str]]:
    """The history a bundle row implies: it took effect on ``determined`` and has been
    in ``state`` since ``state_since``. The loader requires ``state_since`` for every
    state that is not the first of the entry."""
    since = state_since or determined
    if state is EntryState.proposed:
        steps = [(since, state)]
    elif state is EntryState.notified:
        steps = [(since, state), (since + timedelta(days=notice_days), EntryState.active)]
    elif state in (EntryState.active, EntryState.expired):
        steps = [(determined, EntryState.active)]
    else:
        steps = [(determined, EntryState.active), (since, state)]
    return [d.isoformat() for d, _ in steps], [s.value for _, s in steps]
