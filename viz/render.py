"""Headless Chromium, driven by Playwright: PDF and PNG from the briefing's HTML.

The browser is the system's (Debian's ``chromium`` package, or the
``chromium`` setting, ``SANCTIONNET_CHROMIUM``); Playwright's own browser download is never used. Every
page opened here runs with the network cut off: a request for anything but the
page itself is aborted and recorded, so a rendering cannot leak a case to a
third-party server, and a briefing that tries to is caught (``Offline.outside``).
The server renders through a ``RenderQueue``, which bounds how many Chromiums run at
once and how many requests wait for one.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Literal

import anyio
import anyio.to_thread

from graph_model.errors import RendererBusy, RendererUnavailable, SanctionnetError
from graph_model.settings import get_settings

__all__ = ["Offline", "RenderQueue", "chromium_path", "offline_page", "render"]

# What the probe of this machine found Chromium needs to start quietly with no
# network: without the background-networking flags it dials Google's hosts at start.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
    # Nothing resolves: even a request that slipped past the page's route cannot leave.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]


def chromium_path() -> str:
    """The Chromium to drive: the ``chromium`` setting, else ``chromium`` on PATH."""
    configured = get_settings().chromium
    found = str(configured) if configured else shutil.which("chromium") or shutil.which("chromium-browser")
    if not found or not os.access(found, os.X_OK):
        raise RendererUnavailable("PDF and PNG need Chromium: install Debian's `chromium` (`make browser-deps`), "
                                  "or set SANCTIONNET_CHROMIUM to it; the HTML briefing needs nothing")
    return found


@dataclass
class Offline:
    """Requests a page made: ``allowed`` (its own origin) and ``outside`` (aborted)."""

    origins: tuple[str, ...]
    allowed: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def route(self, route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:", "about:")) or url.startswith(self.origins):
            self.allowed.append(url)
            route.continue_()
        else:
            self.outside.append(url)
            route.abort("internetdisconnected")


@contextmanager
def offline_page(*origins: str, viewport: tuple[int, int] = (1280, 900)) -> Iterator[tuple[object, Offline]]:
    """A new page in a fresh headless Chromium that may reach only ``origins`` (URL
    prefixes, e.g. ``http://127.0.0.1:8000/``); everything else is aborted and kept in
    ``Offline.outside``."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except PlaywrightError as exc:
            raise RendererUnavailable(f"Chromium ({executable}) did not start: {exc.message.splitlines()[0]}") from exc
        try:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                          service_workers="block")
            net = Offline(tuple(origins))
            context.route("**/*", net.route)
            page = context.new_page()
            yield page, net
        finally:
            browser.close()


# CSS pixels across an A4 page inside 10 mm margins: a PDF is laid out at the width
# it is printed at, so the graph is drawn for the page and not shrunk onto it.
A4_WIDTH = 718


def render(html: str, fmt: Literal["pdf", "png"], *, ready: str = "() => window.briefingReady === true",
           width: int = 1240, timeout_ms: int = 60_000) -> bytes:
    """``html`` (a self-contained document) as PDF (A4) or a full-page PNG ``width``
    pixels wide. Waits for ``ready``, a JavaScript function (not an expression: the
    briefing's CSP forbids eval) that is true once the page's graph is drawn.

    Blocking, and one Chromium per call: the server calls it through a ``RenderQueue``,
    which bounds how many run at once; the CLI renders one file and calls it directly."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with offline_page(viewport=(A4_WIDTH if fmt == "pdf" else width, 900)) as (page, net):
        try:
            page.set_content(html, wait_until="load", timeout=timeout_ms)
            page.wait_for_function(ready, timeout=timeout_ms)
        except PlaywrightTimeout as exc:
            raise RendererUnavailable(f"the page was not drawn within {timeout_ms / 1000:.0f} s") from exc
        if net.outside:
            raise SanctionnetError(f"the briefing asked for outside resources: {net.outside[:3]}")
        return _output(page, fmt)


class RenderQueue:
    """Admission to the server's Chromiums: ``workers`` render, ``depth`` more wait,
    and any further request is refused at once (``RendererBusy``, 503 + Retry-After).

    Before this, every request waited up to 60 s for one of two renderers while holding
    a thread of the pool that also runs checks, so a flood of briefings stalled checks
    for seconds and answered its own tail after 70 s. Now a request is counted in by
    ``admit()`` before any work is done for it, waits for a renderer on the event loop
    (holding no thread), and renders in a thread counted by the queue's own limiter,
    never by the default one that ``run_in_threadpool`` (checks, reads) uses.

    One per process and event loop; the counts are plain integers, as only the event
    loop's thread touches them.
    """

    def __init__(self, workers: int, depth: int, wait_seconds: float) -> None:
        self.workers = workers
        self.depth = depth
        self.wait_seconds = wait_seconds
        self.admitted = 0
        # Who renders now, first come first served (a waiter holds no thread); and the
        # threads they render in. Two limiters: a task holding a token of one may not
        # take a second of it.
        self._renderers = anyio.CapacityLimiter(workers)
        self._threads = anyio.CapacityLimiter(workers)
        # Running mean of a rendering's seconds, for Retry-After; 2.5 s as measured
        # (docs/briefings.md) until this process has rendered.
        self.seconds = 2.5

    def retry_after(self) -> float:
        """About when the requests admitted now will have been rendered, in seconds."""
        return self.seconds * max(1, self.admitted) / self.workers

    @asynccontextmanager
    async def admit(self) -> AsyncIterator[None]:
        """A place in the queue for the body of the ``async with``; ``RendererBusy`` at once when
        ``workers + depth`` requests hold one already."""
        if self.admitted >= self.workers + self.depth:
            raise RendererBusy(f"{self.workers} briefings are rendering and {self.depth} more are waiting, as many "
                               "as this server takes; ask again after Retry-After seconds, or take format=html "
                               "and print it", retry_after=self.retry_after())
        self.admitted += 1
        try:
            yield
        finally:
            self.admitted -= 1

    async def run(self, fn: Callable[..., bytes], *args: object) -> bytes:
        """``fn(*args)`` in a renderer thread, once one is free (call it inside ``admit()``).
        Waits at most ``wait_seconds`` for it, then ``RendererBusy``."""
        acquired = False
        with anyio.move_on_after(self.wait_seconds):
            await self._renderers.acquire()
            acquired = True
        if not acquired:
            raise RendererBusy(f"no renderer came free within {self.wait_seconds:.0f} s; ask again after "
                               "Retry-After seconds", retry_after=self.retry_after())
        try:
            started = time.monotonic()
            # Not abandoned on cancel: the renderer stays taken while its Chromium runs,
            # so no more than ``workers`` ever run.
            data = await anyio.to_thread.run_sync(fn, *args, limiter=self._threads)
            self.seconds += 0.3 * (time.monotonic() - started - self.seconds)
            return data
        finally:
            self._renderers.release()


def _output(page, fmt: str) -> bytes:
    if fmt == "pdf":
        page.evaluate("() => window.briefingSnapshot && window.briefingSnapshot()")
        page.emulate_media(media="print")
        return page.pdf(format="A4", print_background=True, margin={"top": "12mm", "bottom": "12mm",
                                                                     "left": "10mm", "right": "10mm"})
    return page.screenshot(full_page=True, type="png")
