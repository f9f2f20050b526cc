"""``GET /v1/leads`` and ``POST /v1/leads/{id}/review``: leads (线索) for investigators.

Leads are found by ``sanctionnet leads find`` (a batch analysis) and only ever
reviewed here: a decision changes the lead's status, never an entry or a measure.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Role, require
from api.deps import ServicesDep
from api.problems import PROBLEM_RESPONSES
from api.reads import ReadsDep, client_of
from graph_model.leads import Lead, LeadKind, LeadStatus, list_leads, review_lead

__all__ = ["router"]

router = APIRouter(tags=["leads"])


class LeadParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: LeadKind | None = None
    status: LeadStatus | None = None
    subject: str | None = Field(None, max_length=128, description="Only leads that concern this subject id.")
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0)


class Review(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: LeadStatus
    reviewer: str = Field(min_length=1, max_length=200, examples=["李四（稽查支队）"])
    reason: str = Field(min_length=2, max_length=2000, description="Why: what was checked, what was found.")


@router.get("/v1/leads", dependencies=[require(Role.investigator)], summary="Leads for investigators, strongest first", response_model=list[Lead],
            responses=PROBLEM_RESPONSES)
async def get_leads(params: Annotated[LeadParams, Query()], services: ServicesDep, reads: ReadsDep) -> list[Lead]:
    """Patterns worth a person's look: 易地出现 (phoenix), shared controllers across
    provinces, circular ownership, shell chains, collusion groups. Each with its
    score, evidence and review status. A lead is not a finding of dishonesty."""
    leads = await run_in_threadpool(list_leads, services.store, kind=params.kind, status=params.status,
                                    subject=params.subject, limit=params.limit, offset=params.offset)
    await services.audit.awrite("read_leads", client=reads.client, leads=[lead.id for lead in leads])
    # Leads name persons: which ones this answer disclosed, as for any read of a person.
    members = sorted({m for lead in leads for m in lead.members})
    kinds = await run_in_threadpool(services.store.read, "subject_kinds", ids=members)
    await reads.record("leads", [row["id"] for row in kinds if row["kind"] == "person"])
    return leads


@router.post("/v1/leads/{lead_id}/review", dependencies=[require(Role.investigator)], summary="Record a decision on a lead", response_model=Lead,
             responses=PROBLEM_RESPONSES)
async def post_review(lead_id: Annotated[str, Path(min_length=1, max_length=64)], review: Review,
                      services: ServicesDep, request: Request) -> Lead:
    """Confirm or dismiss a lead (or open it again), with the reviewer and the reason;
    every decision is kept on the lead and in the audit log."""
    lead = await run_in_threadpool(review_lead, services.store, lead_id, review.status, review.reviewer, review.reason)
    await services.audit.awrite("lead_review", client=client_of(request), lead=lead_id,
                         status=review.status.value, reviewer=review.reviewer)
    return lead
