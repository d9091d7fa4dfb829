"""Distances and azimuths on the WGS84 ellipsoid (pyproj's GeographicLib port)."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np
from numpy.typing import ArrayLike
from pyproj import Geod

__all__ = [
    "EARTH_RADIUS_KM",
    "MIN_ROWS_PER_THREAD",
    "WGS84",
    "chunk_map",
    "densify_geodesic",
    "ecef_km",
    "geodesic_inverse",
    "geodesic_km",
    "line_length_km",
    "lon_span",
    "workers",
]

WGS84 = Geod(ellps="WGS84")

#: Fewer rows than this per thread are not worth a thread.
MIN_ROWS_PER_THREAD = 20_000

_T = TypeVar("_T")


def workers() -> int:
    """Threads the vectorised kernels may use.

    ``BORDERMAP_THREADS`` when set (1 turns threading off), else the CPUs this
    process may run on. The kernels hand threads only calls that release the
    GIL (GeographicLib via pyproj, k-d tree queries, large numpy and shapely
    operations), and every row is computed alone, so results do not depend
    on the count.

    Returns
    -------
    int
        At least 1.

    Examples
    --------
    >>> workers() >= 1
    True
    """
    stated = os.environ.get("BORDERMAP_THREADS", "").strip()
    if stated.isdigit() and int(stated) > 0:
        return int(stated)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def chunk_map(
    func: Callable[[slice], _T],
    n: int,
    *,
    max_rows: int | None = None,
    min_rows: int = MIN_ROWS_PER_THREAD,
) -> list[_T]:
    """Apply ``func`` to consecutive slices covering ``range(n)``, on threads.

    Parameters
    ----------
    func : callable
        Takes a ``slice`` of rows; should spend its time in calls that release
        the GIL.
    n : int
        Rows.
    max_rows : int, optional
        Largest slice (bounds memory); more slices than threads if need be.
    min_rows : int
        Smallest slice worth a thread of its own.

    Returns
    -------
    list
        ``func``'s results, in the order of the slices.

    Examples
    --------
    >>> chunk_map(lambda rows: (rows.start, rows.stop), 5, max_rows=2)
    [(0, 1), (1, 3), (3, 5)]
    >>> chunk_map(lambda rows: rows.stop - rows.start, 0)
    []
    """
    threads = max(1, min(workers(), n // max(min_rows, 1)))
    parts = -(-n // max_rows) if max_rows else 1
    parts = max(parts, threads) if n else 0
    bounds = np.linspace(0, n, parts + 1).astype(int)
    slices = [slice(int(a), int(b)) for a, b in itertools.pairwise(bounds)]
    if threads == 1 or len(slices) == 1:
        return [func(rows) for rows in slices]
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(func, slices))


def geodesic_km(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> np.ndarray:
    """Distance on the WGS84 ellipsoid, in kilometres.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : float or array_like
        Degrees (EPSG:4326, lon first); broadcast together.

    Returns
    -------
    numpy.ndarray
        Kilometres; NaN where any input is NaN.

    Examples
    --------
    >>> geodesic_km([0, 30], [0, 0], [1, 30], [0, 1]).round(1)
    array([111.3, 110.6])
    """
    return _inverse(lon1, lat1, lon2, lat2, back=False)[2] / 1000.0


def geodesic_inverse(
    lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Solve the inverse geodesic problem for arrays of point pairs.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : float or array_like
        Degrees; broadcast together.

    Returns
    -------
    forward_azimuth_deg, back_azimuth_deg, distance_m : numpy.ndarray
        Azimuths in degrees clockwise from north in (-180, 180], distance in metres.

    Examples
    --------
    >>> az, _, m = geodesic_inverse(0, 0, 0, 1)
    >>> float(az), round(float(m))
    (0.0, 110574)
    """
    return _inverse(lon1, lat1, lon2, lat2, back=True)


def _inverse(lon1, lat1, lon2, lat2, *, back: bool):
    """Inverse problem over broadcast arrays, on threads for large ones (back azimuth optional)."""
    arrays = np.broadcast_arrays(lon1, lat1, lon2, lat2)
    shape = arrays[0].shape
    # one contiguous copy each: pyproj writes its results into buffers of its own
    flat = [np.array(a, dtype="float64").ravel() for a in arrays]

    def solve(rows: slice):
        return WGS84.inv(*(a[rows] for a in flat), return_back_azimuth=back)

    parts = chunk_map(solve, flat[0].size)
    if not parts:
        return tuple(np.empty(shape) for _ in range(3))
    return tuple(np.concatenate([np.asarray(p[i]) for p in parts]).reshape(shape) for i in range(3))


def line_length_km(geometry) -> float:
    """Geodesic length of a (multi)line in kilometres, edges taken as geodesics.

    Parameters
    ----------
    geometry : shapely LineString or MultiLineString
        Coordinates in degrees, EPSG:4326.

    Returns
    -------
    float

    Examples
    --------
    >>> from shapely import LineString
    >>> round(line_length_km(LineString([(0, 0), (1, 0)])), 3)
    111.319
    """
    return WGS84.geometry_length(geometry) / 1000.0


