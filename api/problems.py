"""RFC 9457 problem+json bodies: the only place error responses are built."""

from __future__ import annotations

import structlog
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph_model.errors import SanctionnetError

__all__ = ["HANDLERS", "Problem", "PROBLEM_RESPONSES"]

log = structlog.get_logger(__name__)
MEDIA_TYPE = "application/problem+json"


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] = []


PROBLEM_RESPONSES = {
    404: {"model": Problem, "description": "Unknown subject", "content": {MEDIA_TYPE: {}}},
    422: {"model": Problem, "description": "Invalid parameters", "content": {MEDIA_TYPE: {}}},
    503: {"model": Problem, "description": "Graph store unavailable", "content": {MEDIA_TYPE: {}}},
}


def _problem(request: Request, status: int, title: str, detail: str, type_: str = "about:blank",
             errors: list | None = None) -> JSONResponse:
    # The route template, not the path: a path may carry an ID number (/v1/subjects/{key}).
    route = request.scope.get("route")
    body = Problem(type=type_, title=title, status=status, detail=detail,
                   instance=getattr(route, "path", None), errors=errors or [])
    return JSONResponse(body.model_dump(), status_code=status, media_type=MEDIA_TYPE)


async def _domain(request: Request, exc: SanctionnetError) -> JSONResponse:
    if exc.status >= 500:
        log.error("request failed", route=getattr(request.scope.get("route"), "path", None),
                  error=type(exc).__name__, detail=exc.detail)
    return _problem(request, exc.status, exc.title, exc.detail, exc.type, exc.errors)


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()]
    detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
    return _problem(request, 422, "Invalid input", detail, "/problems/invalid-input", errors)


async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return _problem(request, exc.status_code, str(exc.detail), str(exc.detail))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", route=getattr(request.scope.get("route"), "path", None))
    return _problem(request, 500, "Internal error", "The server failed; the error is in its log.")


HANDLERS = {
    SanctionnetError: _domain,
    RequestValidationError: _validation,
    StarletteHTTPException: _http,
    Exception: _unexpected,
}
