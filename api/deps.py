"""Typed dependency aliases, declared once for every router."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from api.audit import AuditLog
from api.keys import KeyStore
from graph_model.catalogue.model import Catalogue
from graph_model.identity.pii import IdHasher
from graph_model.settings import Settings
from graph_model.store import Store

__all__ = ["Services", "ServicesDep"]


@dataclass
class Services:
    """What the app opened in its lifespan; one per process."""

    settings: Settings
    store: Store
    catalogue: Catalogue
    hasher: IdHasher
    audit: AuditLog
    keys: KeyStore


async def get_services(request: Request) -> Services:
    # async: FastAPI would run a plain function in its thread pool, a hop per request.
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]
