"""``GET /v1/check``: is this subject restricted, for this action, on this date, and why."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Caller
from api.deps import ServicesDep
from api.problems import PROBLEM_RESPONSES
from graph_model.errors import NotFound
from graph_model.identifiers import may_be_resident_id
from graph_model.masking import mask_check, shows_persons
from graph_model.rules import check, not_found_detail
from graph_model.types import CheckAnswer

__all__ = ["router", "CheckParams"]


router = APIRouter(tags=["check"])


class CheckParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: str = Field(min_length=1, max_length=128,
                         description="Bundle id, USCC, or a person's resident ID number (hashed before look-up).",
                         examples=["E000001", "91230199744190927K"])
    action: str | None = Field(None, max_length=64, pattern=r"^[a-z_]+(\.[a-z_]+)+$",
                               description="Action code from the catalogue; omit for every measure.",
                               examples=["procurement.bid"])
    date: dt.date | None = Field(None, description="Answer as of this date (default: today).")
    region: str | None = Field(None, pattern=r"^\d{6}$",
                               description="Where the checking department acts (GB/T 2260); region-group lists "
                                           "apply only in their member provinces. Omit for every region.",
                               examples=["310101"])


@router.get("/v1/check", summary="Check whether a subject is restricted", response_model=CheckAnswer,
            responses=PROBLEM_RESPONSES)
async def check_subject(params: Annotated[CheckParams, Query()], services: ServicesDep, request: Request,
                        caller: Caller) -> CheckAnswer:
    """Answers with the measures in force and, for each reason, the rule, the list entry,
    the deciding department, the legal basis, the entry's state and the path from the
    asked subject to the listed one. An entry under objection gives a *suspended*
    reason: it is reported but does not restrict. A `public` key sees enterprises and
    public bodies only, with their own listings in force."""
    on = params.date
    if not shows_persons(caller.role):
        # The public sees what is published today; it never learns whether an ID number
        # is on file, not even from how long the answer took.
        on = None
        if may_be_resident_id(params.subject):
            raise NotFound(not_found_detail(params.subject))
    answer = await run_in_threadpool(check, services.store, services.catalogue, services.hasher,
                                     params.subject, action=params.action, on=on, region=params.region)
    answer = mask_check(answer, caller.role)
    if answer is None:
        raise NotFound(not_found_detail(params.subject))
    await services.audit.awrite("check", client=request.client.host if request.client else None,
                         subject=answer.subject.id, kind=answer.subject.kind.value, action=params.action,
                         date=answer.date, region=params.region, restricted=answer.restricted,
                         suspended=answer.suspended,
                         entries=sorted({r.entry_id for r in answer.reasons}),
                         catalogue_version=answer.catalogue_version)
    return answer
