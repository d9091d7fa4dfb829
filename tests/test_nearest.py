"""Exactness of the nearest-point engine against a brute-force geographiclib reference."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic
from scipy.optimize import minimize_scalar
from shapely import LineString, MultiLineString

from geo.nearest import LineIndex, line_index

GEOD = Geodesic.WGS84


def brute_force_km(px: float, py: float, coords) -> float:
    """Minimum geodesic distance to a polyline whose edges are geodesics (slow, exact)."""
    best = np.inf
    for (x1, y1), (x2, y2) in itertools.pairwise(coords):
        edge = GEOD.InverseLine(y1, x1, y2, x2)

        def dist(s, edge=edge):
            pos = edge.Position(s)
            return GEOD.Inverse(py, px, pos["lat2"], pos["lon2"])["s12"]

        grid = np.linspace(0, edge.s13, 400)
        values = [dist(s) for s in grid]
        i = int(np.argmin(values))
        lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
        fine = minimize_scalar(dist, bounds=(lo, hi), method="bounded", options={"xatol": 1e-5})
        best = min(best, fine.fun, values[0], values[-1])
    return best / 1000.0


def _random_line(rng, lat0, span_km, n):
    lon0 = rng.uniform(-180, 180)
    step = span_km / n / 111.0
    xs = lon0 + np.cumsum(rng.uniform(-1, 1, n)) * step / max(np.cos(np.radians(lat0)), 0.2)
    ys = np.clip(lat0 + np.cumsum(rng.uniform(-1, 1, n)) * step, -85, 85)
    return list(zip(xs, ys, strict=True))


@pytest.mark.parametrize("lat0", [0.0, 27.0, -41.0, 65.0, 78.0])
@pytest.mark.parametrize("span_km", [30.0, 600.0, 2000.0])
def test_within_one_metre_of_brute_force(lat0, span_km):
    rng = np.random.default_rng(int(abs(lat0) * 10 + span_km))
    coords = _random_line(rng, lat0, span_km, 5)
    index = LineIndex(LineString(coords))
    cx, cy = np.mean(coords, axis=0)
    px = cx + rng.uniform(-4, 4, 6)
    py = np.clip(cy + rng.uniform(-3, 3, 6), -89, 89)
    got = index.nearest(px, py).distance_km
    for x, y, d in zip(px, py, got, strict=True):
        assert abs(d - brute_force_km(x, y, coords)) * 1000 <= 1.0


def test_nearest_point_is_on_the_line_and_at_the_stated_distance():
    coords = [(60.0, 25.0), (61.0, 26.5), (62.5, 27.0)]
    res = LineIndex(LineString(coords)).nearest([61.5, 60.0], [26.0, 27.0])
    for i in range(2):
        check = GEOD.Inverse(
            [26.0, 27.0][i], [61.5, 60.0][i], res.nearest_lat[i], res.nearest_lon[i]
        )
        assert check["s12"] / 1000 == pytest.approx(res.distance_km[i], abs=1e-6)
        assert np.mod(check["azi1"], 360) == pytest.approx(res.bearing_deg[i], abs=1e-6)


def test_point_on_the_line_has_zero_distance_and_no_bearing():
    res = LineIndex(LineString([(10, 50), (12, 50)])).nearest([10.0], [50.0])
    assert res.distance_km[0] == pytest.approx(0, abs=1e-6)
    assert np.isnan(res.bearing_deg[0])


def test_left_and_right_follow_line_direction():
    north = LineIndex(LineString([(60, 25), (60, 30)]))
    res = north.nearest([59.0, 61.0], [27.0, 27.0])
    assert res.left.tolist() == [True, False]


@pytest.mark.parametrize("turn", ["left", "right"])
def test_side_at_a_sharp_corner_uses_the_corner_rule(turn):
    # east then north (left turn) or east then south (right turn)
    y2 = 30.0 if turn == "left" else 20.0
    index = LineIndex(LineString([(50, 25), (55, 25), (55, y2)]))
    # a point beyond the corner, in the wedge where the two edges disagree
    res = index.nearest([57.0], [25.0 + (-1.0 if turn == "left" else 1.0)])
    inside_of_turn = turn == "left"  # wedge is outside the turn
    assert bool(res.left[0]) is (not inside_of_turn)


def test_antimeridian_line():
    line = LineString([(179.5, 10), (-179.5, 10)])
    res = LineIndex(line).nearest([180.0], [10.5])
    assert res.distance_km[0] == pytest.approx(
        brute_force_km(180.0, 10.5, list(line.coords)), abs=1e-3
    )
    assert abs(res.nearest_lon[0]) == pytest.approx(180, abs=1e-6)


def test_multiline_and_far_points_choose_the_right_branch():
    lines = MultiLineString([[(0, 0), (0, 10)], [(20, 0), (20, 10)]])
    res = LineIndex(lines).nearest([9.0, 11.0, 10.0], [5.0, 5.0, 60.0])
    assert res.nearest_lon[0] == pytest.approx(0, abs=1e-9)
    assert res.nearest_lon[1] == pytest.approx(20, abs=1e-9)
    ref = brute_force_km(10.0, 60.0, [(0, 0), (0, 10)])
    assert res.distance_km[2] == pytest.approx(ref, abs=1e-3)


def test_nan_inputs_give_nan():
    res = LineIndex(LineString([(0, 0), (1, 1)])).nearest([np.nan, 1.0], [0.0, 1.0])
    assert np.isnan(res.distance_km[0]) and res.distance_km[1] < 1e-6


def test_line_index_is_cached():
    line = LineString([(0, 0), (1, 1)])
    assert line_index(line) is line_index(LineString([(0, 0), (1, 1)]))


def test_long_edges_are_read_as_geodesics():
    # one 1100 km edge along 60N: the geodesic bulges north of the parallel
    index = LineIndex(LineString([(0, 60), (20, 60)]))
    res = index.nearest([10.0], [61.0])
    assert res.nearest_lat[0] > 60.3  # the parallel would give exactly 60
    assert res.distance_km[0] == pytest.approx(
        brute_force_km(10.0, 61.0, [(0, 60), (20, 60)]), abs=1e-3
    )


def _far_points(rng, cx, cy, ranges_km):
    """Points at roughly the given ranges from (cx, cy), in random directions."""
    az = rng.uniform(0, 360, len(ranges_km))
    out = [GEOD.Direct(cy, cx, a, r * 1000) for a, r in zip(az, ranges_km, strict=True)]
    return np.array([o["lon2"] for o in out]), np.array([o["lat2"] for o in out])


@pytest.mark.parametrize("lat0", [5.0, 48.0, -33.0])
def test_far_and_antipodal_points_match_brute_force(lat0):
    rng = np.random.default_rng(int(abs(lat0)))
    coords = _random_line(rng, lat0, 800.0, 6)
    index = LineIndex(LineString(coords))
    cx, cy = np.mean(coords, axis=0)
    px, py = _far_points(rng, cx, cy, [1500.0, 4000.0, 7000.0, 11000.0, 15000.0, 19300.0])
    got = index.nearest(px, py).distance_km
    for x, y, d in zip(px, py, got, strict=True):
        assert abs(d - brute_force_km(x, y, coords)) * 1000 <= 1.0


def test_far_points_need_few_candidates():
    # a long, straight-ish line seen from far away: the candidate search must not
    # grow with the range (it used to reach thousands of vertices per point)
    coords = [(30.0 + i, 50.0 + 0.3 * np.sin(i)) for i in range(12)]
    index = LineIndex(LineString(coords))
    calls = []
    solve = index._solve

    def counting(lon, lat, k):
        calls.append(k)
        return solve(lon, lat, k)

    index._solve = counting
    rng = np.random.default_rng(3)
    px, py = _far_points(rng, 35.0, 50.0, rng.uniform(3000, 9000, 200))
    index.nearest(px, py)
    assert max(calls) <= 64


@pytest.mark.slow
def test_near_antipodal_points_are_never_farther_than_a_vertex():
    from geo.geodesy import geodesic_km

    rng = np.random.default_rng(0)
    x = 35 + np.cumsum(rng.uniform(-1, 1, 80)) * 0.8  # a winding line about 35E 50N
    y = 50 + np.cumsum(rng.uniform(-1, 1, 80)) * 0.5
    index = LineIndex(LineString(np.column_stack([x, y])))
    px, py = rng.uniform(-170, -120, 150), rng.uniform(-65, -35, 150)  # near its antipode
    got = index.nearest(px, py).distance_km
    # any vertex of the line bounds the distance from above
    vertex = np.array(
        [geodesic_km(a, b, index.lon, index.lat).min() for a, b in zip(px, py, strict=True)]
    )
    assert (got <= vertex + 1e-6).all()


def test_lower_bound_never_exceeds_the_exact_distance_and_stays_close_nearby():
    rng = np.random.default_rng(11)
    coords = _random_line(rng, 30.0, 600.0, 8)
    index = LineIndex(LineString(coords))
    cx, cy = np.mean(coords, axis=0)
    px, py = _far_points(rng, cx, cy, rng.uniform(0.0, 3000.0, 400))
    bound = index.lower_bound_km(px, py)
    exact = index.nearest(px, py).distance_km
    assert (bound <= exact + 1e-9).all()
    near = exact < 300.0
    assert near.sum() > 20 and (exact[near] - bound[near] <= 1.5).all()


def test_points_beyond_120_degrees_are_never_farther_than_a_vertex_of_a_real_border():
    # at 120-150 degrees of arc the chord ranking alone missed RUS-UKR's nearest edge
    # by up to 0.6 km; such points are settled against every vertex
    from geo import layers
    from geo.geodesy import EARTH_RADIUS_KM, ecef_km, geodesic_km

    index = LineIndex(layers.border("RUS-UKR").geometry.iloc[0])
    rng = np.random.default_rng(5)
    lon, lat = rng.uniform(-180, 180, 40_000), rng.uniform(-89, 89, 40_000)
    chord = np.linalg.norm(ecef_km(lon, lat) - index.xyz[len(index.xyz) // 2], axis=1)
    angle = 2 * np.degrees(np.arcsin(np.minimum(chord / (2 * EARTH_RADIUS_KM), 1.0)))
    pick = np.flatnonzero((angle > 120) & (angle < 178))[:60]
    got = index.nearest(lon[pick], lat[pick]).distance_km
    vertex = np.array([geodesic_km(lon[i], lat[i], index.lon, index.lat).min() for i in pick])
    assert len(pick) == 60 and (got <= vertex + 1e-6).all()
