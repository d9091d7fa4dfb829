"""The three raster products: geodesic distance, event density, PRIO-GRID cells.

Each writer takes the :class:`~geo.theatre.Theatre` and opens the same way
(:func:`_open`: refuse an existing file, take the theatre's bounds unless
given, gather the provenance tags), computes its bands and writes one
Cloud-Optimized GeoTIFF with :func:`~geo.raster.cog.write_cog`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np

from geo import layers
from geo.errors import InputError, ParameterError
from geo.io.atomic import check_out
from geo.raster.cog import Band, write_cog
from geo.raster.grid import Grid
from geo.raster.outputs import raster_format
from geo.raster.priogrid import CELL_DEG, priogrid_cells
from geo.raster.surfaces import density_km2, distance_km
from geo.theatre import Theatre, as_theatre

__all__ = ["PYTHON_API", "density_raster", "distance_raster", "priogrid_raster"]

#: What the provenance records as the command line when the library is called directly.
PYTHON_API = "Python API"

_WEIGHTS = ("count", "fatalities")


@dataclass(frozen=True)
class _Job:
    """An output file being made: where, for which theatre, over which area, with which tags."""

    path: Path
    theatre: Theatre
    bounds: tuple[float, ...]
    tags: dict[str, str]
    overwrite: bool

    def grid(self, res: float) -> Grid:
        """Build the grid of cell size ``res`` over the job's bounds; refuse one too large."""
        grid = Grid.covering(self.bounds, res)
        grid.check_size()
        return grid

    def write(self, bands: Sequence[Band], grid: Grid, **kwargs) -> Path:
        """Write the bands with the job's tags."""
        return write_cog(self.path, bands, grid, tags=self.tags, overwrite=self.overwrite, **kwargs)


def _open(
    out: Path | str,
    theatre: Theatre | str | None,
    *,
    bounds: Sequence[float] | None,
    overwrite: bool,
    command: str | None,
    **tags: str,
) -> _Job:
    """Open every writer the same way: check ``out``, settle bounds and provenance."""
    path = Path(out)
    if raster_format(path) != "cog":  # never a GeoTIFF under another format's name
        raise ParameterError("out", f"{path}: a GeoTIFF is written to .tif or .tiff")
    check_out(path, overwrite)
    theatre = as_theatre(theatre)
    area = tuple(float(v) for v in (bounds if bounds is not None else theatre.bounds))
    provenance = {"BORDER_PAIR": theatre.pair, **tags, "COMMAND_LINE": command or PYTHON_API}
    return _Job(path, theatre, area, provenance, overwrite)


def distance_raster(
    out: Path | str,
    theatre: Theatre | str | None = None,
    *,
    res: float = 0.01,
    bounds: Sequence[float] | None = None,
    signed: bool = False,
    overwrite: bool = False,
    command: str | None = None,
) -> Path:
    """GeoTIFF of geodesic distance (km) from each cell centre to the theatre's border.

    Parameters
    ----------
    out : path-like
        Output ``.tif``.
    theatre : Theatre or str, optional
        The border (a pair such as ``'IRN-PAK'`` builds one; default theatre if None).
    res : float
        Cell size in degrees.
    bounds : (west, south, east, north), optional
        Default: ``theatre.bounds``.
    signed : bool
        Positive in the theatre's first country, negative in the second,
        nodata outside both (embedded pairs only).
    overwrite : bool
        Replace an existing file.
    command : str, optional
        Command line for the file's metadata (default ``"Python API"``).

    Returns
    -------
    pathlib.Path
        ``out``, one band of km (NaN outside the land for ``signed``).

    Raises
    ------
    ParameterError
        For a bad ``res`` or ``bounds``, or ``signed`` with a user's line.
    OutputExistsError
        If ``out`` exists and ``overwrite`` is not set.
    """
    job = _open(
        out,
        theatre,
        bounds=bounds,
        overwrite=overwrite,
        command=command,
        METHOD="exact WGS84 geodesic from cell centres (GeographicLib)",
    )
    theatre = job.theatre
    if signed and not theatre.embedded:
        raise ParameterError("signed", "needs an embedded pair; a user's line has no countries")
    grid = job.grid(res)
    desc = f"geodesic distance to the {theatre.pair} border"
    sides = None
    if signed:
        a, b = theatre.countries
        land = layers.countries([a, b]).set_index("iso3").geometry
        sides = (land[a], land[b])
        desc += f", positive in {a}, negative in {b}"
    values = distance_km(grid, theatre.line, signed_by=sides)
    return job.write([Band(values, desc, "km")], grid)


