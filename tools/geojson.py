"""Deterministic GeoJSON for the built layers: fixed order, 6 decimals, no timestamps."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

__all__ = ["read_geojson", "write_geojson"]


def write_geojson(frame: gpd.GeoDataFrame, path: Path) -> None:
    """Write a GeoJSON file deterministically: fixed order, 6 decimals, no timestamps.

    Parameters
    ----------
    frame : GeoDataFrame
        EPSG:4326 features; written in their current row order.
    path : pathlib.Path
        Target file, replaced atomically.
    """
    features = []
    props = frame.drop(columns="geometry")
    geo_json = shapely.to_geojson(frame.geometry.to_numpy())
    for record, geom in zip(props.to_dict("records"), geo_json, strict=True):
        clean = {
            k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in record.items()
        }
        clean = {k: (v.item() if hasattr(v, "item") else v) for k, v in clean.items()}
        features.append(
            '{"type":"Feature","properties":'
            + json.dumps(clean, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
            + ',"geometry":'
            + _round_coords(geom)
            + "}"
        )
    body = '{"type":"FeatureCollection","features":[\n' + ",\n".join(features) + "\n]}\n"
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(body, encoding="utf-8")
    os.replace(tmp, path)


def _round(node):
    """Round every coordinate of a GeoJSON ``coordinates`` array to 6 decimals."""
    if isinstance(node, list):
        if node and isinstance(node[0], float | int):
            return [round(float(x), 6) for x in node]
        return [_round(n) for n in node]
    return node


def _round_coords(geojson: str) -> str:
    obj = json.loads(geojson)
    obj["coordinates"] = _round(obj["coordinates"])
    return json.dumps(obj, separators=(",", ":"))


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
