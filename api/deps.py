"""Typed dependency aliases, declared once for every router."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Annotated

from fastapi import Depends, Request

from api.audit import AuditLog
from api.keys import KeyStore
from graph_model.catalogue.model import Catalogue
from graph_model.identity.pii import IdHasher
from graph_model.settings import Settings
from graph_model.store import Store
from graph_model.store.base import TimeLimited

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

    @cached_property
    def for_reads(self) -> Services:
        """The same services with every store read stopped at the API's limit
        (``api_read_timeout_ms``, a 503 past it): what GET requests and batch checks
        get, so a read cannot hold a worker. Writes are not cut off half-way, so the
        reads inside an act run without it."""
        limit = self.settings.api_read_timeout_ms
        return replace(self, store=TimeLimited(self.store, limit)) if limit else self


async def get_services(request: Request) -> Services:
    # async: FastAPI would run a plain function in its thread pool, a hop per request.
    services: Services = request.app.state.services
    return services.for_reads if request.method in ("GET", "HEAD") else services


ServicesDep = Annotated[Services, Depends(get_services)]
