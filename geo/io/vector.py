"""Vector event files: GeoJSON, GeoPackage, Shapefile, FlatGeobuf (pyogrio), GeoParquet.

Each chunk becomes a table of strings like a CSV chunk, plus coordinates taken
from the geometry. Points are used as they are. Other geometries are reduced
to their representative point (``shapely.point_on_surface``: inside a polygon,
on a line) and ``geo_precision`` is lowered to what their extent allows:
half the bounding-box diagonal up to 2 km keeps precision 1, up to 25 km gives
2, beyond gives 3. Null or empty geometries leave the coordinates empty (the
row may still be placed from its location name). Events carry the point
used; the rejects file carries the original geometry as ``geometry_wkt``.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pyogrio
import pyproj
import shapely

from geo.errors import InputError
from geo.geodesy import geodesic_km
from geo.io.arrowtext import TEXT, Position

__all__ = ["GEOMETRY", "GEOM_COLUMNS", "iter_vector_chunks"]

LAT, LON, METHOD, PREC = (
    "_bordermap_lat",
    "_bordermap_lon",
    "_bordermap_method",
    "_bordermap_prec",
)
GEOM_COLUMNS = (LAT, LON, METHOD, PREC)
GEOMETRY = "_bordermap_geometry"


def _arrow_text(values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray | None:
    """Cast one column to text in Arrow (nulls become ``""``); None for types left to pandas.

    Numbers use Arrow's shortest round-trip form (``100`` for 100.0), booleans read
    ``True``/``False`` as pandas writes them; timestamps, lists and structs are left
    to pandas (Arrow would write them otherwise).

    Examples
    --------
    >>> _arrow_text(pa.array([1.5, None])).to_pylist()
    ['1.5', '']
    >>> _arrow_text(pa.array([True, None])).to_pylist()
    ['True', '']
    >>> _arrow_text(pa.array([[1]])) is None
    True
    """
    kind = values.type
    if pa.types.is_boolean(kind):
        values = pc.if_else(values, "True", "False")
    elif pa.types.is_dictionary(kind):
        return _arrow_text(pc.cast(values, kind.value_type))
    elif not (
        pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_date(kind)
        or pa.types.is_null(kind)
    ):
        return None
    # pandas keeps text as large_string: cast straight to it (no second copy)
    text = pc.cast(values, pa.large_string())
    if pa.types.is_floating(kind):  # NaN reads as empty, as a missing value
        text = pc.if_else(pc.is_nan(values), None, text)
    return pc.fill_null(text, "")


def _strings(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Numbers (shortest round-trip form, ``""`` for NaN) or numpy text as Arrow-backed text.

    Examples
    --------
    >>> list(_strings(np.array([27.5, np.nan]))), list(_strings(np.array(["a", ""])))
    (['27.5', ''], ['a', ''])
    """
    return pd.arrays.ArrowStringArray(_arrow_text(pa.array(values)), dtype=TEXT)


def _pandas_text(values: pd.Series) -> pd.Series:
    return values.astype("string").fillna("").astype(str)


def _text_columns(attrs: pa.Table | pd.DataFrame, rows: int) -> pd.DataFrame:
    """Every attribute column as Arrow-backed text, ``""`` where missing."""
    if isinstance(attrs, pd.DataFrame):
        names = [str(c) for c in attrs.columns]
        columns = [attrs[c].reset_index(drop=True) for c in attrs.columns]
    else:
        names, columns = attrs.column_names, attrs.columns
    texts, fallback = {}, {}
    for name, values in zip(names, columns, strict=True):
        if isinstance(values, pd.Series):
            try:
                arrow = pa.array(values, from_pandas=True)
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
                arrow = None  # mixed Python objects
            text = None if arrow is None else _arrow_text(arrow)
        else:
            text = _arrow_text(values)
        if text is None:
            series = values if isinstance(values, pd.Series) else values.to_pandas()
            fallback[name] = _pandas_text(series.reset_index(drop=True))
        else:
            texts[name] = text
    frame = (
        pa.table(texts).to_pandas(types_mapper={pa.large_string(): TEXT}.get)
        if texts
        else pd.DataFrame(index=range(rows))
    )
    for name, series in fallback.items():
        frame[name] = series.to_numpy()
    return frame[[n for n in names if n in frame.columns]]


