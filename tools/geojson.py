"""Read the upstream GeoJSON files, however large their features."""

from __future__ import annotations

import io
import os

import geopandas as gpd

__all__ = ["read_geojson"]


def read_geojson(data: io.BytesIO) -> gpd.GeoDataFrame:
    """Read an upstream GeoJSON file of any size from memory.

    Parameters
    ----------
    data : io.BytesIO
        The file's bytes.

    Returns
    -------
    GeoDataFrame
    """
    os.environ.setdefault("OGR_GEOJSON_MAX_OBJ_SIZE", "0")  # upstream features are large
    return gpd.read_file(data)
