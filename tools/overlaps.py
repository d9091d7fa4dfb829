"""Settle the areas the countries package draws inside two outlines.

Some outlines overlap: Russia's and Ukraine's both hold Crimea, and
Israel's holds a strip of Palestine's along the 1967 line. An event there
would have two countries. ``layers/curated/overlaps.csv`` names, for each settled overlap,
the two claimants, the country it is given to (``owner``), a box that holds
it (so slivers elsewhere along the same border are left alone), the
``basis`` and the source. The other claimant
loses the part of the overlap inside the box. Overlaps not in the table stay
as the package draws them; :func:`measure_overlaps` lists them for the
provenance.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from pyproj import Geod

from geo.layers.store import GRID_DEG

__all__ = ["OVERLAP_COLUMNS", "load_overlaps", "measure_overlaps", "settle_overlaps"]

OVERLAP_COLUMNS = [
    "claimant_a",
    "claimant_b",
    "owner",
    "west",
    "south",
    "east",
    "north",
    "basis",
    "source",
]
_WGS84 = Geod(ellps="WGS84")


def load_overlaps(path: Path) -> pd.DataFrame:
    """Read and check the overlap table.

    Parameters
    ----------
    path : pathlib.Path
        ``layers/curated/overlaps.csv``.

    Returns
    -------
    pandas.DataFrame
        :data:`OVERLAP_COLUMNS`, the box as floats.

    Raises
    ------
    ValueError
        For a missing column, an owner that is not a claimant, an empty box,
        or a row without basis or source.
    """
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in OVERLAP_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path.name}: missing column(s) {', '.join(missing)}")
    box = table[["west", "south", "east", "north"]].astype(float)
    for row, item in enumerate(table.itertuples(index=False), start=2):
        if item.owner not in (item.claimant_a, item.claimant_b):
            raise ValueError(f"{path.name}, row {row}, owner: {item.owner} is not a claimant")
        if not item.basis or not item.source:
            raise ValueError(f"{path.name}, row {row}: every overlap needs its basis and source")
        w, s, e, n = box.iloc[row - 2]
        if not (w < e and s < n):
            raise ValueError(f"{path.name}, row {row}: the box is empty")
    table[["west", "south", "east", "north"]] = box
    return table[OVERLAP_COLUMNS]


def settle_overlaps(iso3: np.ndarray, outlines: np.ndarray, table: pd.DataFrame) -> np.ndarray:
    """Outlines with each listed overlap given to its owner only.

    Parameters
    ----------
    iso3 : numpy.ndarray of str
        Code of each outline.
    outlines : numpy.ndarray of shapely geometries
        EPSG:4326, on the store grid.
    table : pandas.DataFrame
        From :func:`load_overlaps`; rows whose claimants are not both present
        are skipped (a partial build).

    Returns
    -------
    numpy.ndarray of shapely geometries
        A copy; the other claimant of each row loses the overlap inside its box.
    """
    out = outlines.copy()
    where = {str(code): i for i, code in enumerate(iso3)}
    for item in table.itertuples(index=False):
        a, b = where.get(item.claimant_a), where.get(item.claimant_b)
        if a is None or b is None:
            continue
        loser = b if item.owner == item.claimant_a else a
        box = shapely.box(item.west, item.south, item.east, item.north)
        shared = shapely.intersection(
            _areas(shapely.intersection(out[a], out[b], grid_size=GRID_DEG)),
            box,
            grid_size=GRID_DEG,
        )
        out[loser] = shapely.difference(out[loser], shared, grid_size=GRID_DEG)
    return out


def _areas(geom):
    """Keep the polygons of an overlay result (touching outlines also share lines, points)."""
    parts = shapely.get_parts(geom)
    return shapely.union_all(parts[shapely.get_type_id(parts) == 3], grid_size=GRID_DEG)


def measure_overlaps(iso3: np.ndarray, outlines: np.ndarray, min_km2: float = 1.0) -> pd.DataFrame:
    """Every pair of outlines that share an area, with its size on the ellipsoid.

    Parameters
    ----------
    iso3 : numpy.ndarray of str
    outlines : numpy.ndarray of shapely geometries
    min_km2 : float
        Smaller shared areas (grid slivers) are left out.

    Returns
    -------
    pandas.DataFrame
        ``claimant_a``, ``claimant_b`` (codes sorted), ``area_km2``, largest first.
    """
    left, right = shapely.STRtree(outlines).query(outlines, predicate="intersects")
    keep = left < right
    rows = []
    for i, j in zip(left[keep], right[keep], strict=True):
        polys = shapely.get_parts(_areas(shapely.intersection(outlines[i], outlines[j])))
        area = sum(abs(_WGS84.geometry_area_perimeter(p)[0]) for p in polys) / 1e6
        if area >= min_km2:
            a, b = sorted((str(iso3[i]), str(iso3[j])))
            rows.append((a, b, round(area, 1)))
    frame = pd.DataFrame(rows, columns=["claimant_a", "claimant_b", "area_km2"])
    return frame.sort_values("area_km2", ascending=False, kind="stable").reset_index(drop=True)
