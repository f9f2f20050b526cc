"""Briefing floods do not starve checks (issue 17, finding 8), and every key may read
the public briefing (finding 9), over real HTTP with real Chromium.

Before: 42 concurrent PDF requests each held a thread of the pool checks use while
they waited up to 60 s for one of two renderers; checks stalled for seconds and the
tail of the flood was answered after 70 s. Now a bounded queue admits a few, refuses
the rest at once (503, Retry-After), and renders in threads of its own; HTML is
written a few at a time in threads of its own too; and briefings are rate limited
per key and per client address (429, Retry-After). Each test here fails on the code
before the fix (checks then waited 6-12 s while PDFs rendered).
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.factories import Bundle
from tests.serving import api_key, client, free_port, require_chromium, run_cli, serve, stop

DEPT = "哈尔滨市市场监督管理局"
WORKERS, DEPTH = 2, 2
# The flood server: a small queue, no rate limits (the flood comes from one key and address).
FLOOD = {"SANCTIONNET_RENDER_WORKERS": str(WORKERS), "SANCTIONNET_RENDER_QUEUE": str(DEPTH),
         "SANCTIONNET_RATE_PER_KEY": "0", "SANCTIONNET_RATE_PER_CLIENT": "0"}
# As many at once as the flood: more than the 40 threads of the pool checks use.
FLOODERS = 44


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("flood")
    env = {**os.environ, "SANCTIONNET_DATA_DIR": str(folder / "data"), "SANCTIONNET_ID_HASH_KEY": "k"}
    b = Bundle()
    b.enterprise("E1", "哈尔滨泰富电气有限公司")
    b.person("P1", "杨天夫")
    b.role("P1", "LEGAL_REP_OF", "E1", valid_from="2003-04-10")
    b.entry("J1", "E1", determined="2018-04-08")
    assert run_cli(env, "load", "bundle", str(b.write(folder / "bundle"))).returncode == 0
    keys = {role: api_key(env, role) for role in ("public", "screener", "investigator")}
    keys["registrar"] = api_key(env, "registrar", department=DEPT, region="230000",
                                dept_type="市场监督管理部门")
    port = free_port()
    proc = serve({**env, **FLOOD}, port)
    try:
        yield {"env": env, "port": port, "keys": keys}
    finally:
        assert stop(proc) == 0
        run_cli(env, "db", "stop")


def _pdf(api: httpx.Client) -> tuple[int, float, httpx.Response]:
    started = time.monotonic()
    answer = api.get("/v1/briefings/E1", params={"format": "pdf"})
    return answer.status_code, time.monotonic() - started, answer


def _checks(port: int, key: str, seconds: float) -> list[float]:
    """Seconds each of a screener's checks took, one after another for ``seconds``."""
    took = []
    with client(port, key) as api:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.monotonic()
            assert api.get("/v1/check", params={"subject": "E1"}).status_code == 200
            took.append(time.monotonic() - started)
            time.sleep(0.02)
    return took


def _flooded(site, fmt: str, seconds: float) -> tuple[list[float], list[tuple[int, float]]]:
    """A screener's check times while ``FLOODERS`` clients ask for ``fmt`` briefings
    without pause; and each briefing's (status, seconds)."""
    port, keys = site["port"], site["keys"]
    stopped, outcomes = threading.Event(), []

    def flood() -> None:
        with client(port, keys["public"], timeout=120) as api:
            while not stopped.is_set():
                started = time.monotonic()
                status = api.get("/v1/briefings/E1", params={"format": fmt}).status_code
                outcomes.append((status, time.monotonic() - started))
                if status != 200:
                    time.sleep(0.5)  # a client that ignores Retry-After, but not a tight loop

    flooders = [threading.Thread(target=flood) for _ in range(FLOODERS)]
    for thread in flooders:
        thread.start()
    try:
        time.sleep(1)  # the queue full and the renderers busy
        return _checks(port, keys["screener"], seconds), outcomes
    finally:
        stopped.set()
        for thread in flooders:
            thread.join()


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return f"p50 {statistics.median(ordered) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max " \
           f"{ordered[-1] * 1000:.0f} ms ({len(ordered)} checks)"


def test_a_flood_beyond_the_queue_is_refused_at_once_and_what_is_admitted_renders(site):
    require_chromium()
    burst = 30
    apis = [client(site["port"], site["keys"]["public"], timeout=120) for _ in range(burst)]
    with ThreadPoolExecutor(burst) as pool:
        answers = list(pool.map(_pdf, apis))
    for api in apis:
        api.close()
    rendered = [took for status, took, _ in answers if status == 200]
    refused = [(took, a) for status, took, a in answers if status == 503]
    print(f"\n{burst} PDFs at once: {len(rendered)} rendered (slowest {max(rendered, default=0):.1f} s), "
          f"{len(refused)} refused (slowest {max((t for t, _ in refused), default=0):.2f} s)")
    assert len(rendered) + len(refused) == burst
    # The queue admits workers + depth, and a few more as renderings finish.
    assert WORKERS <= len(rendered) < burst / 2
    assert all(a.content.startswith(b"%PDF") for s, _, a in answers if s == 200)
    for took, answer in refused:
        assert took < 2  # not held for a minute
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"] == "/problems/renderer-busy"
        assert 1 <= int(answer.headers["retry-after"]) <= 60
    assert max(rendered) < 20  # the last admitted waits a few renderings, not 60 s


