"""The explorer's reads: search, a subject's neighbourhood, a lead's graph.

Every answer that names a person is written to the audit log with the persons it
disclosed, as for any other read of personal data.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool

from api.auth import Role, require
from api.deps import ServicesDep
from api.problems import PROBLEM_RESPONSES
from api.reads import ReadsDep
from graph_model.identity.lookup import KEY_HELP
from graph_model.leads import get_lead
from graph_model.privacy.reader import resolve_for
from graph_model.views.subgraph import SearchHit, Subgraph, among, neighbourhood, search
from graph_model.vocabulary.days import Day
from graph_model.vocabulary.kinds import SubjectKind

__all__ = ["router"]

router = APIRouter(tags=["graph"])

Key = Annotated[str, Path(min_length=1, max_length=128, description=KEY_HELP)]


@router.get("/v1/search", dependencies=[require(Role.investigator)], summary="Find subjects by name, USCC or ID number", response_model=list[SearchHit],
            responses=PROBLEM_RESPONSES)
async def get_search(services: ServicesDep, reads: ReadsDep,
                     q: Annotated[str, Query(min_length=1, max_length=128,
                                             description="Part of a name, or a whole bundle id, USCC or "
                                                         "resident ID number.")],
                     limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[SearchHit]:
    """Exact codes first, then names containing ``q`` (names starting with it first),
    each with its state today."""
    hits = await run_in_threadpool(search, services.store, services.catalogue, services.hasher, q, dt.date.today(),
                                   limit)
    await reads.record("search", [h.id for h in hits if h.kind is SubjectKind.person])
    return hits


@router.get("/v1/graph/{key}", dependencies=[require(Role.investigator)], summary="A subject and its ties on a date", response_model=Subgraph,
            response_model_by_alias=True, responses=PROBLEM_RESPONSES)
async def get_graph(services: ServicesDep, reads: ReadsDep, key: Key,
                    date: Annotated[Day | None, Query(description="Ties in force on this day (default today); "
                                                                      "states as of this day.")] = None,
                    limit: Annotated[int, Query(ge=1, le=500, description="At most this many neighbours; "
                                                                          "`hidden` counts the rest.")] = 50
                    ) -> Subgraph:
    """The subject, every subject tied to it by a role in force on the date (legal
    representative, principal, controller, shareholder with its share, manager, staff,
    branch, superior unit), and the state each one's entries give it on that date."""
    found = await run_in_threadpool(resolve_for, reads.reader, services.store, services.hasher, key)
    graph = await run_in_threadpool(neighbourhood, services.store, services.catalogue, found["id"],
                                    date or dt.date.today(), limit)
    await reads.record("graph", [n.id for n in graph.nodes if n.kind is SubjectKind.person], subject=found)
    return graph


@router.get("/v1/leads/{lead_id}/graph", dependencies=[require(Role.investigator)], summary="A lead's members and the ties between them",
            response_model=Subgraph, response_model_by_alias=True, responses=PROBLEM_RESPONSES)
async def get_lead_graph(services: ServicesDep, reads: ReadsDep,
                         lead_id: Annotated[str, Path(min_length=1, max_length=64)],
                         date: Annotated[Day | None, Query(description="Only ties in force on this day; "
                                                                           "default: every period, ended ties "
                                                                           "included (a lead is about "
                                                                           "history).")] = None) -> Subgraph:
    """The subjects a lead concerns and every role between them; states as of the
    date (default today)."""
    lead = await run_in_threadpool(get_lead, services.store, lead_id)
    graph = await run_in_threadpool(among, services.store, services.catalogue, lead.members, date,
                                    date or dt.date.today())
    await reads.record("lead_graph", [n.id for n in graph.nodes if n.kind is SubjectKind.person], lead=lead_id)
    return graph
