"""The on-disk store of the world layers: quantised Parquet files with a SHA-256 manifest.

``layers/world/`` holds one Parquet file per country for the outlines
(``countries/SDN.parquet``) and the provinces (``provinces/SDN.parquet``), one
file for all borders and one for the gazetteer, a geometry-free country table
(``countries.csv``) and ``MANIFEST.sha256``, which lists the SHA-256 of every
file. A file is checked against the manifest the first time it is read in a
process, so a corrupted or edited partition fails loudly instead of loading.

Geometry encoding (plain Parquet, readable by any Parquet reader): coordinates
are integers on a :data:`GRID_DEG` grid in ``x`` and ``y`` list columns,
delta-encoded (``DELTA_BINARY_PACKED``) and zstd-compressed; ``rings`` (vertex
count of each ring or line) and ``polys`` (ring count of each polygon) give the
structure. Points have scalar ``x`` and ``y``.

Examples
--------
>>> frame = read_layer("countries/SDN.parquet", "polygon")
>>> list(frame.columns)
['iso3', 'name', 'geometry']
"""

from __future__ import annotations

import functools
import hashlib
import threading
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from geo.errors import LayerError
from geo.layers.paths import LAYERS_DIR

__all__ = [
    "GEOMETRY_COLUMNS",
    "GRID_DEG",
    "MANIFEST",
    "SCALE",
    "WORLD",
    "decode_geometry",
    "frame_of",
    "read_layer",
    "read_table",
    "verified_path",
]

#: Grid of the stored coordinates: 1e-5 degree, about 1.1 m (the source is ~100 m).
GRID_DEG = 1e-5
SCALE = 100_000
GEOMETRY_COLUMNS = ("x", "y", "rings", "polys")
MANIFEST = "MANIFEST.sha256"


WORLD = LAYERS_DIR / "world"
_LOCK = threading.Lock()


@functools.cache
def _manifest(world: Path) -> dict[str, str]:
    path = world / MANIFEST
    if not path.is_file():
        raise LayerError(f"{path} is missing; rebuild the layers with make layers")
    sums = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        sums[name] = digest
    return sums


@functools.cache
def _checked(path: Path, expected: str) -> Path:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != expected:
        raise LayerError(
            f"{path}: SHA-256 is {digest} but {MANIFEST} lists {expected}; "
            "the embedded layers are corrupted: reinstall bordermap or run make layers"
        )
    return path


def verified_path(name: str, world: Path | None = None) -> Path:
    """Path of a store file, checked against the manifest on its first use.

    Parameters
    ----------
    name : str
        Path relative to ``layers/world``, such as ``"countries/SDN.parquet"``.
    world : pathlib.Path, optional
        The store folder (``layers/world`` by default).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    LayerError
        When the file is not in the manifest, is missing, or its SHA-256 differs.
    """
    world = WORLD if world is None else world
    expected = _manifest(world).get(name)
    path = world / name
    if expected is None or not path.is_file():
        raise LayerError(f"{path} is not part of the embedded layers ({MANIFEST})")
    with _LOCK:
        return _checked(path, expected)


def read_table(name: str, columns: list[str] | None = None, world: Path | None = None):
    """Read a verified store file as an Arrow table (Parquet) or DataFrame (CSV).

    Parameters
    ----------
    name : str
        Path relative to ``layers/world``.
    columns : list of str, optional
        Parquet columns to read (all by default).
    world : pathlib.Path, optional
        The store folder.

    Returns
    -------
    pyarrow.Table or pandas.DataFrame
    """
    path = verified_path(name, world)
    if path.suffix == ".csv":
        import pandas as pd

        return pd.read_csv(path, keep_default_na=False)
    return pq.read_table(path, columns=columns)


def _flat(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Values and per-row lengths of a list column."""
    array = column.combine_chunks()
    return array.flatten().to_numpy(), array.value_lengths().to_numpy()


def _offsets(counts: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])


def decode_geometry(table: pa.Table, kind: str) -> np.ndarray:
    """Rebuild shapely geometries from the stored integer columns.

    Parameters
    ----------
    table : pyarrow.Table
        With ``x``, ``y`` and, for lines and polygons, ``rings`` (and ``polys``).
    kind : {"polygon", "line", "point"}
        Polygons come back as Polygon or MultiPolygon, lines as LineString or
        MultiLineString (a single part is unwrapped).

    Returns
    -------
    numpy.ndarray of shapely geometries
    """
    if kind == "point":
        x = table.column("x").to_numpy() / SCALE
        return shapely.points(x, table.column("y").to_numpy() / SCALE)
    xs, _ = _flat(table.column("x"))
    ys, _ = _flat(table.column("y"))
    coords = np.column_stack([xs, ys]) / SCALE
    rings, per_geom = _flat(table.column("rings"))
    if kind == "line":
        offsets = (_offsets(rings), _offsets(per_geom))
        geoms = shapely.from_ragged_array(shapely.GeometryType.MULTILINESTRING, coords, offsets)
    else:
        polys, per_geom = _flat(table.column("polys"))
        offsets = (_offsets(rings), _offsets(polys), _offsets(per_geom))
        geoms = shapely.from_ragged_array(shapely.GeometryType.MULTIPOLYGON, coords, offsets)
    single = shapely.get_num_geometries(geoms) == 1
    geoms[single] = shapely.get_geometry(geoms[single], 0)
    return geoms


def read_layer(name: str, kind: str, world: Path | None = None) -> gpd.GeoDataFrame:
    """Read one store file as an EPSG:4326 GeoDataFrame.

    Parameters
    ----------
    name : str
        Path relative to ``layers/world``, such as ``"provinces/SDN.parquet"``.
    kind : {"polygon", "line", "point"}
        Geometry kind of the file.
    world : pathlib.Path, optional
        The store folder.

    Returns
    -------
    GeoDataFrame
        The attribute columns in stored order, then ``geometry``.
    """
    return frame_of(read_table(name, world=world), kind)


def frame_of(table: pa.Table, kind: str) -> gpd.GeoDataFrame:
    """Turn a store table (attributes and encoded geometry) into an EPSG:4326 GeoDataFrame.

    The build (``tools/``) reads the files it has just written this way,
    before the manifest lists them; everything else reads through
    :func:`read_layer`, which checks the manifest first.

    Parameters
    ----------
    table : pyarrow.Table
        A store file as read by ``pyarrow.parquet.read_table``.
    kind : {"polygon", "line", "point"}

    Returns
    -------
    GeoDataFrame
    """
    attrs = table.drop_columns([c for c in GEOMETRY_COLUMNS if c in table.column_names])
    frame = attrs.to_pandas()
    return gpd.GeoDataFrame(frame, geometry=decode_geometry(table, kind), crs="EPSG:4326")