def _to_strings(attrs: pa.Table | pd.DataFrame, geoms: np.ndarray, crs, start: int) -> pd.DataFrame:
    """Turn a chunk of a vector file into the text table the pipeline reads.

    ``attrs`` holds the attributes (Arrow or pandas), ``geoms`` the geometries
    in ``crs``; rows are numbered from ``start + 1``.
    """
    if crs is None:
        raise InputError(
            "", None, "geometry", "no CRS; bordermap needs EPSG:4326 or a declared CRS"
        )
    if not pyproj.CRS.from_user_input(crs).equals("EPSG:4326"):
        geoms = gpd.GeoSeries(geoms, crs=crs).to_crs("EPSG:4326").to_numpy()
    raw = _text_columns(attrs, len(geoms))
    raw.columns = [str(c) for c in raw.columns]
    if "row" in raw.columns:  # bordermap's own output read back: its rows stay as they were
        raw = raw.rename(columns={"row": "row_original"})
    raw.insert(0, "row", np.arange(start + 1, start + 1 + len(geoms), dtype="int64"))
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    is_point = shapely.get_type_id(geoms) == 0
    reps = np.where(is_point | empty, geoms, None)
    other = ~is_point & ~empty
    reps[other] = shapely.point_on_surface(geoms[other])
    x = np.where(empty, np.nan, shapely.get_x(np.where(empty, None, reps)))
    y = np.where(empty, np.nan, shapely.get_y(np.where(empty, None, reps)))
    # shortest round-trip text, in Arrow (numpy's str() of 200,000 floats takes 0.15 s)
    raw[LON], raw[LAT] = _strings(x), _strings(y)
    raw[METHOD] = _strings(
        np.where(is_point, "geometry", np.where(empty, "", "representative_point"))
    )
    prec = np.zeros(len(geoms), dtype="int64")
    if other.any():
        bounds = shapely.bounds(geoms[other])

        half = geodesic_km(bounds[:, 0], bounds[:, 1], bounds[:, 2], bounds[:, 3]) / 2
        prec[other] = np.select([half <= 2, half <= 25], [1, 2], 3)
    raw[PREC] = prec
    raw[GEOMETRY] = geoms  # the rejects file gets it as WKT
    return raw


def _frame_parts(frame: gpd.GeoDataFrame) -> tuple[pd.DataFrame, np.ndarray, object]:
    """Split a GeoDataFrame read by pyogrio into (attributes, geometries, CRS)."""
    attrs = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    return attrs, frame.geometry.to_numpy(), frame.crs


def _covering(info: dict, names: list[str]) -> list[str]:
    """Columns that only index the geometry (GeoParquet 1.1 ``covering``, such as ``bbox``).

    Examples
    --------
    >>> info = {"covering": {"bbox": {"xmin": ["bbox", "xmin"], "ymin": ["bbox", "ymin"]}}}
    >>> _covering(info, ["id", "bbox"]), _covering({}, ["id"])
    (['bbox'], [])
    """
    paths = (info.get("covering") or {}).get("bbox") or {}
    found = {p[0] for p in paths.values() if isinstance(p, list) and p}
    return [n for n in names if n in found]


def _parquet_tables(pf: pq.ParquetFile, chunksize: int) -> Iterator[pa.Table]:
    """Tables of at most ``chunksize`` rows; a row group up to twice that is read in one go.

    Reading a whole row group decodes its columns in parallel (faster than
    batch by batch); larger row groups are read batch by batch, in bounded memory.
    A file with no rows gives one empty table, so its columns are known.
    """
    if not pf.metadata.num_rows:
        yield pf.schema_arrow.empty_table()
        return
    for group in range(pf.metadata.num_row_groups):
        rows = pf.metadata.row_group(group).num_rows
        if rows > 2 * chunksize:
            for batch in pf.iter_batches(batch_size=chunksize, row_groups=[group]):
                yield pa.Table.from_batches([batch])
            continue
        table = pf.read_row_group(group)
        for start in range(0, rows, chunksize):
            yield table.slice(start, chunksize)


def _parquet_chunks(
    path: str, chunksize: int, position: Position | None = None
) -> Iterator[tuple[pa.Table, np.ndarray, object]]:
    """Yield (attributes, geometries, CRS) of a GeoParquet file, batch by batch, kept in Arrow."""
    pf = pq.ParquetFile(path)
    meta = pf.schema_arrow.metadata or {}
    if b"geo" not in meta:
        raise InputError(path, None, None, "Parquet file without GeoParquet 'geo' metadata")
    geo = json.loads(meta[b"geo"])
    column = geo.get("primary_column", "geometry")
    info = geo.get("columns", {}).get(column, {})
    if info.get("encoding", "WKB").upper() != "WKB":
        raise InputError(
            path, None, column, f"geometry encoding {info.get('encoding')!r}; need WKB"
        )
    crs = info.get("crs", "EPSG:4326") or "EPSG:4326"
    if position is not None:
        position.total = pf.metadata.num_rows
    for table in _parquet_tables(pf, chunksize):
        wkb = table.column(column).to_numpy(zero_copy_only=False)
        geoms = shapely.from_wkb(wkb) if len(wkb) else np.array([], dtype=object)
        yield table.drop([column, *_covering(info, table.column_names)]), geoms, crs


