"""Briefing render times and the explorer's reads, on the demo data.

    python -m bench.briefing [--enterprises 20000] [--subjects 20] [--leads 10]

Prints, for listed enterprises, restricted persons and stored leads: the time to
gather a briefing from the store and write its HTML, and to render that HTML to
PDF and to PNG in headless Chromium (a fresh browser each time, as the API does);
the size of each file; and the latency of the explorer's reads (search by name,
a subject's ties, a lead's graph), p50 and p99.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import statistics
import tempfile
import time
from pathlib import Path

from analysis.leads import find_leads
from bench.spine import percentile
from demo.generate import generate_bundle
from graph_model.catalogue.model import load_catalogue
from graph_model.identity.pii import IdHasher
from graph_model.leads import list_leads, save_leads
from graph_model.privacy.masking import Role
from graph_model.privacy.reader import Reader
from graph_model.reports.briefing import assemble_briefing
from graph_model.settings import Settings
from graph_model.store import open_store
from graph_model.views.subgraph import among, neighbourhood, search
from loaders.bundle import load_bundle
from viz.briefing import to_html
from viz.render import render

__all__ = ["main"]


def _ms(samples: list[float]) -> str:
    return f"p50 {percentile(samples, 0.5) * 1000:7.1f} ms  p99 {percentile(samples, 0.99) * 1000:7.1f} ms  (n={len(samples)})"


def _keys(folder: Path, subjects: int, rng: random.Random) -> dict[str, list[str]]:
    listed, persons, names = set(), [], []
    with open(folder / "entries.csv", encoding="utf-8") as handle:
        listed = {row["subject_id"] for row in csv.DictReader(handle) if row["state"] == "active"}
    with open(folder / "subjects.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["kind"] == "person":
                persons.append(row["id"])
            elif row["kind"] == "enterprise":
                names.append(row["name"][2:4])  # two characters from inside a name
    return {"listed enterprise": rng.sample(sorted(listed), min(subjects, len(listed))),
            "person": rng.sample(persons, subjects), "names": rng.sample(names, 200)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=20_000)
    parser.add_argument("--subjects", type=int, default=20, help="briefings per kind of subject")
    parser.add_argument("--leads", type=int, default=10)
    args = parser.parse_args()
    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "demo"
        generate_bundle(folder, enterprises=args.enterprises)
        settings = Settings(data_dir=Path(tmp) / "data", id_hash_key="bench", fsync="everysec", store="embedded")
        store, server, _ = open_store(settings)
        catalogue, hasher = load_catalogue(), IdHasher.from_settings(settings)
        try:
            load_bundle(store, catalogue, hasher, folder)
            save_leads(store, find_leads(store, catalogue))
            keys = _keys(folder, args.subjects, rng)
            leads = [lead.id for lead in list_leads(store, limit=args.leads)]
            today, reader = dt.date.today(), Reader(Role.investigator)
            print(f"demo: {args.enterprises:,} enterprises; briefings rendered by headless Chromium, one browser "
                  f"per file")
            print(f"{'briefing of':<18} {'n':>3} {'nodes':>6} {'build+html':>11} {'pdf':>8} {'png':>8} "
                  f"{'html KB':>8} {'pdf KB':>7}")
            for label, ids in (("listed enterprise", keys["listed enterprise"]), ("person", keys["person"]),
                               ("lead", leads)):
                built, pdf, png, nodes, html_kb, pdf_kb = [], [], [], [], [], []
                for key in ids:
                    t0 = time.perf_counter()
                    briefing = assemble_briefing(store, catalogue, hasher, key, on=today, reader=reader)
                    html = to_html(briefing)
                    t1 = time.perf_counter()
                    pdf_bytes = render(html, "pdf")
                    t2 = time.perf_counter()
                    render(html, "png")
                    t3 = time.perf_counter()
                    built.append(t1 - t0)
                    pdf.append(t2 - t1)
                    png.append(t3 - t2)
                    nodes.append(len(briefing.graph.nodes))
                    html_kb.append(len(html.encode()) / 1024)
                    pdf_kb.append(len(pdf_bytes) / 1024)
                if not ids:
                    continue
                print(f"{label:<18} {len(ids):>3} {statistics.median(nodes):>6.0f} "
                      f"{statistics.median(built) * 1000:>8.0f} ms {statistics.median(pdf):>6.2f} s "
                      f"{statistics.median(png):>6.2f} s {statistics.median(html_kb):>8.0f} "
                      f"{statistics.median(pdf_kb):>7.0f}   (medians; max pdf {max(pdf):.2f} s)")
            print("explorer reads, in process:")
            samples = []
            for name in keys["names"]:
                t0 = time.perf_counter()
                search(store, catalogue, hasher, name, today)
                samples.append(time.perf_counter() - t0)
            print(f"  search by part of a name   {_ms(samples)}")
            samples = []
            for key in keys["person"] * 5 + keys["listed enterprise"] * 5:
                t0 = time.perf_counter()
                neighbourhood(store, catalogue, key, today)
                samples.append(time.perf_counter() - t0)
            print(f"  a subject's ties           {_ms(samples)}")
            samples = []
            for lead in list_leads(store, limit=200):
                t0 = time.perf_counter()
                among(store, catalogue, lead.members, None, today)
                samples.append(time.perf_counter() - t0)
            if samples:
                print(f"  a lead's graph             {_ms(samples)}")
        finally:
            store.close()
            if server is not None:
                server.stop()


if __name__ == "__main__":
    main()