_A_KM = 6378.137
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)
EARTH_RADIUS_KM = 6371.0088


def ecef_km(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """Earth-centred, Earth-fixed coordinates of points on the WGS84 ellipsoid, in km.

    Straight-line (chord) distances between these vectors rank nearby points
    almost exactly as geodesic distances do, which makes them a fast index key.

    Parameters
    ----------
    lon, lat : array_like
        Degrees.

    Returns
    -------
    numpy.ndarray
        Shape ``(..., 3)``.

    Examples
    --------
    >>> ecef_km(0, 0).round(3)
    array([6378.137,    0.   ,    0.   ])
    """
    lam = np.radians(np.asarray(lon, dtype="float64"))
    phi = np.radians(np.asarray(lat, dtype="float64"))
    sin_phi = np.sin(phi)
    n = _A_KM / np.sqrt(1 - _E2 * sin_phi**2)
    cos_phi = np.cos(phi)
    return np.stack(
        [n * cos_phi * np.cos(lam), n * cos_phi * np.sin(lam), n * (1 - _E2) * sin_phi], axis=-1
    )


def densify_geodesic(
    lon: np.ndarray, lat: np.ndarray, max_edge_km: float
) -> tuple[np.ndarray, np.ndarray]:
    """Insert points along each geodesic edge longer than ``max_edge_km``.

    The inserted points lie exactly on the WGS84 geodesic between the two
    vertices, so a long edge is read as a geodesic, not as a straight line in
    longitude and latitude.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Vertices of one line, degrees.
    max_edge_km : float
        Longest edge allowed in the result.

    Returns
    -------
    lon, lat : numpy.ndarray

    Examples
    --------
    >>> x, y = densify_geodesic(np.array([0.0, 10.0]), np.array([60.0, 60.0]), 100)
    >>> len(x), bool(y[len(y) // 2] > 60.0)
    (7, True)
    """
    lon, lat = np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")
    if len(lon) < 2:
        return lon, lat
    _, _, metres = WGS84.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    counts = np.ceil(np.asarray(metres) / 1000.0 / max_edge_km).astype(int)
    out_lon, out_lat, start = [], [], 0
    for i in np.flatnonzero(counts > 1):
        out_lon.append(lon[start : i + 1])
        out_lat.append(lat[start : i + 1])
        between = np.asarray(WGS84.npts(lon[i], lat[i], lon[i + 1], lat[i + 1], counts[i] - 1))
        out_lon.append(between[:, 0])
        out_lat.append(between[:, 1])
        start = i + 1
    out_lon.append(lon[start:])
    out_lat.append(lat[start:])
    return np.concatenate(out_lon), np.concatenate(out_lat)


def geodetic_from_ecef(xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude of ECEF points (km) near the ellipsoid surface.

    Uses Bowring's formula, which is accurate to well under a millimetre for
    points within a few kilometres of the surface.

    Parameters
    ----------
    xyz : numpy.ndarray
        Shape ``(..., 3)``, kilometres.

    Returns
    -------
    lon, lat : numpy.ndarray
        Degrees.

    Examples
    --------
    >>> lon, lat = geodetic_from_ecef(ecef_km([61.5, -170.0], [27.25, 65.0]))
    >>> lon.round(9).tolist(), lat.round(9).tolist()
    ([61.5, -170.0], [27.25, 65.0])
    """
    x, y, z = xyz[..., 0], xyz[..., 1], xyz[..., 2]
    b = _A_KM * (1 - _F)
    ep2 = (_A_KM**2 - b**2) / b**2
    p = np.hypot(x, y)
    theta = np.arctan2(z * _A_KM, p * b)
    lat = np.arctan2(z + ep2 * b * np.sin(theta) ** 3, p - _E2 * _A_KM * np.cos(theta) ** 3)
    return np.degrees(np.arctan2(y, x)), np.degrees(lat)


def lon_span(lon) -> tuple[float, float]:
    """West and east of the shortest arc holding the longitudes (``west <= east``).

    East may exceed 180 when the arc crosses the antimeridian.

    Examples
    --------
    >>> lon_span([179.0, -179.0, 178.5])
    (178.5, 181.0)
    >>> lon_span([10.0, 20.0])
    (10.0, 20.0)
    """
    lon = np.sort(np.mod(np.asarray(lon, dtype="float64") + 180.0, 360.0) - 180.0)
    if len(lon) == 0:
        return (0.0, 0.0)
    gaps = np.diff(np.append(lon, lon[0] + 360.0))
    i = int(np.argmax(gaps))
    if i == len(lon) - 1:  # the widest gap wraps round: no crossing
        return (float(lon[0]), float(lon[-1]))
    return (float(lon[i + 1]), float(lon[i] + 360.0))
