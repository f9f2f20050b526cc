"""``GET /v1/catalogue``: the public list and measure catalogue (措施清单)."""

from __future__ import annotations

from fastapi import APIRouter

from api.auth import Role, require
from api.deps import ServicesDep

__all__ = ["router"]


router = APIRouter(tags=["catalogue"])


@router.get("/v1/catalogue", dependencies=[require(*Role)], summary="The list and measure catalogue")
async def get_catalogue(services: ServicesDep) -> dict:
    """Every list and measure with its legal basis, and the catalogue version that
    every check answer names. The documents require this list to be public."""
    return {"version": services.catalogue.version, **services.catalogue.to_dict()}
