"""Threads in the analysis kernel and the writers: same answers, same bytes, whatever the count."""

from __future__ import annotations

import io
import subprocess
import sys

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pyproj
import pytest
import shapely
from pyproj import Geod

from geo import geodesy
from geo.geodesy import chunk_map, geodesic_inverse, geodesic_km, workers
from geo.io.columnar import CsvChunks, GeoParquetChunks, _csv_bytes, point_wkb, wkb_array
from geo.nearest import LineIndex
from geo.placement import containing_polygon, nearest_polygon

ROWS = 3 * geodesy.MIN_ROWS_PER_THREAD  # enough rows for three threads


@pytest.fixture(params=["1", "3"])
def threads(request, monkeypatch):
    monkeypatch.setenv("BORDERMAP_THREADS", request.param)
    return int(request.param)


def test_workers_reads_the_environment(monkeypatch):
    monkeypatch.setenv("BORDERMAP_THREADS", "3")
    assert workers() == 3
    monkeypatch.setenv("BORDERMAP_THREADS", "0")  # not a count: the CPUs decide
    assert workers() >= 1
    monkeypatch.setenv("BORDERMAP_THREADS", "many")
    assert workers() >= 1


@pytest.mark.parametrize("n", [0, 1, 7, ROWS, ROWS + 5])
@pytest.mark.parametrize("max_rows", [None, 4, 25_000])
def test_chunk_map_covers_every_row_once_in_order(threads, n, max_rows):
    slices = chunk_map(lambda rows: rows, n, max_rows=max_rows)
    covered = np.concatenate([np.arange(s.start, s.stop) for s in slices] or [np.array([], int)])
    assert covered.tolist() == list(range(n))
    if max_rows:
        assert all(s.stop - s.start <= max_rows for s in slices)


def test_chunk_map_uses_threads_only_for_enough_rows(monkeypatch):
    import threading

    monkeypatch.setenv("BORDERMAP_THREADS", "2")
    main = threading.get_ident()
    small = chunk_map(lambda rows: threading.get_ident(), 10)
    large = chunk_map(lambda rows: threading.get_ident(), ROWS)
    assert small == [main]
    assert len(large) == 2 and main not in large


def test_geodesic_inverse_on_threads_is_pyproj_bit_for_bit(threads):
    rng = np.random.default_rng(7)
    lon1, lon2 = rng.uniform(-180, 180, (2, ROWS))
    lat1, lat2 = rng.uniform(-89, 89, (2, ROWS))
    want = Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)
    got = geodesic_inverse(lon1, lat1, lon2, lat2)
    for a, b in zip(got, want, strict=True):
        np.testing.assert_array_equal(a, np.asarray(b))
    np.testing.assert_array_equal(geodesic_km(lon1, lat1, lon2, lat2), np.asarray(want[2]) / 1e3)
    # broadcasting one site against many events keeps the shape
    assert geodesic_km(lon1[:5], lat1[:5], 61.0, 25.0).shape == (5,)


def _line():
    rng = np.random.default_rng(3)
    x = 60 + np.cumsum(rng.uniform(0, 0.05, 400))
    y = 27 + np.cumsum(rng.uniform(-0.05, 0.05, 400))
    return shapely.LineString(np.column_stack([x, y]))


def test_nearest_is_the_same_on_any_number_of_threads(monkeypatch):
    index = LineIndex(_line())
    rng = np.random.default_rng(11)
    lon = rng.uniform(55, 85, ROWS)
    lat = rng.uniform(15, 40, ROWS)
    lon[::997] = np.nan
    answers = []
    for count in ("1", "2", "3"):
        monkeypatch.setenv("BORDERMAP_THREADS", count)
        answers.append(index.nearest(lon, lat))
    for other in answers[1:]:
        for field in ("distance_km", "nearest_lon", "nearest_lat", "bearing_deg", "left", "part"):
            np.testing.assert_array_equal(getattr(other, field), getattr(answers[0], field))


