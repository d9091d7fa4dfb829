"""Analysed events as Arrow tables, written as CSV or GeoParquet by pyarrow.

:func:`arrow_table` turns an analysed chunk into a :class:`pyarrow.Table`
(dates as ``YYYY-MM-DD``, categories as text, computed floats rounded to
what they can honestly claim); :class:`CsvChunks` and
:class:`GeoParquetChunks` append such tables to one binary file. Both are
columnar: no Python runs per row, and both write behind the caller, on a
thread of their own, so the next chunk is read and analysed meanwhile.

Computed floats are rounded in CSV only, where a float is text: kilometres
to the millimetre, the nearest point to 1e-7 degree (1 cm), bearings to
1e-6 degree. Distances are exact to well under a metre, so these digits keep
every value the analysis stands by and drop the binary noise
(``28.227300000000003``). GeoParquet stores the doubles as computed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import shapely

from geo.geodesy import chunk_map

__all__ = [
    "CsvChunks",
    "GeoParquetChunks",
    "arrow_table",
    "csv_decimals",
    "point_wkb",
    "wkb_array",
]

_GEOPARQUET_VERSION = "1.1.0"
_BBOX = "bbox"
#: ISO WKB of a 2-D point: byte order (1, little-endian), type 1 (uint32), x, y.
_POINT_WKB = np.dtype([("order", "u1"), ("kind", "<u4"), ("x", "<f8"), ("y", "<f8")])
#: Rows rendered as CSV per thread at least (smaller tables are rendered whole).
_CSV_ROWS_PER_THREAD = 20_000


def csv_decimals(name: str) -> int | None:
    """Decimals kept in CSV for a column the analysis computed, or None to keep all.

    Parameters
    ----------
    name : str
        Column name.

    Returns
    -------
    int or None

    Examples
    --------
    >>> csv_decimals("border_distance_km"), csv_decimals("nearest_lat")
    (6, 7)
    >>> csv_decimals("bearing_to_border_deg"), csv_decimals("latitude") is None
    (6, True)
    """
    if name in ("nearest_lon", "nearest_lat"):
        return 7
    if name.endswith("_km"):
        return 6
    if name.endswith("_deg"):
        return 6
    return None


def _plain_column(array: pa.ChunkedArray) -> pa.ChunkedArray:
    """Text for categories, dates for day timestamps, text for columns with no value."""
    kind = array.type
    if pa.types.is_dictionary(kind):
        return array.cast(kind.value_type)
    if pa.types.is_timestamp(kind):
        return array.cast(pa.timestamp(kind.unit)).cast(pa.date32(), safe=False)
    if pa.types.is_null(kind):
        return array.cast(pa.large_string())
    return array


def arrow_table(frame, computed: frozenset[str] = frozenset(), *, round_floats: bool = False):
    """Columns of ``frame`` (geometry dropped) as an Arrow table.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        Analysed events; a GeoDataFrame's geometry column is left out.
    computed : frozenset of str
        Columns the analysis computed: only these are rounded.
    round_floats : bool
        Round computed float columns to :func:`csv_decimals`.

    Returns
    -------
    pyarrow.Table

    Examples
    --------
    >>> import pandas as pd
    >>> t = arrow_table(
    ...     pd.DataFrame({"x_km": [0.1 + 0.2], "latitude": [0.1 + 0.2]}),
    ...     frozenset({"x_km"}),
    ...     round_floats=True,
    ... )
    >>> t.column("x_km").to_pylist(), t.column("latitude").to_pylist()
    ([0.3], [0.30000000000000004])
    """
    geometry = getattr(frame, "_geometry_column_name", None)
    columns = [c for c in frame.columns if c != geometry]
    table = pa.Table.from_pandas(frame[columns], preserve_index=False).replace_schema_metadata()
    arrays = []
    for name, array in zip(table.column_names, table.columns, strict=True):
        array = _plain_column(array)
        digits = csv_decimals(name) if round_floats and name in computed else None
        if digits is not None and pa.types.is_floating(array.type):
            # numpy rounds to the nearest double of the decimal; pc.round may keep the noise
            values = np.round(array.to_numpy(zero_copy_only=False), digits)
            array = pa.chunked_array([pa.array(values, type=array.type, from_pandas=True)])
        arrays.append(array)
    return pa.table(arrays, names=table.column_names)


def wkb_array(geometry) -> pa.Array:
    """ISO WKB of each geometry as an Arrow binary array (missing geometries are null).

    2-D points are written straight from their coordinates (21 bytes each,
    the bytes GEOS writes); anything else goes through :func:`shapely.to_wkb`.

    Parameters
    ----------
    geometry : array_like of shapely geometries

    Returns
    -------
    pyarrow.BinaryArray

    Examples
    --------
    >>> from shapely import Point
    >>> wkb_array([Point(1, 2)]).to_pylist() == [Point(1, 2).wkb]
    True
    """
    geometry = np.asarray(geometry, dtype=object)
    n = len(geometry)
    kinds = shapely.get_type_id(geometry)
    if n * _POINT_WKB.itemsize >= 2**31:  # binary offsets are int32
        return pa.array(shapely.to_wkb(geometry, flavor="iso"), type=pa.binary())
    points = (
        n
        and (kinds == 0).all()
        and not shapely.is_empty(geometry).any()
        and not shapely.has_z(geometry).any()  # (and M, where shapely knows it)
        and not (hasattr(shapely, "has_m") and shapely.has_m(geometry).any())
    )
    if not points:
        return pa.array(shapely.to_wkb(geometry, flavor="iso"), type=pa.binary())
    return point_wkb(shapely.get_x(geometry), shapely.get_y(geometry))


def point_wkb(lon: np.ndarray, lat: np.ndarray) -> pa.Array:
    """ISO WKB of 2-D points straight from their coordinates (21 bytes each, as GEOS writes).

    NaN coordinates give the WKB of an empty point, as GEOS writes it. Up to
    about 100 million points (Arrow's binary offsets are 32-bit).

    Examples
    --------
    >>> from shapely import Point
    >>> point_wkb(np.array([1.0]), np.array([2.0])).to_pylist() == [Point(1, 2).wkb]
    True
    """
    n = len(lon)
    cells = np.empty(n, dtype=_POINT_WKB)
    cells["order"], cells["kind"] = 1, 1
    cells["x"], cells["y"] = lon, lat
    offsets = np.arange(0, (n + 1) * _POINT_WKB.itemsize, _POINT_WKB.itemsize, dtype=np.int32)
    return pa.Array.from_buffers(
        pa.binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(cells.view(np.uint8))]
    )


def _csv_bytes(table: pa.Table, header: bool) -> bytes:
    """CSV of ``table``; large tables are rendered in row slices on threads, then joined."""

    def render(rows: slice) -> pa.Buffer:
        # write_csv closes a file it is given: render to memory
        buffer = pa.BufferOutputStream()
        first = header and rows.start == 0
        options = pcsv.WriteOptions(include_header=first)
        pcsv.write_csv(table.slice(rows.start, rows.stop - rows.start), buffer, options)
        return buffer.getvalue()

    if table.num_rows == 0:
        return render(slice(0, 0)).to_pybytes()
    parts = chunk_map(render, table.num_rows, min_rows=_CSV_ROWS_PER_THREAD)
    return b"".join(memoryview(p) for p in parts)


class _Behind:
    """One job at a time on a thread of its own, in the order given.

    A writer hands over the encoding and writing of a chunk (pyarrow releases
    the GIL) and returns, so the next chunk is read and analysed meanwhile.
    At most one chunk waits; a job's error is raised by the next call.
    """

    def __init__(self) -> None:
        self.pool: ThreadPoolExecutor | None = None
        self.job: Future | None = None

    def submit(self, func: Callable, *args) -> None:
        self.wait()
        if self.pool is None:
            self.pool = ThreadPoolExecutor(1, thread_name_prefix="bordermap-writer")
        self.job = self.pool.submit(func, *args)

    def wait(self) -> None:
        job, self.job = self.job, None
        if job is not None:
            job.result()

    def finish(self) -> None:
        try:
            self.wait()
        finally:
            if self.pool is not None:
                self.pool.shutdown()
                self.pool = None


class CsvChunks:
    """Append Arrow tables to a binary file as CSV: one header, then rows.

    Rows reach ``sink`` in order, behind the caller (one chunk at most is
    pending); :meth:`close` waits until every row is written.

    Parameters
    ----------
    sink : binary file
        Where the CSV goes.
    """

    def __init__(self, sink: BinaryIO) -> None:
        self.sink = sink
        self.header = True
        self.behind = _Behind()

    def write(self, table: pa.Table) -> None:
        """Write ``table``'s rows (and the header, the first time)."""
        self.behind.submit(self._write, table, self.header)
        self.header = False

    def _write(self, table: pa.Table, header: bool) -> None:
        self.sink.write(_csv_bytes(table, header))

    def close(self) -> None:
        """Wait until every row is written (CSV has no footer)."""
        self.behind.finish()


class GeoParquetChunks:
    """Append analysed chunks to one GeoParquet 1.1 file (WKB geometry, bbox covering).

    The ``geo`` metadata (CRS, geometry types, the bounding box of all rows,
    and the ``bbox`` covering column) is written into the footer on
    :meth:`close`, once every row is known. Row groups are encoded and
    written in order behind the caller (one chunk at most is pending).

    Parameters
    ----------
    sink : binary file
        Where the file goes (written through, never read back).
    crs : pyproj.CRS or None
        CRS of the geometries; None leaves the GeoParquet default (OGC:CRS84).
    """

    def __init__(self, sink: BinaryIO, crs=None) -> None:
        self.sink, self.crs = sink, crs
        self.writer: pq.ParquetWriter | None = None
        self.bounds = np.array([np.inf, np.inf, -np.inf, -np.inf])
        self.types: set[str] = set()
        self.covered = False
        self.behind = _Behind()

    def write(self, table: pa.Table, geometry) -> None:
        """Append ``table`` with ``geometry`` (shapely array) as its WKB column and bbox."""
        geometry = np.asarray(geometry, dtype=object)
        boxes = shapely.bounds(geometry)
        kinds = shapely.get_type_id(geometry)
        types = {_TYPE_NAMES[k] for k in np.unique(kinds[kinds >= 0])}
        self._append(table, wkb_array(geometry), boxes, types)

    def write_points(self, table: pa.Table, lon: np.ndarray, lat: np.ndarray) -> None:
        """Append ``table`` with points at ``lon``/``lat`` (no shapely geometry is built)."""
        lon, lat = np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")
        boxes = np.column_stack([lon, lat, lon, lat])
        types = {"Point"} if len(lon) else set()
        self._append(table, point_wkb(lon, lat), boxes, types)

    def _append(self, table: pa.Table, wkb: pa.Array, boxes: np.ndarray, types: set) -> None:
        bbox = pa.StructArray.from_arrays(
            [pa.array(boxes[:, i], from_pandas=True) for i in range(4)],
            names=["xmin", "ymin", "xmax", "ymax"],
        )
        table = table.append_column("geometry", wkb).append_column(_BBOX, bbox)
        if len(boxes):
            self.bounds[:2] = np.fmin(self.bounds[:2], np.nanmin(boxes[:, :2], axis=0))
            self.bounds[2:] = np.fmax(self.bounds[2:], np.nanmax(boxes[:, 2:], axis=0))
            self.types |= types
        if self.writer is None:
            self.writer = _parquet_writer(self.sink, table.schema)
            self.covered = True
        elif table.schema != self.writer.schema:
            table = table.cast(self.writer.schema)
        # encoded and compressed behind the caller; row groups stay in order
        self.behind.submit(self.writer.write_table, table)

    def geo_metadata(self) -> dict:
        """Return the GeoParquet ``geo`` metadata for the rows written so far."""
        column = {"encoding": "WKB", "geometry_types": sorted(self.types)}
        if self.covered:
            column["covering"] = {_BBOX: {k: [_BBOX, k] for k in ("xmin", "ymin", "xmax", "ymax")}}
        if np.isfinite(self.bounds).all():
            column["bbox"] = [float(v) for v in self.bounds]
        if self.crs is not None:
            column["crs"] = self.crs.to_json_dict()
        return {
            "version": _GEOPARQUET_VERSION,
            "primary_column": "geometry",
            "columns": {"geometry": column},
        }

    def close(self, empty_schema: pa.Schema | None = None) -> None:
        """Write the footer with the ``geo`` metadata (an empty file needs ``empty_schema``)."""
        self.behind.finish()
        if self.writer is None:
            schema = (empty_schema or pa.schema([])).append(pa.field("geometry", pa.binary()))
            self.writer = _parquet_writer(self.sink, schema)
        self.writer.add_key_value_metadata({"geo": json.dumps(self.geo_metadata())})
        self.writer.close()


def _parquet_writer(sink: BinaryIO, schema: pa.Schema) -> pq.ParquetWriter:
    # Without the serialised Arrow schema, readers take the schema's metadata
    # from the footer, where ``geo`` is written last (with the bounding box).
    # Dictionary encoding of distinct floats costs more than it saves: a third
    # of the write time and a larger file.
    return pq.ParquetWriter(
        sink, schema, compression="snappy", use_dictionary=False, store_schema=False
    )


_TYPE_NAMES = {
    0: "Point",
    1: "LineString",
    2: "LineString",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}
