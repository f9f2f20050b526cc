"""``GET /v1/audit``: a range of the audit log, for an administrator.

So a department can prove what it was told on a given day: the entries come as
stored, with their ``seq``, ``prev`` and ``hash``, and the whole log is verified on
each request. The export is itself a read of personal data and is audited.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.audit_read import read_entries, verify
from api.auth import Role, require
from api.deps import ServicesDep
from api.problems import PROBLEM_RESPONSES
from api.reads import client_of
from graph_model.errors import NotFound
from graph_model.identity.lookup import may_be_id_number, resolve_subject
from graph_model.vocabulary.days import Day

__all__ = ["router"]

router = APIRouter(tags=["audit"])


class AuditParams(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: Day | None = Field(None, alias="from", description="First day (UTC) of the range.")
    to: Day | None = Field(None, description="Last day (UTC) of the range, included.")
    event: str | None = Field(None, max_length=64, pattern=r"^[a-z_]+$", examples=["check"])
    subject: str | None = Field(None, max_length=128, description="Entries about this subject id, or naming "
                                                                  "this person.", examples=["E000038"])
    limit: int = Field(1000, ge=1, le=10_000)
    offset: int = Field(0, ge=0)


class Verified(BaseModel):
    """The verification of the whole log at the time of the request."""

    ok: bool
    entries: int
    last_seq: int
    last_hash: str
    reason: str | None = Field(None, description="edited, removed, reordered, duplicated, truncated, bad JSON, "
                                                 "head missing")
    line: int | None = None
    seq: int | None = None
    detail: str = ""
    notes: list[str] = []


class AuditPage(BaseModel):
    entries: list[dict[str, Any]] = Field(description="Entries as stored, in log order.")
    total: int = Field(description="Entries that match, before limit and offset.")
    limit: int
    offset: int
    verified: Verified


def _page(path, params: AuditParams) -> AuditPage:
    matches = read_entries(path, start=params.from_, end=params.to, event=params.event, subject=params.subject)
    entries, total = [], 0
    for total, (_, entry) in enumerate(matches, 1):
        if params.offset < total <= params.offset + params.limit:
            entries.append(entry)
    result = verify(path)
    return AuditPage(entries=entries, total=total, limit=params.limit, offset=params.offset,
                     verified=Verified(**vars(result)))


@router.get("/v1/audit", dependencies=[require(Role.admin)], summary="Export a range of the audit log",
            response_model=AuditPage, responses=PROBLEM_RESPONSES)
async def get_audit(params: Annotated[AuditParams, Query()], services: ServicesDep, request: Request) -> AuditPage:
    """Entries of the days ``from`` to ``to`` (UTC), optionally of one event or about one
    subject, with a verification of the whole chain. Recheck an entry with the format in
    docs/audit.md: SHA-256 over its canonical JSON without ``hash``; ``prev`` is the
    previous entry's hash."""
    shown = params.subject
    if params.subject is not None and may_be_id_number(params.subject):
        # An ID number filters by the person it names (entries carry subject ids) and is
        # recorded by its keyed hash, as every key that may be one is.
        shown = "#" + services.hasher(params.subject.strip())[:24]
        try:
            found = await run_in_threadpool(resolve_subject, services.store, services.hasher, params.subject)
            params = params.model_copy(update={"subject": found["id"]})
        except NotFound:
            params = params.model_copy(update={"subject": shown})  # matches no entry
    page = await run_in_threadpool(_page, services.audit.path, params)
    await services.audit.awrite("read_audit", client=client_of(request),
                         range=[params.from_, params.to], filter_event=params.event, filter_subject=shown,
                         entries=len(page.entries))
    return page
