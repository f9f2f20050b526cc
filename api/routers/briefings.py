"""``GET /v1/briefings/{id}``: a case briefing on a subject or a lead, as HTML, PDF or PNG."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from api.auth import Caller
from api.deps import Services, ServicesDep
from api.problems import PROBLEM_RESPONSES, Problem
from api.ratelimit import RATE_LIMITED, rate_limited
from api.reads import client_of
from graph_model.privacy.masking import Role
from graph_model.privacy.reader import Reader
from graph_model.reports.briefing import Briefing, assemble_briefing
from graph_model.vocabulary.days import Day
from graph_model.vocabulary.kinds import SubjectKind
from viz.briefing import to_html
from viz.render import RenderQueue, render

__all__ = ["router"]

router = APIRouter(tags=["briefings"])


class Format(StrEnum):
    html = "html"
    pdf = "pdf"
    png = "png"


MEDIA = {Format.html: "text/html; charset=utf-8", Format.pdf: "application/pdf", Format.png: "image/png"}



@dataclass
class Capacity:
    """What one app gives briefings: threads to gather them and write their HTML, and
    Chromiums behind a bounded queue to render them (``viz.render.RenderQueue``).

    Neither takes a thread of the pool checks run in, and a request waiting for
    either holds no thread."""

    assembly: anyio.CapacityLimiter
    renders: RenderQueue


async def get_capacity(request: Request, services: ServicesDep) -> Capacity:
    # One per app, made on first use from its settings (only the event loop's thread
    # gets here, so no lock is needed).
    capacity = getattr(request.app.state, "briefings", None)
    if capacity is None:
        s = services.settings
        capacity = request.app.state.briefings = Capacity(
            anyio.CapacityLimiter(s.briefing_assemblers),
            RenderQueue(s.render_workers, s.render_queue, s.render_wait_seconds))
    return capacity


CapacityDep = Annotated[Capacity, Depends(get_capacity)]


def _assembled(services: Services, key: str, on: dt.date | None, reader: Reader,
               html: bool) -> tuple[Briefing, bytes | None]:
    # Store reads and ~700 KB of template and inlined script, in one trip to a thread:
    # Python work under the interpreter's lock, which the event loop must not do.
    briefing = assemble_briefing(services.store, services.catalogue, services.hasher, key, on=on, reader=reader)
    return briefing, to_html(briefing).encode("utf-8") if html else None


def _file(briefing: Briefing, fmt: str) -> bytes:
    # In the renderer's thread: a PDF's HTML takes no thread of the assembly's.
    return render(to_html(briefing), fmt)


@router.get("/v1/briefings/{key}", summary="A case briefing on a subject or a lead",
            response_class=Response, dependencies=[rate_limited("briefings")],
            responses={**PROBLEM_RESPONSES, **RATE_LIMITED,
                       200: {"content": {m.split(";")[0]: {} for m in MEDIA.values()},
                             "description": "The briefing: one self-contained file."},
                       503: {"model": Problem, "description": "Store or renderer (Chromium) unavailable, or every "
                                                              "renderer busy and the queue full (with Retry-After)",
                             "content": {"application/problem+json": {}}}})
async def get_briefing(services: ServicesDep, request: Request, caller: Caller, capacity: CapacityDep,
                       key: Annotated[str, Path(min_length=1, max_length=128,
                                                description="Bundle id, USCC, resident ID number, or lead id.")],
                       format: Annotated[Format, Query(description="html opens offline; pdf and png are "
                                                                   "rendered from it by headless "
                                                                   "Chromium.")] = Format.html,
                       date: Annotated[Day | None, Query(description="As of this day (default today).")] = None,
                       view: Annotated[Role | None, Query(description="Mask for this reader (default: the key's "
                                                                        "role); `public` leaves persons out. A "
                                                                        "key may ask for less than its role, "
                                                                        "never more.")] = None) -> Response:
    """The graph with every reason's path highlighted and a legend, the timeline of
    listings, objections, repairs and role changes, the measures in force with legal
    basis, deciding department and dates, and the source of each fact.

    Every key may ask. Investigator and admin keys see persons; the others (public,
    screener, registrar) get the public briefing, with no persons. Briefings are rate
    limited per key and per client address (429); PDF and PNG are rendered a few at a
    time, and when as many wait as the server takes, one more is refused at once (503).
    Both refusals carry `Retry-After`."""
    view = Reader(caller.role).briefing_view(view)
    reader = Reader(view)
    date = reader.day(date)  # the public's is today: never a listing since repaired or revoked as wrong
    # A rendering is admitted before any work is done for it: a refusal costs nothing.
    async with capacity.renders.admit() if format is not Format.html else nullcontext():
        briefing, data = await anyio.to_thread.run_sync(_assembled, services, key, date, reader,
                                                        format is Format.html, limiter=capacity.assembly)
        if data is None:
            data = await capacity.renders.run(_file, briefing, format.value)
    # As the CLI: recorded before it is sent; a briefing refused or not rendered was
    # given to no one.
    persons = sorted(n.id for n in briefing.graph.nodes if n.kind is SubjectKind.person)
    await services.audit.awrite("briefing", client=client_of(request),
                                key=briefing.key, format=format.value, view=view.value, persons=persons)
    name = f"briefing-{briefing.key}-{briefing.on.isoformat()}.{format.value}"
    headers = {} if format is Format.html else {"Content-Disposition": f'inline; filename="{name}"'}
    return Response(data, media_type=MEDIA[format], headers=headers)
