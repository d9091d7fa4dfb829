from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from geographiclib.geodesic import Geodesic
from hypothesis import given
from hypothesis import strategies as st

from geo import layers
from geo.raster.priogrid import cell_centre, gid, priogrid_cells, row_col, snap_bounds

SARAVAN = (62.3342, 27.3707)


def test_saravan_is_gid_168965():
    assert int(gid(*SARAVAN)) == 168965
    # by the formula: row 235 from the south, column 485 from the west
    assert [int(v) for v in row_col(168965)] == [235, 485]
    assert (235 - 1) * 720 + 485 == 168965


def test_corners_and_edges():
    assert gid([-180.0, -179.5, 180.0, 179.99], [-90.0, -90.0, 90.0, 89.99]).tolist() == [
        1,
        2,
        259200,
        259200,
    ]
    # a point on a cell edge belongs to the cell to its north-east
    assert int(gid(0.0, 0.0)) == 180 * 720 + 360 + 1
    assert int(gid(float("nan"), 0.0)) == 0


@given(
    st.floats(min_value=-180, max_value=179.999, allow_nan=False),
    st.floats(min_value=-90, max_value=89.999, allow_nan=False),
)
def test_point_lies_in_its_cell(lon, lat):
    g = int(gid(lon, lat))
    assert 1 <= g <= 720 * 360
    x, y = cell_centre(g)
    assert x - 0.25 <= lon < x + 0.25 + 1e-9
    assert y - 0.25 <= lat < y + 0.25 + 1e-9


def test_snap_bounds_grows_to_whole_cells():
    assert snap_bounds((60.8, 25.1, 63.3, 29.9)) == (60.5, 25.0, 63.5, 30.0)
    assert snap_bounds((60.5, 25.0, 61.0, 25.5)) == (60.5, 25.0, 61.0, 25.5)


@pytest.fixture(scope="module")
def cells() -> gpd.GeoDataFrame:
    return priogrid_cells(
        layers.events(),
        layers.border("IRN-PAK"),
        bounds=(60.0, 25.0, 64.5, 30.0),
        cover_events=True,
    )


def test_cells_count_every_event(cells):
    events = layers.events()
    assert cells["events"].sum() == len(events)
    assert cells["fatalities"].sum() == events["fatalities"].sum()
    saravan = cells[cells["gid"] == 168965].iloc[0]
    assert (saravan["events"], saravan["fatalities"]) == (1, 9)
    assert (saravan["xcoord"], saravan["ycoord"]) == (62.25, 27.25)
    assert cells["gid"].is_unique and cells["gid"].is_monotonic_increasing


def test_cell_geometry_matches_gid(cells):
    b = cells.geometry.bounds
    x, y = cell_centre(cells["gid"].to_numpy())
    np.testing.assert_allclose(b["minx"], x - 0.25)
    np.testing.assert_allclose(b["maxy"], y + 0.25)
    np.testing.assert_allclose(b["maxx"] - b["minx"], 0.5)
    np.testing.assert_allclose(b["maxy"] - b["miny"], 0.5)


def test_bdist_is_geodesic_to_the_border(cells):
    coords = np.asarray(layers.border("IRN-PAK").geometry.iloc[0].coords)
    geod = Geodesic.WGS84
    sample = cells.sample(8, random_state=1)
    for _, cell in sample.iterrows():
        # brute force over the vertices (edges under 1 km): an upper bound within 0.5 km
        best = min(
            geod.Inverse(cell["ycoord"], cell["xcoord"], lat, lon)["s12"] for lon, lat in coords
        )
        assert best / 1000 - 0.5 <= cell["bdist"] <= best / 1000 + 1e-6


@pytest.mark.slow
def test_cover_events_counts_events_on_the_east_and_north_edges():
    # events exactly on a whole-cell east/north edge (or at 180E, 90N) belong to
    # the cell beyond it; growing the box must take that cell in too
    import shapely

    events = gpd.GeoDataFrame(
        {"fatalities": [1, 2, 3, 4]},
        geometry=[
            shapely.Point(70.0, 27.2),
            shapely.Point(62.3, 35.0),
            shapely.Point(-10.0, -20.5),
            shapely.Point(180.0, 90.0),
        ],
        crs="EPSG:4326",
    )
    got = priogrid_cells(
        events, layers.border("IRN-PAK"), bounds=(60.0, 25.0, 64.5, 30.0), cover_events=True
    )
    assert got["events"].sum() == 4
    assert got["fatalities"].sum() == 10
    # the published formula, in the other hemispheres too
    for lon, lat in [(70.0, 27.2), (62.3, 35.0), (-10.0, -20.5), (-73.9, -41.3)]:
        row, col = np.floor((lat + 90) / 0.5), np.floor((lon + 180) / 0.5)
        assert int(gid(lon, lat)) == int(row * 720 + col + 1)
    assert got.loc[got["gid"] == 259200, "events"].item() == 1
