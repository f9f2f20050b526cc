"""Candidate actual controllers as records: derived, stored, lapsed, listed, reviewed.

A candidate (found by ``analysis.controllers``) restricts nobody. A registrar confirms
or rejects it, with a reason; a confirmed candidate becomes an ``ACTUAL_CONTROLLER_OF``
(source ``derived``, from the day of the confirmation) when the setting
``bind_confirmed_controllers`` is on (the default), so PR1 reaches it like a registered
controller, and the enterprise's entries are derived again. It starts when the chain's
control began (the last link's ``valid_from``): like any registry fact loaded late, it
then also answers checks dated before the confirmation, and the relationship keeps
``confirmed_on``. Rejecting a confirmed candidate says the confirmation was wrong: the
derived relationship is removed with its whole period, and the entries are derived again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from analysis.controllers import find_candidates
from analysis.ownership_reads import holdings_graph, read_registrations
from graph_model.catalogue.model import Catalogue
from graph_model.errors import NotFound
from graph_model.identity.free_text import FreeText
from graph_model.lifecycle.propagation import PropagationStats, propagate
from graph_model.store.base import Store, batched
from graph_model.vocabulary.days import Day
from graph_model.vocabulary.kinds import OPEN_END

__all__ = ["Candidate", "CandidateReview", "CandidateStatus", "Decision", "Derivation", "derive_candidates",
           "list_candidates", "review_candidate"]


class CandidateStatus(StrEnum):
    candidate = "candidate"
    confirmed = "confirmed"
    rejected = "rejected"


class Decision(StrEnum):
    confirmed = "confirmed"
    rejected = "rejected"


class Candidate(BaseModel):
    controller: str
    controller_kind: str
    controller_name: str = ""
    enterprise: str
    enterprise_name: str = ""
    status: CandidateStatus
    chain: list[str] = Field(description="The chain of majorities from the controller to the enterprise.")
    since: dt.date = Field(description="When the control began (a registration's start, or the day the holdings "
                                       "first made a majority); a confirmed controllership starts then.")
    share: float | None = Field(None, description="The controller's integrated share in percent (None: the holdings "
                                            "include a group that owns all of itself).")
    found_on: dt.date
    last_seen: dt.date
    reviewed_by: str | None = None
    department: str | None = None
    reason: str | None = None
    reviewed_on: dt.date | None = None
    lapsed_on: dt.date | None = Field(None, description="A derivation on this day no longer found the control; "
                                                         "a controllership its confirmation made ended the day before.")


class CandidateReview(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    controller: str = Field(min_length=1, max_length=128)
    enterprise: str = Field(min_length=1, max_length=128)
    status: Decision
    reviewer: FreeText = Field(min_length=1, max_length=200)
    department: FreeText = Field(min_length=1, max_length=200)
    reason: FreeText = Field(min_length=2, max_length=2000)
    on: Day | None = Field(None, description="Day the decision takes effect (default today).")


@dataclass
class Derivation:
    """What one derivation found."""

    candidates: int = 0  # unregistered majority-chain controllerships, found now
    lapsed: int = 0  # candidates found before and not now (a confirmed one's controllership ends)
    loops: list[str] = field(default_factory=list)  # groups that own all of themselves (no share)
    propagation: PropagationStats = field(default_factory=PropagationStats)


def derive_candidates(store: Store, catalogue: Catalogue, on: dt.date | None = None,
                      batch_size: int = 5_000) -> Derivation:
    """Find every unregistered majority-chain controller and store it as a candidate.

    A candidate found before and not now has lapsed: a controllership its confirmation
    made ends the day before ``on``, and the entries of those enterprises are derived
    again.

    Parameters
    ----------
    store : Store
        The graph; candidates are written to it.
    catalogue : Catalogue
        For deriving entries again.
    on : datetime.date, optional
        The day of the holdings and registrations; today by default.
    batch_size : int
        Candidates per write.

    Returns
    -------
    Derivation
        How many were found and lapsed, the groups that own all of themselves, and the
        propagation that lapsed controllerships caused.

    Examples
    --------
    >>> bundle = Bundle()
    >>> bundle.person("P1")[0], bundle.enterprise("E1"), bundle.enterprise("E2")
    ('P1', 'E1', 'E2')
    >>> bundle.role("P1", "HOLDS_SHARES", "E1", share="60", valid_from="2020-01-01")
    >>> bundle.role("E1", "HOLDS_SHARES", "E2", share="51", valid_from="2021-03-01")
    >>> load(bundle)
    >>> derived = derive_candidates(store, catalogue, dt.date(2024, 6, 1))
    >>> derived.candidates, derived.lapsed, derived.loops
    (2, 0, [])
    """
    on = on or dt.date.today()
    run = f"{on.isoformat()} {uuid.uuid4().hex[:8]}"
    found, loops = find_candidates(holdings_graph(store, on), read_registrations(store, on))
    result = Derivation(loops=loops)
    rows = [{**row, "found_on": on.isoformat(), "run": run} for row in found]
    for batch in batched(rows, batch_size):
        store.write("controller_candidates_save", rows=batch)
    result.candidates = len(rows)
    lapsed = store.write("controller_candidates_lapse", run=run, on=on.isoformat(),
                         until=(on - dt.timedelta(days=1)).isoformat()).rows
    result.lapsed = len(lapsed)
    ended = sorted({row["enterprise"] for row in lapsed if row["ended"]})
    if ended:
        result.propagation = _derive_entries(store, catalogue, ended)
    return result


def _derive_entries(store: Store, catalogue: Catalogue, enterprises: list[str]) -> PropagationStats:
    by_list: dict[str, list[str]] = defaultdict(list)
    for batch in batched(enterprises, 5_000):
        for row in store.read("entries_of_subjects", ids=batch):
            by_list[row["list"]].append(row["id"])
    return propagate(store, catalogue, by_list=dict(by_list)) if by_list else PropagationStats()


def _candidate(row: dict) -> Candidate:
    return Candidate(controller=row["controller"], controller_kind=row["controller_kind"],
                     controller_name=row["controller_name"] or "", enterprise=row["enterprise"],
                     enterprise_name=row["enterprise_name"] or "", **row["candidate"])


def list_candidates(store: Store, *, subject: str | None = None, status: CandidateStatus | None = None,
                    limit: int = 100, offset: int = 0, region: str | None = None) -> list[Candidate]:
    """Stored candidates, of one subject or all.

    Parameters
    ----------
    store : Store
        The graph.
    subject : str, optional
        An enterprise or a controller: only its candidates.
    status : CandidateStatus, optional
        Only candidates in this status.
    limit, offset : int
        The page.
    region : str, optional
        Only enterprises whose region code starts with it (a registrar's region).

    Returns
    -------
    list of Candidate
        Of all subjects, by enterprise and controller.

    Examples
    --------
    >>> bundle = Bundle()
    >>> bundle.person("P1")[0], bundle.enterprise("E1", region="440305")
    ('P1', 'E1')
    >>> bundle.role("P1", "HOLDS_SHARES", "E1", share="60", valid_from="2020-01-01")
    >>> load(bundle)
    >>> derive_candidates(store, catalogue, dt.date(2024, 6, 1)).candidates
    1
    >>> [(c.controller, c.enterprise, c.status.value, c.share, c.since.isoformat())
    ...  for c in list_candidates(store, region="44")]
    [('P1', 'E1', 'candidate', 60.0, '2020-01-01')]
    """
    if subject:
        rows = store.read("controller_candidates_of", id=subject, region=region)
        found = [_candidate(row) for row in rows]
        return [c for c in found if status is None or c.status is status][offset:offset + limit]
    rows = store.read("controller_candidates_list", status=status.value if status else None, limit=limit,
                      offset=offset, region=region)
    return [_candidate(row) for row in rows]


def review_candidate(store: Store, catalogue: Catalogue, review: CandidateReview, *, bind: bool = True,
                     ) -> tuple[Candidate, PropagationStats]:
    """Confirm or reject a candidate; the enterprise's entries are derived again so that
    PR1 follows the decision at once.

    Parameters
    ----------
    store : Store
        The graph.
    catalogue : Catalogue
        For deriving the enterprise's entries again.
    review : CandidateReview
        The registrar's decision, with a reason.
    bind : bool
        Whether a confirmation makes an ``ACTUAL_CONTROLLER_OF`` (the setting
        ``bind_confirmed_controllers``).

    Returns
    -------
    tuple of (Candidate, PropagationStats)
        The candidate as reviewed, and what deriving the entries again changed.

    Raises
    ------
    NotFound
        When there is no such candidate.

    Examples
    --------
    >>> bundle = Bundle()
    >>> bundle.person("P1")[0], bundle.enterprise("E1")
    ('P1', 'E1')
    >>> bundle.role("P1", "HOLDS_SHARES", "E1", share="60", valid_from="2020-01-01")
    >>> load(bundle)
    >>> derive_candidates(store, catalogue, dt.date(2024, 6, 1)).candidates
    1
    >>> review = CandidateReview(controller="P1", enterprise="E1", status="confirmed", reviewer="王五",
    ...                          department="市场监管局", reason="股权穿透核实", on=dt.date(2024, 6, 3))
    >>> candidate, _ = review_candidate(store, catalogue, review)
    >>> candidate.status.value, candidate.reviewed_by, candidate.reviewed_on
    ('confirmed', '王五', datetime.date(2024, 6, 3))
    """
    on = review.on or dt.date.today()
    common = {"controller": review.controller, "enterprise": review.enterprise, "reviewer": review.reviewer,
              "department": review.department, "reason": review.reason, "on": on.isoformat()}
    if review.status is Decision.confirmed:
        rows = store.write("confirm_controller_candidate", bind=bind, open_end=OPEN_END, **common).rows
    else:
        rows = store.write("reject_controller_candidate", **common).rows
    if not rows:
        raise NotFound(f"no candidate controller {review.controller!r} of {review.enterprise!r}")
    stats = _derive_entries(store, catalogue, [review.enterprise])
    found = next(c for c in list_candidates(store, subject=review.enterprise) if c.controller == review.controller)
    return found, stats