def test_kd_tree_finds_the_k_nearest_vertices_by_chord():
    index = LineIndex(_line())
    rng = np.random.default_rng(5)
    p = geodesy.ecef_km(rng.uniform(55, 85, 2000), rng.uniform(15, 40, 2000))
    chord, idx = index.tree.query(p, k=4)
    full = np.linalg.norm(p[:, None, :] - index.xyz[None, :, :], axis=2)
    brute = np.sort(full, axis=1)[:, :4]
    np.testing.assert_allclose(chord, brute, rtol=0, atol=1e-9)
    np.testing.assert_allclose(np.take_along_axis(full, idx.astype(int), axis=1), brute, atol=1e-9)


def test_a_line_index_pickles_and_answers_the_same():
    import pickle

    index = LineIndex(_line())
    back = pickle.loads(pickle.dumps(index))
    lon, lat = np.array([61.0, 75.0, 59.0]), np.array([27.5, 30.0, 22.0])
    want, got = index.nearest(lon, lat), back.nearest(lon, lat)
    for field in ("distance_km", "nearest_lon", "nearest_lat", "bearing_deg", "left", "part"):
        np.testing.assert_array_equal(getattr(got, field), getattr(want, field))


def test_importing_the_nearest_engine_does_not_import_scipy():
    code = "import sys, geo.nearest; print('scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _reference_containing(lon, lat, geoms):
    """The former method: an STR-tree of the points asked by each polygon; last one wins."""
    out = np.full(len(lon), len(geoms))
    ok = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    tree = shapely.STRtree(shapely.points(lon[ok], lat[ok]))
    poly, point = tree.query(geoms, predicate="contains")
    order = np.argsort(poly, kind="stable")
    out[ok[point[order]]] = poly[order]
    return out


def test_containing_polygon_matches_an_str_tree_of_the_points(threads):
    rng = np.random.default_rng(2)
    centres = rng.uniform(0, 10, (40, 2))
    geoms = shapely.buffer(shapely.points(centres), rng.uniform(0.2, 1.5, 40), quad_segs=8)
    geoms = np.append(geoms, [shapely.Polygon(), shapely.box(4, 4, 6, 6)])  # empty; overlapping
    lon, lat = rng.uniform(-1, 11, (2, ROWS))
    vertices = shapely.get_coordinates(geoms)  # on outlines: in no polygon unless inside another
    lon = np.concatenate([lon, vertices[:, 0], [np.nan, 5.0]])
    lat = np.concatenate([lat, vertices[:, 1], [1.0, np.nan]])
    got = containing_polygon(lon, lat, geoms)
    np.testing.assert_array_equal(got, _reference_containing(lon, lat, geoms))
    assert (got == len(geoms) - 1).sum() > 0  # the last polygon wins where it overlaps


def test_nearest_polygon_matches_the_whole_outline_of_every_polygon(threads):
    squares = np.array([shapely.box(x, y, x + 0.4, y + 0.4) for x in (0, 1, 2) for y in (0, 1)])
    squares = np.append(squares, shapely.Polygon())
    rng = np.random.default_rng(8)
    lon, lat = rng.uniform(-0.5, 3.0, ROWS), rng.uniform(-0.5, 2.0, ROWS)
    lon[0] = np.nan
    got, km = nearest_polygon(lon, lat, squares, 30.0)
    every = np.column_stack(
        [LineIndex(shapely.boundary(g)).nearest(lon, lat).distance_km for g in squares[:-1]]
    )
    every = np.where(np.isnan(every), np.inf, every)  # the NaN point is near nothing
    best = every.min(axis=1)
    reach = best <= 30.0
    # clipping an outline splits edges (a geodesic moves by well under a millimetre)
    np.testing.assert_allclose(km[reach], best[reach], rtol=0, atol=1e-6)
    assert np.isnan(km[~reach]).all() and (got[~reach] == len(squares)).all()
    second = np.sort(every, axis=1)[:, 1]
    clear = reach & (second > best + 1e-3)  # no near tie
    np.testing.assert_array_equal(got[clear], every.argmin(axis=1)[clear])
    assert 0 < reach.sum() < len(lon) - 1