def _weights(events: gpd.GeoDataFrame, weight: str) -> np.ndarray | None:
    if weight not in _WEIGHTS:
        raise ParameterError("weight", f"{weight!r}; choose count or fatalities")
    if weight == "count":
        return None
    if "fatalities" not in events:
        raise InputError("events", None, "fatalities", "column needed to weigh by fatalities")
    return np.nan_to_num(events["fatalities"].to_numpy(dtype="float64"))


def density_raster(
    out: Path | str,
    events: gpd.GeoDataFrame,
    theatre: Theatre | str | None = None,
    *,
    bandwidth_km: float = 25.0,
    res: float = 0.02,
    bounds: Sequence[float] | None = None,
    weight: str = "count",
    overwrite: bool = False,
    command: str | None = None,
) -> Path:
    """GeoTIFF of kernel density of events per 1000 km², geodesic kernel.

    Parameters
    ----------
    out, theatre, res, bounds, overwrite, command
        As for :func:`distance_raster`; ``theatre`` gives the default area.
    events : GeoDataFrame
        Points in EPSG:4326 (raw or analysed).
    bandwidth_km : float
        Gaussian kernel standard deviation.
    weight : {'count', 'fatalities'}
        Weigh each event by 1 or by its fatalities.

    Returns
    -------
    pathlib.Path
        ``out``, one band of density per 1000 km².

    Raises
    ------
    ParameterError
        For a bad ``res``, ``bounds``, ``bandwidth_km`` or ``weight``.
    """
    job = _open(
        out,
        theatre,
        bounds=bounds,
        overwrite=overwrite,
        command=command,
        BANDWIDTH_KM=f"{bandwidth_km:g}",
        KERNEL="Gaussian on WGS84 geodesic distance, cut at 4 bandwidths, renormalised",
        EVENTS=str(len(events)),
    )
    weights = _weights(events, weight)
    grid = job.grid(res)
    pts = events.to_crs(4326).geometry
    dens = density_km2(grid, pts.x, pts.y, bandwidth_km=bandwidth_km, weights=weights) * 1000.0
    what = "events" if weight == "count" else "fatalities"
    desc = f"kernel density of {what}, bandwidth {bandwidth_km:g} km"
    return job.write([Band(dens, desc, f"{what}/1000 km2")], grid)


def priogrid_raster(
    out: Path | str,
    events: gpd.GeoDataFrame | None,
    theatre: Theatre | str | None = None,
    *,
    bounds: Sequence[float] | None = None,
    overwrite: bool = False,
    command: str | None = None,
) -> tuple[Path, gpd.GeoDataFrame]:
    """GeoTIFF of PRIO-GRID cells: bands gid, events, fatalities, bdist.

    Parameters
    ----------
    out, overwrite, command
        As for :func:`distance_raster`.
    events : GeoDataFrame or None
        Points in EPSG:4326 with ``fatalities``.
    theatre : Theatre or str, optional
        The border ``bdist`` measures to.
    bounds : (west, south, east, north), optional
        Default: ``theatre.bounds`` grown to take in every event.

    Returns
    -------
    (pathlib.Path, GeoDataFrame)
        The file and the cells (the same as the GeoPackage ``priogrid`` layer).
    """
    job = _open(
        out,
        theatre,
        bounds=bounds,
        overwrite=overwrite,
        command=command,
        GRID="PRIO-GRID 0.5 degree, gid 1 at 90S 180W",
    )
    cells = priogrid_cells(events, job.theatre.line, bounds=job.bounds, cover_events=bounds is None)
    half = CELL_DEG / 2
    x, y = cells["xcoord"], cells["ycoord"]
    grid = Grid.covering((x.min() - half, y.min() - half, x.max() + half, y.max() + half), CELL_DEG)
    r = np.rint((grid.north - y.to_numpy()) / CELL_DEG - 0.5).astype(int)
    c = np.rint((x.to_numpy() - grid.west) / CELL_DEG - 0.5).astype(int)

    def plane(column: str) -> np.ndarray:
        arr = np.full((grid.height, grid.width), np.nan)
        arr[r, c] = cells[column].to_numpy(dtype="float64")
        return arr

    pair = job.theatre.pair
    bands = [
        Band(plane("gid"), "PRIO-GRID gid", "1"),
        Band(plane("events"), "events in cell", "count"),
        Band(plane("fatalities"), "fatalities in cell", "count"),
        Band(plane("bdist"), f"bdist: geodesic km from cell centre to the {pair} border", "km"),
    ]
    return job.write(bands, grid, dtype="float64"), cells
