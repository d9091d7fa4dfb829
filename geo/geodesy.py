"""Distances and azimuths on the WGS84 ellipsoid (pyproj's GeographicLib port)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from pyproj import Geod

__all__ = ["WGS84", "geodesic_inverse", "geodesic_km", "line_length_km"]

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
