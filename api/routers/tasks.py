"""``GET /v1/tasks``: notification and follow-up tasks (PR3, PR4, PR10/PR11 interviews)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Role, require
from api.deps import ServicesDep
from api.problems import PROBLEM_RESPONSES
from graph_model.lifecycle import Act
from graph_model.tasks import close_task

__all__ = ["router"]

router = APIRouter(tags=["tasks"])


class TaskParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["open", "done", "withdrawn", "superseded", ""] = Field("open", description="'' for every status.")
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
    closed_reason: str | None = None
    closed_by: str | None = None
    closed_department: str | None = None


@router.get("/v1/tasks", dependencies=[require(Role.screener, Role.registrar, Role.investigator)], summary="Notification and follow-up tasks", response_model=list[Task],
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


@router.post("/v1/tasks/{task_id}/close", dependencies=[require(Role.screener, Role.registrar)], summary="Report a task done", response_model=Task,
             responses=PROBLEM_RESPONSES)
async def post_close(task_id: Annotated[str, Path(min_length=1, max_length=300)], act: Act,
                     services: ServicesDep, request: Request) -> Task:
    """The recipient reports what it did (``reason``): the task is done. A task that is
    not open (done, withdrawn after a revocation, superseded) answers 409."""
    task = await run_in_threadpool(close_task, services.store, task_id, act)
    await services.audit.awrite("task_close", client=request.client.host if request.client else None, task=task_id,
                         actor=act.actor, department=act.department)
    return Task.model_validate(task)
