"""Geodesic rasters: distance to a border, event density, PRIO-GRID cells.

Every surface is computed on a :class:`Grid` of cell centres in EPSG:4326 and
written by :func:`write_cog` as a Cloud-Optimized GeoTIFF with CRS, nodata,
band descriptions and units. Distances are exact geodesics on WGS84 from
:func:`geo.proximity.distance_to_line_km`; kernel widths are measured the same
way, so a 25 km kernel is 25 km wide at any latitude and in any direction.

Examples
--------
>>> g = Grid.covering((60.81, 25.0, 61.0, 25.2), 0.1)
>>> g.west, g.east, g.width, g.height
(60.8, 61.0, 2, 2)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from affine import Affine
from numpy.typing import ArrayLike

from geo import __version__
from geo.atomic import atomic_path
from geo.errors import InputError, OutputExistsError

__all__ = [
    "NODATA",
    "Band",
    "Grid",
    "density_km2",
    "density_raster",
    "distance_km",
    "distance_raster",
    "priogrid_raster",
    "theatre_bounds",
    "write_cog",
]

NODATA = -9999.0
#: Largest grid the CLI will compute (cells), about 1.6 GB of float64 work arrays.
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
        InputError
            For an empty or inverted box, or a non-positive resolution.
        """
        w, s, e, n = (float(v) for v in bounds)
        if not (res > 0 and math.isfinite(res)):
            raise InputError("--res", None, "res", f"must be a positive number of degrees: {res}")
        if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
            raise InputError(
                "--bounds",
                None,
                "bounds",
                f"need west < east and south < north in degrees: {bounds}",
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
        """Refuse grids larger than :data:`MAX_CELLS`."""
        if self.width * self.height > MAX_CELLS:
            raise InputError(
                "--res",
                None,
                "res",
                f"{self.width} x {self.height} cells is too many; coarsen --res or shrink --bounds",
            )


def theatre_bounds(pair: str = "IRN-PAK", pad_deg: float = 2.0) -> tuple[float, ...]:
    """Return the theatre of a border pair: the border's bounding box grown by ``pad_deg``.

    Examples
    --------
    >>> [round(v, 1) for v in theatre_bounds("IRN-PAK")]
    [58.9, 23.2, 65.3, 31.9]
    """
    from geo.layers import border

    w, s, e, n = border(pair).total_bounds
    return (float(w - pad_deg), float(s - pad_deg), float(e + pad_deg), float(n + pad_deg))


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
    from geo.proximity import distance_to_line_km

    lon, lat = grid.mesh()
    dist = np.asarray(distance_to_line_km(lon.ravel(), lat.ravel(), _line(border))[0], float)
    dist = dist.reshape(grid.height, grid.width)
    if signed_by is None:
        return dist
    a, b = signed_by
    in_a = shapely.contains_xy(a, lon, lat)
    in_b = shapely.contains_xy(b, lon, lat) & ~in_a
    return np.where(in_a, dist, np.where(in_b, -dist, np.nan))


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
    """
    from geo.geodesy import geodesic_km

    if not (bandwidth_km > 0 and math.isfinite(bandwidth_km)):
        raise InputError("--bandwidth-km", None, "bandwidth_km", f"must be > 0: {bandwidth_km}")
    lon = np.asarray(lon, dtype="float64").ravel()
    lat = np.asarray(lat, dtype="float64").ravel()
    w = np.ones_like(lon) if weights is None else np.asarray(weights, dtype="float64").ravel()
    keep = np.isfinite(lon) & np.isfinite(lat) & np.isfinite(w) & (w != 0)
    lon, lat, w = lon[keep], lat[keep], w[keep]
    out = np.zeros(grid.height * grid.width, dtype="float64")
    if lon.size == 0:
        return out.reshape(grid.height, grid.width)
    radius = cutoff * bandwidth_km
    # A degree of latitude is at least 110.57 km; a degree of longitude at
    # latitude phi at least 111.32 cos(phi) km: these windows hold the kernel.
    half_rows = math.ceil(radius / 110.57 / grid.res) + 1
    max_lat = min(np.abs(lat).max() + radius / 110.57, 89.0)
    half_cols = math.ceil(radius / (111.32 * math.cos(math.radians(max_lat))) / grid.res) + 1
    dr, dc = np.meshgrid(np.arange(-half_rows, half_rows + 1), np.arange(-half_cols, half_cols + 1))
    dr, dc = dr.ravel(), dc.ravel()
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


@dataclass(frozen=True)
class Band:
    """One raster band: values (north row first), description and unit."""

    values: np.ndarray
    description: str
    unit: str
    tags: dict[str, str] = field(default_factory=dict)


def write_cog(
    path: Path | str,
    bands: Sequence[Band],
    grid: Grid,
    *,
    dtype: str = "float32",
    tags: dict[str, str] | None = None,
    overwrite: bool = False,
) -> Path:
    """Write bands as a Cloud-Optimized GeoTIFF, atomically.

    NaN becomes :data:`NODATA`. The file has EPSG:4326, DEFLATE compression,
    internal overviews, band descriptions and units, and dataset tags.

    Parameters
    ----------
    path : path-like
        Output ``.tif``.
    bands : sequence of Band
        All of the grid's shape.
    grid : Grid
    dtype : str
        Numpy dtype of the file.
    tags : dict, optional
        Dataset metadata (source, command line...).
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    pathlib.Path
    """
    from rasterio.io import MemoryFile
    from rasterio.shutil import copy as rio_copy

    path = Path(path)
    if path.exists() and not overwrite:
        raise OutputExistsError(str(path))
    profile = {
        "driver": "GTiff",
        "width": grid.width,
        "height": grid.height,
        "count": len(bands),
        "dtype": dtype,
        "crs": "EPSG:4326",
        "transform": grid.transform,
        "nodata": NODATA,
    }
    all_tags = {"TOOL": f"bordermap {__version__}", **(tags or {})}
    with MemoryFile() as mem, mem.open(**profile) as ds:
        for i, band in enumerate(bands, start=1):
            values = np.where(np.isfinite(band.values), band.values, NODATA).astype(dtype)
            ds.write(values, i)
            ds.set_band_description(i, band.description)
            ds.set_band_unit(i, band.unit)
            ds.update_tags(i, UNITS=band.unit, **band.tags)
        ds.update_tags(**all_tags)
        with atomic_path(path, suffix=".tif") as tmp:
            rio_copy(
                ds,
                tmp,
                driver="COG",
                COMPRESS="DEFLATE",
                PREDICTOR="YES",
                BLOCKSIZE=256,
                OVERVIEW_RESAMPLING="AVERAGE" if dtype.startswith("float") else "NEAREST",
            )
    return path


def distance_raster(
    path: Path | str,
    *,
    pair: str = "IRN-PAK",
    res: float = 0.01,
    bounds: Sequence[float] | None = None,
    signed: bool = False,
    overwrite: bool = False,
    command: str | None = None,
) -> Path:
    """GeoTIFF of geodesic distance (km) from each cell centre to the border of ``pair``.

    Parameters
    ----------
    path : path-like
        Output ``.tif``.
    pair : str
        Border pair, such as ``'IRN-PAK'``.
    res : float
        Cell size in degrees.
    bounds : (west, south, east, north), optional
        Default: :func:`theatre_bounds`.
    signed : bool
        Positive in the pair's first country, negative in the second,
        nodata outside both.
    overwrite : bool
        Replace an existing file.
    command : str, optional
        Command line for the file's metadata.

    Returns
    -------
    pathlib.Path
    """
    from geo import layers as lay

    path = Path(path)
    if path.exists() and not overwrite:
        raise OutputExistsError(str(path))
    line = lay.border(pair)
    grid = Grid.covering(bounds or theatre_bounds(pair), res)
    grid.check_size()
    a, b = line.iloc[0]["left_iso3"], line.iloc[0]["right_iso3"]
    sides = None
    desc = f"geodesic distance to the {pair} border"
    if signed:
        c = lay.countries([a, b]).set_index("iso3").geometry
        sides = (c[a], c[b])
        desc += f", positive in {a}, negative in {b}"
    values = distance_km(grid, line, signed_by=sides)
    tags = {"BORDER_PAIR": pair, "METHOD": "exact WGS84 geodesic from cell centres (GeographicLib)"}
    if command:
        tags["COMMAND_LINE"] = command
    band = Band(values, desc, "km")
    return write_cog(path, [band], grid, tags=tags, overwrite=overwrite)


def density_raster(
    path: Path | str,
    events: gpd.GeoDataFrame,
    *,
    bandwidth_km: float = 25.0,
    res: float = 0.02,
    bounds: Sequence[float] | None = None,
    pair: str = "IRN-PAK",
    weight: str = "count",
    overwrite: bool = False,
    command: str | None = None,
) -> Path:
    """GeoTIFF of kernel density of events per 1000 km², geodesic kernel.

    Parameters
    ----------
    path : path-like
        Output ``.tif``.
    events : GeoDataFrame
        Points in EPSG:4326.
    bandwidth_km : float
        Gaussian kernel standard deviation.
    res : float
        Cell size in degrees.
    bounds : (west, south, east, north), optional
        Default: :func:`theatre_bounds` of ``pair``.
    pair : str
        Border pair whose theatre is the default area.
    weight : {'count', 'fatalities'}
        Weigh each event by 1 or by its fatalities.
    overwrite : bool
        Replace an existing file.
    command : str, optional
        Command line for the file's metadata.

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise OutputExistsError(str(path))
    if weight not in ("count", "fatalities"):
        raise InputError("--weight", None, "weight", f"{weight!r}; choose count or fatalities")
    grid = Grid.covering(bounds or theatre_bounds(pair), res)
    grid.check_size()
    pts = events.to_crs(4326).geometry
    weights = None
    if weight == "fatalities":
        if "fatalities" not in events:
            raise InputError("events", None, "fatalities", "column needed for --weight fatalities")
        weights = np.nan_to_num(events["fatalities"].to_numpy(dtype="float64"))
    dens = density_km2(grid, pts.x, pts.y, bandwidth_km=bandwidth_km, weights=weights) * 1000.0
    what = "events" if weight == "count" else "fatalities"
    tags = {
        "BANDWIDTH_KM": f"{bandwidth_km:g}",
        "KERNEL": "Gaussian on WGS84 geodesic distance, cut at 4 bandwidths, renormalised",
        "EVENTS": str(len(events)),
    }
    if command:
        tags["COMMAND_LINE"] = command
    band = Band(
        dens, f"kernel density of {what}, bandwidth {bandwidth_km:g} km", f"{what}/1000 km2"
    )
    return write_cog(path, [band], grid, tags=tags, overwrite=overwrite)


def priogrid_raster(
    path: Path | str,
    events: gpd.GeoDataFrame | None,
    *,
    pair: str = "IRN-PAK",
    bounds: Sequence[float] | None = None,
    overwrite: bool = False,
    command: str | None = None,
) -> tuple[Path, gpd.GeoDataFrame]:
    """GeoTIFF of PRIO-GRID cells: bands gid, events, fatalities, bdist.

    Parameters
    ----------
    path : path-like
        Output ``.tif``.
    events : GeoDataFrame or None
        Points in EPSG:4326 with ``fatalities``.
    pair : str
        Border for ``bdist``.
    bounds : (west, south, east, north), optional
        Default: the theatre of ``pair`` grown to take in every event.
    overwrite : bool
        Replace an existing file.
    command : str, optional
        Command line for the file's metadata.

    Returns
    -------
    (pathlib.Path, GeoDataFrame)
        The file and the cells (the same as the GeoPackage ``priogrid`` layer).
    """
    from geo import layers as lay
    from geo.priogrid import CELL_DEG, priogrid_cells

    path = Path(path)
    if path.exists() and not overwrite:
        raise OutputExistsError(str(path))
    cells = priogrid_cells(
        events, lay.border(pair), bounds=bounds or theatre_bounds(pair), cover_events=bounds is None
    )
    grid = Grid.covering(
        (
            cells["xcoord"].min() - CELL_DEG / 2,
            cells["ycoord"].min() - CELL_DEG / 2,
            cells["xcoord"].max() + CELL_DEG / 2,
            cells["ycoord"].max() + CELL_DEG / 2,
        ),
        CELL_DEG,
    )
    r = np.rint((grid.north - cells["ycoord"].to_numpy()) / CELL_DEG - 0.5).astype(int)
    c = np.rint((cells["xcoord"].to_numpy() - grid.west) / CELL_DEG - 0.5).astype(int)

    def plane(column: str) -> np.ndarray:
        arr = np.full((grid.height, grid.width), np.nan)
        arr[r, c] = cells[column].to_numpy(dtype="float64")
        return arr

    bands = [
        Band(plane("gid"), "PRIO-GRID gid", "1"),
        Band(plane("events"), "events in cell", "count"),
        Band(plane("fatalities"), "fatalities in cell", "count"),
        Band(plane("bdist"), f"bdist: geodesic km from cell centre to the {pair} border", "km"),
    ]
    tags = {"BORDER_PAIR": pair, "GRID": "PRIO-GRID 0.5 degree, gid 1 at 90S 180W"}
    if command:
        tags["COMMAND_LINE"] = command
    write_cog(path, bands, grid, dtype="float64", tags=tags, overwrite=overwrite)
    return path, cells