def test_checks_keep_their_latency_while_briefings_render(site):
    require_chromium()
    alone = _checks(site["port"], site["keys"]["screener"], 2)
    during, outcomes = _flooded(site, "pdf", 5)
    rendered = [took for status, took in outcomes if status == 200]
    print(f"\ncheck alone: {_ms(alone)}\ncheck while {FLOODERS} clients ask for PDF briefings: {_ms(during)}; "
          f"{len(rendered)} rendered (slowest {max(rendered, default=0):.1f} s), {len(outcomes) - len(rendered)} "
          f"refused (slowest {max((t for s, t in outcomes if s != 200), default=0):.2f} s)")
    assert len(rendered) >= WORKERS  # the renderers were busy while the checks ran
    assert {status for status, _ in outcomes} <= {200, 503}
    # Two Chromiums share this host's cores with the checks, which slows them somewhat
    # (median ~20 ms, the slowest 0.6-0.9 s, on 2 cores); they used to wait 6-12 s for
    # a thread, two checks in five seconds.
    assert len(during) >= 30 and statistics.median(during) < 0.1 and max(during) < 2.5


def test_checks_keep_their_latency_while_html_briefings_are_written(site):
    alone = _checks(site["port"], site["keys"]["screener"], 2)
    during, outcomes = _flooded(site, "html", 3)
    print(f"\ncheck alone: {_ms(alone)}\ncheck while {FLOODERS} clients ask for HTML briefings: {_ms(during)}; "
          f"{len(outcomes)} written")
    assert {status for status, _ in outcomes} == {200}
    # Each briefing is Python work under the interpreter's lock: 44 at once in the
    # check's thread pool made the check's median 240 ms; two at a time leave it ~25 ms.
    assert statistics.median(during) < 0.1 and max(during) < 1


def _from(port: int, key: str | None, address: str) -> httpx.Client:
    """A client whose connections come from ``address`` (any 127.x.y.z is this host)."""
    return httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30,
                        headers={"Authorization": f"Bearer {key}"} if key else {},
                        transport=httpx.HTTPTransport(local_address=address))


def test_a_key_or_an_address_over_its_rate_is_refused_and_others_are_not(site):
    env, keys = site["env"], site["keys"]
    a, b, c = keys["public"], keys["screener"], keys["investigator"]
    # A second server on the same store, with a small rate: 3 per key, 5 per address at
    # once, then one a minute.
    port = free_port()
    proc = serve({**env, "SANCTIONNET_RATE_PER_KEY": "1", "SANCTIONNET_RATE_BURST_PER_KEY": "3",
                  "SANCTIONNET_RATE_PER_CLIENT": "1", "SANCTIONNET_RATE_BURST_PER_CLIENT": "5"}, port)
    try:
        with _from(port, a, "127.0.0.1") as api:
            first = [api.get("/v1/briefings/E1").status_code for _ in range(4)]
            by_key = api.get("/v1/briefings/E1")
            check = api.get("/v1/check", params={"subject": "E1"})
        with _from(port, b, "127.0.0.1") as api:
            second = [api.get("/v1/briefings/E1").status_code for _ in range(3)]
            by_address = api.get("/v1/briefings/E1")
        with _from(port, c, "127.0.0.2") as api:
            elsewhere = api.get("/v1/briefings/E1")
        with _from(port, a, "127.0.0.2") as api:
            a_elsewhere = api.get("/v1/briefings/E1")
        with _from(port, "snk_00000000_nonsense", "127.0.0.1") as api:
            unknown = api.get("/v1/briefings/E1")
    finally:
        assert stop(proc) == 0
    assert first == [200, 200, 200, 429] and second == [200, 200, 429]
    for refused, who in ((by_key, "API key"), (by_address, "client address"), (a_elsewhere, "API key")):
        assert refused.status_code == 429 and refused.json()["type"] == "/problems/rate-limited"
        assert who in refused.json()["detail"]
        assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert elsewhere.status_code == 200  # another key from another address
    assert check.status_code == 200  # checks are not limited
    assert unknown.status_code == 401  # a bad key is refused as such, not counted


def test_screener_and_registrar_keys_get_the_public_briefing(site):
    port, keys = site["port"], site["keys"]
    with client(port, keys["investigator"]) as api:
        assert "杨天夫" in api.get("/v1/briefings/E1").text  # the briefing has a person to leave out
    for role in ("screener", "registrar", "public"):
        with client(port, keys[role]) as api:
            for view in (None, "investigator"):  # asking for more gets the public view
                answer = api.get("/v1/briefings/E1", params={"view": view} if view else {})
                assert answer.status_code == 200, (role, answer.text)
                assert answer.headers["content-type"].startswith("text/html")
                assert "哈尔滨泰富电气有限公司" in answer.text and "杨天夫" not in answer.text, role
            assert api.get("/v1/briefings/P1").status_code == 404  # a person's briefing is not public