def test_point_wkb_is_what_geos_writes():
    rng = np.random.default_rng(1)
    points = shapely.points(rng.uniform(-180, 180, 1000), rng.uniform(-90, 90, 1000))
    want = pa.array(shapely.to_wkb(points, flavor="iso"), type=pa.binary())
    assert wkb_array(points).equals(want)
    mixed = points.copy()
    mixed[3], mixed[4] = None, shapely.Point()
    mixed[5] = shapely.LineString([(0, 0), (1, 1)])
    got = wkb_array(mixed)
    assert got.equals(pa.array(shapely.to_wkb(mixed, flavor="iso"), type=pa.binary()))
    assert got.null_count == 1
    raised = shapely.points(rng.uniform(0, 1, (10, 3)))  # Z is kept, never dropped
    assert wkb_array(raised).equals(pa.array(shapely.to_wkb(raised, flavor="iso")))
    assert len(wkb_array(raised)[0].as_py()) == 29


def test_points_from_coordinates_write_the_same_geoparquet_as_point_geometries():
    rng = np.random.default_rng(6)
    lon, lat = rng.uniform(-180, 180, 3000), rng.uniform(-90, 90, 3000)
    lon[7] = lat[7] = np.nan  # an empty point, as GEOS writes one
    files = []
    for from_coordinates in (False, True):
        sink = io.BytesIO()
        writer = GeoParquetChunks(sink, crs=pyproj.CRS.from_epsg(4326))
        for part in (slice(0, 1000), slice(1000, 3000)):
            table = pa.table({"i": np.arange(part.start, part.stop)})
            if from_coordinates:
                writer.write_points(table, lon[part], lat[part])
            else:
                writer.write(table, shapely.points(lon[part], lat[part]))
        writer.close()
        files.append(sink.getvalue())
    assert files[0] == files[1]
    assert point_wkb(lon[:5], lat[:5]).equals(
        pa.array(shapely.to_wkb(shapely.points(lon[:5], lat[:5]), flavor="iso"), pa.binary())
    )


def test_geoparquet_round_trip_keeps_every_point_and_row_order():
    rng = np.random.default_rng(4)
    points = shapely.points(rng.uniform(58, 68, 5000), rng.uniform(24, 31, 5000))
    sink = io.BytesIO()
    writer = GeoParquetChunks(sink, crs=None)
    for part in (slice(0, 2000), slice(2000, 5000)):
        writer.write(pa.table({"i": np.arange(part.start, part.stop)}), points[part])
    writer.close()
    sink.seek(0)
    back = gpd.read_parquet(sink)
    assert back["i"].tolist() == list(range(5000))
    assert shapely.equals_exact(back.geometry.to_numpy(), points, tolerance=0).all()
    sink.seek(0)
    assert pq.read_metadata(sink).num_row_groups == 2


def _one_csv(table: pa.Table, header: bool) -> bytes:
    buffer = pa.BufferOutputStream()
    pcsv.write_csv(table, buffer, pcsv.WriteOptions(include_header=header))
    return buffer.getvalue().to_pybytes()


@pytest.mark.parametrize("header", [True, False])
def test_csv_rendered_in_slices_is_the_same_bytes(threads, header):
    rng = np.random.default_rng(9)
    table = pa.table(
        {"x": rng.uniform(0, 1, ROWS), "s": np.where(rng.uniform(size=ROWS) < 0.5, 'a,"b"', None)}
    )
    assert _csv_bytes(table, header) == _one_csv(table, header)
    assert _csv_bytes(table.slice(0, 0), header) == _one_csv(table.slice(0, 0), header)


def test_csv_chunks_write_behind_in_order_and_close_flushes():
    sink = io.BytesIO()
    chunks = CsvChunks(sink)
    tables = [pa.table({"n": np.arange(i * 10, i * 10 + 10)}) for i in range(5)]
    for table in tables:
        chunks.write(table)
    chunks.close()
    assert sink.getvalue() == _one_csv(pa.concat_tables(tables), True)


class _Broken(io.BytesIO):
    def write(self, data, /):
        raise OSError("disk full")


def test_an_error_writing_behind_surfaces_on_the_next_call():
    chunks = CsvChunks(_Broken())
    chunks.write(pa.table({"n": [1, 2]}))
    with pytest.raises(OSError, match="disk full"):
        chunks.close()
