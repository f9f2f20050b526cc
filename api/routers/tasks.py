"""``GET /v1/tasks``: notification and follow-up tasks (PR3, PR4, PR10/PR11 interviews)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ServicesDep
from api.problems import PROBLEM_RESPONSES

__all__ = ["router"]

router = APIRouter(tags=["tasks"])


class TaskParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["open", "done", "withdrawn", ""] = Field("open", description="'' for every status.")
    rule: str = Field("", max_length=8, pattern=r"^(PR\d+)?$", examples=["PR3"])
    recipient: str = Field("", max_length=200, description="A recipient type (审计部门, superior_unit) or unit id.")
    due_by: dt.date | None = Field(None, description="Only tasks due on or before this day (default today).")
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0)


class Task(BaseModel):
    id: str
    rule: str
    kind: str
    entry_id: str
    list: str
    subject_id: str
    recipient: str
    recipient_id: str
    due_on: dt.date
    status: str
    legal_basis: str
    source: str
    closed_on: dt.date | None = None


@router.get("/v1/tasks", summary="Notification and follow-up tasks", response_model=list[Task],
            responses=PROBLEM_RESPONSES)
async def get_tasks(params: Annotated[TaskParams, Query()], services: ServicesDep) -> list[Task]:
    """Who must be told what, by which rule: a public body's or SOE's superior unit and
    the audit department (PR3); a staff member's employer, discipline inspection and
    personnel departments (PR4); interviews by the deciding department (PR10/PR11).
    A task is due when its entry takes effect; a revoked entry's tasks are withdrawn."""
    due_by = (params.due_by or dt.date.today()).isoformat()
    rows = await run_in_threadpool(services.store.read, "tasks", status=params.status, rule=params.rule,
                                   recipient=params.recipient, due_by=due_by, offset=params.offset,
                                   limit=params.limit)
    return [Task.model_validate(row["task"]) for row in rows]
