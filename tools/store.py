"""Write the world store (:mod:`geo.layers.store`) deterministically.

Coordinates go onto the integer grid of :data:`geo.layers.store.GRID_DEG`,
list columns of ``x``/``y`` are ``DELTA_BINARY_PACKED`` and every column is
zstd level 9; statistics and the pandas schema are left out and the writer
settings are fixed, so the same frame always gives the same bytes (with the
pinned pyarrow of ``constraints.txt``).
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from geo.layers.store import MANIFEST, SCALE
from tools.sources import sha256_file

__all__ = ["encode_geometry", "write_layer", "write_manifest"]


def _list(offsets: np.ndarray, values: np.ndarray) -> pa.ListArray:
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), pa.array(values, pa.int32()))


def _as_multi(geoms: np.ndarray, kind: str) -> np.ndarray:
    make = shapely.multipolygons if kind == "polygon" else shapely.multilinestrings
    return np.array([make(shapely.get_parts(g)) for g in geoms], dtype=object)


def encode_geometry(geoms: np.ndarray, kind: str) -> dict[str, pa.Array]:
    """Turn geometries into the stored integer columns.

    Parameters
    ----------
    geoms : numpy.ndarray of shapely geometries
        Points, (multi)lines or (multi)polygons, all of ``kind``.
    kind : {"polygon", "line", "point"}

    Returns
    -------
    dict of str to pyarrow.Array
        ``x``, ``y`` and, for lines and polygons, ``rings`` (and ``polys``).
    """
    if kind == "point":
        xy = np.rint(shapely.get_coordinates(geoms) * SCALE).astype(np.int32)
        return {"x": pa.array(xy[:, 0]), "y": pa.array(xy[:, 1])}
    _, coords, offsets = shapely.to_ragged_array(_as_multi(geoms, kind))
    xy = np.rint(coords * SCALE).astype(np.int32)
    vertex_off = offsets[0]  # vertex offsets of each ring (or line)
    if kind == "line":
        ring_of_geom = offsets[1]
    else:
        ring_of_geom = offsets[1][offsets[2]]  # rings of each polygon, of each geometry
    columns = {
        "x": _list(vertex_off[ring_of_geom], xy[:, 0]),
        "y": _list(vertex_off[ring_of_geom], xy[:, 1]),
        "rings": _list(ring_of_geom, np.diff(vertex_off)),
    }
    if kind == "polygon":
        columns["polys"] = _list(offsets[2], np.diff(offsets[1]))
    return columns


def write_layer(frame: gpd.GeoDataFrame, path: Path, kind: str) -> Path:
    """Write a frame's attributes and encoded geometry as one Parquet file.

    Parameters
    ----------
    frame : GeoDataFrame
        Rows in the order to store; attributes must be str, int or float.
    path : pathlib.Path
        Target, replaced atomically; parent folders are created.
    kind : {"polygon", "line", "point"}

    Returns
    -------
    pathlib.Path
    """
    attrs = pa.Table.from_pandas(frame.drop(columns="geometry"), preserve_index=False)
    table = attrs.replace_schema_metadata(None)
    for name, column in encode_geometry(frame.geometry.to_numpy(), kind).items():
        table = table.append_column(name, column)
    delta = {c: "DELTA_BINARY_PACKED" for c in ("x", "y")}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pq.write_table(
        table,
        tmp,
        compression="zstd",
        compression_level=9,
        use_dictionary=[c for c in attrs.column_names],
        column_encoding=delta,
        write_statistics=False,
        version="2.6",
        row_group_size=1 << 30,
        store_schema=False,
    )
    os.replace(tmp, path)
    return path


def write_manifest(world: Path) -> Path:
    """List the SHA-256 of every file under ``world`` in ``MANIFEST.sha256``.

    Parameters
    ----------
    world : pathlib.Path
        The store folder.

    Returns
    -------
    pathlib.Path
        The manifest, in ``sha256sum`` format, sorted by path.
    """
    names = sorted(
        p.relative_to(world).as_posix()
        for p in world.rglob("*")
        if p.is_file() and p.name != MANIFEST
    )
    lines = [f"{sha256_file(world / n)}  {n}\n" for n in names]
    path = world / MANIFEST
    path.write_text("".join(lines), encoding="utf-8")
    return path
