"""The scale benchmark's figures as Markdown, for docs/performance.md.

    python -m bench --json figures.json      # run, and keep the figures
    python -m bench.report figures.json      # the machine and one table per size, in Markdown
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.scale import Figure, _fmt

__all__ = ["markdown"]


def _mark(figure: Figure) -> str:
    return {True: "met", False: "**missed**", None: ""}[figure.met]


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
    print(markdown(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))))
