"""Fit Natural Earth admin-1 provinces to the OSM country outlines, and measure the fit.

Method (also in ``layers/PROVENANCE.md``): each country's Natural Earth
provinces are dissolved per ``adm1_code``, densified, clipped to the country,
overlaps go to the first ``adm1_code``, and every uncovered piece goes to the
province with which it shares the longest edge (the nearest one when it
touches none). All overlays run on the output grid.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy.spatial import cKDTree

from geo.layers.store import GRID_DEG
from tools.world_borders import grid_keys, ring_coords

__all__ = ["MAX_EDGE_DEG", "PROVINCE_FIELDS", "fit_provinces", "measure_tiling"]

MAX_EDGE_DEG = 0.008
PROVINCE_FIELDS = ["name", "name_en", "iso_3166_2", "code_hasc", "adm0_a3", "adm1_code", "type_en"]


def _owners(gaps: np.ndarray, provinces: np.ndarray) -> np.ndarray:
    """Province index sharing the longest edge with each gap piece.

    An edge of a gap's outline is shared with a province when both its ends
    are vertices of that province's outline (all of them lie on one grid);
    a gap sharing no edge (an island) goes to the province with the vertex
    nearest to a point inside it.
    """
    pxy, prov_of, _ = ring_coords(provinces)
    if len(pxy) == 0:  # no province reaches the outline: the first takes it all
        return np.zeros(len(gaps), dtype=int)
    pkeys, first = np.unique(grid_keys(pxy), return_index=True)
    pown = prov_of[first]
    gxy, gap_of_vertex, gring = ring_coords(gaps)
    pos = np.clip(np.searchsorted(pkeys, grid_keys(gxy)), 0, len(pkeys) - 1)
    owner = np.where(pkeys[pos] == grid_keys(gxy), pown[pos], -1)
    same = (gring[1:] == gring[:-1]) & (owner[1:] == owner[:-1]) & (owner[1:] >= 0)
    length = np.hypot(*(gxy[1:] - gxy[:-1]).T)[same]
    gap_idx, prov_idx = gap_of_vertex[1:][same], owner[1:][same]
    shared = np.zeros((len(gaps), len(provinces)))
    np.add.at(shared, (gap_idx, prov_idx), length)
    best = shared.argmax(axis=1)
    none = shared.max(axis=1) <= 0
    if none.any():  # nearest province vertex to a point inside the gap
        probe = shapely.get_coordinates(shapely.point_on_surface(gaps[none]))
        best[none] = prov_of[cKDTree(pxy).query(probe)[1]]
    return best


def _clip_first_wins(ne: np.ndarray, country) -> tuple[np.ndarray, object]:
    """Clip provinces to the country; an overlap goes to the earlier province."""
    clipped = shapely.intersection(ne, country, grid_size=GRID_DEG)
    clipped = np.array([_polygonal(g) for g in clipped], dtype=object)
    taken = shapely.Polygon()
    for i, geom in enumerate(clipped):
        if i:
            clipped[i] = _polygonal(shapely.difference(geom, taken, grid_size=GRID_DEG))
        taken = shapely.union(taken, clipped[i], grid_size=GRID_DEG)
    return clipped, taken


def fit_provinces(ne: gpd.GeoDataFrame, country) -> gpd.GeoDataFrame:
    """Tile one country with its Natural Earth provinces.

    Parameters
    ----------
    ne : GeoDataFrame
        The country's Natural Earth admin-1 rows (``adm1_code`` plus
        :data:`PROVINCE_FIELDS`).
    country : shapely geometry
        The OSM country polygon, on the output grid.

    Returns
    -------
    GeoDataFrame
        :data:`PROVINCE_FIELDS` and ``geometry``, sorted by ``adm1_code``;
        the provinces' union is ``country``.
    """
    ne = ne.copy()
    ne["geometry"] = shapely.segmentize(shapely.make_valid(ne.geometry.to_numpy()), MAX_EDGE_DEG)
    ne = ne.dissolve(by="adm1_code", aggfunc="first", as_index=False).sort_values("adm1_code")
    ne = ne.reset_index(drop=True)
    clipped, taken = _clip_first_wins(ne.geometry.to_numpy(), country)
    gaps = shapely.get_parts(shapely.difference(country, taken, grid_size=GRID_DEG))
    gaps = gaps[(shapely.get_type_id(gaps) == 3) & ~shapely.is_empty(gaps)]
    if len(gaps):
        owners = _owners(gaps, clipped)
        for k in np.unique(owners):
            clipped[k] = shapely.union_all([clipped[k], *gaps[owners == k]], grid_size=GRID_DEG)
    ne["geometry"] = [_polygonal(g) for g in clipped]
    ne = ne.set_geometry("geometry")
    return ne.loc[~ne.geometry.is_empty, [*PROVINCE_FIELDS, "geometry"]]


def _polygonal(geom):
    parts = shapely.get_parts(geom)
    parts = parts[shapely.get_type_id(parts) == 3]
    return shapely.multipolygons(parts) if len(parts) else shapely.Polygon()


def _equal_area(geoms: np.ndarray, lon: float, lat: float) -> np.ndarray:
    """Geometries in a Lambert azimuthal equal-area projection centred on a point."""
    crs = pyproj.CRS.from_proj4(f"+proj=laea +lat_0={lat:.3f} +lon_0={lon:.3f} +datum=WGS84")
    tf = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    return shapely.transform(geoms, lambda xy: np.column_stack(tf.transform(xy[:, 0], xy[:, 1])))


def _overlaps(provinces: np.ndarray) -> np.ndarray:
    """Areal intersections of every two provinces, on the grid."""
    tree = shapely.STRtree(provinces)
    left, right = tree.query(provinces, predicate="intersects")
    keep = left < right
    pieces = shapely.intersection(provinces[left[keep]], provinces[right[keep]], grid_size=GRID_DEG)
    return np.array([_polygonal(g) for g in pieces], dtype=object)


def measure_tiling(iso3: str, country, provinces: np.ndarray) -> dict:
    """Gap, overlap and outside of a country's provinces, in km² (equal-area projection).

    The pieces are found on the output grid (so slivers under the 1e-5° grid
    do not count) and measured in a Lambert azimuthal equal-area projection
    centred on the country.

    Parameters
    ----------
    iso3 : str
        Country code (copied into the record).
    country : shapely geometry
        The country polygon.
    provinces : numpy.ndarray of shapely geometries
        Its provinces.

    Returns
    -------
    dict
        ``iso3, provinces, area_km2, gap_km2, overlap_km2, outside_km2``.
    """
    union = shapely.union_all(provinces, grid_size=GRID_DEG)
    pieces = np.array(
        [
            country,
            _polygonal(shapely.difference(country, union, grid_size=GRID_DEG)),
            shapely.union_all(_overlaps(provinces)),
            _polygonal(shapely.difference(union, country, grid_size=GRID_DEG)),
        ],
        dtype=object,
    )
    centre = shapely.centroid(country)
    km2 = shapely.area(_equal_area(pieces, centre.x, centre.y)) / 1e6
    return {
        "iso3": iso3,
        "provinces": len(provinces),
        "area_km2": round(float(km2[0]), 1),
        "gap_km2": round(float(km2[1]), 4),
        "overlap_km2": round(float(km2[2]), 4),
        "outside_km2": round(float(km2[3]), 4),
    }


def tiling_table(records: list[dict]) -> pd.DataFrame:
    """Per-country tiling figures, sorted by ``iso3``."""
    return pd.DataFrame(records).sort_values("iso3").reset_index(drop=True)
