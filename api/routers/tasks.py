"""``GET /v1/tasks``: notification and follow-up tasks (PR3, PR4, PR10/PR11 interviews)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Role, in_region, require
from api.deps import ServicesDep
from api.keys import ApiKey
from api.problems import PROBLEM_RESPONSES
from api.reads import client_of
from graph_model.errors import Forbidden, NotFound
from graph_model.lifecycle.acts import Act
from graph_model.lifecycle.tasks import close_task
from graph_model.vocabulary.days import Day

__all__ = ["router"]

router = APIRouter(tags=["tasks"])
UNIT_RECIPIENTS = ("superior_unit", "employer")


class TaskParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["open", "done", "withdrawn", "superseded", ""] = Field("open", description="'' for every status.")
    rule: str = Field("", max_length=8, pattern=r"^(PR\d+)?$", examples=["PR3"])
    recipient: str = Field("", max_length=200, description="A recipient type (审计部门, superior_unit) or unit id.")
    due_by: Day | None = Field(None, description="Only tasks due on or before this day (default today).")
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


def _is_recipient(key: ApiKey, task: dict, parties: dict) -> bool:
    """Whether the registrar ``key`` is the department the task is for: the department
    named (a list task goes to the deciding department), the unit on record (a superior
    unit, an employer), a department of the type named (审计部门) in the entry's region;
    a task to find a unit not on record is the deciding department's."""
    if key.department and key.department in (task.get("recipient_id"), parties["unit_name"]):
        return True
    if not task.get("recipient_id") and task.get("recipient") in UNIT_RECIPIENTS:
        return key.department == parties["deciding_dept"]
    return key.dept_type == task.get("recipient") and in_region(key, parties["region"])


@router.post("/v1/tasks/{task_id}/close", summary="Report a task done", response_model=Task,
             responses=PROBLEM_RESPONSES)
async def post_close(task_id: Annotated[str, Path(min_length=1, max_length=300)], act: Act,
                     services: ServicesDep, request: Request,
                     key: Annotated[ApiKey, require(Role.registrar)]) -> Task:
    """The recipient reports what it did (``reason``): the task is done. Only the
    recipient department's registrar key (acting as that department) or an admin may
    close a task; ``on`` is a day in range and not in the future. A task that is not
    open (done, withdrawn after a revocation, superseded) answers 409."""
    if key.role is Role.registrar:
        if act.department != key.department:
            raise Forbidden(f"this registrar key acts for {key.department} only")
        found = await run_in_threadpool(services.store.read_one, "task_parties", task_id=task_id)
        if found is None:
            raise NotFound(f"no task {task_id!r}")
        if not _is_recipient(key, found["task"], found):
            task = found["task"]
            raise Forbidden(f"task {task_id!r} is for {task['recipient']} {task.get('recipient_id') or ''}".rstrip()
                            + ": only that department's key (or an admin) may close it")
    task = await run_in_threadpool(close_task, services.store, task_id, act)
    await services.audit.awrite("task_close", client=client_of(request), task=task_id,
                         actor=act.actor, department=act.department)
    return Task.model_validate(task)
