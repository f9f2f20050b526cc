"""``GET /v1/briefings/{id}``: a case briefing on a subject or a lead, as HTML, PDF or PNG."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from api.auth import Caller, require
from api.deps import ServicesDep
from api.problems import PROBLEM_RESPONSES, Problem
from graph_model.masking import Role, shows_persons
from graph_model.types import SubjectKind
from viz.briefing import build, to_html
from viz.render import render

__all__ = ["router"]

router = APIRouter(tags=["briefings"])


class Format(StrEnum):
    html = "html"
    pdf = "pdf"
    png = "png"


MEDIA = {Format.html: "text/html; charset=utf-8", Format.pdf: "application/pdf", Format.png: "image/png"}


@router.get("/v1/briefings/{key}", summary="A case briefing on a subject or a lead",
            response_class=Response, dependencies=[require(Role.investigator, Role.public)],
            responses={**PROBLEM_RESPONSES,
                       200: {"content": {m.split(";")[0]: {} for m in MEDIA.values()},
                             "description": "The briefing: one self-contained file."},
                       503: {"model": Problem, "description": "Store or renderer (Chromium) unavailable",
                             "content": {"application/problem+json": {}}}})
async def get_briefing(services: ServicesDep, request: Request, caller: Caller,
                       key: Annotated[str, Path(min_length=1, max_length=128,
                                                description="Bundle id, USCC, resident ID number, or lead id.")],
                       format: Annotated[Format, Query(description="html opens offline; pdf and png are "
                                                                   "rendered from it by headless "
                                                                   "Chromium.")] = Format.html,
                       date: Annotated[dt.date | None, Query(description="As of this day (default today).")] = None,
                       view: Annotated[Role | None, Query(description="Mask for this reader (default: the key's "
                                                                        "role); `public` leaves persons out. A "
                                                                        "key may ask for less than its role, "
                                                                        "never more.")] = None) -> Response:
    """The graph with every reason's path highlighted and a legend, the timeline of
    listings, objections, repairs and role changes, the measures in force with legal
    basis, deciding department and dates, and the source of each fact."""
    view = Role.public if not shows_persons(caller.role) or view is Role.public else Role.investigator
    if view is Role.public:
        date = None  # published today: never a listing since repaired or revoked as wrong
    briefing = await run_in_threadpool(build, services.store, services.catalogue, services.hasher, key,
                                       on=date, reader=view)
    persons = sorted(n.id for n in briefing.graph.nodes if n.kind is SubjectKind.person)
    await services.audit.awrite("briefing", client=request.client.host if request.client else None, key=briefing.key,
                         format=format.value, view=view.value, persons=persons)
    html = to_html(briefing)
    if format is Format.html:
        return HTMLResponse(html)
    data = await run_in_threadpool(render, html, format.value)
    name = f"briefing-{briefing.key}-{briefing.on.isoformat()}.{format.value}"
    return Response(data, media_type=MEDIA[format], headers={"Content-Disposition": f'inline; filename="{name}"'})
