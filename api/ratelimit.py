"""Rate limits on expensive routes, per API key and per client address (token buckets).

A route opts in with a dependency, ``dependencies=[rate_limited("briefings")]``,
and documents the refusal with ``**RATE_LIMITED``. Each named route group has its
own buckets, so a key pacing its briefings may still batch-check. A request passes
only if both its key's bucket and its address's bucket hold a token; it then takes
one from each. Otherwise it is refused with a 429 problem whose ``Retry-After``
says when the emptier bucket will hold one again; a refused request takes nothing,
so a client that keeps retrying is not locked out for longer.

Buckets live in the server process: with ``serve --workers N`` a key may make up to
N times the rate, one share per worker (the render queue is per process too).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from typing import Annotated

from fastapi import Depends, Request, params

from api.auth import authenticated
from api.deps import ServicesDep
from api.keys import ApiKey
from api.problems import MEDIA_TYPE, Problem
from api.reads import client_of
from graph_model.errors import RateLimited
from graph_model.settings import Settings

__all__ = ["RATE_LIMITED", "Buckets", "rate_limited"]

RATE_LIMITED = {429: {"model": Problem, "description": "This key or client address is over its rate limit; "
                                                       "ask again after `Retry-After` seconds",
                      "content": {MEDIA_TYPE: {}}}}

# Names remembered per limit. A bucket that has not been touched for longest is the
# one forgotten, which only gives its owner a full bucket again; address churn cannot
# evict keys' buckets, as keys and addresses are counted apart.
MAX_NAMES = 10_000


class Buckets:
    """Token buckets by name: ``burst`` tokens each, refilled at ``per_minute``.

    ``per_minute <= 0`` turns the limit off (``wait`` is always 0)."""

    def __init__(self, per_minute: float, burst: int, max_names: int = MAX_NAMES) -> None:
        self.per_second = per_minute / 60
        self.burst = max(1, burst)
        self.max_names = max_names
        self._levels: OrderedDict[str, tuple[float, float]] = OrderedDict()  # name -> (tokens, at)

    def _level(self, name: str, now: float) -> float:
        tokens, at = self._levels.get(name, (self.burst, now))
        return min(self.burst, tokens + (now - at) * self.per_second)

    def wait(self, name: str, now: float) -> float:
        """Seconds until ``name`` has a token; 0 if it has one now."""
        if self.per_second <= 0:
            return 0.0
        return max(0.0, (1 - self._level(name, now)) / self.per_second)

    def take(self, name: str, now: float) -> None:
        """Take a token of ``name`` (after ``wait`` said 0)."""
        if self.per_second <= 0:
            return
        self._levels[name] = (self._level(name, now) - 1, now)
        self._levels.move_to_end(name)
        while len(self._levels) > self.max_names:
            self._levels.popitem(last=False)


class _Limits:
    """The buckets of one route group: by key id and by client address."""

    def __init__(self, settings: Settings) -> None:
        self.keys = Buckets(settings.rate_per_key, settings.rate_burst_per_key)
        self.clients = Buckets(settings.rate_per_client, settings.rate_burst_per_client)


def _limits(request: Request, settings: Settings, group: str) -> _Limits:
    # Made on first use, one set per app, from that app's settings. Only the event
    # loop's thread gets here, so no lock is needed.
    every = getattr(request.app.state, "rate_limits", None)
    if every is None:
        every = request.app.state.rate_limits = {}
    if group not in every:
        every[group] = _Limits(settings)
    return every[group]


def rate_limited(group: str) -> params.Depends:
    """A dependency refusing (429) a key or address over its rate for ``group``.

    It authenticates the request itself (FastAPI runs ``authenticated`` once per
    request however many dependencies need it): a request without a valid key is a
    401 and never counted. List it after the route's ``require``, so that a key
    without the right is a 403 and is not counted either."""

    async def check_rate(request: Request, services: ServicesDep,
                         key: Annotated[ApiKey, Depends(authenticated)]) -> None:
        s = services.settings
        limits = _limits(request, s, group)
        client = client_of(request) or "unknown"
        now = time.monotonic()
        by_key, by_client = limits.keys.wait(key.id, now), limits.clients.wait(client, now)
        if by_key or by_client:
            wait = max(by_key, by_client)
            if by_key >= by_client:
                detail = (f"this API key may make {s.rate_per_key:g} {group} requests a minute "
                          f"({s.rate_burst_per_key} at once)")
            else:
                detail = (f"this client address may make {s.rate_per_client:g} {group} requests a minute "
                          f"({s.rate_burst_per_client} at once), whatever the key")
            raise RateLimited(f"{detail}; ask again in {math.ceil(wait)} s", retry_after=wait)
        limits.keys.take(key.id, now)
        limits.clients.take(client, now)

    return Depends(check_rate)
