"""The world layers: coverage, borders beside the Factbook, names, speed and checksums."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
import shapely

from geo import layers
from geo.errors import LayerError
from geo.layers import store

#: CIA World Factbook land-boundary lengths (km), for comparison.
FACTBOOK_KM = {
    "SDN-TCD": 1403,
    "RUS-UKR": 1944,
    "KHM-THA": 817,
    "COD-RWA": 221,
    "NOR-RUS": 191,
    "MEX-USA": 3155,
    "BGD-MMR": 271,
    "IRN-PAK": 959,
    "AFG-PAK": 2670,
}
#: Our length may differ by this share: the 100 m outlines follow rivers and
#: ridges closer than the Factbook's generalised lines (PROVENANCE.md).
FACTBOOK_TOLERANCE = 0.25
#: One sample country per continent (and a few awkward ones).
SAMPLE = ["SDN", "RWA", "NOR", "CHE", "BRA", "MEX", "THA", "NZL", "PAK", "FJI"]


def test_every_upstream_outline_is_a_country():
    table = layers.country_table()
    assert len(table) == 250
    assert table["iso3"].is_unique
    assert list(table.columns[:3]) == ["iso3", "name", "alt_names"]
    assert {"west", "south", "east", "north"} <= set(table.columns)
    assert (table["name"].str.len() > 0).all()


@pytest.mark.slow
def test_no_invalid_geometry_in_the_world():
    frame = layers.countries()
    assert len(frame) == 250
    assert frame.geometry.is_valid.all()
    assert not frame.geometry.is_empty.any()
    lines = layers.borders()
    assert lines.geometry.is_valid.all() and len(lines) == len(layers.pairs())


@pytest.mark.parametrize("pair", sorted(FACTBOOK_KM))
def test_border_lengths_beside_the_factbook(pair):
    row = layers.border(pair).iloc[0]
    # RUS-UKR too: Crimea is Ukraine's alone (curated/overlaps.csv), so no line runs
    # round its coast and the border is one land line
    assert row["length_km"] == pytest.approx(FACTBOOK_KM[pair], rel=FACTBOOK_TOLERANCE)


def test_lake_kivu_is_bridged():
    row = layers.border("COD", "RWA").iloc[0]
    assert row["bridged_km"] > 50  # the lake, shore to shore
    line = row.geometry
    goma, bukavu = shapely.Point(29.23, -1.68), shapely.Point(28.86, -2.5)
    assert shapely.distance(line, goma) < 0.1 and shapely.distance(line, bukavu) < 0.1


def test_bridges_are_listed_beside_the_borders():
    bridges = store.read_table("bridges.csv")
    assert set(bridges.columns) == {"pair", "km", "lon0", "lat0", "lon1", "lat1"}
    assert set(bridges["pair"]) <= set(layers.pairs())
    assert "COD-RWA" in set(bridges.loc[bridges["km"] > 5, "pair"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SDN-TCD", ("SDN", "TCD")),
        ("TCD-SDN", ("TCD", "SDN")),
        ("Sudan-Chad", ("SDN", "TCD")),
        ("Sudan, Chad", ("SDN", "TCD")),
        ("chad / sudan", ("TCD", "SDN")),
        ("Guinea-Bissau-Senegal", ("GNB", "SEN")),
        ("Timor-Leste, Indonesia", ("TLS", "IDN")),
        ("South Sudan and Sudan", ("SSD", "SDN")),
        ("Iran\u2013Pakistan", ("IRN", "PAK")),
    ],
)
def test_parse_pair_reads_codes_and_names_in_either_order(text, expected):
    assert layers.parse_pair(text) == expected


def test_border_in_either_order_by_name():
    fwd = layers.border("Sudan", "Chad").iloc[0]
    rev = layers.border("TCD-SDN").iloc[0]
    assert (fwd["left_iso3"], rev["left_iso3"]) == ("SDN", "TCD")
    assert list(fwd.geometry.coords) == list(rev.geometry.coords)[::-1]


def test_no_border_names_each_countrys_neighbours():
    with pytest.raises(LayerError) as err:
        layers.border("Sudan", "Norway")
    text = str(err.value)
    assert "SDN-TCD" in text and "NOR-RUS" in text


def test_neighbours_and_country_filter():
    near = dict(layers.neighbours("SDN"))
    assert {"SDN-TCD", "EGY-SDN"} <= set(near)
    assert list(near.values()) == sorted(near.values(), reverse=True)
    assert set(layers.border_table("Sudan")["pair"]) == set(near)


@pytest.mark.parametrize("iso3", SAMPLE)
def test_provinces_tile_their_country(iso3):
    figures = store.read_table("tiling.csv").set_index("iso3").loc[iso3]
    assert figures["gap_km2"] <= 0.01 and figures["overlap_km2"] <= 0.01
    provs = layers.provinces([iso3])
    assert provs["adm1_code"].is_unique
    assert (provs["adm0_a3"] == iso3).all()
    assert provs.geometry.is_valid.all()


def test_tiling_figures_cover_every_country():
    tiling = store.read_table("tiling.csv")
    assert set(tiling["iso3"]) == set(layers.country_table()["iso3"])
    assert {"gap_km2", "overlap_km2", "outside_km2", "area_km2"} <= set(tiling.columns)


def test_gazetteer_covers_the_world_with_provinces_as_places():
    places = layers.places()
    assert len(places) > 100_000
    assert {"geonames", "naturalearth", "curated"} <= set(places["source"])
    assert places["place_id"].is_unique
    khartoum = places[(places["name"] == "Khartoum") & (places["source"] == "geonames")]
    assert (khartoum["iso3"] == "SDN").all() and len(khartoum) >= 1


def test_one_pair_loads_fast_in_a_fresh_process():
    code = (
        "import time; t = time.perf_counter(); import geo; s = time.perf_counter();"
        "geo.layers.border('SDN', 'TCD'); geo.layers.countries(['SDN', 'TCD']);"
        "geo.layers.provinces(countries=['SDN', 'TCD']);"
        "print(time.perf_counter() - s, time.perf_counter() - t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    load, total = map(float, out.stdout.split())
    assert load < 1.0, (load, total)


def test_a_corrupted_partition_fails_loudly(tmp_path):
    world = tmp_path / "world"
    shutil.copytree(store.WORLD, world)
    frame = store.read_layer("countries/RWA.parquet", "polygon", world=world)
    assert frame["iso3"].tolist() == ["RWA"]
    target = world / "countries" / "SDN.parquet"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(LayerError, match=r"SDN\.parquet: SHA-256 is .* corrupted"):
        store.read_layer("countries/SDN.parquet", "polygon", world=world)
    with pytest.raises(LayerError, match="not part of the embedded layers"):
        store.read_layer("countries/XXX.parquet", "polygon", world=world)
