"""The scale benchmark's figures as Markdown, for docs/performance.md.

    python -m bench --json figures.json      # run, and keep the figures
    python -m bench.report figures.json      # the machine and one table per size, in Markdown
    python -m bench.report a.json b.json     # a's figures, with what a lacks taken from b

Several runs combine where one run measured only some parts (``--no-analyses``,
``--no-baselines``): a figure, or a baseline's value, missing from the first file is taken
from the next that has it, and the note says so.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.figures import Figure, _fmt

__all__ = ["markdown", "merged"]


def _mark(figure: Figure) -> str:
    return {True: "met", False: "**missed**", None: ""}[figure.met]


def merged(runs: list[dict]) -> dict:
    """The first run, with each figure or baseline value it lacks taken from a later run
    of the same size (marked in the note)."""
    first = json.loads(json.dumps(runs[0]))
    for n, later in enumerate(runs[1:], start=2):
        for result in first["results"]:
            other = next((r for r in later["results"] if r["label"] == result["label"]), None)
            if other is None:
                continue
            have = {f["what"]: f for f in result["figures"]}
            for figure in other["figures"]:
                mine = have.get(figure["what"])
                if mine is None:
                    result["figures"].append({**figure, "note": f"{figure['note']} (run {n})".strip()})
                    continue
                for side in ("networkx", "sqlite"):
                    if mine[side] is None and figure[side] is not None:
                        mine[side] = figure[side]
                        mine["note"] = f"{mine['note']} ({side}: run {n})".strip()
            result["notes"] += [f"{note} (run {n})" for note in other["notes"] if note not in result["notes"]]
    return first


def markdown(data: dict) -> str:
    about = data["machine"]
    lines = [f"- CPU: {about['cpu']}, {about['cores']} cores; memory {about['memory_gib']} GiB",
             f"- {about['os']}; Python {about['python']}",
             f"- store: {about['store']}; baselines: {about.get('baselines', '')}", ""]
    for result in data["results"]:
        lines += [f"### {result['label']}: {result['enterprises']:,} enterprises, {result['subjects']:,} subjects, "
                  f"{result['relations']:,} relationships, {result['entries']:,} entries", "",
                  "| what | unit | sanctionnet | networkx | × | SQLite | × | target | | note |",
                  "|---|---|--:|--:|--:|--:|--:|---|---|---|"]
        for raw in result["figures"]:
            f = Figure(**raw)
            target = "" if f.target is None else ("≥ " if f.higher_is_better else "≤ ") + _fmt(f.target)
            lines.append(f"| {f.what} | {f.unit} | {_fmt(f.ours)} | {_fmt(f.networkx)} | {_fmt(f.ratio(f.networkx))} "
                         f"| {_fmt(f.sqlite)} | {_fmt(f.ratio(f.sqlite))} | {target} | {_mark(f)} | {f.note} |")
        lines += [""] + [f"- {note}" for note in result["notes"]]
        lines += [f"- peak memory {result['peak_memory_bytes'] / 2**30:.1f} GiB; {result['seconds'] / 60:.0f} min", ""]
    lines.append("× = baseline / sanctionnet for times, sanctionnet / baseline for rates: above 1, sanctionnet "
                 "does the work faster.")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(merged([json.loads(Path(name).read_text(encoding="utf-8")) for name in sys.argv[1:]])))
