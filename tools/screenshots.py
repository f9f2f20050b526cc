"""Remake docs/img/explorer.png and docs/img/briefing.png from the `make demo` data.

    .venv/bin/python tools/screenshots.py [--enterprises 20000]

Generates the demo bundle (the same seed as `make demo`) into a temporary folder,
loads it into a private embedded store, finds the leads, serves the API, and takes
both pictures in headless Chromium with the network cut off. The subject shown is
the restricted person with the most ties on the day: a legal representative or
controller of a listed firm, so "why restricted" has a path to draw.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.serving import api_key, free_port, run_cli, serve, stop
from viz.render import offline_page

IMG = ROOT / "docs" / "img"


def _subject(env: dict) -> str:
    """The restricted person with the most ties today (ties counted in the demo files)."""
    from graph_model.settings import Settings
    from api.cli.common import opened
    from graph_model.views.subgraph import neighbourhood

    today = dt.date.today()
    with opened(Settings(data_dir=Path(env["SANCTIONNET_DATA_DIR"]), id_hash_key="screens")) as ctx:
        best = (0, "")
        folder = Path(env["SANCTIONNET_DATA_DIR"]) / "demo-bundle"
        listed = [line.split(",")[1] for line in (folder / "entries.csv").read_text(encoding="utf-8").splitlines()[1:]
                  if line.split(",")[7] == "active"]
        for firm in listed[:300]:
            for node in neighbourhood(ctx.store, ctx.catalogue, firm, today).nodes:
                if node.kind == "person" and node.state == "restricted":
                    ties = len(neighbourhood(ctx.store, ctx.catalogue, node.id, today).nodes)
                    best = max(best, (ties, node.id))
        return best[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SANCTIONNET_DATA_DIR": str(Path(tmp) / "data"), "SANCTIONNET_ID_HASH_KEY": "screens"}
        done = run_cli(env, "demo", "--enterprises", str(args.enterprises), timeout=600)
        assert done.returncode == 0, done.stderr
        subject = _subject(env)
        print(f"subject: {subject}")
        port = free_port()
        proc = serve(env, port)
        try:
            base = f"http://127.0.0.1:{port}"
            with offline_page(base + "/", viewport=(1440, 860)) as (page, net):
                page.goto(f"{base}/?subject={subject}#key={api_key(env, 'investigator')}")
                page.wait_for_function("window.explorer && !window.explorer.busy", timeout=60_000)
                page.evaluate("(id) => window.explorer.whyRestricted(id)", subject)
                page.wait_for_function("!window.explorer.busy", timeout=60_000)
                page.evaluate("() => window.explorer.network.fit({ animation: false })")
                page.wait_for_timeout(300)
                page.screenshot(path=str(IMG / "explorer.png"))
                assert net.outside == [], net.outside
            done = run_cli(env, "briefing", subject, "-o", str(IMG / "briefing.png"))
            assert done.returncode == 0, done.stderr
            print(done.stdout)
        finally:
            stop(proc)
            run_cli(env, "db", "stop")


if __name__ == "__main__":
    main()
