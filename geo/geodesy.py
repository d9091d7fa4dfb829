"""Distances and azimuths on the WGS84 ellipsoid (pyproj's GeographicLib port)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from pyproj import Geod

__all__ = [
    "EARTH_RADIUS_KM",
    "WGS84",
    "densify_geodesic",
    "ecef_km",
    "geodesic_inverse",
    "geodesic_km",
    "line_length_km",
    "lon_span",
]

WGS84 = Geod(ellps="WGS84")


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
    return geodesic_inverse(lon1, lat1, lon2, lat2)[2] / 1000.0


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
    arrays = np.broadcast_arrays(lon1, lat1, lon2, lat2)
    shape = arrays[0].shape
    flat = [np.array(a, dtype="float64").ravel() for a in arrays]
    az12, az21, dist = WGS84.inv(*flat)
    return (
        np.asarray(az12).reshape(shape),
        np.asarray(az21).reshape(shape),
        np.asarray(dist).reshape(shape),
    )


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
