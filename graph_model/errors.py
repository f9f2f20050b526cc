"""The one exception tree of sanctionnet; ``api.problems`` turns it into RFC 9457 bodies.

    SanctionnetError (500)
    ├── NotFound (404)
    ├── Unauthenticated (401): no API key, or not a valid one
    ├── Forbidden (403): the key's role may not do this
    ├── InvalidInput (422)
    ├── Conflict (409)
    │   └── ConstraintViolated (409)
    ├── InvalidCatalogue (500): a catalogue file is wrong, not the request
    ├── StoreUnavailable (503)
    │   ├── StoreBusy (503): up, but cannot take the query now (locks, memory); Retry-After
    │   └── WriteUncertain (503): the connection broke during a commit; check before repeating
    ├── QueryFailed (500): the store answered, but refused the query
    ├── QueryTimedOut (503): a read ran past the API's time limit
    ├── RendererUnavailable (503): no Chromium for a PDF or PNG briefing
    │   └── RendererBusy (503): every renderer busy and the queue full (Retry-After)
    └── RateLimited (429): a key or a client address over its rate (Retry-After)
"""

from __future__ import annotations

import math

__all__ = [
    "SanctionnetError",
    "NotFound",
    "Unauthenticated",
    "Forbidden",
    "InvalidInput",
    "Conflict",
    "ConstraintViolated",
    "InvalidCatalogue",
    "StoreUnavailable",
    "StoreBusy",
    "WriteUncertain",
    "QueryFailed",
    "QueryTimedOut",
    "RendererUnavailable",
    "RendererBusy",
    "RateLimited",
]


class SanctionnetError(Exception):
    """Base error: carries an HTTP status, a problem type and a short title."""

    status = 500
    type = "about:blank"
    title = "Internal error"
    headers: dict[str, str] = {}

    def __init__(self, detail: str, *, errors: list[dict] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class NotFound(SanctionnetError):
    status = 404
    type = "/problems/not-found"
    title = "Not found"


class Unauthenticated(SanctionnetError):
    status = 401
    type = "/problems/unauthenticated"
    title = "API key required"
    headers = {"WWW-Authenticate": 'Bearer realm="sanctionnet"'}


class Forbidden(SanctionnetError):
    status = 403
    type = "/problems/forbidden"
    title = "Not allowed for this key"


class InvalidInput(SanctionnetError):
    """Input the domain refuses. With ``field``, the problem's ``errors`` name it
    (``[{"loc": [field], "msg": detail}]``, as a request's own validation does) and the
    detail starts with it (``"on: … is in the future"``), for the CLI."""

    status = 422
    type = "/problems/invalid-input"
    title = "Invalid input"

    def __init__(self, detail: str, *, field: str | None = None, errors: list[dict] | None = None) -> None:
        if field is not None:
            errors = errors or [{"loc": [field], "msg": detail}]
            detail = f"{field}: {detail}"
        super().__init__(detail, errors=errors)


class Conflict(SanctionnetError):
    status = 409
    type = "/problems/conflict"
    title = "Conflict"

    def __init__(self, detail: str, *, errors: list[dict] | None = None, candidates: list[dict] | None = None) -> None:
        super().__init__(detail, errors=errors)
        # The subjects a key names when it should name one ({id, kind, name}): a problem
        # body lists them, so the caller can ask again by bundle id.
        self.candidates = candidates or []


class ConstraintViolated(Conflict):
    title = "Constraint violated"


class InvalidCatalogue(SanctionnetError):
    status = 500
    type = "/problems/invalid-catalogue"
    title = "Invalid catalogue"


class StoreUnavailable(SanctionnetError):
    status = 503
    type = "/problems/store-unavailable"
    title = "Graph store unavailable"


class QueryFailed(SanctionnetError):
    status = 500
    type = "/problems/query-failed"
    title = "Graph query failed"


class RendererUnavailable(SanctionnetError):
    status = 503
    type = "/problems/renderer-unavailable"
    title = "Renderer unavailable"


class QueryTimedOut(SanctionnetError):
    status = 503
    type = "/problems/query-timed-out"
    title = "Query took too long"


def _retry_after(seconds: float) -> dict[str, str]:
    # Whole seconds (RFC 9110 delay-seconds), never 0: "now" would invite a tight loop.
    return {"Retry-After": str(max(1, math.ceil(seconds)))}


class RendererBusy(RendererUnavailable):
    """Too many PDF/PNG renderings at once: refused at once, not held for minutes.

    Not the caller's fault (another caller may have filled the queue), so a 503; the
    ``Retry-After`` header says when the queue will likely have drained."""

    title = "Renderers busy"
    type = "/problems/renderer-busy"

    def __init__(self, detail: str, *, retry_after: float) -> None:
        super().__init__(detail)
        self.headers = _retry_after(retry_after)


class RateLimited(SanctionnetError):
    """A key or a client address sent more expensive requests than its rate allows.

    ``Retry-After`` says when its next request will be let through."""

    status = 429
    type = "/problems/rate-limited"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: float) -> None:
        super().__init__(detail)
        self.headers = _retry_after(retry_after)


class StoreBusy(StoreUnavailable):
    """The store is up but could not take the query, even after the driver's retries:
    lock conflicts (a deadlock, a lock wait past its limit), memory pools full, too
    many transactions at once, a cluster member behind the last write.

    Nothing was written (the transaction was rolled back), so the same call may simply
    be made again; ``Retry-After`` says when that is worth it."""

    type = "/problems/store-busy"
    title = "Graph store busy"

    def __init__(self, detail: str, *, retry_after: float) -> None:
        super().__init__(detail)
        self.headers = _retry_after(retry_after)


class WriteUncertain(StoreUnavailable):
    """The connection to the store broke while a write was being committed: it may or
    may not have been written.

    Not a plain "store down": the caller must read the state before acting again. Every
    write is idempotent, so repeating the same write is safe; a new act built on the old
    state may find it changed (409)."""

    type = "/problems/write-uncertain"
    title = "Write may have been committed"
