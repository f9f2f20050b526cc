"""Candidate actual controllers derived from majority chains, and their review by a
registrar (``analysis/candidates.py``, found by ``analysis/controllers.py``).
``sanctionnet controllers derive`` finds them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from analysis.candidates import Candidate, CandidateReview, CandidateStatus, Decision, list_candidates, review_candidate
from api.auth import Role, in_region, region_prefix, require
from api.deps import ServicesDep
from api.keys import ApiKey
from api.problems import PROBLEM_RESPONSES
from api.reads import ReadsDep, client_of
from graph_model.errors import Forbidden
from graph_model.identity.lookup import resolve_subject

__all__ = ["router"]

router = APIRouter(tags=["controllers"])


class CandidateParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: CandidateStatus | None = None
    subject: str | None = Field(None, max_length=128, description="Candidates for or naming this subject id.")
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0)


class Reviewed(BaseModel):
    candidate: Candidate
    bound: bool = Field(description="Whether a confirmation makes an ACTUAL_CONTROLLER_OF that PR1 restricts "
                                    "(the setting bind_confirmed_controllers).")
    entries_derived: int = Field(description="Entries of the enterprise derived again after the decision.")


@router.get("/v1/controller-candidates", summary="Derived controllers awaiting or after review",
            response_model=list[Candidate], responses=PROBLEM_RESPONSES)
async def get_candidates(params: Annotated[CandidateParams, Query()], services: ServicesDep, reads: ReadsDep,
                         key: Annotated[ApiKey, require(Role.investigator, Role.registrar)]) -> list[Candidate]:
    """Persons and public bodies that control an enterprise through majorities but
    are not its registered actual controller. A candidate restricts nobody. A registrar
    sees the candidates of enterprises in its region only."""
    region = region_prefix(key) if key.role is Role.registrar else None
    found = await run_in_threadpool(list_candidates, services.store, subject=params.subject, status=params.status,
                                    limit=params.limit, offset=params.offset, region=region)
    await reads.record("controller_candidates", {c.controller for c in found if c.controller_kind == "person"})
    return found


@router.post("/v1/controller-candidates/review", summary="Confirm or reject a derived controller",
             response_model=Reviewed, responses=PROBLEM_RESPONSES)
async def post_review(review: CandidateReview, services: ServicesDep, request: Request,
                      key: Annotated[ApiKey, require(Role.registrar)]) -> Reviewed:
    """A registrar's decision, with the reason. Confirmed (and the setting on): the
    controller holds ACTUAL_CONTROLLER_OF from when the chain's control began, and the
    enterprise's entries bind it (PR1). Rejected: any controllership a confirmation
    made is removed for every day. Both derive the enterprise's entries again."""
    if key.role is Role.registrar:
        # A registrar decides for its own department, on enterprises of its region.
        if review.department != key.department:
            raise Forbidden(f"this registrar key decides for {key.department} only")
        found = await run_in_threadpool(resolve_subject, services.store, services.hasher, review.enterprise)
        if not in_region(key, found.get("region")):
            raise Forbidden(f"this registrar key decides in region {key.region} only")
    bind = services.settings.bind_confirmed_controllers
    candidate, stats = await run_in_threadpool(review_candidate, services.store, services.catalogue, review, bind=bind)
    await services.audit.awrite("controller_review", client=client_of(request),
                         controller=review.controller, enterprise=review.enterprise, status=review.status.value,
                         reviewer=review.reviewer, department=review.department)
    return Reviewed(candidate=candidate, bound=bind and review.status is Decision.confirmed,
                    entries_derived=stats.entries)
