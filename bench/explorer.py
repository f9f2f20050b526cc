"""How large a graph the explorer page draws smoothly, in headless Chromium.

    python -m bench.explorer [--sizes 100,300,1000,3000,5000] [--seconds 2] [--seed 1]

Serves the page's static files (viz/static and the vis-network files pyvis ships) from a
small local HTTP server: no store and no API are needed. For each size N it builds a
synthetic subgraph of N subjects shaped like the demo network (a few hubs, holding
chains, people with roles in several firms, 1.3 edges per node) and hands it to the
page's own draw function (``explorer.draw``), as a fetched graph would be. It prints:

* ``draw``: from the call until the graph is laid out, frozen and drawn (ms), split into
  ``apply`` (DataSet updates and initial placement) and ``stabilise`` (vis physics, with
  the page's iteration cap ``iter``);
* ``moveTo fps``: requestAnimationFrame callbacks per second while ``network.moveTo``
  animates a zoom for ``--seconds`` (everything drawn in every frame: the worst case),
  and ``redraws/s``: vis frames drawn meanwhile;
* ``wheel fps``: the same while the mouse wheel zooms in and out, as a person zooms (its
  ``redraws/s`` is bounded by the wheel events the bench sends, about 25 a second);
* ``drag fps``: the same while the mouse drags the view.

Headless Chromium draws the canvas in software (no GPU), so these are lower bounds for a
desktop browser. Pages with more than 1,500 nodes hide edges while the wheel zooms or the
mouse drags (not during ``moveTo``); the other size thresholds are in viz/static/explorer.js.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import threading
import time
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from viz import STATIC_DIR, VIS_DIR
from viz.render import offline_page

__all__ = ["main", "synthetic_graph"]

_CITIES = ("哈尔滨", "深圳", "上海", "成都", "贵阳", "天津", "杭州", "长春")
_WORDS = ("泰富", "华信", "鑫源", "宏达", "恒通", "瑞丰", "金鼎", "龙腾", "汇能", "博远")
_TRADES = ("电气", "贸易", "投资", "建设", "物流", "科技", "置业", "能源")
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚"
_STATES = (("restricted", 4), ("suspended", 2), ("repaired", 2), (None, 92))


def synthetic_graph(n: int, seed: int = 1) -> dict:
    """A Subgraph (the ``GET /v1/graph`` shape) of ``n`` subjects centred on the first."""
    rng = random.Random(seed)
    nodes, edges, targets = [], [], []
    for i in range(n):
        kind = "enterprise" if i == 0 else rng.choices(("enterprise", "person", "public_body"), (58, 40, 2))[0]
        if kind == "person":
            name = rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.choice((1, 2))))
        elif kind == "public_body":
            name = f"{rng.choice(_CITIES)}市{rng.choice(_TRADES)}局"
        else:
            name = f"{rng.choice(_CITIES)}{rng.choice(_WORDS)}{rng.choice(_TRADES)}有限公司"
        state = rng.choices([s for s, _ in _STATES], [w for _, w in _STATES])[0]
        nodes.append({"id": f"S{i}", "kind": kind, "name": name, "region": "230103", "uscc": None, "state": state,
                      "listed": bool(state) and rng.random() < 0.4, "entries": []})
    kinds = [node["kind"] for node in nodes]

    def link(a: int, b: int) -> None:
        # Roles run from a person or holder to an enterprise; a public body supervises.
        if kinds[a] == "enterprise" and kinds[b] == "person":
            a, b = b, a
        if kinds[a] == "public_body":
            a, b = b, a
        if kinds[b] == "public_body":
            type_ = "SUPERVISED_BY"
        elif kinds[a] == "person" and kinds[b] == "person":
            type_ = "RELATIVE_OF"
        elif kinds[a] == "person":
            type_ = rng.choices(("LEGAL_REP_OF", "HOLDS_SHARES", "STAFF_OF", "KEY_PERSON_OF"), (3, 4, 2, 2))[0]
        else:
            type_ = rng.choices(("HOLDS_SHARES", "BRANCH_OF"), (5, 1))[0]
        share = round(rng.uniform(5, 100), 1) if type_ == "HOLDS_SHARES" else None
        edges.append({"id": f"R{len(edges)}", "from": f"S{a}", "to": f"S{b}", "type": type_, "share": share,
                      "title": None, "valid_from": "2015-01-01", "valid_to": None, "derived": False})

    for i in range(1, n):
        # Preferential attachment: a few hubs, as super nodes are in the demo data.
        parent = rng.choice(targets) if targets and rng.random() < 0.7 else rng.randrange(i)
        link(i, parent)
        targets += [i, parent]
    for _ in range(int(n * 0.3)):
        a, b = rng.randrange(n), rng.randrange(n)
        if a != b:
            link(a, b)
    return {"center": "S0", "date": None, "nodes": nodes, "edges": edges, "truncated": False, "hidden": 0}


class _Handler(SimpleHTTPRequestHandler):
    """``/`` is the page, ``/static/vendor/vis/`` pyvis's vis-network, ``/static/`` the rest."""

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0].split("#", 1)[0]
        if path == "/":
            return str(Path(str(STATIC_DIR)) / "index.html")
        for prefix, folder in (("/static/vendor/vis/", VIS_DIR), ("/static/", STATIC_DIR)):
            if path.startswith(prefix):
                name = path[len(prefix):]
                if "/" in name or name.startswith("."):
                    break
                return str(Path(str(folder)) / name)
        return "/nonexistent"

    def send_head(self):
        if self.translate_path(self.path) == "/nonexistent":
            self.send_error(HTTPStatus.NOT_FOUND, "not served by the bench")
            return None
        return super().send_head()

    def log_message(self, *args) -> None:
        pass


