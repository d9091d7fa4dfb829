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
from geo.geodesy import geodesic_km
from geo.proximity import distance_to_line_km
from geo.raster.grid import Grid

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


def _window(grid: Grid, lat: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """Row and column offsets of the cells a kernel of ``radius`` km can reach."""
    # A degree of latitude is at least 110.57 km; a degree of longitude at
    # latitude phi at least 111.32 cos(phi) km: these windows hold the kernel.
    half_rows = math.ceil(radius / 110.57 / grid.res) + 1
    max_lat = min(np.abs(lat).max() + radius / 110.57, 89.0)
    half_cols = math.ceil(radius / (111.32 * math.cos(math.radians(max_lat))) / grid.res) + 1
    dr, dc = np.meshgrid(np.arange(-half_rows, half_rows + 1), np.arange(-half_cols, half_cols + 1))
    return dr.ravel(), dc.ravel()


def density_km2(
    grid: Grid,
    lon: ArrayLike,
    lat: ArrayLike,
    *,
    bandwidth_km: float,
    weights: ArrayLike | None = None,
    cutoff: float = 4.0,
    chunk_pairs: int = 4_000_000,
) -> np.ndarray:
    """Gaussian kernel density of points, per km², with geodesic kernel distances.

    Each point spreads its weight as ``exp(-d²/2h²) / (2πh²)`` where ``d`` is
    the geodesic distance (km) from the point to a cell centre and ``h`` is
    ``bandwidth_km``; the kernel is cut at ``cutoff * h`` and rescaled so each
    point still carries its whole weight. Integrated over cell areas, the
    surface sums to the total weight of the points inside the grid.

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
    chunk_pairs : int
        Point-cell pairs evaluated per batch (memory bound).

    Returns
    -------
    numpy.ndarray
        Shape ``(height, width)``, per km², north row first.

    Raises
    ------
    ParameterError
        For a ``bandwidth_km`` that is not a positive number.
    """
    if not (bandwidth_km > 0 and math.isfinite(bandwidth_km)):
        raise ParameterError("bandwidth_km", f"must be > 0: {bandwidth_km}")
    lon, lat, w = _points(lon, lat, weights)
    out = np.zeros(grid.height * grid.width, dtype="float64")
    if lon.size == 0:
        return out.reshape(grid.height, grid.width)
    radius = cutoff * bandwidth_km
    dr, dc = _window(grid, lat, radius)
    row0 = np.floor((grid.north - lat) / grid.res).astype("int64")
    col0 = np.floor((lon - grid.west) / grid.res).astype("int64")
    mass = 1.0 - math.exp(-0.5 * cutoff**2)
    norm = w / (2 * math.pi * bandwidth_km**2 * mass)
    per = max(1, chunk_pairs // dr.size)
    for start in range(0, lon.size, per):
        sl = slice(start, start + per)
        rows = row0[sl, None] + dr[None, :]
        cols = col0[sl, None] + dc[None, :]
        inside = (rows >= 0) & (rows < grid.height) & (cols >= 0) & (cols < grid.width)
        pt = np.broadcast_to(np.arange(lon[sl].size)[:, None], rows.shape)[inside]
        rows, cols = rows[inside], cols[inside]
        clon = grid.west + (cols + 0.5) * grid.res
        clat = grid.north - (rows + 0.5) * grid.res
        d = geodesic_km(lon[sl][pt], lat[sl][pt], clon, clat)
        k = np.where(d <= radius, np.exp(-0.5 * (d / bandwidth_km) ** 2), 0.0) * norm[sl][pt]
        np.add.at(out, rows * grid.width + cols, k)
    return out.reshape(grid.height, grid.width)
