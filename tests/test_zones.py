"""Geodesic zones: labels, assignment and buffers that are true to width everywhere."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import LineString

from geo import layers
from geo.errors import ParameterError
from geo.nearest import LineIndex
from geo.zones import (
    SPANS_BANDS,
    assign_zone,
    border_buffer,
    border_zones,
    parse_zones,
    zone_labels,
)


def test_parse_zones_sorts_and_rejects_bad_values():
    assert parse_zones("100,10, 25") == (10.0, 25.0, 100.0)
    with pytest.raises(ParameterError, match="zones_km"):
        parse_zones("10,abc")
    with pytest.raises(ParameterError):
        parse_zones("0,10")
    with pytest.raises(ParameterError, match="above 2000 km"):
        parse_zones("10,8000")
    assert parse_zones("2000") == (2000.0,)


def test_assign_zone_edges_belong_to_the_inner_band():
    z = assign_zone(np.array([0.0, 9.99, 10.0, 10.01, 99.0, 150.0, np.nan]), [10, 25, 50, 100])
    assert z["zone"].astype(object).tolist()[:6] == [
        "0-10 km",
        "0-10 km",
        "0-10 km",
        "10-25 km",
        "50-100 km",
        ">100 km",
    ]
    assert z["zone"].isna().iloc[6]
    assert z["zone_max_km"].iloc[5] == np.inf and z["zone_min_km"].iloc[5] == 100
    assert list(z["zone"].cat.categories) == [*zone_labels([10, 25, 50, 100]), SPANS_BANDS]


def _width_errors(line, distance_km, rng, n=40000):
    """Points whose exact distance is clearly inside/outside must fall inside/outside."""
    shape = border_buffer(line, distance_km)
    minx, miny, maxx, maxy = shape.bounds
    x, y = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
    d = LineIndex(line).nearest(x, y).distance_km
    inside = shapely.contains_xy(shape, x, y)
    tol = distance_km * 0.005
    wrong_out = inside & (d > distance_km + tol)
    wrong_in = ~inside & (d < distance_km - tol)
    near = np.abs(d - distance_km) < distance_km * 0.05
    return int(wrong_out.sum() + wrong_in.sum()), int(near.sum())


@pytest.mark.parametrize(
    "line",
    [
        layers.border("IRN", "PAK").geometry.iloc[0],
        LineString([(10, 65), (25, 66), (40, 64.5)]),  # ~1400 km at 65N
        LineString([(-20, 5), (-5, 12), (5, 20)]),  # ~2000 km near the equator
    ],
    ids=["IRN-PAK", "65N", "2000km"],
)
def test_buffer_is_geodesically_true_to_half_a_percent(line):
    rng = np.random.default_rng(3)
    wrong, tested_near_edge = _width_errors(line, 50.0, rng)
    assert tested_near_edge > 100
    assert wrong == 0


def test_single_sided_buffers_cover_their_side():
    line = LineString([(60, 25), (60, 30)])  # heading north: left is west
    left = border_buffer(line, 20, side="left")
    right = border_buffer(line, 20, side="right")
    assert left.contains(shapely.Point(59.9, 27)) and not left.contains(shapely.Point(60.1, 27))
    assert right.contains(shapely.Point(60.1, 27)) and not right.contains(shapely.Point(59.9, 27))


def test_embedded_zones_split_by_country_and_tile_the_bands():
    zones = border_zones(layers.border("IRN", "PAK"), (10, 25, 50))
    assert set(zones["side"]) == {"IRN", "PAK"}
    assert zones["zone"].tolist()[:3] == ["0-10 km", "10-25 km", "25-50 km"]
    irn = layers.countries(["IRN"]).geometry.iloc[0]
    for geom, side in zip(zones.geometry, zones["side"], strict=True):
        if side == "IRN":
            assert shapely.area(shapely.difference(geom, irn)) < 1e-6
    # the 0-10 km band on each side is about 10 km x 957 km
    inner = zones[zones["zone"] == "0-10 km"].set_index("side")["area_km2"]
    assert 0.7 * 9575 < inner["IRN"] < 1.05 * 9575
    ring = zones[(zones["side"] == "PAK")].geometry.to_numpy()
    assert shapely.area(shapely.intersection(ring[0], ring[1])) < 1e-9


def test_bare_line_zones_are_left_and_right():
    frame = gpd.GeoDataFrame(geometry=[LineString([(60, 25), (60, 30)])], crs="EPSG:4326")
    zones = border_zones(frame, (25,))
    assert sorted(zones["side"]) == ["left", "right"]
    assert (zones["area_km2"] > 0.9 * 25 * 556).all()
