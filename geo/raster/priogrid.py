"""PRIO-GRID cells: 0.5 degree global grid with PRIO-GRID's ``gid`` numbering.

PRIO-GRID (Tollefsen, Strand and Buhaug 2012) numbers its 720 x 360 cells from
the south-west corner: ``gid`` 1 is the cell at 90°S, 180°W; numbers rise by
column eastwards, 720 per row, then by row northwards. ``row`` and ``col`` are
1-based as in PRIO-GRID, and ``xcoord``/``ycoord`` are the cell centre. Using
the same numbers lets researchers join our counts to PRIO-GRID variables.

Examples
--------
>>> int(gid(62.3342, 27.3707))  # Saravan
168965
>>> cell_centre(168965)
(62.25, 27.25)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike

from geo.proximity import distance_to_line_km

__all__ = [
    "CELL_DEG",
    "NCOLS",
    "NROWS",
    "cell_centre",
    "gid",
    "priogrid_cells",
    "row_col",
    "snap_bounds",
]

CELL_DEG = 0.5
NCOLS = 720
NROWS = 360


def gid(lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
    """PRIO-GRID ``gid`` of the cell holding each point.

    Points on a cell edge belong to the cell east or north of it; 180°E and
    90°N fall in the last column and row. Non-finite coordinates give 0.

    Parameters
    ----------
    lon, lat : float or array_like
        Degrees, EPSG:4326.

    Returns
    -------
    numpy.ndarray of int64

    Examples
    --------
    >>> gid([-180, -179.5, 179.99, 0], [-90, -90, 89.99, float("nan")]).tolist()
    [1, 2, 259200, 0]
    """
    lon, lat = np.broadcast_arrays(np.asarray(lon, dtype="float64"), np.asarray(lat, "float64"))
    ok = np.isfinite(lon) & np.isfinite(lat)
    # floor(lon / 0.5) is exact in binary floating point; floor((lon + 180) / 0.5)
    # would round -1e-16 + 180 up to 180 and put the point one cell east.
    col = np.clip(np.floor(np.where(ok, lon, 0) / CELL_DEG) + NCOLS // 2, 0, NCOLS - 1)
    row = np.clip(np.floor(np.where(ok, lat, 0) / CELL_DEG) + NROWS // 2, 0, NROWS - 1)
    return np.where(ok, row.astype("int64") * NCOLS + col.astype("int64") + 1, 0)


def row_col(gids: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """PRIO-GRID's 1-based ``row`` (from the south) and ``col`` (from the west).

    Examples
    --------
    >>> [a.tolist() for a in row_col([1, 720, 721, 168965])]
    [[1, 1, 2, 235], [1, 720, 1, 485]]
    """
    g = np.asarray(gids, dtype="int64") - 1
    return g // NCOLS + 1, g % NCOLS + 1


def cell_centre(gids: ArrayLike) -> tuple:
    """Centre longitude and latitude of cells (``xcoord``, ``ycoord``).

    Examples
    --------
    >>> cell_centre(1)
    (-179.75, -89.75)
    """
    row, col = row_col(gids)
    x = -180.0 + (col - 0.5) * CELL_DEG
    y = -90.0 + (row - 0.5) * CELL_DEG
    if np.ndim(gids) == 0:
        return float(x), float(y)
    return x, y


def snap_bounds(bounds: Sequence[float]) -> tuple[float, float, float, float]:
    """Grow ``(west, south, east, north)`` outwards to whole PRIO-GRID cells.

    Examples
    --------
    >>> snap_bounds((60.8, 25.1, 63.3, 29.9))
    (60.5, 25.0, 63.5, 30.0)
    """
    w, s, e, n = (float(v) for v in bounds)
    w, s = math.floor(w / CELL_DEG) * CELL_DEG, math.floor(s / CELL_DEG) * CELL_DEG
    e, n = math.ceil(e / CELL_DEG) * CELL_DEG, math.ceil(n / CELL_DEG) * CELL_DEG
    return (max(w, -180.0), max(s, -90.0), min(e, 180.0), min(n, 90.0))


def _count(events: gpd.GeoDataFrame | None) -> pd.DataFrame:
    if events is None or len(events) == 0:
        return pd.DataFrame({"events": [], "fatalities": []}, index=pd.Index([], name="gid"))
    pts = events.geometry
    g = gid(pts.x.to_numpy(), pts.y.to_numpy())
    fat = (
        pd.to_numeric(events["fatalities"], errors="coerce").fillna(0).to_numpy()
        if "fatalities" in events
        else np.zeros(len(events))
    )
    table = pd.DataFrame({"gid": g, "events": 1, "fatalities": fat})
    return table[table["gid"] > 0].groupby("gid").sum()


def priogrid_cells(
    events: gpd.GeoDataFrame | None,
    line: shapely.Geometry | gpd.GeoDataFrame,
    *,
    bounds: Sequence[float],
    cover_events: bool = False,
) -> gpd.GeoDataFrame:
    """PRIO-GRID cells over ``bounds`` with event counts, fatalities and ``bdist``.

    Parameters
    ----------
    events : GeoDataFrame or None
        Points in EPSG:4326 with an optional ``fatalities`` column.
    line : shapely geometry or GeoDataFrame
        The border; ``bdist`` is the geodesic distance in km from each cell
        centre to it (PRIO-GRID's own ``bdist`` measures to any border).
    bounds : (west, south, east, north)
        Area to cover, grown to whole cells.
    cover_events : bool
        Also grow the area to take in every event.

    Returns
    -------
    GeoDataFrame
        ``gid, row, col, xcoord, ycoord, events, fatalities, bdist`` and the
        cell square, EPSG:4326, sorted by ``gid``.
    """
    if isinstance(line, gpd.GeoDataFrame):
        line = shapely.union_all(line.to_crs(4326).geometry.to_numpy())
    if cover_events and events is not None and len(events):
        ew, es, ee, en = events.total_bounds
        # a point on a cell's west or south edge belongs to that cell (see gid),
        # so an event on the east or north edge of the box needs one more cell
        ee = math.floor(ee / CELL_DEG) * CELL_DEG + CELL_DEG
        en = math.floor(en / CELL_DEG) * CELL_DEG + CELL_DEG
        w, s, e, n = bounds
        bounds = (min(w, ew), min(s, es), max(e, ee), max(n, en))
    w, s, e, n = snap_bounds(bounds)
    xs = w + (np.arange(round((e - w) / CELL_DEG)) + 0.5) * CELL_DEG
    ys = s + (np.arange(round((n - s) / CELL_DEG)) + 0.5) * CELL_DEG
    lon, lat = (a.ravel() for a in np.meshgrid(xs, ys))
    gids = gid(lon, lat)
    counts = _count(events).reindex(gids, fill_value=0)
    row, col = row_col(gids)
    bdist = np.asarray(distance_to_line_km(lon, lat, line)[0], dtype="float64")
    half = CELL_DEG / 2
    frame = gpd.GeoDataFrame(
        {
            "gid": gids,
            "row": row,
            "col": col,
            "xcoord": lon,
            "ycoord": lat,
            "events": counts["events"].to_numpy().astype("int64"),
            "fatalities": counts["fatalities"].to_numpy().astype("int64"),
            "bdist": bdist,
        },
        geometry=shapely.box(lon - half, lat - half, lon + half, lat + half),
        crs="EPSG:4326",
    )
    return frame.sort_values("gid").reset_index(drop=True)
