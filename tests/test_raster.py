from __future__ import annotations

import json
import math
import subprocess
import time

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from geographiclib.geodesic import Geodesic
from pyproj import Geod
from rio_cogeo.cogeo import cog_validate

from geo import layers
from geo.errors import InputError, OutputExistsError, ParameterError
from geo.raster.cog import NODATA, Band, write_cog
from geo.raster.grid import Grid
from geo.raster.kernel import cell_areas_km2
from geo.raster.preview import preview_png
from geo.raster.priogrid import gid
from geo.raster.surfaces import density_km2
from geo.raster.writers import PYTHON_API, density_raster, distance_raster, priogrid_raster
from geo.theatre import Theatre

THEATRE = Theatre.from_pair("IRN-PAK")

GEOD = Geodesic.WGS84


def _golden_min(f, a: float, b: float, iters: int = 60) -> float:
    g = (math.sqrt(5) - 1) / 2
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(iters):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    return min(fc, fd, f(a), f(b))


def exact_km(lon: float, lat: float, line) -> float:
    """Brute force with GeographicLib: every vertex, then the geodesic edges near the best."""
    best = math.inf
    for part in shapely.get_parts(line):
        xy = np.asarray(part.coords)
        d = np.array([GEOD.Inverse(lat, lon, y, x)["s12"] for x, y in xy])
        # edges are under 1 km, so the nearest edge has a vertex within 1 km of the best vertex
        for i in np.flatnonzero(d <= d.min() + 1000.0):
            for j in (i - 1, i):
                if j < 0 or j + 1 >= len(xy):
                    continue
                (x1, y1), (x2, y2) = xy[j], xy[j + 1]
                edge = GEOD.InverseLine(y1, x1, y2, x2)

                def dist(s, edge=edge):
                    p = edge.Position(s)
                    return GEOD.Inverse(lat, lon, p["lat2"], p["lon2"])["s12"]

                best = min(best, _golden_min(dist, 0.0, edge.s13))
    return best / 1000.0


@pytest.fixture(scope="module")
def distance_tif(tmp_path_factory):
    path = tmp_path_factory.mktemp("raster") / "distance.tif"
    return distance_raster(path, THEATRE, res=0.05, command="bordermap raster distance")


def test_grid_snaps_outwards_to_the_resolution():
    g = Grid.covering((58.8729, 23.1744, 65.3333, 31.8585), 0.01)
    assert (g.west, g.south, g.east, g.north) == (58.87, 23.17, 65.34, 31.86)
    assert (g.width, g.height) == (647, 869)
    lon, lat = g.centres()
    assert lon[0] == pytest.approx(58.875) and lat[0] == pytest.approx(31.855)
    with pytest.raises(ParameterError, match="west < east") as bad_bounds:
        Grid.covering((63, 25, 60, 30), 0.1)
    assert bad_bounds.value.param == "bounds"
    with pytest.raises(ParameterError, match="positive") as bad_res:
        Grid.covering((60, 25, 63, 30), 0)
    assert bad_res.value.param == "res"


def test_distance_raster_is_a_valid_cog_with_units(distance_tif):
    valid, errors, warnings = cog_validate(str(distance_tif), strict=True)
    assert valid, (errors, warnings)
    with rasterio.open(distance_tif) as ds:
        assert ds.crs.to_epsg() == 4326
        assert ds.nodata == NODATA
        assert ds.units == ("km",)
        assert ds.descriptions[0] == "geodesic distance to the IRN-PAK border"
        assert ds.tags()["BORDER_PAIR"] == "IRN-PAK"
        assert ds.tags()["COMMAND_LINE"] == "bordermap raster distance"
        w, s, e, n = THEATRE.bounds
        assert ds.bounds.left <= w and ds.bounds.top >= n
        assert ds.bounds.right >= e and ds.bounds.bottom <= s
        assert ds.res == pytest.approx((0.05, 0.05))


