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
from geo.nearest import line_index

__all__ = [
    "AT_SEA",
    "TERRITORIAL_SEA_KM",
    "containing_polygon",
    "event_provinces",
    "locate",
    "nearest_polygon",
    "place_events",
    "provinces_of",
]

#: ``side`` of an event at sea beyond the territorial sea of every country.
AT_SEA = "at sea"

#: The territorial sea: 12 nautical miles (UNCLOS art. 3), in km.
TERRITORIAL_SEA_KM = 12 * 1.852

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


def _reach_deg(lat: np.ndarray, km: float) -> np.ndarray:
    """Planar reach in degrees that covers every point within ``km`` on the ellipsoid."""
    # a degree of latitude is at least 110.5 km; a degree of longitude is that times cos(lat)
    cos = np.cos(np.radians(np.minimum(np.abs(lat) + km / 110.0, 89.9)))
    return np.minimum(km / (110.5 * cos) + 1e-6, 360.0)


def nearest_polygon(
    lon: np.ndarray, lat: np.ndarray, geoms: np.ndarray, max_km: float
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest polygon within ``max_km`` of each point, by exact geodesic distance.

    Meant for points outside every polygon (events at sea): the distance is
    measured to each candidate's outline on the WGS84 ellipsoid.

    Parameters
    ----------
    lon, lat : numpy.ndarray
    geoms : numpy.ndarray of shapely geometries
        Polygons in EPSG:4326.
    max_km : float
        Farthest reach.

    Returns
    -------
    position : numpy.ndarray of int
        Position in ``geoms``, or ``len(geoms)`` where none is within reach.
    distance_km : numpy.ndarray of float
        Distance to that polygon (NaN where none).
    """
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    best = np.full(len(lon), np.inf)
    out = np.full(len(lon), len(geoms))
    ok = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    if len(ok) == 0 or len(geoms) == 0:
        return out, np.full(len(lon), np.nan)
    reach = _reach_deg(lat[ok], max_km)
    windows = shapely.box(lon[ok] - reach, lat[ok] - reach, lon[ok] + reach, lat[ok] + reach)
    point, poly = shapely.STRtree(np.asarray(geoms)).query(windows)  # boxes: cheap
    for g in np.unique(poly):
        rows = ok[point[poly == g]]
        boxes = windows[point[poly == g]]
        xmin, ymin, xmax, ymax = shapely.total_bounds(boxes)
        outline = shapely.clip_by_rect(shapely.boundary(geoms[g]), xmin, ymin, xmax, ymax)
        if shapely.is_empty(outline):
            continue
        d = line_index(outline).nearest(lon[rows], lat[rows]).distance_km
        closer = d < best[rows]
        best[rows[closer]] = d[closer]
        out[rows[closer]] = g
    near = best <= max_km
    out[~near] = len(geoms)
    return out, np.where(near, best, np.nan)


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


def place_events(lon, lat, provinces: gpd.GeoDataFrame | None = None, theatre=None) -> dict:
    """Province of each point; points at sea take the nearest within the territorial sea.

    Parameters
    ----------
    lon, lat : numpy.ndarray
    provinces : GeoDataFrame, optional
        Admin-1 polygons (``name_en``, ``adm0_a3``); by default the embedded
        ones of every country the points may lie in or off (:func:`event_provinces`).
    theatre : Theatre, optional
        Its countries' provinces are always read.

    Returns
    -------
    dict
        ``province`` and ``province_iso3`` (object arrays, None where none),
        ``offshore`` (bool array: placed by the nearest coast within
        :data:`TERRITORIAL_SEA_KM`) and ``provinces`` (the polygons used).
    """
    load_more = provinces is None
    provs = provinces if provinces is not None else event_provinces(lon, lat, theatre)
    found = containing_polygon(lon, lat, provs.geometry.to_numpy())
    offshore = np.zeros(len(lon), dtype=bool)
    sea = np.flatnonzero((found == len(provs)) & np.isfinite(lon) & np.isfinite(lat))
    if len(sea):
        if load_more:  # coasts whose country box does not hold the point
            pad = float(_reach_deg(lat[sea], TERRITORIAL_SEA_KM).max())
            more = set(countries_at(lon[sea], lat[sea], pad_deg=pad)) - set(provs["adm0_a3"])
            if more:
                extra = provinces_of(more)
                provs = gpd.GeoDataFrame(pd.concat([provs, extra], ignore_index=True), crs=4326)
                found = np.where(found == len(provs) - len(extra), len(provs), found)
        near, _ = nearest_polygon(lon[sea], lat[sea], provs.geometry.to_numpy(), TERRITORIAL_SEA_KM)
        found[sea] = near
        offshore[sea] = near < len(provs)
    names = np.append(provs["name_en"].to_numpy(dtype=object), None)
    codes = np.append(provs["adm0_a3"].to_numpy(dtype=object), None)
    return {
        "province": names[found],
        "province_iso3": codes[found],
        "offshore": offshore,
        "provinces": provs,
    }
