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
from geo.geodesy import MIN_ROWS_PER_THREAD, chunk_map
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

    The points are sorted by longitude once; each polygon is prepared and
    tests only the points inside its bounding box (a binary search, then the
    latitudes), so the cost grows with the points near each polygon, not
    with points times polygons. Large inputs split the polygons between
    threads (:func:`geo.geodesy.chunk_map`). Where polygons overlap, the last
    one wins. A point on an outline is in no polygon (as ``contains``).

    Parameters
    ----------
    lon, lat : numpy.ndarray
    geoms : numpy.ndarray of shapely geometries
        Polygons in EPSG:4326.

    Returns
    -------
    numpy.ndarray of int

    Examples
    --------
    >>> squares = np.array([shapely.box(0, 0, 2, 2), shapely.box(1, 1, 3, 3)])
    >>> lon = np.array([0.5, 1.5, 2.5, 9.0, np.nan])
    >>> containing_polygon(lon, np.full(5, 1.5), squares).tolist()
    [0, 1, 1, 2, 2]
    """
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    geoms = np.asarray(geoms, dtype=object)
    out = np.full(len(lon), len(geoms))
    ok = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    if len(ok) == 0 or len(geoms) == 0:
        return out
    order = ok[np.argsort(lon[ok], kind="stable")]
    xs, ys = lon[order], lat[order]
    boxes = shapely.bounds(geoms)

    def inside(polys: slice) -> list[np.ndarray]:
        found = []
        for g in range(polys.start, polys.stop):
            xmin, ymin, xmax, ymax = boxes[g]
            lo = np.searchsorted(xs, xmin, side="left")
            hi = np.searchsorted(xs, xmax, side="right")
            near = lo + np.flatnonzero((ys[lo:hi] >= ymin) & (ys[lo:hi] <= ymax))
            found.append(order[near[shapely.contains_xy(geoms[g], xs[near], ys[near])]])
        return found

    # a thread per share of polygons: each prepared polygon is used by one thread only
    per_thread = 1 if len(ok) >= MIN_ROWS_PER_THREAD else len(geoms)
    with _PREPARED:  # GEOS prepared geometries are shared and not thread-safe
        shapely.prepare(geoms)
        parts = chunk_map(inside, len(geoms), min_rows=per_thread)
    for g, rows in enumerate(rows for part in parts for rows in part):  # the last polygon wins
        out[rows] = g
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
    windows = np.column_stack([lon[ok] - reach, lat[ok] - reach, lon[ok] + reach, lat[ok] + reach])
    point, poly = _overlapping(windows, shapely.bounds(np.asarray(geoms)))

    def measure(polys: slice) -> list[tuple[int, np.ndarray, np.ndarray]]:
        found = []
        for g in range(polys.start, polys.stop):
            near = point[starts[g] : starts[g + 1]]
            if len(near) == 0:
                continue
            # the window, widened to whole degrees: the next chunk of the same area clips
            # the same outline, so its densified index is reused from the cache
            xmin, ymin = np.floor(windows[near, :2].min(axis=0))
            xmax, ymax = np.ceil(windows[near, 2:].max(axis=0))
            outline = shapely.clip_by_rect(shapely.boundary(geoms[g]), xmin, ymin, xmax, ymax)
            if not shapely.is_empty(outline):
                rows = ok[near]
                index = line_index(outline)
                # exact geodesics only where the outline may be within reach
                d = np.full(len(rows), np.inf)
                maybe = np.flatnonzero(index.lower_bound_km(lon[rows], lat[rows]) <= max_km)
                d[maybe] = index.nearest(lon[rows[maybe]], lat[rows[maybe]]).distance_km
                found.append((g, rows, d))
        return found

    order = np.argsort(poly, kind="stable")
    point, poly = point[order], poly[order]
    starts = np.searchsorted(poly, np.arange(len(geoms) + 1))
    per_thread = 1 if len(point) >= MIN_ROWS_PER_THREAD else len(geoms)
    for part in chunk_map(measure, len(geoms), min_rows=per_thread):
        for g, rows, d in part:  # polygons in order: the first of equally near ones wins
            closer = d < best[rows]
            best[rows[closer]] = d[closer]
            out[rows[closer]] = g
    near = best <= max_km
    out[~near] = len(geoms)
    return out, np.where(near, best, np.nan)


def _overlapping(boxes: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (box, polygon) whose bounding boxes meet (edges touching count).

    Boxes are compared with every polygon in blocks, so memory stays bounded
    however many polygons there are; an empty polygon (NaN bounds) meets none.
    """
    step = max(1, 4_000_000 // max(len(bounds), 1))
    found_box, found_poly = [], []
    for start in range(0, len(boxes), step):
        b = boxes[start : start + step]
        meet = (
            (b[:, None, 0] <= bounds[None, :, 2])
            & (b[:, None, 2] >= bounds[None, :, 0])
            & (b[:, None, 1] <= bounds[None, :, 3])
            & (b[:, None, 3] >= bounds[None, :, 1])
        )
        box, poly = np.nonzero(meet)
        found_box.append(box + start)
        found_poly.append(poly)
    if not found_box:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    return np.concatenate(found_box), np.concatenate(found_poly)


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
        :data:`TERRITORIAL_SEA_KM`) and ``provinces`` (the polygons used);
        ``index``, each point's row in ``provinces`` (``len(provinces)``
        where none), with ``names`` and ``codes`` of those rows (a None
        appended), so that ``names[index]`` is ``province``.
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
        "index": found,
        "names": names,
        "codes": codes,
    }
