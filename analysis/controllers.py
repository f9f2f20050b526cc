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
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

import networkx as nx
from pydantic import BaseModel, ConfigDict, Field

from analysis.leads import holdings_graph
from analysis.ownership import MAJORITY, OwnershipLoop, control_chains, integrated_shares, shares_below
from graph_model.catalogue.model import Catalogue
from graph_model.errors import NotFound
from graph_model.identity.free_text import FreeText
from graph_model.lifecycle.propagation import PropagationStats, propagate
from graph_model.store.base import Store, batched
from graph_model.vocabulary.days import Day
from graph_model.vocabulary.kinds import OPEN_END, OPEN_START

__all__ = ["Candidate", "CandidateReview", "CandidateStatus", "Decision", "Derivation", "derive_candidates", "list_candidates",
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


def _control_since(graph: nx.DiGraph, top: str, chains: dict[str, list[str]],
                   registered_since: dict[tuple[str, str], str], registrations: dict[str, list[str]]) -> dict[str, str]:
    """The day ``top`` gained control of each company of ``chains``: a registration's
    start, or the day the holdings of ``top`` and what it then controlled first added
    up to a majority (each holding counting from its own start and its holder's
    control); to a fixed point, since control of one company dates control of the next.
    ``registrations`` lists each company's registered controllers."""
    since: dict[str, str] = {top: OPEN_START}
    for _ in range(len(chains) + 1):
        changed = False
        for company in chains:
            starts = [max(registered_since[(m, company)], since[m]) for m in registrations.get(company, ())
                      if m in since]
            held = sorted((max(graph[m][company]["since"], since[m]), graph[m][company]["w"])
                          for m in graph.predecessors(company) if m in since)
            total = Fraction(0)
            for day, w in held:
                total += w
                if total > MAJORITY:
                    starts.append(day)
                    break
            if starts and min(starts) != since.get(company):
                since[company] = min(starts)
                changed = True
        if not changed:
            break
    return since


def derive_candidates(store: Store, catalogue: Catalogue, on: dt.date | None = None,
                      batch_size: int = 5_000) -> Derivation:
    """Find every unregistered majority-chain controller (persons and public bodies)
    and store it as a candidate. A candidate found before and not now has lapsed: a
    controllership its confirmation made ends the day before ``on``, and the entries of
    those enterprises are derived again."""
    on = on or dt.date.today()
    run = f"{on.isoformat()} {uuid.uuid4().hex[:8]}"
    graph = holdings_graph(store, on)
    kinds = {a: kind for a, _, kind in graph.edges(data="owner_kind")}
    registered: dict[str, set[str]] = defaultdict(set)
    registered_since: dict[tuple[str, str], str] = {}
    for row in store.read("registered_controllers_on", on=on.isoformat()):
        registered[row["controller"]].add(row["enterprise"])
        registered_since[(row["controller"], row["enterprise"])] = row["valid_from"]
        kinds[row["controller"]] = row["kind"]
    registrations: dict[str, list[str]] = defaultdict(list)
    for controller, company in registered_since:
        registrations[company].append(controller)
    reverse = graph.reverse(copy=False)
    # Holders with nothing on a cycle below them (nearly all) get their shares in one
    # pass in topological order; the others are solved part by part.
    cyclic = {n for part in nx.strongly_connected_components(graph) if len(part) > 1 for n in part}
    rank = {n: i for i, n in enumerate(nx.topological_sort(graph.subgraph(set(graph) - cyclic)))}
    result, rows = Derivation(), []
    for top in sorted(n for n, kind in kinds.items() if kind in ("person", "public_body")):
        chains = control_chains(graph, top, registered)
        if not chains:
            continue
        try:
            shares: dict[str, Fraction] | None = (
                {} if top not in graph  # a registered controller holding nothing
                else integrated_shares(reverse, top) if cyclic and nx.descendants(graph, top) & cyclic
                else shares_below(graph, top, rank))
        except OwnershipLoop as exc:  # the chains stand; only the share is undefined
            shares = None
            result.loops.append(f"{top}: {exc.detail}")
        since = _control_since(graph, top, chains, registered_since, registrations)
        for enterprise, chain in sorted(chains.items()):
            if enterprise in registered.get(top, ()):
                continue
            share = None if shares is None else round(float(shares.get(enterprise, 0) * 100), 6)
            rows.append({"controller": top, "enterprise": enterprise, "chain": chain, "share": share,
                         "since": since[enterprise], "found_on": on.isoformat(), "run": run})
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
    """Candidates, of one subject or all; ``region``: only enterprises whose region code
    starts with it (a registrar's region)."""
    if subject:
        rows = store.read("controller_candidates_of", id=subject, region=region)
        found = [_candidate(row) for row in rows]
        return [c for c in found if status is None or c.status is status][offset:offset + limit]
    rows = store.read("controller_candidates_list", status=status.value if status else None, limit=limit,
                      offset=offset, region=region)
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
    stats = _derive_entries(store, catalogue, [review.enterprise])
    found = next(c for c in list_candidates(store, subject=review.enterprise) if c.controller == review.controller)
    return found, stats
