"""The shape of the package: imports point one way, modules and functions stay small."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "geo"
#: The core: what analyses. It must not import the CLI, the dask engine or a view.
CORE = (
    "geo.errors",
    "geo.geodesy",
    "geo.nearest",
    "geo.zones",
    "geo.precision",
    "geo.placement",
    "geo.sites",
    "geo.proximity",
    "geo.theatre",
    "geo.layers",
    "geo.gazetteer",
    "geo.country_codes",
    "geo.style",
)
ABOVE_CORE = ("geo.cli", "geo.dask", "geo.mapping", "geo.figure", "geo.export", "geo.raster")
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> set[str]:
    """Modules of ``geo`` imported at module level (``from pkg import sub`` counts as ``sub``)."""
    deps = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("geo"):
            subs = {f"{node.module}.{a.name}" for a in node.names} & set(MODULES)
            deps |= subs or {node.module}
        elif isinstance(node, ast.Import):
            deps |= {a.name for a in node.names if a.name.startswith("geo")}
    return deps & set(MODULES)


GRAPH = {name: _imports(path) - {name} for name, path in MODULES.items()}


def _within(name: str, prefixes) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_the_core_never_imports_the_cli_dask_or_a_view():
    upward = sorted(
        (name, dep)
        for name, deps in GRAPH.items()
        if _within(name, CORE)
        for dep in deps
        if _within(dep, ABOVE_CORE)
    )
    assert upward == []


def test_the_library_never_imports_the_cli():
    assert (
        sorted(
            (n, d)
            for n, deps in GRAPH.items()
            if not _within(n, ["geo.cli"])
            for d in deps
            if _within(d, ["geo.cli"])
        )
        == []
    )


def test_module_level_imports_have_no_cycle():
    done: set[str] = set()

    def visit(node: str, stack: list[str]) -> list[str] | None:
        if node in stack:
            return [*stack[stack.index(node) :], node]
        if node in done:
            return None
        for dep in sorted(GRAPH[node]):
            if dep.startswith(node + "."):  # a package importing its own submodules
                continue
            cycle = visit(dep, [*stack, node])
            if cycle:
                return cycle
        done.add(node)
        return None

    cycles = [c for c in (visit(name, []) for name in sorted(GRAPH)) if c]
    assert cycles == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_and_functions_stay_small(name):
    source = MODULES[name].read_text()
    assert source.count("\n") <= MAX_MODULE_LINES, f"{name} has {source.count(chr(10))} lines"
    long = [
        (node.name, node.end_lineno - node.lineno + 1)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []


def test_build_code_is_not_in_the_package():
    assert not (PACKAGE / "layers" / "build.py").exists()
    assert not any("pip._internal" in p.read_text() for p in MODULES.values())
