"""Answers to the public take the same time whatever they are about.

The public check answers a person's key as an unknown one (404), but it used to look
the person up and judge them first: a restricted person, a clean one and an unknown
key took 3.15, 2.49 and 2.23 ms (median), enough to tell them apart. Here the start of
every response to a ``public`` key is held until ``floor_ms`` after the request came
in, so the time an answer took says nothing its body does not.

The key is known once ``api.auth.authenticated`` has run (it sets ``request.state.key``,
which lives in the ASGI scope); requests without a valid key get the same 401 whatever
they ask, and are not held.
"""

from __future__ import annotations

import asyncio
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph_model.privacy.masking import shows_persons

__all__ = ["PublicPace"]


class PublicPace:
    """ASGI middleware holding a public key's response until ``floor_ms`` have passed."""

    def __init__(self, app: ASGIApp, floor_ms: int) -> None:
        self.app = app
        self.floor = floor_ms / 1000

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.floor <= 0:
            await self.app(scope, receive, send)
            return
        started = time.monotonic()

        async def paced(message: Message) -> None:
            if message["type"] == "http.response.start":
                key = scope.get("state", {}).get("key")
                if key is not None and not shows_persons(key.role):
                    wait = self.floor - (time.monotonic() - started)
                    if wait > 0:
                        await asyncio.sleep(wait)
            await send(message)

        await self.app(scope, receive, paced)
