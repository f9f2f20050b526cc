"""Headless Chromium, driven by Playwright: PDF and PNG from the briefing's HTML.

The browser is the system's (Debian's ``chromium`` package, or the
``chromium`` setting, ``SANCTIONNET_CHROMIUM``); Playwright's own browser download is never used. Every
page opened here runs with the network cut off: a request for anything but the
page itself is aborted and recorded, so a rendering cannot leak a case to a
third-party server, and a briefing that tries to is caught (``Offline.outside``).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

from graph_model.errors import RendererUnavailable, SanctionnetError
from graph_model.settings import get_settings

__all__ = ["Offline", "chromium_path", "offline_page", "render"]

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


# Each rendering is a Chromium of its own (~150 MB): at most this many at once.
RENDERERS = threading.BoundedSemaphore(2)
QUEUE_SECONDS = 60


def render(html: str, fmt: Literal["pdf", "png"], *, ready: str = "() => window.briefingReady === true",
           width: int = 1240, timeout_ms: int = 60_000) -> bytes:
    """``html`` (a self-contained document) as PDF (A4) or a full-page PNG ``width``
    pixels wide. Waits for ``ready``, a JavaScript function (not an expression: the
    briefing's CSP forbids eval) that is true once the page's graph is drawn."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    if not RENDERERS.acquire(timeout=QUEUE_SECONDS):
        raise RendererUnavailable(f"every renderer was busy for {QUEUE_SECONDS} s; try again")
    try:
        with offline_page(viewport=(A4_WIDTH if fmt == "pdf" else width, 900)) as (page, net):
            try:
                page.set_content(html, wait_until="load", timeout=timeout_ms)
                page.wait_for_function(ready, timeout=timeout_ms)
            except PlaywrightTimeout as exc:
                raise RendererUnavailable(f"the page was not drawn within {timeout_ms / 1000:.0f} s") from exc
            if net.outside:
                raise SanctionnetError(f"the briefing asked for outside resources: {net.outside[:3]}")
            return _output(page, fmt)
    finally:
        RENDERERS.release()


def _output(page, fmt: str) -> bytes:
    if fmt == "pdf":
        page.evaluate("() => window.briefingSnapshot && window.briefingSnapshot()")
        page.emulate_media(media="print")
        return page.pdf(format="A4", print_background=True, margin={"top": "12mm", "bottom": "12mm",
                                                                     "left": "10mm", "right": "10mm"})
    return page.screenshot(full_page=True, type="png")
