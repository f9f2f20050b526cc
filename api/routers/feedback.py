"""``POST /v1/feedback`` and ``GET /v1/stats``: the 发起—响应—反馈 loop (SH-11) and its numbers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict

from api.auth import Role, require
from api.deps import ServicesDep
from api.problems import PROBLEM_RESPONSES
from api.reads import client_of
from graph_model.check.feedback import FeedbackIn, Stats, record_feedback, stats
from graph_model.vocabulary.days import Day

__all__ = ["router"]

router = APIRouter(tags=["feedback"])


class FeedbackId(BaseModel):
    id: str


class Period(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: Day | None = None
    until: Day | None = None


@router.post("/v1/feedback", dependencies=[require(Role.screener)], summary="Report what was done with a hit", response_model=FeedbackId,
             status_code=status.HTTP_201_CREATED, responses=PROBLEM_RESPONSES)
async def post_feedback(feedback: FeedbackIn, services: ServicesDep, request: Request) -> FeedbackId:
    """An implementing department reports whether it applied the measure to the subject
    an entry binds, and if not, why."""
    feedback_id = await run_in_threadpool(record_feedback, services.store, services.catalogue, feedback)
    await services.audit.awrite("feedback", client=client_of(request), id=feedback_id,
                         entry=feedback.entry_id, subject=feedback.subject_id, outcome=feedback.outcome,
                         department=feedback.department)
    return FeedbackId(id=feedback_id)


@router.get("/v1/stats", dependencies=[require(Role.screener, Role.investigator, Role.registrar)], summary="Effectiveness of measures", response_model=Stats, responses=PROBLEM_RESPONSES)
async def get_stats(period: Annotated[Period, Query()], services: ServicesDep) -> Stats:
    """Applied and not-applied reports, and the applied rate, per list, measure (action),
    region and department, for reports dated in [since, until]."""
    return await run_in_threadpool(stats, services.store, period.since, period.until)
