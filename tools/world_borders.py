"""Borders of the whole world from the country outlines, found with numpy.

Candidate pairs come from the vertices the outlines share: every outline
vertex is quantised to the output grid and keyed as one int64, and keys held by
two or more countries are grouped with numpy; pairs whose outlines come within
:data:`RIVER_DEG` of each other without sharing a vertex are added from an
STR-tree. A pair's border runs through the first outline's vertices near the
second, each moved to the midpoint between it and the second outline: a shared
vertex stays put, and along a narrow river the line runs mid-stream.

Water rule (see ``layers/PROVENANCE.md``): the pieces of one pair's border are
joined end to end by straight *bridges*. A bridge may be up to
:data:`MAX_BRIDGE_KM` long anywhere, and up to :data:`MAX_WATER_BRIDGE_KM`
where it crosses mostly water enclosed by land (a lake: a hole of the land
union around it); it may never cross open sea or a third country.
"""

from __future__ import annotations

import functools
import itertools

import geopandas as gpd
import numpy as np
import shapely

from geo.geodesy import line_length_km
from geo.layers.store import GRID_DEG

__all__ = [
    "MAX_BRIDGE_KM",
    "MAX_WATER_BRIDGE_KM",
    "Bridge",
    "bank_runs",
    "build_borders",
    "clip",
    "grid_keys",
    "ring_coords",
    "shared_pairs",
]

#: Water narrower than this (about 2 km) between two outlines is a river: the
#: border runs through the middle of it.
RIVER_DEG = 0.02
MAX_BRIDGE_KM = 15.0
MAX_WATER_BRIDGE_KM = 120.0
#: A lake is enclosed when it is a hole of the land union in this window (degrees).
LAKE_WINDOW_DEG = 1.5
#: A pair's joining stops after this many refused bridges.
MAX_REFUSED = 40
#: At most this share of a bridge may run over a third country's land.
THIRD_COUNTRY_SHARE = 0.02

Bridge = tuple[str, float, float, float, float, float]  # pair, km, x0, y0, x1, y1


def clip(geom, *bounds):
    """Clip ``geom`` to a rectangle, falling back to an overlay where GEOS' fast clip fails."""
    try:
        return shapely.clip_by_rect(geom, *bounds)
    except shapely.errors.GEOSException:
        return shapely.intersection(geom, shapely.box(*bounds), grid_size=GRID_DEG)


def grid_keys(xy: np.ndarray) -> np.ndarray:
    """One int64 key per coordinate pair, on the output grid."""
    q = np.rint(xy / GRID_DEG).astype(np.int64)
    return (q[:, 0] + 20_000_000) * 40_000_000 + (q[:, 1] + 10_000_000)