_COUNT_FRAMES = """(on) => {
  const net = window.explorer.network;
  if (on) {
    window.__bench = { frames: 0, draws: 0, running: true, t0: performance.now() };
    window.__benchDraw = () => { window.__bench.draws += 1; };
    net.on("afterDrawing", window.__benchDraw);
    const tick = () => { if (window.__bench.running) { window.__bench.frames += 1; requestAnimationFrame(tick); } };
    requestAnimationFrame(tick);
    return null;
  }
  const b = window.__bench;
  b.running = false;
  net.off("afterDrawing", window.__benchDraw);
  const s = (performance.now() - b.t0) / 1000;
  return { fps: b.frames / s, draws: b.draws / s };
}"""


def _zoom(page, seconds: float) -> dict:
    page.evaluate("() => window.explorer.network.fit({ animation: false })")
    page.evaluate(_COUNT_FRAMES, True)
    page.evaluate("""(ms) => { const net = window.explorer.network;
        net.moveTo({ scale: net.getScale() * 3, animation: { duration: ms, easingFunction: "linear" } }); }""",
                  int(seconds * 1000))
    page.wait_for_timeout(seconds * 1000)
    return page.evaluate(_COUNT_FRAMES, False)


def _wheel(page, seconds: float) -> dict:
    page.evaluate("() => window.explorer.network.fit({ animation: false })")
    box = page.locator("#graph").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.evaluate(_COUNT_FRAMES, True)
    started, step = time.monotonic(), 0
    while time.monotonic() - started < seconds:
        step += 1
        page.mouse.wheel(0, -60 if (step // 15) % 2 == 0 else 60)  # in and out again
        page.wait_for_timeout(16)
    return page.evaluate(_COUNT_FRAMES, False)


def _drag(page, seconds: float) -> dict:
    page.evaluate("() => window.explorer.network.fit({ animation: false })")
    box = page.locator("#graph").bounding_box()
    x0, y0 = box["x"] + 12, box["y"] + 12  # a corner: the view moves, not a node
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.evaluate(_COUNT_FRAMES, True)
    started, step = time.monotonic(), 0
    while time.monotonic() - started < seconds:
        step += 1
        page.mouse.move(x0 + (step * 7) % 300, y0 + (step * 5) % 200)
    page.mouse.up()
    return page.evaluate(_COUNT_FRAMES, False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,300,1000,3000,5000", help="node counts, comma-separated")
    parser.add_argument("--seconds", type=float, default=2.0, help="length of each zoom and drag measurement")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with offline_page(base + "/", viewport=(1440, 900)) as (page, net):
            page.goto(base + "/")
            page.wait_for_function("window.explorer && !window.explorer.busy", timeout=30_000)
            print("explorer bench: headless Chromium (software canvas), viewport 1440x900, "
                  f"zoom and drag {args.seconds:g} s each")
            print(f"{'nodes':>6} {'edges':>6} {'draw ms':>8} {'apply':>7} {'stabilise':>9} {'iter':>5} "
                  f"{'moveTo fps':>10} {'redraws/s':>9} {'wheel fps':>9} {'redraws/s':>9} "
                  f"{'drag fps':>9} {'redraws/s':>9}")
            for n in sizes:
                graph = synthetic_graph(n, args.seed)
                took = page.evaluate("""async (g) => { const t0 = performance.now();
                    const info = await window.explorer.draw(g);
                    return { ...info, wall: performance.now() - t0 }; }""", json.loads(json.dumps(graph)))
                zoom, wheel, drag = _zoom(page, args.seconds), _wheel(page, args.seconds), _drag(page, args.seconds)
                print(f"{took['nodes']:>6} {took['edges']:>6} {took['wall']:>8.0f} {took['apply_ms']:>7.0f} "
                      f"{took['stabilize_ms']:>9.0f} {took['iterations']:>5} {zoom['fps']:>10.1f} "
                      f"{zoom['draws']:>9.1f} {wheel['fps']:>9.1f} {wheel['draws']:>9.1f} {drag['fps']:>9.1f} "
                      f"{drag['draws']:>9.1f}", flush=True)
            if net.outside:
                print(f"requests outside the page's origin: {net.outside[:3]}")
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
