"""Running sanctionnet as a user does: the CLI, a real HTTP server (``bench/server.py``),
real Chromium."""

from __future__ import annotations

import os

import pytest

from bench.server import CLI, api_key, client, free_port, run_cli, serve, stop
from graph_model.errors import RendererUnavailable
from viz.render import chromium_path

__all__ = ["CLI", "api_key", "client", "free_port", "require_chromium", "run_cli", "serve", "stop"]


def require_chromium() -> str:
    """The Chromium the briefings render with (``viz.render.chromium_path``); a test
    skips without it, except under CI, where it fails."""
    try:
        return chromium_path()
    except RendererUnavailable:
        if os.environ.get("CI"):
            pytest.fail("CI must test pages in Chromium: `make browser-deps` installs it")
        pytest.skip("chromium not installed (make browser-deps)")
