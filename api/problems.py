"""RFC 9457 problem+json bodies: the only place error responses are built."""

from __future__ import annotations

import structlog
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph_model.errors import SanctionnetError
from graph_model.identity.free_text import mask_number_runs

__all__ = ["HANDLERS", "Candidate", "Problem", "PROBLEM_RESPONSES", "problem_response"]

log = structlog.get_logger(__name__)
MEDIA_TYPE = "application/problem+json"
_GENERIC = "The server failed; the error is in its log."


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str


class Candidate(BaseModel):
    """A subject a key names when it should name one (a name several enterprises share)."""

    id: str
    kind: str
    name: str


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] = []
    candidates: list[Candidate] | None = Field(
        None, description="409 for a key several subjects share: each of them (ask again by its id); "
                          "absent otherwise.")


PROBLEM_RESPONSES = {
    400: {"model": Problem, "description": "A body that is not JSON text (UTF-8)", "content": {MEDIA_TYPE: {}}},
    401: {"model": Problem, "description": "No API key, or not a valid one", "content": {MEDIA_TYPE: {}}},
    403: {"model": Problem, "description": "The key's role may not do this", "content": {MEDIA_TYPE: {}}},
    404: {"model": Problem, "description": "Unknown subject", "content": {MEDIA_TYPE: {}}},
    409: {"model": Problem, "description": "Not possible in the stored state (an entry's state, a closed task, "
                                          "an identifier several subjects share)", "content": {MEDIA_TYPE: {}}},
    413: {"model": Problem, "description": "Request body too large", "content": {MEDIA_TYPE: {}}},
    422: {"model": Problem, "description": "Invalid parameters", "content": {MEDIA_TYPE: {}}},
    503: {"model": Problem, "description": "Graph store unavailable", "content": {MEDIA_TYPE: {}}},
}


def problem_response(status: int, title: str, detail: str, type_: str = "about:blank", instance: str | None = None,
                     errors: list | None = None, headers: dict[str, str] | None = None,
                     candidates: list[dict] | None = None) -> JSONResponse:
    """A problem+json response. A detail may echo what the caller sent; an ID number
    in it is masked, whatever was glued to it (ID numbers are never returned in clear).
    ``candidates`` (subjects by id, kind and name; never a person's number) go as they are."""
    errors = [{**e, "msg": mask_number_runs(e["msg"])} for e in errors or []]
    body = Problem(type=type_, title=title, status=status, detail=mask_number_runs(detail), instance=instance,
                   errors=errors, candidates=candidates or None)
    return JSONResponse(body.model_dump(exclude=None if candidates else {"candidates"}),
                        status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _problem(request: Request, status: int, title: str, detail: str, type_: str = "about:blank",
             errors: list | None = None, headers: dict[str, str] | None = None,
             candidates: list[dict] | None = None) -> JSONResponse:
    # The route template, not the path: a path may carry an ID number (/v1/subjects/{key}).
    route = request.scope.get("route")
    return problem_response(status, title, detail, type_, getattr(route, "path", None), errors, headers, candidates)


async def _domain(request: Request, exc: SanctionnetError) -> JSONResponse:
    if exc.status >= 500:
        # A refusal with Retry-After (renderers busy) is capacity doing its job, not a fault.
        report = log.warning if "Retry-After" in (exc.headers or {}) else log.error
        report("request failed", route=getattr(request.scope.get("route"), "path", None),
               error=type(exc).__name__, detail=exc.detail)
    # A 500's detail is the store's own message (it may quote the query and its
    # parameters): it goes to the log only. A 503 says what is down, for the operator.
    detail = _GENERIC if exc.status == 500 else exc.detail
    return _problem(request, exc.status, exc.title, detail, exc.type, exc.errors, exc.headers or None,
                    getattr(exc, "candidates", None))


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()]
    detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
    return _problem(request, 422, "Invalid input", detail, "/problems/invalid-input", errors)


async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return _problem(request, exc.status_code, str(exc.detail), str(exc.detail))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", route=getattr(request.scope.get("route"), "path", None))
    return _problem(request, 500, "Internal error", _GENERIC)


HANDLERS = {
    SanctionnetError: _domain,
    RequestValidationError: _validation,
    StarletteHTTPException: _http,
    Exception: _unexpected,
}
