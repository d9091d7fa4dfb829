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
import pyarrow.parquet as pq
import pyogrio
import shapely

from geo.errors import InputError
from geo.geodesy import geodesic_km

__all__ = ["GEOMETRY", "GEOM_COLUMNS", "iter_vector_chunks"]

LAT, LON, METHOD, PREC = (
    "_bordermap_lat",
    "_bordermap_lon",
    "_bordermap_method",
    "_bordermap_prec",
)
GEOM_COLUMNS = (LAT, LON, METHOD, PREC)
GEOMETRY = "_bordermap_geometry"


def _to_strings(frame: gpd.GeoDataFrame, start: int) -> pd.DataFrame:
    if frame.crs is None:
        raise InputError(
            "", None, "geometry", "no CRS; bordermap needs EPSG:4326 or a declared CRS"
        )
    if not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    geoms = frame.geometry.to_numpy()
    attrs = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    raw = pd.DataFrame(index=range(len(frame)))
    raw.insert(0, "row", np.arange(start + 1, start + 1 + len(frame), dtype="int64"))
    for col in attrs.columns:
        values = attrs[col].reset_index(drop=True)
        raw[str(col)] = values.astype("string").fillna("").astype(str)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    is_point = shapely.get_type_id(geoms) == 0
    reps = np.where(is_point | empty, geoms, None)
    other = ~is_point & ~empty
    reps[other] = shapely.point_on_surface(geoms[other])
    x = np.where(empty, np.nan, shapely.get_x(np.where(empty, None, reps)))
    y = np.where(empty, np.nan, shapely.get_y(np.where(empty, None, reps)))
    raw[LON] = np.where(empty, "", x.astype(str))
    raw[LAT] = np.where(empty, "", y.astype(str))
    raw[METHOD] = np.where(is_point, "geometry", np.where(empty, "", "representative_point"))
    prec = np.zeros(len(frame), dtype="int64")
    if other.any():
        bounds = shapely.bounds(geoms[other])

        half = geodesic_km(bounds[:, 0], bounds[:, 1], bounds[:, 2], bounds[:, 3]) / 2
        prec[other] = np.select([half <= 2, half <= 25], [1, 2], 3)
    raw[PREC] = prec
    raw[GEOMETRY] = geoms  # the rejects file gets it as WKT
    return raw


def _parquet_chunks(path: str, chunksize: int) -> Iterator[gpd.GeoDataFrame]:

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
    batches = pf.iter_batches(batch_size=chunksize) if pf.metadata.num_rows else ()
    # a file with no rows still gives one empty chunk, so its columns are known
    for batch in batches or [pf.schema_arrow.empty_table()]:
        table = batch.to_pandas()
        geoms = shapely.from_wkb(table.pop(column).to_numpy())
        yield gpd.GeoDataFrame(table, geometry=geoms, crs=crs)


def _gdal(call, *args, **kwargs):
    """Call pyogrio without GDAL's warnings on stderr (a damaged file then raises, once)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return call(*args, **kwargs)


_SUFFIX = {"geojson": ".geojson", "gpkg": ".gpkg", "fgb": ".fgb"}


def _ogr_chunks(
    path: str, chunksize: int, fmt: str, notes: list[str] | None = None, layer: str | None = None
) -> Iterator[gpd.GeoDataFrame]:
    suffix = _SUFFIX.get(fmt)
    if suffix and not path.lower().endswith(suffix):
        # GDAL picks drivers by file name too: a GeoPackage named .csv opens as CSV
        with tempfile.TemporaryDirectory() as folder:
            link = Path(folder) / f"events{suffix}"
            os.symlink(os.path.abspath(path), link)
            yield from _ogr_chunks(str(link), chunksize, fmt, notes, layer)
        return

    listed = _gdal(pyogrio.list_layers, path)
    names = [str(n) for n in listed[:, 0]]
    if layer is not None:
        if layer not in names:
            raise InputError(path, None, "layer", f"no layer {layer!r}; layers: {', '.join(names)}")
        yield from _layer_chunks(path, layer, chunksize)
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
    yield from _layer_chunks(path, layer, chunksize)


def _layer_chunks(path: str, layer: str | None, chunksize: int) -> Iterator[gpd.GeoDataFrame]:
    info = _gdal(pyogrio.read_info, path, layer=layer)
    total = info.get("features", -1)
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
) -> Iterator[pd.DataFrame]:
    """Yield string tables with ``row`` and geometry-derived coordinate columns.

    A file with several layers is read from ``layer``, else its ``events``
    layer, else its first; a remark naming the layer read is appended to ``notes``.

    Raises
    ------
    InputError
        When GDAL or pyarrow cannot open the file.
    """
    path = str(path)
    chunks = (
        _parquet_chunks(path, chunksize)
        if fmt == "parquet"
        else _ogr_chunks(path, chunksize, fmt, notes, layer)
    )
    start = 0
    try:
        for frame in chunks:
            try:
                raw = _to_strings(frame, start)
            except InputError as exc:
                raise InputError(path, exc.row, exc.field, exc.problem) from None
            start += len(frame)
            yield raw
    except InputError as exc:
        raise InputError(path, exc.row, exc.field, exc.problem) from None
    except Exception as exc:  # GDAL and Arrow raise many types for unreadable files
        text = " ".join(str(exc).split())[:200]
        raise InputError(path, None, None, f"cannot read as {fmt}: {text}") from None
