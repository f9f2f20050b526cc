"""An entry's state over time, from the history kept on the entry node.

Each entry carries one string property, ``history``: the state it entered on each
date, in order, as ``2024-01-10 notified;2024-01-20 active``. (One string rather
than two lists: a check reads the history of every entry on the subject, and each
value in a store reply costs parsing time.) The state on a day is the last one
entered on or before it (several transitions on one day: the last counts, so a
dated answer is the end-of-day state). A notification also enters the scheduled
``active`` state at the end of the notice period; a later transition before that
date replaces what was scheduled. Expiry is not stored: an entry is ``expired``
on any day after its ``valid_to``. ``closed_on`` (the first repair or revocation)
is stored beside the history so a check can skip entries that can no longer bind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from graph_model.vocabulary.kinds import EntryState, IN_FORCE_STATES, OPEN_END

__all__ = ["History", "Period", "bundle_history", "closed_on", "history_text"]


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
        """The history of an entry as the store returns it (``history``, ``valid_to``;
        ``state`` and ``determined`` for an entry stored before histories were kept)."""
        valid_to = entry.get("valid_to")
        valid_to = None if valid_to in (None, "", OPEN_END) else date.fromisoformat(valid_to)
        text = entry.get("history")
        if text:
            return cls(*_parse(text), valid_to)
        if entry.get("state"):
            # Stored before histories were kept: in its state since determination.
            steps = bundle_history(EntryState(entry["state"]), date.fromisoformat(entry["determined"]), None, 0)
            return cls(tuple(d for d, _ in steps), tuple(s for _, s in steps), valid_to)
        return cls((), (), valid_to)

    @property
    def steps(self) -> list[tuple[date, EntryState]]:
        return list(zip(self.on, self.states))

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
        """Consecutive (state, first day, last day) spans, expiry included: on every day
        of a span, ``state_on`` gives its state."""
        spans: list[Period] = []
        for i, (on, state) in enumerate(zip(self.on, self.states)):
            nxt = self.on[i + 1] if i + 1 < len(self.on) else None
            if nxt == on:
                continue  # superseded the same day
            end = nxt - timedelta(days=1) if nxt else None
            if state in IN_FORCE_STATES and self.valid_to is not None and (end is None or end > self.valid_to):
                if on <= self.valid_to:
                    spans.append(Period(state, on, self.valid_to))
                # Expired until the next step, if one comes (a later revocation).
                start = max(on, self.valid_to + timedelta(days=1))
                if spans and spans[-1].state is EntryState.expired and spans[-1].end is not None \
                        and spans[-1].end + timedelta(days=1) == start:
                    start = spans.pop().start
                spans.append(Period(EntryState.expired, start, end))
                continue
            spans.append(Period(state, on, end))
        return spans

    def in_state_between(self, start: date, end: date, states=IN_FORCE_STATES) -> bool:
        """Whether the entry was in one of ``states`` on some day of [start, end]."""
        return any(p.state in states and p.start <= end and (p.end is None or p.end >= start)
                   for p in self.periods())

    def ever(self, state: EntryState) -> bool:
        return state in self.states


_STATES = {state.value: state for state in EntryState}


@lru_cache(maxsize=65_536)
def _parse(text: str) -> tuple[tuple[date, ...], tuple[EntryState, ...]]:
    # Cached: a history string never changes meaning, and a busy subject's entries
    # are parsed on every check.
    pairs = [step.split(" ") for step in text.split(";")]
    return tuple(date.fromisoformat(d) for d, _ in pairs), tuple(_STATES[s] for _, s in pairs)


def closed_on(steps: list[tuple[date, EntryState]]) -> date | None:
    """The day the entry was first repaired or revoked: from then on it is never in
    force again (neither state has a way back), so a check for a later day can skip
    it without reading its history."""
    return next((day for day, state in steps if state in (EntryState.repaired, EntryState.revoked)), None)


def history_text(steps: list[tuple[date, EntryState]]) -> str:
    """The ``history`` property for dated steps."""
    return ";".join(f"{day.isoformat()} {state.value}" for day, state in steps)


def bundle_history(state: EntryState, determined: date, state_since: date | None,
                   notice_days: int) -> list[tuple[date, EntryState]]:
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
    return steps
