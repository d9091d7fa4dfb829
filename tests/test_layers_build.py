"""The committed layers are exactly what the pinned sources build (network, CI only).

The build is ``tools/`` code outside the wheel; ``tools.build_layers.main`` is
what ``python -m tools.build_layers`` (``make layers``) runs.
"""

from __future__ import annotations

import re
import shutil

import geopandas as gpd
import pytest
import shapely

import tools.sources
from geo.errors import SourceError
from geo.layers import LAYERS_DIR
from tests.pinfiles import package_file, pin_for
from tools.build_layers import build_borders, main
from tools.geojson import write_geojson
from tools.sources import fetch, read_member, sha256_file

BUILT = ("countries", "borders", "provinces", "places")


@pytest.mark.network
@pytest.mark.slow
def test_rebuild_from_pinned_sources_is_byte_identical(tmp_path):
    out = tmp_path / "layers"
    out.mkdir()
    shutil.copy(LAYERS_DIR / "SOURCES.toml", out)
    shutil.copytree(LAYERS_DIR / "curated", out / "curated")
    assert main(["--out", str(out), "--cache", str(tmp_path / "cache")]) == 0
    for name in BUILT:
        assert sha256_file(out / f"{name}.geojson") == sha256_file(
            LAYERS_DIR / f"{name}.geojson"
        ), name


def test_fetch_reuses_a_verified_copy_and_reads_members(tmp_path):
    cache, archive, digest = package_file(tmp_path, {"package/map.json": b"{}"})
    assert fetch(pin_for(digest), cache) == archive
    assert read_member(archive, "package/map.json") == b"{}"
    with pytest.raises(SourceError, match=re.escape("has no file package/other.json")):
        read_member(archive, "package/other.json")


def test_fetch_without_npm_names_the_package(tmp_path, monkeypatch):
    cache, _, _ = package_file(tmp_path, {"package/map.json": b"{}"})
    monkeypatch.setattr(tools.sources.shutil, "which", lambda name: None)
    with pytest.raises(SourceError, match=re.escape("demo: npm is needed to fetch demo@1.0.0")):
        fetch(pin_for("0" * 64), cache)


def test_border_of_two_squares_is_their_shared_edge_with_the_first_on_the_left(tmp_path):
    countries = gpd.GeoDataFrame(
        {"iso3": ["AAA", "BBB"], "name": ["A", "B"]},
        geometry=[shapely.box(60, 25, 61, 26), shapely.box(61, 25, 62, 26)],
        crs="EPSG:4326",
    )
    borders = build_borders(countries)
    row = borders.iloc[0]
    assert (row["pair"], row["left_iso3"], row["right_iso3"], row["parts"]) == (
        "AAA-BBB",
        "AAA",
        "BBB",
        1,
    )
    assert list(row.geometry.coords) == [(61, 25), (61, 26)]  # northward: AAA (west) on the left
    assert row["length_km"] == pytest.approx(110.7, abs=0.5)
    path = tmp_path / "borders.geojson"
    write_geojson(borders, path)
    first = path.read_bytes()
    write_geojson(borders, path)
    assert path.read_bytes() == first
    assert b'"coordinates":[[61.0,25.0],[61.0,26.0]]' in first


def test_build_command_turns_a_source_error_into_one_line_and_status_2(
    tmp_path, monkeypatch, capsys
):
    out = tmp_path / "layers"
    out.mkdir()
    shutil.copy(LAYERS_DIR / "SOURCES.toml", out)
    monkeypatch.setattr(tools.sources.shutil, "which", lambda name: None)
    assert main(["--out", str(out), "--cache", str(tmp_path / "cache")]) == 2
    err = capsys.readouterr().err
    assert err == "error: countries: npm is needed to fetch @geo-maps/countries-land-100m@0.6.0\n"
    assert not (out / "countries.geojson").exists()
