"""Which polygon each point lies in: provinces and countries, read only where needed.

Examples
--------
>>> import numpy as np
>>> provs = provinces_of(["PAK"])
>>> locate(np.array([64.09, 0.0]), np.array([26.96, 0.0]), provs, "adm0_a3").tolist()
['PAK', None]
"""

from __future__ import annotations

import functools
import threading

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import layers
from geo.country_codes import countries_at
from geo.errors import LayerError

__all__ = ["containing_polygon", "event_provinces", "locate", "provinces_of"]

_PREPARED = threading.Lock()


def locate(lon: np.ndarray, lat: np.ndarray, polygons: gpd.GeoDataFrame, column: str) -> np.ndarray:
    """Value of ``column`` of the polygon containing each point (None outside all).

    Parameters
    ----------
    lon, lat : numpy.ndarray
    polygons : GeoDataFrame
        Non-overlapping polygons in EPSG:4326.
    column : str

    Returns
    -------
    numpy.ndarray of object
    """
    found = containing_polygon(lon, lat, polygons.geometry.to_numpy())
    values = np.append(polygons[column].to_numpy(dtype=object), None)
    return values[found]


def containing_polygon(lon: np.ndarray, lat: np.ndarray, geoms: np.ndarray) -> np.ndarray:
    """Position of the polygon containing each point, or ``len(geoms)`` outside all.

    The points go into an STR-tree; each polygon is prepared and asks the
    tree for the points it contains, so the cost grows with the points near
    each polygon, not with points times polygons. Where polygons overlap,
    the last one wins.
    """
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    out = np.full(len(lon), len(geoms))
    ok = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    if len(ok) == 0 or len(geoms) == 0:
        return out
    tree = shapely.STRtree(shapely.points(lon[ok], lat[ok]))
    with _PREPARED:  # GEOS prepared geometries are shared and not thread-safe
        poly, point = tree.query(np.asarray(geoms), predicate="contains")
    order = np.argsort(poly, kind="stable")
    out[ok[point[order]]] = poly[order]
    return out


def event_provinces(lon, lat, theatre=None) -> gpd.GeoDataFrame:
    """Admin-1 polygons of the countries the points may lie in (and the theatre's).

    Countries are found by their bounding boxes (:func:`geo.country_codes.countries_at`),
    so no outline is read to choose them, and only their provinces are loaded:
    every point still finds its province, wherever it lies.

    Parameters
    ----------
    lon, lat : array_like
    theatre : Theatre, optional
        Its countries are always included.

    Returns
    -------
    GeoDataFrame
        As :func:`geo.layers.provinces`.
    """
    codes = set(countries_at(lon, lat))
    if theatre is not None:
        codes |= set(theatre.countries)
    return provinces_of(codes)


def provinces_of(codes) -> gpd.GeoDataFrame:
    """Admin-1 polygons of the countries ``codes``, each country read once per process.

    Parameters
    ----------
    codes : iterable of str
        ISO3 codes; a country without admin-1 polygons adds nothing.

    Returns
    -------
    GeoDataFrame
        As :func:`geo.layers.provinces`, countries in sorted order.
    """
    frames = [f for f in (_country_provinces(code) for code in sorted(set(codes))) if len(f)]
    if not frames:
        return layers.provinces(countries=[])
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")


@functools.lru_cache(maxsize=512)
def _country_provinces(code: str) -> gpd.GeoDataFrame:
    try:
        return layers.provinces(countries=[code])
    except LayerError:  # a country without admin-1 polygons
        return layers.provinces(countries=[])
