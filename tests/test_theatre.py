"""The theatre: one border pair with its zones, sites and bounds."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from geo import layers
from geo.errors import InputError, LayerError, ParameterError
from geo.theatre import DEFAULT_PAIR, DEFAULT_SITES, PAD_DEG, Theatre, as_theatre


def test_default_theatre_is_iran_pakistan_with_the_seed_sites():
    theatre = Theatre.from_pair()
    assert theatre.pair == DEFAULT_PAIR == "IRN-PAK"
    assert theatre.countries == ("IRN", "PAK") and theatre.embedded
    assert theatre.sites == DEFAULT_SITES
    assert theatre.label == "Iran\u2013Pakistan"
    assert 950 < theatre.length_km < 965


@pytest.mark.parametrize("pair", sorted(layers.pairs()))
def test_every_embedded_pair_builds_in_both_orders(pair):
    a, b = pair.split("-")
    forward, backward = Theatre.from_pair(f"{a}-{b}"), Theatre.from_pair(f"{b} {a}")
    assert forward.countries == (a, b) and backward.countries == (b, a)
    assert forward.length_km == pytest.approx(backward.length_km)
    w, s, e, n = forward.border.total_bounds
    assert forward.bounds == pytest.approx((w - PAD_DEG, s - PAD_DEG, e + PAD_DEG, n + PAD_DEG))
    if forward.pair != DEFAULT_PAIR:
        assert forward.sites == ()


def test_unknown_pair_lists_the_known_ones():
    with pytest.raises(LayerError, match="IRN-PAK"):
        Theatre.from_pair("PAK-SYR")


@given(st.lists(st.floats(0.5, 2000, allow_nan=False), min_size=1, max_size=5, unique=True))
def test_zones_are_sorted_edges(edges):
    assert Theatre.from_pair(zones_km=edges).zones_km == tuple(sorted(edges))


def test_bad_zones_name_the_parameter():
    with pytest.raises(ParameterError, match="zones_km"):
        Theatre.from_pair(zones_km="10,x")


def test_user_line_has_left_and_right_sides_only():
    line = gpd.GeoDataFrame(geometry=[shapely.LineString([(60, 20), (60, 30)])], crs=4326)
    theatre = Theatre.from_border(line, name="strip.geojson")
    assert not theatre.embedded and theatre.countries == () and theatre.label == "strip.geojson"
    assert theatre.sites == ()


def test_polygons_count_by_their_outline_and_points_are_refused():
    square = gpd.GeoDataFrame(geometry=[shapely.box(60, 25, 61, 26)], crs=4326)
    assert Theatre.from_border(square).line.geom_type in ("LineString", "MultiLineString")
    points = gpd.GeoDataFrame(geometry=[shapely.Point(60, 25)], crs=4326)
    with pytest.raises(InputError, match="no line or polygon"):
        Theatre.from_border(points)
    naive = gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (1, 1)])])
    with pytest.raises(InputError, match="no CRS"):
        Theatre.from_border(naive)


def test_as_theatre_accepts_a_theatre_a_pair_or_nothing():
    theatre = Theatre.from_pair("AFG-PAK")
    assert as_theatre(theatre) is theatre
    assert as_theatre("AFG-PAK").pair == "AFG-PAK"
    assert as_theatre(None).pair == DEFAULT_PAIR
