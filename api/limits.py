"""What a request may carry before the app reads it: a bounded body, and no NUL.

A body over ``max_body_bytes`` is refused with a 413 before (or while) it is read,
so a huge upload neither fills memory nor reaches validation. A NUL character, in
the path, the query or a JSON body (``\\u0000``), is refused with a 422: no field
takes one (the bundle loader rejects control characters the same way), and the
embedded store's client would cut the query text at it.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem_response

__all__ = ["RequestLimits"]

# A JSON escape of NUL: \u0000 after an even number of backslashes (an odd number
# would make it text: a backslash, then "u0000").
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)


class RequestLimits:
    """ASGI middleware refusing oversized bodies and NUL characters with a problem."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"\x00" in unquote_to_bytes(scope.get("query_string", b"")):
            await self._invalid(scope, send, "path" if "\x00" in scope["path"] else "query")
            return
        headers = dict(scope["headers"])
        if b"content-length" not in headers and b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)
            return
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_body_bytes:
            await self._too_large(scope, send)
            return
        # Bodies are small (one record): read it here, then hand it on whole.
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await self._too_large(scope, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if b"\x00" in body or _JSON_NUL.search(body):
            await self._invalid(scope, send, "body")
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        response = problem_response(413, "Content too large",
                                    f"the request body is over {self.max_body_bytes} bytes; send one record "
                                    "per request", "/problems/too-large", headers={"Connection": "close"})
        await response(scope, _nothing, send)

    @staticmethod
    async def _invalid(scope: Scope, send: Send, where: str) -> None:
        response = problem_response(422, "Invalid input", f"the request's {where} holds a NUL character, which "
                                    "no field accepts", "/problems/invalid-input",
                                    errors=[{"loc": [where], "msg": "contains a NUL character"}])
        await response(scope, _nothing, send)


async def _nothing() -> Message:
    return {"type": "http.disconnect"}
