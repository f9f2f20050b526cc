"""The one exception tree of sanctionnet; ``api.problems`` turns it into RFC 9457 bodies.

    SanctionnetError (500)
    ├── NotFound (404)
    ├── InvalidInput (422)
    ├── Conflict (409)
    │   └── ConstraintViolated (409)
    ├── InvalidCatalogue (500): a catalogue file is wrong, not the request
    ├── StoreUnavailable (503)
    ├── QueryFailed (500): the store answered, but refused the query
    └── RendererUnavailable (503): no Chromium for a PDF or PNG briefing
"""

from __future__ import annotations

__all__ = [
    "SanctionnetError",
    "NotFound",
    "InvalidInput",
    "Conflict",
    "ConstraintViolated",
    "InvalidCatalogue",
    "StoreUnavailable",
    "QueryFailed",
    "RendererUnavailable",
]


class SanctionnetError(Exception):
    """Base error: carries an HTTP status, a problem type and a short title."""

    status = 500
    type = "about:blank"
    title = "Internal error"

    def __init__(self, detail: str, *, errors: list[dict] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class NotFound(SanctionnetError):
    status = 404
    type = "/problems/not-found"
    title = "Not found"


class InvalidInput(SanctionnetError):
    status = 422
    type = "/problems/invalid-input"
    title = "Invalid input"


class Conflict(SanctionnetError):
    status = 409
    type = "/problems/conflict"
    title = "Conflict"


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
