"""Kernel density on a degree grid with a Gaussian of geodesic distance, by convolution.

On a grid of square degree cells the geodesic distance between two cell
centres depends only on their two latitudes and the difference of their
longitudes. So one *stencil* per grid row (the kernel's weight at every row
and column offset within reach of that row's centres) holds for every cell of
the row, whatever its longitude. Density then takes three steps:

1. spread each point's weight over the four cell centres around it
   (bilinear, "cloud in cell": the total and the centre of mass are kept);
2. build the stencil of every row that received weight, from exact WGS84
   geodesics, and normalise it so that, summed over the true (ellipsoidal)
   areas of the cells it covers, it integrates to one;
3. convolve each such row along longitude with its stencil (FFT) and add the
   result to the rows it reaches.

The cost grows with (rows holding events) x (cells within reach of a row) plus
the number of events, never events x cells. Points outside the grid but within
reach of it still count, through a margin as wide as the kernel.

Examples
--------
>>> area = cell_areas_km2(np.array([0.0, 60.0]), 1.0)
>>> area.round(0).tolist()  # a 1-degree cell at the equator and at 60 degrees north
[12309.0, 6217.0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from geo.geodesy import ecef_km, geodesic_km
from geo.raster.grid import Grid

__all__ = ["cell_areas_km2", "kernel_density", "stencil"]

_A_KM = 6378.137
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)
_B_KM = _A_KM * (1 - _F)
# Shortest degree of latitude (at the equator) and longest degree of longitude
# per cos(latitude) on WGS84, in km: windows sized with them hold the kernel.
_KM_PER_DEG_LAT_MIN = 110.574
_KM_PER_DEG_LON_MAX = 111.3195
# Columns never reach farther than at this latitude (1 degree of longitude ~ 1.9 km).
_MAX_LAT_FOR_WIDTH = 89.0
# Relative size of FFT round-off, below anything a kernel within its cut-off gives.
_ROUND_OFF = 1e-12


def _authalic_term(lat_deg: np.ndarray) -> np.ndarray:
    """Term whose difference between two latitudes gives a band's area on the ellipsoid."""
    s = np.sin(np.radians(np.clip(lat_deg, -90.0, 90.0)))
    e = math.sqrt(_E2)
    return s / (1 - _E2 * s**2) + np.log((1 + e * s) / (1 - e * s)) / (2 * e)


def cell_areas_km2(lat_centre: np.ndarray, res: float) -> np.ndarray:
    """Area on the WGS84 ellipsoid of a ``res``-degree cell centred at each latitude.

    Parameters
    ----------
    lat_centre : numpy.ndarray
        Cell-centre latitudes, degrees; cells are clipped at the poles.
    res : float
        Cell size in degrees.

    Returns
    -------
    numpy.ndarray
        km², same shape as ``lat_centre``.
    """
    lat = np.asarray(lat_centre, dtype="float64")
    band = _authalic_term(lat + res / 2) - _authalic_term(lat - res / 2)
    return _B_KM**2 * math.radians(res) / 2 * band


def _half_rows(radius_km: float, res: float) -> int:
    return math.ceil(radius_km / _KM_PER_DEG_LAT_MIN / res) + 1


def _half_cols(lat: float, radius_km: float, res: float) -> int:
    """Columns a kernel centred at latitude ``lat`` can reach on either side."""
    reach = min(abs(lat) + radius_km / _KM_PER_DEG_LAT_MIN, _MAX_LAT_FOR_WIDTH)
    km_per_col = _KM_PER_DEG_LON_MAX * math.cos(math.radians(reach)) * res
    return min(math.ceil(radius_km / km_per_col) + 1, math.ceil(360.0 / res))


def stencil(lat: float, res: float, bandwidth_km: float, cutoff: float) -> np.ndarray:
    """Normalised Gaussian kernel of geodesic distance around a cell centre at ``lat``.

    Parameters
    ----------
    lat : float
        Latitude of the centre cell, degrees.
    res : float
        Cell size, degrees.
    bandwidth_km : float
        Gaussian standard deviation ``h``, km.
    cutoff : float
        The kernel is zero beyond ``cutoff * h`` km.

    Returns
    -------
    numpy.ndarray
        Shape ``(2R + 1, 2C + 1)``, row offsets north to south and column
        offsets west to east, centre at ``[R, C]``; per km², scaled so that
        its sum weighted by the cells' ellipsoidal areas is exactly 1.

    Examples
    --------
    >>> k = stencil(60.0, 0.1, 10.0, 4.0)
    >>> rows = 60.0 - (np.arange(k.shape[0]) - k.shape[0] // 2) * 0.1
    >>> round(float((k * cell_areas_km2(rows, 0.1)[:, None]).sum()), 12)
    1.0
    >>> bool(k.shape[1] > k.shape[0])  # a degree of longitude is short at 60N
    True
    """
    radius = cutoff * bandwidth_km
    half_r, half_c = _half_rows(radius, res), _half_cols(lat, radius, res)
    rows = lat - np.arange(-half_r, half_r + 1) * res
    cols = np.arange(0, half_c + 1) * res  # east half; the west half is its mirror
    on_earth = np.abs(rows) <= 90.0
    t_lat, t_lon = np.meshgrid(np.clip(rows, -90.0, 90.0), cols, indexing="ij")
    # a chord is never longer than the geodesic: beyond the radius by chord, skip the geodesic
    chord = np.linalg.norm(ecef_km(t_lon, t_lat) - ecef_km(0.0, lat), axis=-1)
    near = (chord <= radius) & on_earth[:, None]
    d = np.full(t_lat.shape, np.inf)
    d[near] = geodesic_km(0.0, lat, t_lon[near], t_lat[near])
    east = np.where(d <= radius, np.exp(-0.5 * (d / bandwidth_km) ** 2), 0.0)
    kernel = np.concatenate([east[:, :0:-1], east], axis=1)
    mass = (kernel * cell_areas_km2(np.where(on_earth, rows, 0.0), res)[:, None]).sum()
    return kernel / mass


