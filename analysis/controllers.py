"""Candidate actual controllers (实际控制人) derived from majority chains.

A person or public body that, with the enterprises it already controls, holds more
than half of an enterprise (chain by chain, as ``analysis.ownership`` defines control)
is a **candidate** controller of it when the registry does not name it. A candidate
restricts nobody. A registrar confirms or rejects it, with a reason; a confirmed
candidate becomes an ``ACTUAL_CONTROLLER_OF`` (source ``derived``, from the day of
the confirmation) when the setting ``bind_confirmed_controllers`` is on (the
default), so PR1 reaches it like a registered controller, and the enterprise's
entries are derived again. It starts when the chain's control began (the last link's
``valid_from``): like any registry fact loaded late, it then also answers checks
dated before the confirmation, and the relationship keeps ``confirmed_on``.
Rejecting a confirmed candidate says the confirmation was wrong: the derived
relationship is removed with its whole period, and the entries are derived again.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from enum import StrEnum
from fractions import Fraction

from pydantic import BaseModel, ConfigDict, Field

from analysis.leads import holdings_graph
from analysis.ownership import control_chains, integrated_shares
from graph_model.catalogue import Catalogue
from graph_model.errors import NotFound
from graph_model.propagation import PropagationStats, propagate
from graph_model.store.base import Store, batched
from graph_model.types import OPEN_END

__all__ = ["Candidate", "CandidateReview", "CandidateStatus", "Decision", "derive_candidates", "list_candidates",
           "review_candidate"]


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
    since: dt.date = Field(description="When the chain's control began; a confirmed controllership starts then.")
    share: float = Field(description="The controller's integrated share in percent.")
    found_on: dt.date
    last_seen: dt.date
    reviewed_by: str | None = None
    department: str | None = None
    reason: str | None = None
    reviewed_on: dt.date | None = None


class CandidateReview(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    controller: str = Field(min_length=1, max_length=128)
    enterprise: str = Field(min_length=1, max_length=128)
    status: Decision
    reviewer: str = Field(min_length=1, max_length=200)
    department: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=2, max_length=2000)
    on: dt.date | None = Field(None, description="Day the decision takes effect (default today).")


def derive_candidates(store: Store, on: dt.date | None = None, batch_size: int = 5_000) -> int:
    """Find every unregistered majority-chain controller (persons and public bodies)
    and store it as a candidate; return how many there are."""
    on = on or dt.date.today()
    graph = holdings_graph(store, on)
    for a, b in graph.edges:
        graph[a][b]["w"] = Fraction(str(graph[a][b]["share"] or 0)) / 100
    registered: dict[str, set[str]] = defaultdict(set)
    since: dict[tuple[str, str], str] = {(a, b): data["since"] for a, b, data in graph.edges(data=True)}
    for row in store.read("registered_controllers_on", on=on.isoformat()):
        registered[row["controller"]].add(row["enterprise"])
        since[(row["controller"], row["enterprise"])] = row["valid_from"]
    kinds = {a: kind for a, _, kind in graph.edges(data="owner_kind")}
    reverse = graph.reverse(copy=False)
    rows = []
    for top in sorted(n for n in graph if kinds.get(n) in ("person", "public_body")):
        chains = control_chains(graph, top, registered)
        if not chains:
            continue
        shares = integrated_shares(reverse, top)
        for enterprise, chain in sorted(chains.items()):
            if enterprise in registered.get(top, ()):
                continue
            rows.append({"controller": top, "enterprise": enterprise, "chain": chain,
                         "share": round(float(shares.get(enterprise, 0) * 100), 6), "found_on": on.isoformat(),
                         # Control began when the last link of the chain was in place.
                         "since": max(since[link] for link in itertools.pairwise(chain))})
    for batch in batched(rows, batch_size):
        store.write("controller_candidates_save", rows=batch)
    return len(rows)


def _candidate(row: dict) -> Candidate:
    return Candidate(controller=row["controller"], controller_kind=row["controller_kind"],
                     controller_name=row["controller_name"] or "", enterprise=row["enterprise"],
                     enterprise_name=row["enterprise_name"] or "", **row["candidate"])


def list_candidates(store: Store, *, subject: str | None = None, status: CandidateStatus | None = None,
                    limit: int = 100, offset: int = 0) -> list[Candidate]:
    if subject:
        rows = store.read("controller_candidates_of", id=subject)
        found = [_candidate(row) for row in rows]
        return [c for c in found if status is None or c.status is status][offset:offset + limit]
    rows = store.read("controller_candidates_list", status=status.value if status else None, limit=limit,
                      offset=offset)
    return [_candidate(row) for row in rows]


def review_candidate(store: Store, catalogue: Catalogue, review: CandidateReview, *, bind: bool = True,
                     ) -> tuple[Candidate, PropagationStats]:
    """Confirm or reject a candidate; the enterprise's entries are derived again so
    that PR1 follows the decision at once."""
    on = review.on or dt.date.today()
    common = {"controller": review.controller, "enterprise": review.enterprise, "reviewer": review.reviewer,
              "department": review.department, "reason": review.reason, "on": on.isoformat()}
    if review.status is Decision.confirmed:
        rows = store.write("confirm_controller_candidate", bind=bind, open_end=OPEN_END, **common).rows
    else:
        rows = store.write("reject_controller_candidate", **common).rows
    if not rows:
        raise NotFound(f"no candidate controller {review.controller!r} of {review.enterprise!r}")
    by_list: dict[str, list[str]] = defaultdict(list)
    for row in store.read("entries_of_subjects", ids=[review.enterprise]):
        by_list[row["list"]].append(row["id"])
    stats = propagate(store, catalogue, by_list=dict(by_list)) if by_list else PropagationStats()
    found = next(c for c in list_candidates(store, subject=review.enterprise) if c.controller == review.controller)
    return found, stats
