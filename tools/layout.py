"""The project's own modules and the imports between them, and the numbers issue 18
asks for: modules, the largest module, the longest function, import cycles.

``python -m tools.layout`` prints them; ``tests/test_layout.py`` uses ``import_graph``
to fail on a cycle or an import against the layering in docs/architecture.md.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import networkx as nx

__all__ = ["PACKAGES", "ROOT", "cycles", "import_graph", "longest_functions", "modules"]

ROOT = Path(__file__).resolve().parents[1]
# The project's top-level packages (tests and tools are not part of the product).
PACKAGES = ("graph_model", "cypher", "loaders", "exports", "demo", "analysis", "api", "viz", "bench")


def modules() -> dict[str, Path]:
    """Every module of the project's packages: dotted name -> file."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def import_graph(runtime_only: bool = True) -> nx.DiGraph:
    """Modules as nodes, ``a -> b`` where ``a`` imports ``b``. With ``runtime_only``,
    imports under ``if TYPE_CHECKING:`` are left out (they run no code)."""
    found = modules()
    known = set(found)
    graph = nx.DiGraph()
    graph.add_nodes_from(known)
    for name, path in found.items():
        skip = _type_checking_lines(path) if runtime_only else set()
        for target in _imports_with_lines(name, path, known):
            if target[1] not in skip:
                graph.add_edge(name, target[0])
    return graph


def _imports_with_lines(name: str, path: Path, known: set[str]) -> Iterator[tuple[str, int]]:
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            single = ast.Module(body=[node], type_ignores=[])
            for target in _imports_of(name, path, single, known):
                yield target, node.lineno


def _imports_of(name: str, path: Path, tree: ast.Module, known: set[str]) -> Iterator[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in tree.body:
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = parts[: len(parts) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target


def _type_checking_lines(path: Path) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                lines.update(range(inner.lineno, (inner.end_lineno or inner.lineno) + 1))
    return lines


def cycles(graph: nx.DiGraph) -> list[list[str]]:
    """Each strongly connected group of more than one module (a cycle), sorted."""
    return sorted(sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1)


def longest_functions(top: int = 5) -> list[tuple[int, str]]:
    """The ``top`` longest functions: (lines, module:function)."""
    found = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found.append((node.end_lineno - node.lineno + 1, f"{name}:{node.name}"))
    return sorted(found, reverse=True)[:top]


def main() -> None:
    found = modules()
    sizes = sorted(((len(p.read_text("utf-8").splitlines()), n) for n, p in found.items()), reverse=True)
    graph = import_graph()
    print(f"modules: {len(found)}")
    print("largest modules:", ", ".join(f"{n} ({lines})" for lines, n in sizes[:5]))
    print("longest functions:", ", ".join(f"{n} ({lines})" for lines, n in longest_functions()))
    print(f"import cycles: {len(cycles(graph))}")
    for cycle in cycles(graph):
        print("  ", " <-> ".join(cycle))


if __name__ == "__main__":
    main()
