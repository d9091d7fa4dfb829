"""Surfaces on a :class:`~geo.raster.grid.Grid`: geodesic distance and kernel density.

Distances are exact geodesics on WGS84 from
:func:`geo.proximity.distance_to_line_km`; kernel widths are measured the same
way, so a 25 km kernel is 25 km wide at any latitude and in any direction.

Examples
--------
>>> from geo.raster.grid import Grid
>>> grid = Grid.covering((61.0, 27.0, 61.2, 27.2), 0.1)
>>> dens = density_km2(grid, [61.05], [27.15], bandwidth_km=10)
>>> dens.shape, bool(dens[0, 0] > dens[1, 1])
((2, 2), True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import ArrayLike

from geo.errors import ParameterError
from geo.proximity import distance_to_line_km
from geo.raster.grid import Grid
from geo.raster.kernel import kernel_density

__all__ = ["density_km2", "distance_km"]


def _line(border: gpd.GeoDataFrame | shapely.Geometry) -> shapely.Geometry:
    if isinstance(border, gpd.GeoDataFrame):
        return shapely.union_all(border.to_crs(4326).geometry.to_numpy())
    return border


def distance_km(
    grid: Grid,
    border: gpd.GeoDataFrame | shapely.Geometry,
    *,
    signed_by: Sequence[shapely.Geometry] | None = None,
) -> np.ndarray:
    """Geodesic distance in km from every cell centre to the border.

    Parameters
    ----------
    grid : Grid
    border : GeoDataFrame or shapely (Multi)LineString
        EPSG:4326.
    signed_by : (polygon_a, polygon_b), optional
        Make distances positive inside ``polygon_a``, negative inside
        ``polygon_b`` and NaN elsewhere.

    Returns
    -------
    numpy.ndarray
        Shape ``(height, width)``, float64, north row first.
    """
    lon, lat = grid.mesh()
    dist = np.asarray(distance_to_line_km(lon.ravel(), lat.ravel(), _line(border))[0], float)
    dist = dist.reshape(grid.height, grid.width)
    if signed_by is None:
        return dist
    a, b = signed_by
    in_a = shapely.contains_xy(a, lon, lat)
    in_b = shapely.contains_xy(b, lon, lat) & ~in_a
    return np.where(in_a, dist, np.where(in_b, -dist, np.nan))


def _points(lon: ArrayLike, lat: ArrayLike, weights: ArrayLike | None):
    """Finite points with a finite non-zero weight, as float64 arrays."""
    lon = np.asarray(lon, dtype="float64").ravel()
    lat = np.asarray(lat, dtype="float64").ravel()
    w = np.ones_like(lon) if weights is None else np.asarray(weights, dtype="float64").ravel()
    keep = np.isfinite(lon) & np.isfinite(lat) & np.isfinite(w) & (w != 0)
    return lon[keep], lat[keep], w[keep]


def density_km2(
    grid: Grid,
    lon: ArrayLike,
    lat: ArrayLike,
    *,
    bandwidth_km: float,
    weights: ArrayLike | None = None,
    cutoff: float = 4.0,
) -> np.ndarray:
    """Gaussian kernel density of points, per km², with geodesic kernel distances.

    Each point spreads its weight as ``exp(-d²/2h²)``, where ``d`` is the
    geodesic distance (km) on WGS84 and ``h`` is ``bandwidth_km``, cut at
    ``cutoff * h`` and scaled so that it integrates to the point's weight
    over the cells' ellipsoidal areas. The points are first shared among the
    four cell centres around them (bilinear), then convolved row by row with
    a stencil of exact geodesics for that row's latitude
    (:mod:`geo.raster.kernel`): the cost grows with the rows holding points
    times the cells within reach, not with points times cells. Integrated
    over cell areas, the surface sums to the total weight of the points
    inside the grid (less what falls beyond its edges).

    Parameters
    ----------
    grid : Grid
    lon, lat : array_like
        Points, degrees.
    bandwidth_km : float
        Kernel standard deviation ``h``.
    weights : array_like, optional
        Weight of each point (default 1).
    cutoff : float
        Kernel radius in bandwidths.

    Returns
    -------
    numpy.ndarray
        Shape ``(height, width)``, per km², north row first.

    Raises
    ------
    ParameterError
        For a ``bandwidth_km`` or ``cutoff`` that is not a positive number.
    """
    if not (bandwidth_km > 0 and math.isfinite(bandwidth_km)):
        raise ParameterError("bandwidth_km", f"must be > 0: {bandwidth_km}")
    if not (cutoff > 0 and math.isfinite(cutoff)):
        raise ParameterError("cutoff", f"must be > 0: {cutoff}")
    lon, lat, w = _points(lon, lat, weights)
    if lon.size == 0:
        return np.zeros((grid.height, grid.width))
    return kernel_density(grid, lon, lat, w, bandwidth_km=bandwidth_km, cutoff=cutoff)
