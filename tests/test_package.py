"""What ships: the wheel carries the layers and only run-time code; the entry point runs.

This file holds the suite's one entry-point subprocess test; every other CLI
test goes through ``click.testing.CliRunner``.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BUILD_ONLY = ("pip", "tools")


def _imports(source: str) -> set[str]:
    """Top-level names of every module ``source`` imports, at any depth."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.partition(".")[0])
    return names


def test_imports_finds_nested_and_from_imports():
    source = "import pip._internal as p\ndef f():\n    from tools.sources import fetch\n"
    assert _imports(source) == {"pip", "tools"}


def test_run_time_package_never_imports_build_code():
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            _imports(path.read_text(encoding="utf-8")) & {*BUILD_ONLY}
        )
        for path in (ROOT / "geo").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    assert not (ROOT / "geo" / "layers" / "build.py").exists()


def test_entry_point_and_fresh_interpreter():
    """The one subprocess test: the installed console script, and ``import geo`` from scratch."""
    version = subprocess.run(
        [str(BIN / "bordermap"), "--version"], capture_output=True, text=True, check=False
    )
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("bordermap, version ")
    code = (
        "import sys, geo; "
        "lazy = [m for m in ('pandas', 'geopandas') if m in sys.modules]; "
        "line = geo.layers.border('IRN', 'PAK'); "
        "print(lazy, line.iloc[0]['left_iso3'], round(float(line.length_km.iloc[0])))"
    )
    fresh = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert fresh.returncode == 0, fresh.stderr
    lazy, left, km = fresh.stdout.rsplit(maxsplit=2)
    assert lazy == "[]", "import geo must not import pandas/geopandas"
    assert left == "IRN"
    assert 915 < int(km) < 975


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:  # hatchling is a build requirement; fall back to isolated build
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(ROOT)],
            capture_output=True,
            text=True,
            check=False,
        )
    assert proc.returncode == 0, proc.stderr
    return next(out.glob("bordermap-*.whl"))


@pytest.mark.slow
def test_wheel_contains_package_layers_and_entry_point(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for needed in (
        "geo/__init__.py",
        "geo/layers/sources.py",
        "geo/mapping/assets.py",
        "geo/_layers/world/MANIFEST.sha256",
        "geo/_layers/world/countries/SDN.parquet",
        "geo/_layers/world/borders.csv",
        "geo/_layers/SOURCES.toml",
        "geo/_layers/ASSETS.toml",
        "geo/_layers/PROVENANCE.md",
        "geo/_layers/events.csv",
        "geo/_layers/assets/SHA256SUMS",
    ):
        assert needed in names
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "bordermap = geo.cli.main:cli" in zipfile.ZipFile(wheel).read(entry).decode()
    # the whole world travels in the wheel, which stays under 100 MB
    assert wheel.stat().st_size < 100e6


@pytest.mark.slow
def test_wheel_ships_no_build_code(wheel):
    archive = zipfile.ZipFile(wheel)
    names = archive.namelist()
    assert not [n for n in names if n.startswith("tools/")]
    assert "geo/layers/build.py" not in names
    modules = [n for n in names if n.endswith(".py")]
    assert len(modules) > 20
    importing = {n: _imports(archive.read(n).decode()) & {*BUILD_ONLY} for n in modules}
    assert {n: sorted(v) for n, v in importing.items() if v} == {}


@pytest.mark.slow
def test_installed_wheel_runs_from_another_folder(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = (
        "import geo, geo.layers as L; "
        "assert '_layers' in str(L.LAYERS_DIR), L.LAYERS_DIR; "
        "from geo.mapping import assets; assert assets.path('leaflet_js').is_file(); "
        "print(round(float(L.border('IRN','PAK').length_km.iloc[0])))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert 915 < int(proc.stdout) < 975
