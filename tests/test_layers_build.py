"""The committed layers are exactly what the pinned sources build (network, CI only).

The build is ``tools/`` code outside the wheel; ``tools.build_layers.main`` is
what ``python -m tools.build_layers`` (``make layers``) runs. The whole world
takes long on two cores, so CI rebuilds the partitions of a few countries on
several continents (``--countries``) and compares them byte for byte.
"""

from __future__ import annotations

import re
import shutil

import geopandas as gpd
import numpy as np
import pytest
import shapely

import tools.sources
from geo.errors import SourceError
from geo.layers import LAYERS_DIR
from geo.layers.store import read_layer
from tests.pinfiles import package_file, pin_for
from tools.build_layers import main
from tools.build_provinces import main as build_provinces_main
from tools.sources import fetch, read_member, sha256_file
from tools.store import write_layer, write_manifest
from tools.world_borders import build_borders

#: Rebuilt under CI: Africa (with Lake Kivu), Europe, South America, Oceania, Asia.
SUBSET = ("RWA", "CHE", "URY", "PNG", "KHM")
BUILT = ("countries", "provinces", "borders")


@pytest.mark.network
@pytest.mark.slow
def test_rebuild_of_a_subset_from_pinned_sources_is_byte_identical(tmp_path):
    out = tmp_path / "layers"
    out.mkdir()
    shutil.copy(LAYERS_DIR / "SOURCES.toml", out)
    shutil.copytree(LAYERS_DIR / "curated", out / "curated")
    argv = ["--out", str(out), "--cache", str(tmp_path / "cache"), "--countries", ",".join(SUBSET)]
    assert main(argv) == 0
    written = sorted(p.relative_to(out / "world") for p in (out / "world").rglob("*.parquet"))
    assert written, "nothing rebuilt"
    for name in written:
        assert name.parts[0] in BUILT and name.stem in SUBSET
        assert sha256_file(out / "world" / name) == sha256_file(LAYERS_DIR / "world" / name), name


@pytest.mark.network
@pytest.mark.slow
def test_provinces_refit_and_gazetteer_rebuild_are_byte_identical(tmp_path):
    """``tools.build_provinces`` (admin-1 changes applied) and the gazetteer match the store."""
    out = tmp_path / "layers"
    shutil.copytree(LAYERS_DIR, out, ignore=shutil.ignore_patterns("assets", "events.csv"))
    argv = ["--out", str(out), "--cache", str(tmp_path / "cache"), "--countries", "PAK,AFG"]
    assert build_provinces_main(argv) == 0
    for name in (
        "provinces/PAK.parquet",
        "provinces/AFG.parquet",
        "tiling.csv",
        "places.parquet",
        "place_names.parquet",
        "MANIFEST.sha256",
    ):
        assert sha256_file(out / "world" / name) == sha256_file(LAYERS_DIR / "world" / name), name


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
    borders, bridges = build_borders(countries)
    assert bridges == []
    row = borders.iloc[0]
    assert (row["pair"], row["left_iso3"], row["right_iso3"], row["parts"]) == (
        "AAA-BBB",
        "AAA",
        "BBB",
        1,
    )
    # northward: AAA (west) on the left
    assert np.allclose(row.geometry.coords, [(61, 25), (61, 26)], atol=1e-9)
    assert row["length_km"] == pytest.approx(110.7, abs=0.5)
    path = tmp_path / "borders" / "AAA.parquet"
    write_layer(borders, path, "line")
    first = path.read_bytes()
    write_layer(borders, path, "line")
    assert path.read_bytes() == first
    write_manifest(tmp_path)
    back = read_layer("borders/AAA.parquet", "line", world=tmp_path)
    assert list(back.geometry.iloc[0].coords) == [(61, 25), (61, 26)]
    assert list(back.columns) == list(borders.columns)


def test_build_command_turns_a_source_error_into_one_line_and_status_2(
    tmp_path, monkeypatch, capsys
):
    out = tmp_path / "layers"
    out.mkdir()
    shutil.copy(LAYERS_DIR / "SOURCES.toml", out)
    monkeypatch.setattr(tools.sources.shutil, "which", lambda name: None)
    assert main(["--out", str(out), "--cache", str(tmp_path / "cache")]) == 2
    err = capsys.readouterr().err
    # progress lines, then one error line
    assert err.splitlines()[-1] == (
        "error: countries: npm is needed to fetch @geo-maps/countries-land-100m@0.6.0"
    )
    assert sum(line.startswith("error:") for line in err.splitlines()) == 1
    assert not (out / "world").exists()
