"""The grid every raster is computed on: square cells in degrees, EPSG:4326.

Examples
--------
>>> g = Grid.covering((60.81, 25.0, 61.0, 25.2), 0.1)
>>> g.west, g.east, g.width, g.height
(60.8, 61.0, 2, 2)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from affine import Affine

from geo.errors import ParameterError

__all__ = ["MAX_CELLS", "Grid"]

#: Largest grid bordermap will compute (cells), about 1.6 GB of float64 work arrays.
MAX_CELLS = 50_000_000


@dataclass(frozen=True)
class Grid:
    """A north-up grid of square cells in degrees (EPSG:4326)."""

    west: float
    south: float
    east: float
    north: float
    res: float

    @classmethod
    def covering(cls, bounds: Sequence[float], res: float) -> Grid:
        """Build the grid of cell size ``res``, edges on multiples of ``res``, around ``bounds``.

        Parameters
        ----------
        bounds : (west, south, east, north)
            Degrees.
        res : float
            Cell size in degrees.

        Returns
        -------
        Grid

        Raises
        ------
        ParameterError
            For an empty or inverted box (``bounds``), or a non-positive ``res``.

        Examples
        --------
        >>> Grid.covering((0, 0, 1, 1), 0)
        Traceback (most recent call last):
        ...
        geo.errors.ParameterError: res: must be a positive number of degrees: 0
        """
        w, s, e, n = (float(v) for v in bounds)
        if not (res > 0 and math.isfinite(res)):
            raise ParameterError("res", f"must be a positive number of degrees: {res}")
        if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
            raise ParameterError(
                "bounds", f"need west < east and south < north in degrees: {bounds}"
            )
        eps = 1e-9
        snap = [
            math.floor(w / res + eps) * res,
            math.floor(s / res + eps) * res,
            math.ceil(e / res - eps) * res,
            math.ceil(n / res - eps) * res,
        ]
        w, s, e, n = (round(v, 10) for v in snap)
        return cls(max(w, -180.0), max(s, -90.0), min(e, 180.0), min(n, 90.0), float(res))

    @property
    def width(self) -> int:
        """Number of columns."""
        return round((self.east - self.west) / self.res)

    @property
    def height(self) -> int:
        """Number of rows."""
        return round((self.north - self.south) / self.res)

    @property
    def transform(self) -> Affine:
        """Affine transform from (col, row) to (lon, lat) of the top-left corner."""
        return Affine(self.res, 0.0, self.west, 0.0, -self.res, self.north)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(west, south, east, north)``."""
        return (self.west, self.south, self.east, self.north)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Cell-centre longitudes (west to east) and latitudes (north to south), 1-D.

        Examples
        --------
        >>> Grid(0, 0, 1, 1, 0.5).centres()
        (array([0.25, 0.75]), array([0.75, 0.25]))
        """
        lon = self.west + (np.arange(self.width) + 0.5) * self.res
        lat = self.north - (np.arange(self.height) + 0.5) * self.res
        return lon, lat

    def mesh(self) -> tuple[np.ndarray, np.ndarray]:
        """Cell-centre longitude and latitude arrays of shape ``(height, width)``."""
        lon, lat = self.centres()
        return np.meshgrid(lon, lat)

    def check_size(self) -> None:
        """Refuse grids larger than :data:`MAX_CELLS` (a :class:`ParameterError` on ``res``)."""
        if self.width * self.height > MAX_CELLS:
            raise ParameterError(
                "res",
                f"{self.width} x {self.height} cells is too many; coarsen it or shrink the bounds",
            )
