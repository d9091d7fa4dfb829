from __future__ import annotations

import importlib
import importlib.util
import pkgutil

import pandas as pd
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
        "ReadOptions",
        "Theatre",
        "geocode",
        "place",
        "analyze",
        "render_map",
        "export_gpkg",
        "plot",
    }
    assert set(PUBLIC) <= set(dir(geo))
    assert set(geo.SUBMODULES) <= set(dir(geo))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = geo.nope


@pytest.mark.parametrize("name", PUBLIC)
def test_each_public_name_resolves_to_a_documented_callable(name):
    obj = getattr(geo, name)
    assert callable(obj), f"geo.{name} is {type(obj).__name__}"
    assert obj.__doc__ and ("Returns" in obj.__doc__ or "Parameters" in obj.__doc__)


@pytest.mark.parametrize("name", PUBLIC)
def test_no_submodule_shadows_a_public_name(name):
    # importing geo/<name>.py would replace the lazy function by the module
    assert importlib.util.find_spec(f"geo.{name}") is None


@pytest.mark.parametrize("name", geo.SUBMODULES)
def test_submodules_are_attributes(name):
    module = getattr(geo, name)
    assert module.__name__ == f"geo.{name}"
    assert module.__doc__


def test_layers_submodule_call_from_the_issue():
    border = geo.layers.border("IRN", "PAK")
    assert border["pair"].iloc[0] == "IRN-PAK"


def _all_modules():
    return [m.name for m in pkgutil.walk_packages(geo.__path__, "geo.")]


def test_every_package_declares_all():
    missing = [
        name
        for name in _all_modules()
        if not name.rsplit(".", 1)[-1].startswith("_")
        and not hasattr(importlib.import_module(name), "__all__")
    ]
    assert missing == []


def test_names_stay_callable_after_every_module_is_imported():
    for name in _all_modules():
        importlib.import_module(name)
    assert [n for n in PUBLIC if not callable(getattr(geo, n))] == []


def test_analysis_results_are_dataframes():
    analyzed = geo.analyze(geo.seed_events())
    assert isinstance(analyzed, pd.DataFrame)
    assert {"border_distance_km", "zone", "side"} <= set(analyzed.columns)
    assert "<table" in analyzed._repr_html_()
