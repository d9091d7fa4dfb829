from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

import geo

PUBLIC = [name for name in geo.__all__ if name != "__version__"]


def test_the_readme_surface_is_what_geo_exports():
    assert set(PUBLIC) == {
        "countries",
        "border",
        "borders",
        "provinces",
        "places",
        "seed_events",
        "read_events",
        "geocode",
        "place",
        "analyze",
        "render_map",
        "export_gpkg",
        "plot",
    }
    assert sorted(dir(geo)) == sorted(geo.__all__)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = geo.nope


@pytest.mark.parametrize("name", PUBLIC)
def test_each_public_name_resolves_to_a_documented_callable(name):
    obj = getattr(geo, name)
    assert callable(obj), f"geo.{name} is {type(obj).__name__}"
    assert obj.__doc__ and "Returns" in obj.__doc__


@pytest.mark.parametrize("name", PUBLIC)
def test_no_submodule_shadows_a_public_name(name):
    # importing geo/<name>.py would replace the lazy function by the module
    assert importlib.util.find_spec(f"geo.{name}") is None


def test_names_stay_callable_after_every_module_is_imported():
    modules = sorted({m if isinstance(m, str) else m[0] for m in geo._LAZY.values()})
    script = (
        "import importlib, geo\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "import geo.cli.main\n"
        f"bad = [n for n in {PUBLIC!r} if not callable(getattr(geo, n))]\n"
        "print(bad)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_analysis_results_are_dataframes():
    import pandas as pd

    analyzed = geo.analyze(geo.seed_events())
    assert isinstance(analyzed, pd.DataFrame)
    assert {"border_distance_km", "zone", "side"} <= set(analyzed.columns)
    assert "<table" in analyzed._repr_html_()