@pytest.mark.slow
def test_distance_raster_matches_exact_geodesics(distance_tif):
    line = layers.border("IRN-PAK").geometry.iloc[0]
    with rasterio.open(distance_tif) as ds:
        values = ds.read(1)
        transform = ds.transform
    rng = np.random.default_rng(6)
    rows = rng.integers(0, values.shape[0], 16)
    cols = rng.integers(0, values.shape[1], 16)
    # and the cells nearest the border, where a relative error is hardest to keep
    near = np.argsort(values, axis=None)[:4]
    rows = np.concatenate([rows, near // values.shape[1]])
    cols = np.concatenate([cols, near % values.shape[1]])
    for r, c in zip(rows, cols, strict=True):
        lon, lat = rasterio.transform.xy(transform, r, c)
        want = exact_km(lon, lat, line)
        assert values[r, c] == pytest.approx(want, rel=1e-3, abs=1e-3), (lon, lat)


def test_signed_distance_by_side(tmp_path):
    out = distance_raster(tmp_path / "s.tif", THEATRE, res=0.1, signed=True)
    with rasterio.open(out) as ds:
        band = ds.read(1, masked=True)
        assert "positive in IRN, negative in PAK" in ds.descriptions[0]
        zahedan, panjgur, sea = (
            ds.index(x, y) for x, y in ((60.86, 29.5), (64.09, 26.96), (61.0, 23.5))
        )
    assert band[zahedan] > 0
    assert band[panjgur] < 0
    assert band.mask[sea]


def _row_areas_km2(grid: Grid) -> np.ndarray:
    geod = Geod(ellps="WGS84")
    _, lat = grid.centres()
    h = grid.res / 2
    areas = []
    for y in lat:
        xs = [grid.west, grid.west + grid.res, grid.west + grid.res, grid.west]
        ys = [y - h, y - h, y + h, y + h]
        areas.append(abs(geod.polygon_area_perimeter(xs, ys)[0]) / 1e6)
    return np.array(areas)


@pytest.mark.parametrize("lat0", [0.0, 27.0, -45.0, 60.0, 75.0])
def test_density_integrates_to_the_event_count(lat0):
    grid = Grid.covering((58.0, lat0 - 3, 66.0, lat0 + 3), 0.02)
    lon = np.array([62.0, 62.4, 61.77])
    lat = np.array([lat0, lat0 + 0.5, lat0 - 0.333])
    dens = density_km2(grid, lon, lat, bandwidth_km=25)
    total = (dens * _row_areas_km2(grid)[:, None]).sum()
    # a kernel in degrees rather than km would be off by cos(latitude) (74 % at 75N)
    assert total == pytest.approx(3.0, rel=0.01)
    weighted = density_km2(grid, lon, lat, bandwidth_km=25, weights=[3, 0, 0.5])
    assert (weighted * _row_areas_km2(grid)[:, None]).sum() == pytest.approx(3.5, rel=0.01)


def test_cell_areas_are_those_of_cells_bounded_by_parallels():
    geod = Geod(ellps="WGS84")
    for lat in (0.0, 27.3, -60.0, 80.0):
        # the cell's edges along parallels, followed closely (they are not geodesics)
        xs = np.linspace(0.0, 0.5, 501)
        lons = np.concatenate([xs, xs[::-1]])
        lats = np.concatenate([np.full(501, lat - 0.25), np.full(501, lat + 0.25)])
        want = abs(geod.polygon_area_perimeter(lons, lats)[0]) / 1e6
        assert cell_areas_km2(np.array([lat]), 0.5)[0] == pytest.approx(want, rel=1e-7)


def test_density_kernel_is_a_gaussian_of_geodesic_distance():
    grid = Grid.covering((8.0, 58.0, 12.0, 62.0), 0.05)
    lon, lat = grid.mesh()
    # an event on a cell centre keeps all its weight there: the surface is the kernel itself
    x, y = lon[40, 40], lat[40, 40]
    dens = density_km2(grid, [x], [y], bandwidth_km=25)
    rng = np.random.default_rng(1)
    rows, cols = rng.integers(0, grid.height, 40), rng.integers(0, grid.width, 40)
    d = np.array(
        [
            GEOD.Inverse(y, x, lat[r, c], lon[r, c])["s12"] / 1000
            for r, c in zip(rows, cols, strict=True)
        ]
    )
    shape = np.exp(-0.5 * (d / 25) ** 2)
    inside = d <= 100
    assert inside.sum() >= 10 and (~inside).sum() >= 5
    ratio = dens[rows, cols][inside] / shape[inside]
    # one normalising constant: the shape follows geodesic distance exactly
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-9)
    assert ratio[0] == pytest.approx(1 / (2 * math.pi * 25**2 * (1 - math.exp(-8))), rel=0.005)
    assert (dens[rows, cols][~inside] == 0).all()


def _exact_density(grid: Grid, lon, lat, h: float, cutoff: float = 4.0) -> np.ndarray:
    """The old method: every event against every cell, exact geodesics, analytic normalisation."""
    geod = Geod(ellps="WGS84")
    glon, glat = grid.mesh()
    out = np.zeros(glon.shape)
    for x, y in zip(lon, lat, strict=True):
        d = geod.inv(np.full(glon.size, x), np.full(glon.size, y), glon.ravel(), glat.ravel())[2]
        d = d.reshape(glon.shape) / 1000
        out += np.where(d <= cutoff * h, np.exp(-0.5 * (d / h) ** 2), 0.0)
    return out / (2 * math.pi * h**2 * (1 - math.exp(-0.5 * cutoff**2)))


@pytest.mark.parametrize(
    ("lat0", "res", "h"), [(27.0, 0.05, 25.0), (27.0, 0.02, 10.0), (70.0, 0.05, 25.0)]
)
def test_density_matches_the_exact_event_by_event_sum(lat0, res, h):
    grid = Grid.covering((59.0, lat0 - 2, 65.0, lat0 + 2), res)
    rng = np.random.default_rng(int(lat0))
    # events anywhere, some outside the grid but within the kernel's reach
    lon, lat = rng.uniform(58.5, 65.5, 30), rng.uniform(lat0 - 2.3, lat0 + 2.3, 30)
    want = _exact_density(grid, lon, lat, h)
    got = density_km2(grid, lon, lat, bandwidth_km=h)
    # stated tolerance: within 1 % of the peak while cells are at most a quarter bandwidth wide
    assert np.abs(got - want).max() <= 0.01 * want.max()
    assert np.corrcoef(got.ravel(), want.ravel())[0, 1] > 0.9999


@pytest.mark.slow
def test_density_of_200k_events_is_fast():
    grid = Grid.covering(THEATRE.bounds, 0.02)
    rng = np.random.default_rng(0)
    lon, lat = rng.uniform(59, 65, 200_000), rng.uniform(24, 31, 200_000)
    t0 = time.perf_counter()
    dens = density_km2(grid, lon, lat, bandwidth_km=25)
    elapsed = time.perf_counter() - t0
    # the event-by-event method took over 15 minutes; the whole command's goal is 30 s
    assert elapsed < 20, elapsed
    inside = (dens * _row_areas_km2(grid)[:, None]).sum()
    assert 0.9 * 200_000 < inside <= 200_000


def test_density_raster_file(tmp_path):
    out = density_raster(tmp_path / "d.tif", layers.events(), THEATRE, bandwidth_km=25, res=0.05)
    assert cog_validate(str(out), strict=True)[0]
    with rasterio.open(out) as ds:
        assert ds.units == ("events/1000 km2",)
        assert "bandwidth 25 km" in ds.descriptions[0]
        band = ds.read(1)
        peak = ds.index(62.3342, 27.3707)  # Saravan
    assert band[peak] == pytest.approx(band.max(), rel=0.2)
    assert band[peak] > 0.2  # 1000 / (2 pi 25^2) = 0.25 per 1000 km2 at one event's centre
    with pytest.raises(ParameterError, match="bandwidth") as bad:
        density_raster(tmp_path / "e.tif", layers.events(), THEATRE, bandwidth_km=0)
    assert bad.value.param == "bandwidth_km"
    with pytest.raises(ParameterError, match="choose count or fatalities"):
        density_raster(tmp_path / "e.tif", layers.events(), THEATRE, weight="deaths")
    with pytest.raises(InputError, match="fatalities"):
        density_raster(
            tmp_path / "e.tif", layers.events().drop(columns="fatalities"), weight="fatalities"
        )
    assert not (tmp_path / "e.tif").exists()
    with pytest.raises(OutputExistsError):
        density_raster(out, layers.events(), THEATRE)


def test_priogrid_raster(tmp_path):
    out, cells = priogrid_raster(tmp_path / "p.tif", layers.events(), THEATRE)
    assert cog_validate(str(out), strict=True)[0]
    with rasterio.open(out) as ds:
        assert ds.count == 4
        assert ds.descriptions[:3] == ("PRIO-GRID gid", "events in cell", "fatalities in cell")
        assert ds.units[3] == "km"
        assert ds.res == (0.5, 0.5)
        gids, events, fatalities, bdist = ds.read()
        lon, lat = ds.xy(*np.indices(gids.shape).reshape(2, -1))
    np.testing.assert_array_equal(gids.ravel(), gid(lon, lat))
    assert events.sum() == len(layers.events()) == cells["events"].sum()
    r, c = rasterio.transform.rowcol(ds.transform, 62.3342, 27.3707)
    assert (gids[r, c], events[r, c], fatalities[r, c]) == (168965, 1, 9)
    assert bdist[r, c] == pytest.approx(cells.set_index("gid").loc[168965, "bdist"])


def test_write_cog_refuses_to_replace(tmp_path):
    grid = Grid.covering((0, 0, 1, 1), 0.5)
    band = Band(np.array([[1.0, np.nan], [2.0, 3.0]]), "test", "m")
    out = write_cog(tmp_path / "t.tif", [band], grid)
    with rasterio.open(out) as ds:
        assert ds.read(1, masked=True).mask.tolist() == [[False, True], [False, False]]
    with pytest.raises(OutputExistsError):
        write_cog(out, [band], grid)


@pytest.mark.gdalbin
def test_gdalinfo_sees_a_cog_with_units(distance_tif):
    proc = subprocess.run(["gdalinfo", "-json", str(distance_tif)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["metadata"]["IMAGE_STRUCTURE"]["LAYOUT"] == "COG"
    band = info["bands"][0]
    assert band["description"] == "geodesic distance to the IRN-PAK border"
    assert band["unit"] == "km" and band["noDataValue"] == NODATA
    assert 'ID["EPSG",4326]' in info["coordinateSystem"]["wkt"]


def test_python_api_provenance_and_shared_tags(tmp_path):
    out, _ = priogrid_raster(
        tmp_path / "p.tif", layers.events(), "IRN-PAK", bounds=(61, 26, 63, 28)
    )
    with rasterio.open(out) as ds:
        tags = ds.tags()
    assert tags["COMMAND_LINE"] == PYTHON_API
    assert tags["BORDER_PAIR"] == "IRN-PAK"
    assert tags["GRID"].startswith("PRIO-GRID 0.5 degree")


def test_distance_to_a_users_line(tmp_path):
    line = gpd.GeoDataFrame(
        geometry=[shapely.LineString([(61.0, 26.0), (61.0, 28.0)])], crs="EPSG:4326"
    )
    theatre = Theatre.from_border(line, name="meridian")
    out = distance_raster(tmp_path / "m.tif", theatre, res=0.1, bounds=(60, 26, 62, 28))
    with rasterio.open(out) as ds:
        values = ds.read(1)
        assert ds.tags()["BORDER_PAIR"] == "meridian"
        assert ds.descriptions[0] == "geodesic distance to the meridian border"
        r, c = ds.index(61.95, 27.0)
    # 0.95 degree of longitude at 27N is about 94.3 km
    assert values[r, c] == pytest.approx(94.3, abs=0.5)
    with pytest.raises(ParameterError, match="embedded pair") as bad:
        distance_raster(tmp_path / "s.tif", theatre, res=0.1, signed=True)
    assert bad.value.param == "signed"
    assert not (tmp_path / "s.tif").exists()


def test_too_large_a_grid_is_refused_before_writing(tmp_path):
    with pytest.raises(ParameterError, match="too many") as bad:
        distance_raster(tmp_path / "x.tif", THEATRE, res=0.0001)
    assert bad.value.param == "res"
    assert list(tmp_path.iterdir()) == []


def test_preview_draws_the_theatre_and_refuses_to_replace(distance_tif, tmp_path):
    png = preview_png(distance_tif, tmp_path / "d.png", THEATRE, contours=THEATRE.zones_km)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(OutputExistsError):
        preview_png(distance_tif, png, THEATRE)
    bare = preview_png(distance_tif, png, None, overwrite=True, title="bare")
    assert bare == png and png.stat().st_size > 1000
