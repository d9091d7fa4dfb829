"""Give the water a border closes off between two outlines to the countries beside it."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from geo.layers.store import GRID_DEG
from tools.world_borders import clip

__all__ = ["close_border_gaps", "gap_faces"]

#: Margin (degrees) of the window around a border in which faces are formed.
WINDOW_DEG = 0.2


def gap_faces(line, ga, gb, others=None) -> tuple[list, list]:
    """Faces between two outlines that touch ``line``, split by the side they lie on.

    The outlines and the border are polygonised in a window around the border;
    a face that no country covers (neither of the two, nor any of ``others``),
    touches the border and stays inside the window is a gap (a river between
    the banks, a lake cut by a bridge). It goes to the country with which it
    shares the longer edge. A third country in the window (the West Bank
    beside ISR-JOR, Andorra beside ESP-FRA) is land, never a gap.

    Parameters
    ----------
    line : shapely geometry
        The border of the pair.
    ga, gb : shapely geometry
        The two countries' polygons.
    others : sequence of shapely geometry, optional
        The other countries whose outlines come near the border.

    Returns
    -------
    (list, list)
        Faces for ``ga`` and faces for ``gb``.
    """
    x0, y0, x1, y1 = line.bounds
    window = (x0 - WINDOW_DEG, y0 - WINDOW_DEG, x1 + WINDOW_DEG, y1 + WINDOW_DEG)
    a, b = clip(ga, *window), clip(gb, *window)
    edges = shapely.union_all([a.boundary, b.boundary, line], grid_size=GRID_DEG)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(edges)))
    if len(faces) == 0:
        return [], []
    probes = shapely.point_on_surface(faces)
    land = shapely.union(a, b)
    if others:
        land = shapely.union_all([land, *(clip(o, *window) for o in others)], grid_size=GRID_DEG)
    frame = shapely.box(*window).exterior
    keep = (
        ~shapely.contains(land, probes)
        & shapely.intersects(faces, line)
        & ~shapely.intersects(faces, frame)
    )
    mine, theirs = [], []
    pad = GRID_DEG * 5
    for face in faces[keep]:
        ring = shapely.buffer(face.boundary, pad)
        share_a = shapely.length(shapely.intersection(ring, a.boundary))
        share_b = shapely.length(shapely.intersection(ring, b.boundary))
        (mine if share_a >= share_b else theirs).append(face)
    return mine, theirs


def close_border_gaps(
    mine: gpd.GeoDataFrame, outlines: gpd.GeoDataFrame, borders: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Merge into each country the gap faces of its borders.

    Parameters
    ----------
    mine : GeoDataFrame
        The countries to complete (``iso3``, ``geometry``).
    outlines : GeoDataFrame
        Every country as built (the neighbours' shapes).
    borders : GeoDataFrame
        The borders, covering every pair of a country of ``mine``.

    Returns
    -------
    GeoDataFrame
        ``mine`` with the faces merged, on the output grid.
    """
    geoms = dict(zip(outlines["iso3"], outlines.geometry, strict=True))
    every, codes = outlines.geometry.to_numpy(), outlines["iso3"].to_numpy()
    tree = shapely.STRtree(every)
    out = mine.copy()
    filled = []
    for iso3, geom in zip(mine["iso3"], mine.geometry, strict=True):
        rows = borders[(borders["left_iso3"] == iso3) | (borders["right_iso3"] == iso3)]
        extra = []
        for left, right, line in zip(
            rows["left_iso3"], rows["right_iso3"], rows.geometry, strict=True
        ):
            near = tree.query(shapely.buffer(shapely.envelope(line), WINDOW_DEG))
            others = [every[i] for i in near if codes[i] not in (left, right)]
            faces_left, faces_right = gap_faces(line, geoms[left], geoms[right], others)
            extra.extend(faces_left if left == iso3 else faces_right)
        if extra:
            geom = shapely.union_all([geom, *extra], grid_size=GRID_DEG)
        filled.append(geom)
    out["geometry"] = np.array(filled, dtype=object)
    return out