@dataclass(frozen=True)
class _Margin:
    """The grid grown by the kernel's reach, where events are spread before convolving."""

    grid: Grid
    rows: int
    cols: int

    @property
    def north(self) -> float:
        return self.grid.north + self.rows * self.grid.res

    @property
    def west(self) -> float:
        return self.grid.west - self.cols * self.grid.res

    @property
    def shape(self) -> tuple[int, int]:
        return self.grid.height + 2 * self.rows, self.grid.width + 2 * self.cols


def _margin(grid: Grid, radius_km: float) -> _Margin:
    edge = max(abs(grid.south), abs(grid.north))
    rows = _half_rows(radius_km, grid.res) + 1
    cols = _half_cols(edge, radius_km, grid.res) + 1
    return _Margin(grid, rows, cols)


def _spread(margin: _Margin, lon: np.ndarray, lat: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Share each point's weight among the four cell centres around it (bilinear)."""
    res = margin.grid.res
    # a point within half a cell of a pole goes to the last row of centres before it
    lat = np.clip(lat, -90.0 + res / 2, 90.0 - res / 2)
    fr = (margin.north - lat) / res - 0.5
    fc = (lon - margin.west) / res - 0.5
    r0, c0 = np.floor(fr).astype("int64"), np.floor(fc).astype("int64")
    tr, tc = fr - r0, fc - c0
    height, width = margin.shape
    binned = np.zeros(height * width)
    for dr, dc, share in (
        (0, 0, (1 - tr) * (1 - tc)),
        (0, 1, (1 - tr) * tc),
        (1, 0, tr * (1 - tc)),
        (1, 1, tr * tc),
    ):
        r, c = r0 + dr, c0 + dc
        # beyond the margin a point is out of reach of every cell of the grid
        ok = (r >= 0) & (r < height) & (c >= 0) & (c < width)
        binned += np.bincount(r[ok] * width + c[ok], weights=(w * share)[ok], minlength=binned.size)
    return binned.reshape(height, width)


def _convolve_rows(row: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Full 1-D convolution of ``row`` with each row of ``kernel``, by FFT."""
    size = row.size + kernel.shape[1] - 1
    n = 1 << (size - 1).bit_length()
    spectrum = np.fft.rfft(row, n) * np.fft.rfft(kernel, n, axis=1)
    return np.fft.irfft(spectrum, n, axis=1)[:, :size]


def kernel_density(
    grid: Grid,
    lon: np.ndarray,
    lat: np.ndarray,
    weights: np.ndarray,
    *,
    bandwidth_km: float,
    cutoff: float,
) -> np.ndarray:
    """Density per km² of weighted points, Gaussian kernel of geodesic distance.

    Parameters
    ----------
    grid : Grid
    lon, lat, weights : numpy.ndarray
        Finite points (degrees) and their weights.
    bandwidth_km : float
        Gaussian standard deviation, km.
    cutoff : float
        Kernel radius in bandwidths.

    Returns
    -------
    numpy.ndarray
        Shape ``(height, width)``, north row first. Each point inside the grid
        and farther than ``cutoff`` bandwidths from its edge contributes
        exactly its weight to the area integral.
    """
    radius = cutoff * bandwidth_km
    margin = _margin(grid, radius)
    binned = _spread(margin, lon, lat, weights)
    out = np.zeros((grid.height, grid.width))
    for i in np.flatnonzero(binned.any(axis=1)):
        row_lat = margin.north - (i + 0.5) * grid.res
        kernel = stencil(row_lat, grid.res, bandwidth_km, cutoff)
        half_r, half_c = kernel.shape[0] // 2, kernel.shape[1] // 2
        top = i - half_r - margin.rows  # grid row of the stencil's first row
        first, last = max(0, -top), min(kernel.shape[0], grid.height - top)
        if first >= last:
            continue
        spread = _convolve_rows(binned[i], kernel[first:last])
        start = half_c + margin.cols
        out[top + first : top + last] += spread[:, start : start + grid.width]
    # FFT round-off leaves about 1e-16 of the peak where no kernel reaches: make that 0,
    # since the smallest true value, at the cut, is exp(-cutoff**2 / 2) of a kernel's peak
    out[out < _ROUND_OFF * out.max(initial=0.0)] = 0.0
    return out
