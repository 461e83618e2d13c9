"""The import graph of the project's Python packages, and the layering it must keep.

    python -m tests.support.import_graph            # package graph, cycles, layering
    python -m tests.support.import_graph --modules  # every module's imports

Every import counts, including those inside functions: a lazy import still ties two
modules together. tests/codegen/test_architecture.py asserts what `main` prints.
"""
from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("boards", "codegen", "host_tools")
# Data flows one way: a package may import only from itself and the ones before it.
LAYERS = ("boards", "codegen", "host_tools.errors", "host_tools.reference", "host_tools.artifacts",
          "host_tools.target", "host_tools.sim", "host_tools.intermittent", "host_tools.measure",
          "host_tools.sweep", "host_tools.cli", "host_tools.__main__")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules `name` imports (a `from pkg import mod` names the module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([node.module] if node.module else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in known:  # a name inside a module: the module
                t = t.rpartition(".")[0]
            if t and t != name:
                found.add(t)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def layer_of(module: str) -> int:
    """Index in LAYERS of the most specific layer holding `module`."""
    best = -1
    for i, layer in enumerate(LAYERS):
        if module == layer or module.startswith(layer + "."):
            best = i if best < 0 or len(layer) > len(LAYERS[best]) else best
    if best < 0 and module == "host_tools":
        return LAYERS.index("host_tools.errors")  # the package's own __init__
    return best


def upward_imports(edges: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(importer, imported) pairs that go against the layering."""
    return sorted((a, b) for a, targets in edges.items() for b in targets
                  if layer_of(b) > layer_of(a))


def package_edges(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    def pkg(m: str) -> str:
        i = layer_of(m)
        return LAYERS[i] if i >= 0 else m
    out: dict[str, set[str]] = {}
    for a, targets in edges.items():
        out.setdefault(pkg(a), set()).update(pkg(b) for b in targets if pkg(b) != pkg(a))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.support.import_graph", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--modules", action="store_true", help="print every module's imports")
    args = ap.parse_args(argv)
    edges = graph()
    shown = edges if args.modules else package_edges(edges)
    for name in sorted(shown, key=lambda m: (layer_of(m), m)):
        print(f"{name:<26} -> {', '.join(sorted(shown[name])) or '-'}")
    found, upward = cycles(edges), upward_imports(edges)
    print(f"modules: {len(edges)}; import cycles: {len(found)}; imports against the layering: "
          f"{len(upward)}")
    for c in found:
        print("cycle: " + " <-> ".join(c))
    for a, b in upward:
        print(f"upward: {a} imports {b}")
    return 1 if found or upward else 0


if __name__ == "__main__":
    sys.exit(main())
