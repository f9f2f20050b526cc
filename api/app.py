"""The FastAPI application factory."""

from __future__ import annotations

import fcntl
import gc
import sys
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from api.audit import AuditLog
from api.deps import Services, ServicesDep
from api.keys import KeyStore
from api.limits import RequestLimits
from api.logs import configure_logging
from api.pace import PublicPace
from api.problems import HANDLERS, PROBLEM_RESPONSES
from api.routers import audit as audit_router
from api.routers import briefings, catalogue, check, controllers, entries, feedback, graph, leads, subjects, tasks
from graph_model.catalogue.model import load_catalogue
from graph_model.identity.pii import IdHasher
from graph_model.lifecycle.transitions import complete_interrupted
from graph_model.settings import Settings, get_settings
from graph_model.store import open_store
from viz import STATIC_DIR, VIS_DIR

__all__ = ["create_app"]


class Health(BaseModel):
    status: str = Field(description="`ok`: the service and its store answer. Nothing else: no key is needed.")


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def _settle_once(settings: Settings, store, catalogue_) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.data_dir / "settle.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        complete_interrupted(store, catalogue_)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app; the store is opened (and the embedded server started if needed) at startup."""
    settings = settings or get_settings()
    configure_logging()  # in each worker process too: no secrets or ID numbers in any log
    # A thread doing Python work (a 10,000-key batch, a briefing's assembly) keeps the
    # interpreter's lock for up to the switch interval (5 ms) each time the event loop
    # or a short request's thread asks for it; a short request asks dozens of times, so
    # /healthz took 200-400 ms beside one batch. At 0.5 ms it stays under 100 ms.
    sys.setswitchinterval(settings.switch_interval_ms / 1000)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Everything that can fail on configuration comes before the store starts, so
        # a refused start leaves no server behind.
        catalogue_ = load_catalogue(settings.catalogue_dir)
        hasher = IdHasher.from_settings(settings)
        # The API only reads and records acts: a folder without a store is refused
        # (`serve` says so before it starts), never answered from a new, empty one.
        store, server, started = await run_in_threadpool(open_store, settings, create=False)
        # Acts whose process died before their propagation finished are finished now,
        # by one worker at a time (several start together under `serve --workers`).
        await run_in_threadpool(_settle_once, settings, store, catalogue_)
        app.state.services = Services(settings, store, catalogue_, hasher,
                                      AuditLog(settings.data_dir / "audit.log", catalogue_version=catalogue_.version,
                                               version=lambda: store.read_one("data_version")["version"]),
                                      keys=KeyStore(settings.data_dir))
        # What startup made (the catalogue, the app, the libraries) lives as long as the
        # process: kept out of the collector's full passes, which otherwise walk it all
        # while every thread waits.
        gc.freeze()
        try:
            yield
        finally:
            store.close()
            if started and server is not None:
                # We started it, so we stop it; a server someone else started stays up.
                await run_in_threadpool(server.stop)

    app = FastAPI(
        title="sanctionnet",
        summary="Joint sanctions network: is this subject restricted, and why.",
        version="0.1.0",
        lifespan=lifespan,
        exception_handlers=HANDLERS,
        generate_unique_id_function=_operation_id,
        # A key ending in "/" (sent as %2F) is a 404 problem, not a redirect.
        redirect_slashes=False,
    )
    app.add_middleware(PublicPace, floor_ms=settings.public_min_answer_ms)
    app.add_middleware(RequestLimits, max_body_bytes=settings.max_body_bytes)
    for router in (check.router, subjects.router, entries.router, tasks.router, feedback.router, leads.router,
                   controllers.router, graph.router, briefings.router, catalogue.router, audit_router.router):
        app.include_router(router)

    @app.get("/healthz", tags=["admin"], summary="Liveness and store reachability", response_model=Health,
             responses=PROBLEM_RESPONSES)
    async def healthz(services: ServicesDep) -> Health:
        """Answers once the store answers a query; says only that (no counts: it needs no key)."""
        await run_in_threadpool(services.store.read_one, "data_version")
        return Health(status="ok")

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(str(STATIC_DIR / "index.html"))

    @app.get("/check", include_in_schema=False)
    async def check_page() -> FileResponse:
        return FileResponse(str(STATIC_DIR / "check.html"))

    # vis-network as pyvis ships it: the explorer works with no internet.
    app.mount("/static/vendor/vis", StaticFiles(directory=str(VIS_DIR)), name="vis")
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    return app