def ring_coords(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ring coordinates of some (multi)polygons: xy, geometry index and ring id of each."""
    polys, owner = shapely.get_parts(geoms, return_index=True)
    rings, poly = shapely.get_rings(polys, return_index=True)
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    return xy, owner[poly[ring]], ring


def _ring_vertices(geom) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates of every ring of a (multi)polygon, with a ring id for each."""
    rings = shapely.get_rings(shapely.get_parts(geom))
    return shapely.get_coordinates(rings, return_index=True)


def shared_pairs(geoms: np.ndarray) -> dict[tuple[int, int], int]:
    """Pairs of outlines that share vertices, found on the grid with numpy.

    Every outline vertex is keyed as one int64 on the output grid; a key held
    by several countries is a shared vertex of each pair of them.

    Parameters
    ----------
    geoms : numpy.ndarray of shapely geometries
        Country polygons, on the output grid.

    Returns
    -------
    dict of (int, int) to int
        Number of shared vertices, keyed by ``(i, j)`` with ``i < j``.
    """
    xy, owner, _ = ring_coords(geoms)
    table = np.unique(np.column_stack([grid_keys(xy), owner]), axis=0)
    _, first, count = np.unique(table[:, 0], return_index=True, return_counts=True)
    pairs: dict[tuple[int, int], int] = {}
    for f, c in zip(first[count > 1], count[count > 1], strict=True):
        for i, j in itertools.combinations(sorted(int(x) for x in table[f : f + c, 1]), 2):
            pairs[(i, j)] = pairs.get((i, j), 0) + 1
    return pairs


def _contained(ga, gb) -> bool:
    """Whether the smaller outline lies inside the larger (a territory drawn twice)."""
    small, large = (ga, gb) if shapely.area(ga) <= shapely.area(gb) else (gb, ga)
    return bool(shapely.contains(large, shapely.point_on_surface(small)))


def _window(ga, gb, margin: float) -> tuple[float, float, float, float]:
    ax0, ay0, ax1, ay1 = ga.bounds
    bx0, by0, bx1, by1 = gb.bounds
    return (
        max(ax0, bx0) - margin,
        max(ay0, by0) - margin,
        min(ax1, bx1) + margin,
        min(ay1, by1) + margin,
    )


def bank_runs(ga, gb) -> list[shapely.LineString]:
    """Trace the border of two outlines: shared vertices, and the middle of narrow water.

    Every vertex of ``ga``'s outline within :data:`RIVER_DEG` of ``gb`` is
    replaced by the midpoint between it and the nearest point of ``gb``'s
    outline (a shared vertex is its own midpoint); runs of such consecutive
    vertices are the border's pieces.

    Parameters
    ----------
    ga, gb : shapely geometry
        The two country polygons.

    Returns
    -------
    list of LineString
    """
    window = _window(ga, gb, RIVER_DEG)
    if window[0] > window[2] or window[1] > window[3]:
        return []
    xy, ring = _ring_vertices(ga)
    inside = (
        (xy[:, 0] >= window[0])
        & (xy[:, 0] <= window[2])
        & (xy[:, 1] >= window[1])
        & (xy[:, 1] <= window[3])
    )
    idx = np.flatnonzero(inside)
    if len(idx) < 2:
        return []
    wide = (
        window[0] - RIVER_DEG,
        window[1] - RIVER_DEG,
        window[2] + RIVER_DEG,
        window[3] + RIVER_DEG,
    )
    local_b = clip(gb, *wide)
    shapely.prepare(local_b)
    points = shapely.points(xy[idx])
    near = shapely.dwithin(local_b, points, RIVER_DEG)
    idx, points = idx[near], points[near]
    if len(idx) < 2:
        return []
    edges = _segments(_ring_vertices(local_b))
    nearest = shapely.STRtree(edges).query_nearest(points, all_matches=False)[1]
    foot = shapely.get_point(shapely.shortest_line(points, edges[nearest]), 1)
    mid = (xy[idx] + shapely.get_coordinates(foot)) / 2
    mid = np.rint(mid / GRID_DEG) * GRID_DEG
    breaks = np.flatnonzero((np.diff(idx) != 1) | (np.diff(ring[idx]) != 0)) + 1
    return _as_lines(mid, idx, breaks)


def _segments(coords_index) -> np.ndarray:
    """Every edge of some rings as a two-point LineString."""
    xy, ring = coords_index
    same = ring[1:] == ring[:-1]
    return shapely.linestrings(np.stack([xy[:-1][same], xy[1:][same]], axis=1))


def _as_lines(mid: np.ndarray, idx: np.ndarray, breaks: np.ndarray) -> list[shapely.LineString]:
    """Turn runs of consecutive outline vertices into lines, repeated points dropped."""
    out = []
    for run in np.split(np.arange(len(idx)), breaks):
        pts = mid[run]
        if len(pts) > 1:
            keep = np.concatenate([[True], np.any(pts[1:] != pts[:-1], axis=1)])
            if keep.sum() > 1:
                out.append(shapely.LineString(pts[keep]))
    if not out:
        return []
    merged = shapely.line_merge(shapely.MultiLineString(out))
    return [g for g in shapely.get_parts(merged) if g.geom_type == "LineString"]


def enclosed_water(bounds, geoms: np.ndarray, tree: shapely.STRtree):
    """Land and enclosed water in a window: the local land union with its holes filled.

    The union is taken over ``bounds`` grown by :data:`LAKE_WINDOW_DEG`, so a lake
    counts when it lies wholly inside that window.
    """
    window = shapely.box(*bounds).buffer(LAKE_WINDOW_DEG, join_style="mitre")
    parts = [clip(geoms[k], *window.bounds) for k in tree.query(window)]
    land = shapely.union_all(parts, grid_size=GRID_DEG)
    polygons = shapely.get_parts(land)
    polygons = polygons[(shapely.get_type_id(polygons) == 3) & ~shapely.is_empty(polygons)]
    return shapely.union_all(shapely.polygons(shapely.get_exterior_ring(polygons)))


def _bridge_ok(segment, pair_land, others, enclosed) -> bool:
    """Allow a bridge across enclosed water, never across open sea or a third country."""
    km = line_length_km(segment)
    if km > MAX_WATER_BRIDGE_KM:
        return False
    third = sum(shapely.length(shapely.intersection(segment, o)) for o in others)
    if third > THIRD_COUNTRY_SHARE * segment.length:
        return False
    off_land = shapely.difference(segment, pair_land)
    if off_land.length > GRID_DEG and not shapely.covers(enclosed(), off_land):
        return False
    return km <= MAX_BRIDGE_KM or off_land.length > 0.5 * segment.length


def _gap_matrix(chains: list[list]) -> np.ndarray:
    """Great-circle km between every chain end (rows/cols ``2k``: start, end of each chain)."""
    ends = np.radians([c[k] for c in chains for k in (0, -1)])
    lon, lat = ends[:, 0], ends[:, 1]
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    km = 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
    own = np.arange(len(ends)) // 2
    km[own[:, None] == own[None, :]] = np.inf
    return km


def _join(parts, ok) -> tuple[list[list], list[shapely.LineString]]:
    """Join line pieces end to end, shortest allowed gap first."""
    chains = [list(p.coords) for p in parts]
    bridges: list[shapely.LineString] = []
    refused: set[tuple] = set()
    while len(chains) > 1:
        km = _gap_matrix(chains)
        ends = [tuple(c[k]) for c in chains for k in (0, -1)]
        where: dict[tuple, list[int]] = {}
        for n, end in enumerate(ends):
            where.setdefault(end, []).append(n)
        for end_a, end_b in refused:
            for u, v in itertools.product(where.get(end_a, []), where.get(end_b, [])):
                km[u, v] = np.inf
        u, v = divmod(int(np.argmin(km)), km.shape[1])
        if not km[u, v] <= MAX_WATER_BRIDGE_KM:
            break
        i, j = u // 2, v // 2
        a = chains[i] if u % 2 else chains[i][::-1]  # a ends at end u
        b = chains[j][::-1] if v % 2 else chains[j]  # b starts at end v
        if a[-1] != b[0]:
            segment = shapely.LineString([a[-1], b[0]])
            if not ok(segment):
                refused |= {(ends[u], ends[v]), (ends[v], ends[u])}
                if len(refused) > 2 * MAX_REFUSED:
                    break
                continue
            bridges.append(segment)
        merged = a + (b[1:] if a[-1] == b[0] else b)
        chains = [c for k, c in enumerate(chains) if k not in (i, j)] + [merged]
    return chains, bridges


def _orient_left(line: shapely.LineString, left_country) -> shapely.LineString:
    """Reverse ``line`` unless ``left_country`` lies on its left."""
    probe = shapely.offset_curve(line, 0.01)  # positive offset is the left side
    local = clip(left_country, *shapely.buffer(line, 0.02).bounds)
    inside = shapely.length(shapely.intersection(probe, local))
    return line if inside >= 0.5 * shapely.length(probe) else line.reverse()


def _pair_row(a, b, ga, pieces, ok) -> tuple[dict | None, list[Bridge]]:
    shared_km = line_length_km(shapely.MultiLineString(pieces))
    chains, bridges = _join(pieces, ok)
    lines = [shapely.LineString(c) for c in chains]
    lines = [p for p in lines if line_length_km(p) >= 1.0]
    if not lines:
        return None, []
    lines = [_orient_left(p, ga) for p in sorted(lines, key=lambda p: (-p.length, p.coords[0]))]
    geom = lines[0] if len(lines) == 1 else shapely.MultiLineString(lines)
    km = line_length_km(geom)
    row = {
        "pair": f"{a}-{b}",
        "left_iso3": a,
        "right_iso3": b,
        "length_km": round(km, 3),
        "bridged_km": round(max(km - shared_km, 0.0), 3),
        "parts": len(lines),
        "geometry": geom,
    }
    kept = shapely.union_all(lines).buffer(GRID_DEG * 10)
    found = [
        (f"{a}-{b}", round(line_length_km(s), 3), *s.coords[0], *s.coords[-1])
        for s in bridges
        if shapely.covers(kept, s)
    ]
    return row, found


def build_borders(
    countries: gpd.GeoDataFrame, subset=None, progress=None
) -> tuple[gpd.GeoDataFrame, list[Bridge]]:
    """Every border between touching or nearly touching countries, as oriented lines.

    Parameters
    ----------
    countries : GeoDataFrame
        ``iso3`` and polygon ``geometry``, on the output grid.
    subset : set of str, optional
        Only the pairs with at least one of these codes (all pairs by default).
    progress : callable, optional
        Called with a message now and then.

    Returns
    -------
    (GeoDataFrame, list)
        Borders with ``pair``, ``left_iso3``, ``right_iso3``, ``length_km``,
        ``bridged_km``, ``parts``, ``geometry``, sorted by ``pair``; and the
        bridges, as ``(pair, km, x0, y0, x1, y1)``.
    """
    frame = countries.sort_values("iso3").reset_index(drop=True)
    codes, geoms = list(frame["iso3"]), frame.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    near = tree.query(geoms, predicate="dwithin", distance=RIVER_DEG)
    candidates = sorted({(int(i), int(j)) for i, j in near.T if i < j} | set(shared_pairs(geoms)))
    if subset is not None:
        candidates = [(i, j) for i, j in candidates if codes[i] in subset or codes[j] in subset]
    rows, bridges = [], []
    for n, (i, j) in enumerate(candidates):
        if progress and n % 100 == 0:
            progress(f"borders: pair {n}/{len(candidates)}")
        pieces = bank_runs(geoms[i], geoms[j])
        if not pieces:
            continue
        if _contained(geoms[i], geoms[j]):
            continue  # one outline lies inside the other in the source: no border
        bounds = shapely.MultiLineString(pieces).bounds
        box = shapely.box(*bounds).buffer(1.2).bounds
        near = tree.query(shapely.box(*box))
        others = [clip(geoms[k], *box) for k in near if k not in (i, j)]
        pair_land = shapely.union(clip(geoms[i], *box), clip(geoms[j], *box))
        water = functools.cache(lambda bounds=bounds: enclosed_water(bounds, geoms, tree))

        def ok(segment, pair_land=pair_land, others=others, water=water):
            return _bridge_ok(segment, pair_land, others, water)

        row, found = _pair_row(codes[i], codes[j], geoms[i], pieces, ok)
        if row is not None:
            rows.append(row)
            bridges.extend(found)
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    return out.sort_values("pair").reset_index(drop=True), sorted(bridges)
