"""Who may call what: every /v1 endpoint needs an API key, and the key's role decides.

    public        the masked view: enterprises' own listings in force, no persons
    screener      the check API (and the grade, the subject, feedback)
    investigator  the graph, ownership, leads, briefings, sources
    registrar     entries and their acts, for its own department and region only
    admin         everything, and the audit log

A request without a valid key is a 401, a key without the right a 403. Both are
decided before any look-up, so neither says whether a subject exists. The key's
id and role go into every audit entry the request writes (``api.audit.CALLER``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, params

from api.audit import CALLER
from api.deps import ServicesDep
from api.keys import ApiKey
from graph_model.errors import Forbidden, Unauthenticated
from graph_model.identity.regions import province_of
from graph_model.privacy.masking import Role

__all__ = ["Caller", "Role", "in_region", "region_prefix", "require"]


async def authenticated(request: Request, services: ServicesDep) -> ApiKey:
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else request.headers.get("x-api-key", "").strip()
    if not token:
        raise Unauthenticated("this endpoint needs an API key: send `Authorization: Bearer <key>` "
                              "(an administrator creates one with `sanctionnet keys create`)")
    key = services.keys.caller(token)
    if key is None:
        raise Unauthenticated("the API key is not valid: unknown or revoked")
    # An async dependency runs in the request's own context: what the endpoint and its
    # worker threads write to the audit log says who asked.
    CALLER.set({"key": key.id, "role": key.role.value, "name": key.name})
    request.state.key = key
    return key


def require(*roles: Role) -> params.Depends:
    """A dependency that lets through keys of ``roles`` (and admin keys)."""
    allowed = frozenset(roles) | {Role.admin}
    needed = ", ".join(sorted(r.value for r in allowed))

    async def check_role(key: Annotated[ApiKey, Depends(authenticated)]) -> ApiKey:
        if key.role not in allowed:
            raise Forbidden(f"a {key.role.value} key may not use this endpoint (it needs one of: {needed})")
        return key

    return Depends(check_role)


# The key of the request, for endpoints open to every role that answer by role.
Caller = Annotated[ApiKey, Depends(authenticated)]


def region_prefix(key: ApiKey) -> str | None:
    """The code prefix of the registrar's region: its province's two digits for a
    provincial key (230000), its city's four for a city key (230100), all six for a
    county key; None for a key without a region."""
    scope = key.region
    if scope is None:
        return None
    if province_of(scope) is not None and scope.endswith("0000"):
        return scope[:2]
    return scope[:4] if scope.endswith("00") else scope


def in_region(key: ApiKey, region: str | None) -> bool:
    """Whether ``region`` lies in the registrar's region (``region_prefix``)."""
    prefix = region_prefix(key)
    return prefix is not None and region is not None and region.startswith(prefix)
