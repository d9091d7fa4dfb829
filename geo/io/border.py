"""Read a user's border file: any line or polygon layer GDAL opens."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio

from geo.errors import InputError

__all__ = ["read_border"]


def read_border(path: str | Path) -> gpd.GeoDataFrame:
    """Read a border line (or polygons whose outlines are the border) from a vector file.

    Parameters
    ----------
    path : path-like
        GeoJSON, GeoPackage, Shapefile or any other vector format GDAL reads.

    Returns
    -------
    GeoDataFrame
        Its features, with their CRS.

    Raises
    ------
    InputError
        When the file cannot be read as a vector layer, holds no features,
        no geometry, or has no CRS.
    """
    try:
        frame = pyogrio.read_dataframe(path)
    except Exception as exc:  # GDAL's own message names the problem
        raise InputError(str(path), None, None, f"cannot read as a vector layer: {exc}") from exc
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.isna().all():
        raise InputError(str(path), None, "geometry", "holds no lines or polygons")
    if frame.empty:
        raise InputError(str(path), None, None, "holds no features")
    if frame.crs is None:
        raise InputError(str(path), None, "geometry", "has no CRS; save it with EPSG:4326")
    return frame
