"""``GET /v1/subjects/{id}``: one subject's registered facts (ID numbers masked)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from analysis.owners import controlled, owners
from analysis.ownership_answers import ControlledAnswer, OwnersAnswer
from api.auth import Role, require
from api.deps import ServicesDep
from api.problems import PROBLEM_RESPONSES
from api.reads import ReadsDep
from graph_model.check.grading import Grade, grade
from graph_model.identity.lookup import KEY_HELP
from graph_model.privacy.reader import resolve_for
from graph_model.vocabulary.days import Day
from graph_model.vocabulary.kinds import SubjectKind

__all__ = ["router", "SourceView", "SubjectView"]


router = APIRouter(tags=["subjects"])


class SubjectView(BaseModel):
    id: str
    kind: SubjectKind
    name: str
    uscc: str | None = None
    stock_code: str | None = None
    id_masked: str | None = None
    region: str | None = None
    ownership: str | None = None
    established: str | None = None
    status: str | None = None


@router.get("/v1/subjects/{key}", summary="Look up a subject", response_model=SubjectView,
            responses=PROBLEM_RESPONSES)
async def get_subject(services: ServicesDep, reads: ReadsDep,
                      key: str = Path(min_length=1, max_length=128,
                                      description=KEY_HELP)) -> SubjectView:
    """The subject's stored facts. A person's ID number appears only masked; a
    `public` key sees enterprises and public bodies only."""
    found = await run_in_threadpool(resolve_for, reads.reader, services.store, services.hasher, key)
    await reads.record("subject", subject=found)
    return SubjectView(**found)


@router.get("/v1/subjects/{key}/grade", dependencies=[require(Role.screener, Role.investigator, Role.registrar)], summary="The subject's risk grade", response_model=Grade,
            responses=PROBLEM_RESPONSES)
async def get_grade(services: ServicesDep, reads: ReadsDep,
                    key: str = Path(min_length=1, max_length=128, description=KEY_HELP),
                    date: Day | None = Query(None, description="Grade as of this date (default today)."),
                    region: str | None = Query(None, pattern=r"^\d{6}$",
                                               description="The supervising department's region (GB/T 2260); "
                                                           "region-group lists count only in their member "
                                                           "provinces. Omit for every region.")) -> Grade:
    """The three-tier grade (信用较好、风险较低 / 信用风险一般 / 违法失信、风险较高) that sets the
    双随机 sampling ratio, with the entries or the clean years that put the subject there."""
    found = await run_in_threadpool(resolve_for, reads.reader, services.store, services.hasher, key)
    await reads.record("grade", subject=found)
    return await run_in_threadpool(grade, services.store, services.catalogue, found, date, region)


class SourceView(BaseModel):
    source: str = Field(description="Where the record came from (file, dataset).")
    record_id: str = Field(description="The record's key in its source, e.g. a case number.")
    why: str = Field(description="Why identity resolution attached this record to this subject.")
    entries: list[str] = Field(description="Entries the record produced.")
    raw: dict | None = Field(None, description="The record as read; ID numbers masked.")


@router.get("/v1/subjects/{key}/sources", dependencies=[require(Role.investigator)], summary="The source records behind a subject",
            response_model=list[SourceView], responses=PROBLEM_RESPONSES)
async def get_sources(services: ServicesDep, reads: ReadsDep,
                      key: str = Path(min_length=1, max_length=128,
                                      description=KEY_HELP)) -> list[SourceView]:
    """Every record that was merged into this subject (court publications, registry
    extracts, statements), each with the reason it was attached: the evidence for
    an investigator to confirm or dispute a merge."""
    found = await run_in_threadpool(resolve_for, reads.reader, services.store, services.hasher, key)
    rows = await run_in_threadpool(services.store.read, "sources_of_subject", subject_id=found["id"])
    await reads.record("sources", subject=found)
    return [SourceView(source=r["source"], record_id=r["record_id"], why=r["why"], entries=sorted(r["entries"]),
                       raw=json.loads(r["raw"]) if r["raw"] else None) for r in rows]


@router.get("/v1/subjects/{key}/owners", dependencies=[require(Role.investigator)], summary="Ultimate owners, with integrated shares and chains",
            response_model=OwnersAnswer, responses=PROBLEM_RESPONSES)
async def get_owners(services: ServicesDep, reads: ReadsDep,
                     key: str = Path(min_length=1, max_length=128, description=KEY_HELP),
                     date: Day | None = Query(None, description="Holdings and roles in force on this date "
                                                                     "(default today).")) -> OwnersAnswer:
    """Everyone with an integrated share (shares multiply along chains and add across
    them; cross-holdings solved exactly), and the ultimate owners by the 2024 rule
    order: at least 25 % equity; otherwise control (registered, or majorities down a
    chain); otherwise the senior managers."""
    found = await run_in_threadpool(resolve_for, reads.reader, services.store, services.hasher, key)
    answer = await run_in_threadpool(owners, services.store, found, date)
    await reads.record("owners", {h.subject.id for h in [*answer.holders, *answer.ultimate_owners]
                                  if h.subject.kind is SubjectKind.person}, subject=found)
    return answer


@router.get("/v1/subjects/{key}/controlled", dependencies=[require(Role.investigator)], summary="Everything a subject controls, directly or through chains",
            response_model=ControlledAnswer, responses=PROBLEM_RESPONSES)
async def get_controlled(services: ServicesDep, reads: ReadsDep,
                         key: str = Path(min_length=1, max_length=128,
                                         description=KEY_HELP),
                         date: Day | None = Query(None, description="Holdings and roles in force on this date "
                                                                         "(default today).")) -> ControlledAnswer:
    """Enterprises the subject holds a majority of, with what it already controls, or
    is registered as actual controller of, followed to the end of every chain; each
    with the chain of control and the subject's integrated share."""
    found = await run_in_threadpool(resolve_for, reads.reader, services.store, services.hasher, key)
    answer = await run_in_threadpool(controlled, services.store, found, date)
    await reads.record("controlled", subject=found)
    return answer