def _gdal(call, *args, **kwargs):
    """Call pyogrio without GDAL's warnings on stderr (a damaged file then raises, once)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return call(*args, **kwargs)


_SUFFIX = {"geojson": ".geojson", "gpkg": ".gpkg", "fgb": ".fgb"}


def _ogr_chunks(
    path: str,
    chunksize: int,
    fmt: str,
    notes: list[str] | None = None,
    layer: str | None = None,
    position: Position | None = None,
) -> Iterator[gpd.GeoDataFrame]:
    suffix = _SUFFIX.get(fmt)
    if suffix and not path.lower().endswith(suffix):
        # GDAL picks drivers by file name too: a GeoPackage named .csv opens as CSV
        with tempfile.TemporaryDirectory() as folder:
            link = Path(folder) / f"events{suffix}"
            os.symlink(os.path.abspath(path), link)
            yield from _ogr_chunks(str(link), chunksize, fmt, notes, layer, position)
        return

    listed = _gdal(pyogrio.list_layers, path)
    names = [str(n) for n in listed[:, 0]]
    if layer is not None:
        if layer not in names:
            raise InputError(path, None, "layer", f"no layer {layer!r}; layers: {', '.join(names)}")
        yield from _layer_chunks(path, layer, chunksize, position)
        return
    # tables without geometry (QGIS's layer_styles, attribute tables) hold no events
    spatial = [str(n) for n, kind in listed if kind is not None] or names
    if len(spatial) == 1 and len(names) > 1:
        layer = spatial[0]
    elif len(spatial) > 1:
        # a GeoPackage may hold several layers: read one and say which
        layer = "events" if "events" in spatial else spatial[0]
        if notes is not None:
            notes.append(
                f"{len(spatial)} layers ({', '.join(spatial)}): read layer {layer!r} only; "
                "choose one with --layer"
            )
    yield from _layer_chunks(path, layer, chunksize, position)


def _layer_chunks(
    path: str, layer: str | None, chunksize: int, position: Position | None = None
) -> Iterator[gpd.GeoDataFrame]:
    info = _gdal(pyogrio.read_info, path, layer=layer)
    total = info.get("features", -1)
    if position is not None and total is not None and total >= 0:
        position.total = total
    if total is None or total < 0:
        yield _gdal(pyogrio.read_dataframe, path, layer=layer)
        return
    for skip in range(0, max(total, 1), chunksize):
        yield _gdal(
            pyogrio.read_dataframe, path, layer=layer, skip_features=skip, max_features=chunksize
        )


def iter_vector_chunks(
    path: str | Path,
    fmt: str,
    chunksize: int,
    notes: list[str] | None = None,
    layer: str | None = None,
    position: Position | None = None,
) -> Iterator[pd.DataFrame]:
    """Yield string tables with ``row`` and geometry-derived coordinate columns.

    A file with several layers is read from ``layer``, else its ``events``
    layer, else its first; a remark naming the layer read is appended to ``notes``.
    ``position``, when given, counts the rows read of the layer's ``total``
    (when the driver knows it), updated before each chunk is yielded.

    Raises
    ------
    InputError
        When GDAL or pyarrow cannot open the file.
    """
    path = str(path)
    chunks = (
        _parquet_chunks(path, chunksize, position)
        if fmt == "parquet"
        else map(_frame_parts, _ogr_chunks(path, chunksize, fmt, notes, layer, position))
    )
    start = 0
    try:
        for attrs, geoms, crs in chunks:
            try:
                raw = _to_strings(attrs, geoms, crs, start)
            except InputError as exc:
                raise InputError(path, exc.row, exc.field, exc.problem) from None
            start += len(geoms)
            if position is not None:
                position.done = start
            yield raw
    except InputError as exc:
        raise InputError(path, exc.row, exc.field, exc.problem) from None
    except Exception as exc:  # GDAL and Arrow raise many types for unreadable files
        text = " ".join(str(exc).split())[:200]
        raise InputError(path, None, None, f"cannot read as {fmt}: {text}") from None
