"""Exact geodesic distance from many points to one polyline.

The method, for each point:

1. The line is densified along geodesics to edges of at most
   :data:`MAX_EDGE_KM`, so every edge is a geodesic to within centimetres.
2. Vertices go into a k-d tree (pykdtree) of Earth-centred (ECEF) coordinates. Chord
   length ranks distances almost exactly as geodesic length does (the two
   differ by ``c**3 / 24 R**2``, whose dependence on direction is below a metre
   at 500 km), so the nearest vertices by chord hold the nearest edge.
3. Every edge that touches a candidate vertex is measured by chord, point to
   segment, in 3-D; the best (and any near-tie) gives the foot of the
   perpendicular.
4. One exact inverse geodesic (GeographicLib via pyproj) from the point to
   that foot gives the distance and the azimuth.

:class:`PairIndex` answers the same question for many borders at once (one
index over the parts of every line, each part remembering its line), which is
how ``--pair nearest`` finds each event's nearest border of any pair.

Candidate sets are complete: if the k-th nearest vertex could still be an
endpoint of the nearest edge, the query is repeated with a larger k. How far
chord order may depart from geodesic order grows with the cube of the range
(:func:`_ranking_margin_km`), but between two points of the line seen from
the event in nearly the same direction it is only that spread times the angle
between them (the radius of curvature varies smoothly with azimuth), so far
events, whose neighbouring border vertices lie in almost the same direction,
need a handful of candidates and not thousands (:func:`_candidate_margin_km`).
Towards the antipode that angle opens up and the margin tends to the full
spread. Everything is vectorised over points; the only Python loops
run over chunks and over the few points needing a wider search. Chunks run on
threads (:func:`geo.geodesy.chunk_map`): the tree, numpy and GeographicLib
release the GIL, and each point is solved alone, so the answers do not depend
on the number of threads.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import ArrayLike
from pykdtree.kdtree import KDTree

from geo.errors import InputError
from geo.geodesy import (
    EARTH_RADIUS_KM,
    WGS84,
    chunk_map,
    densify_geodesic,
    ecef_km,
    geodetic_from_ecef,
)

__all__ = ["MAX_EDGE_KM", "LineIndex", "NearestResult", "PairIndex", "line_index"]

MAX_EDGE_KM = 1.0
_CHUNK = 200_000
# Candidates (points x k) measured at once when a search widens: bounds memory.
_WIDE_BATCH = 2_000_000
_K = 2
_B_KM = 6356.752314245  # WGS84 polar radius
# Chord beyond which points are settled against every vertex: 120 degrees of
# arc (about 13,300 km): beyond it the chord-to-geodesic ranking margin was found to
# miss the nearest edge by up to 16 m at 120-130 degrees and 0.6 km at 140-150 (RUS-UKR).
_FAR_CHORD_KM = 2 * EARTH_RADIUS_KM * np.sin(np.radians(60.0))


@dataclass(frozen=True)
class NearestResult:
    """Per-point answer of :meth:`LineIndex.nearest` (all arrays of the input's length)."""

    distance_km: np.ndarray
    nearest_lon: np.ndarray
    nearest_lat: np.ndarray
    bearing_deg: np.ndarray
    left: np.ndarray
    #: Part of the line (LineIndex) or row of the lines (PairIndex) holding
    #: the nearest point; -1 where the point is NaN.
    part: np.ndarray | None = None


def _ranking_margin_km(chord_km: np.ndarray) -> np.ndarray:
    # How far chord order may depart from geodesic order at this range: the
    # cubic term's spread with direction (2 % bound on curvature radius) + 1 m.
    return 0.02 * chord_km**3 / (24 * EARTH_RADIUS_KM**2) + 1e-3


def _candidate_margin_km(chord_km: np.ndarray, apart_km: np.ndarray) -> np.ndarray:
    """Ranking margin between the nearest point and a point ``apart_km`` from it.

    The spread of :func:`_ranking_margin_km` is the spread over every
    azimuth; between two directions an angle ``a`` apart it is at most that
    spread times ``a`` (radians), taken here twice over for safety, and the
    full spread for near-antipodal chords.

    Examples
    --------
    >>> m = _candidate_margin_km(np.array([5000.0, 5000.0]), np.array([1.0, 10000.0]))
    >>> bool(m[0] < 0.01), bool(m[1] == _ranking_margin_km(np.array([5000.0]))[0])
    (True, True)
    """
    full = _ranking_margin_km(chord_km)
    safe = np.maximum(chord_km, 1e-9)
    angle = 2 * np.arcsin(np.minimum(1.0, apart_km / (2 * safe)))
    # a chord dips below the horizon by asin(c / 2R): the same angle between
    # two chords is a wider angle between their azimuths
    dip = np.sqrt(np.maximum(1.0 - (chord_km / (2 * EARTH_RADIUS_KM)) ** 2, 0.0))
    share = np.where(angle < dip, angle / np.maximum(dip, 1e-12), 1.0)
    return 1e-3 + (full - 1e-3) * share


class LineIndex:
    """Search structure for exact nearest-point queries against one polyline.

    Parameters
    ----------
    line : shapely LineString or MultiLineString
        Longitude/latitude degrees (EPSG:4326). Edges are read as geodesics.

    Examples
    --------
    >>> from shapely import LineString
    >>> index = LineIndex(LineString([(60, 25), (60, 30)]))
    >>> res = index.nearest([61.0], [27.0])
    >>> round(float(res.distance_km[0]), 3), bool(res.left[0])
    (99.254, False)
    """

    def __init__(self, line: shapely.Geometry) -> None:
        parts = [p for p in shapely.get_parts(line) if not p.is_empty]
        if not parts or any(p.geom_type != "LineString" for p in parts):
            raise InputError("border", None, "geometry", "needs a LineString or MultiLineString")
        lons, lats, seg_start, seg_part = [], [], [], []
        offset = 0
        for i, part in enumerate(parts):
            xy = shapely.get_coordinates(part)
            lon, lat = densify_geodesic(np.unwrap(xy[:, 0], period=360), xy[:, 1], MAX_EDGE_KM)
            lons.append(lon)
            lats.append(lat)
            seg_start.append(offset + np.arange(len(lon) - 1))
            seg_part.append(np.full(len(lon) - 1, i))
            offset += len(lon)
        self.lon = np.concatenate(lons)
        self.lat = np.concatenate(lats)
        self.seg_a = np.concatenate(seg_start)
        self.seg_part = np.concatenate(seg_part)
        self.seg_b = self.seg_a + 1
        n = len(self.lon)
        # edge before and after each vertex (-1 at the ends of a part)
        self.prev_seg = np.full(n, -1)
        self.next_seg = np.full(n, -1)
        self.next_seg[self.seg_a] = np.arange(len(self.seg_a))
        self.prev_seg[self.seg_b] = np.arange(len(self.seg_a))
        self.xyz = ecef_km(self.lon, self.lat)
        self.tree = KDTree(self.xyz)
        self.seg_vec = self.xyz[self.seg_b] - self.xyz[self.seg_a]
        self.seg_len2 = np.maximum(np.einsum("sj,sj->s", self.seg_vec, self.seg_vec), 1e-18)
        self.max_edge_km = float(np.sqrt(self.seg_len2.max(initial=0.0)))
        # the plane of each edge through the Earth's centre: its sign gives the side
        self.seg_normal = np.cross(self.xyz[self.seg_a], self.xyz[self.seg_b])

    def __getstate__(self) -> dict:
        # pykdtree's tree does not pickle (Dask ships theatres to workers): rebuilt on load
        state = self.__dict__.copy()
        del state["tree"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.tree = KDTree(self.xyz)

    def nearest(self, lon: ArrayLike, lat: ArrayLike) -> NearestResult:
        """Exact geodesic distance, nearest point, azimuth and side for points.

        Parameters
        ----------
        lon, lat : array_like
            Degrees; NaN gives NaN.

        Returns
        -------
        NearestResult
            ``distance_km``; ``nearest_lon``/``nearest_lat`` of the nearest
            point on the line; ``bearing_deg``, the azimuth from the point to
            it in [0, 360) (NaN on the line); ``left``, True when the point is
            left of the line's direction; ``part``, the part of the line.
        """
        lon = np.asarray(lon, dtype="float64").ravel()
        lat = np.asarray(lat, dtype="float64").ravel()
        n = len(lon)
        dist = np.full(n, np.nan)
        nlon = np.full(n, np.nan)
        nlat = np.full(n, np.nan)
        bearing = np.full(n, np.nan)
        left = np.zeros(n, dtype=bool)
        part = np.full(n, -1)
        ok = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))

        def solve(chunk: slice):
            rows = ok[chunk]
            return rows, self._solve(lon[rows], lat[rows], _K)

        # each row is solved alone: slices on threads give the same answers
        for rows, (d, x, y, b, s, seg) in chunk_map(solve, len(ok), max_rows=_CHUNK):
            dist[rows], nlon[rows], nlat[rows], bearing[rows], left[rows] = d, x, y, b, s
            part[rows] = self.seg_part[seg]
        return NearestResult(dist, nlon, nlat, bearing, left, part)

    def lower_bound_km(self, lon: ArrayLike, lat: ArrayLike) -> np.ndarray:
        """Bound each point's distance to the line from below, cheaply (km).

        The chord to the nearest vertex, less the longest edge: no point of
        the line is nearer by chord, and a chord is never longer than the
        geodesic. Lets callers skip exact work for points surely out of reach.

        Examples
        --------
        >>> from shapely import LineString
        >>> index = LineIndex(LineString([(60, 25), (60, 30)]))
        >>> bound = index.lower_bound_km([61.0], [27.0])
        >>> exact = index.nearest([61.0], [27.0]).distance_km
        >>> bool(exact[0] - 1.0 <= bound[0] <= exact[0])
        True
        """
        lon = np.asarray(lon, dtype="float64").ravel()
        lat = np.asarray(lat, dtype="float64").ravel()
        chord, _ = self.tree.query(ecef_km(lon, lat), k=1)
        return np.maximum(chord - self.max_edge_km, 0.0)

    def _solve(self, lon, lat, k):
        n_vert = len(self.lon)
        k = min(k, n_vert)
        p = ecef_km(lon, lat)
        chord, idx = self.tree.query(p, k=k)
        chord = chord.reshape(len(lon), k)
        idx = idx.reshape(len(lon), k)
        r0 = chord[:, 0]
        # a candidate may hold the nearest edge if its chord is within the
        # window: half an edge beyond the nearest vertex, plus the ranking
        # margin; that margin is at most the full spread, so only candidates
        # inside the widest window need the angle-dependent one (far events)
        base = np.sqrt(r0**2 + (self.max_edge_km / 2) ** 2)
        usable = chord <= (base + _ranking_margin_km(r0))[:, None]
        r, c = np.nonzero(usable[:, 1:])
        c += 1
        if len(r):
            # how far each candidate lies from the nearest vertex (plus an edge,
            # as the nearest point may lie anywhere on the edges of that vertex)
            gap = self.xyz[idx[r, c]] - self.xyz[idx[r, 0]]
            apart = np.sqrt(np.einsum("nj,nj->n", gap, gap)) + self.max_edge_km
            usable[r, c] = chord[r, c] <= base[r] + _candidate_margin_km(r0[r], apart)
        # beyond a third of the way round, chord order stops telling the nearest
        # vertex reliably: every vertex is measured by exact geodesic instead
        far = r0 > _FAR_CHORD_KM
        widen = usable[:, -1] & ~far if k < n_vert else np.zeros(len(lon), dtype=bool)
        out = self._measure(lon, lat, p, idx, usable)
        if far.any():
            rows = np.flatnonzero(far)
            brute = self._nearest_vertex(lon[rows], lat[rows], p[rows])
            for arr, new in zip(out, brute, strict=True):
                arr[rows] = new
        wide = np.flatnonzero(widen)
        step = max(1, _WIDE_BATCH // (k * 4))
        for start in range(0, len(wide), step):
            sub = wide[start : start + step]
            wider = self._solve(lon[sub], lat[sub], k * 4)
            for arr, new in zip(out, wider, strict=True):
                arr[sub] = new
        return out

    def _measure(self, lon, lat, p, idx, usable):
        # the edges before and after each usable candidate vertex, as compact
        # (row, edge) pairs in row order: most events have one usable vertex
        segs = np.concatenate([self.prev_seg[idx], self.next_seg[idx]], axis=1)
        valid = np.concatenate([usable, usable], axis=1) & (segs >= 0)
        rows, cols = np.nonzero(valid)
        segs = segs[rows, cols]
        ab = self.seg_vec[segs]
        foot = self.xyz[self.seg_a[segs]]
        ap = p[rows] - foot
        t = np.clip(np.einsum("kj,kj->k", ap, ab) / self.seg_len2[segs], 0.0, 1.0)
        ab *= t[:, None]
        ap -= ab  # now the vector from the foot to the point
        foot += ab
        chord2 = np.einsum("kj,kj->k", ap, ap)
        # each row has a pair (its nearest vertex is usable and ends an edge):
        # the first pair of least chord per row, as argmin would take it
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        low = np.minimum.reduceat(chord2, starts)
        at_low = np.flatnonzero(chord2 == low[rows])
        best = at_low[np.r_[True, rows[at_low][1:] != rows[at_low][:-1]]]
        dist, flon, flat, az, seg, tt = self._exact(lon, lat, segs[best], t[best], foot[best])
        # every other edge within the ranking margin is settled by exact geodesics
        c1 = np.sqrt(low)
        excess = np.sqrt(chord2) - c1[rows]
        maybe = excess <= _ranking_margin_km(c1)[rows]
        maybe[best] = False
        j = np.flatnonzero(maybe)
        r = rows[j]
        apart = np.linalg.norm(foot[j] - foot[best[r]], axis=1)
        # the same point reached from the next edge (a shared vertex) is no rival
        tie = (apart > 1e-9) & (excess[j] <= _candidate_margin_km(c1[r], apart))
        r, j = r[tie], j[tie]
        if len(r):
            d2 = self._exact(lon[r], lat[r], segs[j], t[j], foot[j])
            # best tie per row: sort by row, then distance, keep each row's first
            order = np.lexsort((d2[0], r))
            first = order[np.r_[True, r[order][1:] != r[order][:-1]]]
            rr = r[first]
            better = d2[0][first] < dist[rr]
            for arr, new in zip((dist, flon, flat, az, seg, tt), d2, strict=True):
                arr[rr[better]] = new[first][better]
        left = self._left_of(p, seg, tt)
        bearing = np.where(dist > 1e-9, np.mod(az, 360.0), np.nan)
        return dist, flon, flat, bearing, left, seg

    def _nearest_vertex(self, lon, lat, p):
        """For points far round the globe: the vertex of least exact geodesic.

        Every vertex is covered: a cheap lower bound (the polar radius times
        the geocentric angle) rules out most of them, and every vertex it
        cannot rule out is measured exactly.

        Between the nearest vertex and the true nearest point, at most half a
        1 km edge away, the distance differs by about ``0.125 / rho`` km, where
        ``rho`` is the radius of the circle of points at that distance: a few
        centimetres at 120 degrees of arc, a metre only within about 125 km of
        the line's antipode.
        """
        n_vert = len(self.lon)
        best = np.empty(len(lon), dtype=int)
        dist = np.empty(len(lon))
        az = np.empty(len(lon))
        # A curve on the ellipsoid stays outside the sphere of the polar radius
        # b, and projecting it onto that sphere does not lengthen it, so a
        # geodesic is at least b times the angle between the geocentric
        # directions of its ends. The exact distance to the vertex of least
        # angle bounds the answer from above; only vertices whose bound is
        # below it are measured exactly.
        vertices = self.xyz / np.linalg.norm(self.xyz, axis=1)[:, None]
        points = p / np.linalg.norm(p, axis=1)[:, None]
        step = max(1, _WIDE_BATCH // n_vert)
        for start in range(0, len(lon), step):
            x, y = lon[start : start + step], lat[start : start + step]
            m = len(x)
            angle = np.arccos(np.clip(points[start : start + step] @ vertices.T, -1.0, 1.0))
            closest = np.argmin(angle, axis=1)
            _, _, upper = WGS84.inv(
                x, y, self.lon[closest], self.lat[closest], return_back_azimuth=False
            )
            r, v = np.nonzero(angle * (_B_KM * 1000.0) <= np.asarray(upper)[:, None] + 1e-3)
            fwd, _, near = WGS84.inv(
                x[r], y[r], self.lon[v], self.lat[v], return_back_azimuth=False
            )
            # per point, the candidate of least geodesic (rows come in order)
            order = np.lexsort((np.asarray(near), r))
            first = order[np.r_[True, r[order][1:] != r[order][:-1]]]
            best[start : start + m] = v[first]
            dist[start : start + m] = np.asarray(near)[first] / 1000.0
            az[start : start + m] = np.asarray(fwd)[first]
        # the vertex as the start of its next edge, or the end of the last one
        seg = np.where(self.next_seg[best] >= 0, self.next_seg[best], self.prev_seg[best])
        t = np.where(self.next_seg[best] >= 0, 0.0, 1.0)
        left = self._left_of(p, seg, t)
        bearing = np.where(dist > 1e-9, np.mod(az, 360.0), np.nan)
        return dist, self.lon[best], self.lat[best], bearing, left, seg

    def _exact(self, lon, lat, seg, t, foot):
        # the chord foot, lifted to the surface, lies on the edge's normal
        # section, which is within millimetres of the geodesic for 1 km edges
        flon, flat = geodetic_from_ecef(foot)
        az, _, metres = WGS84.inv(lon, lat, flon, flat, return_back_azimuth=False)
        return np.asarray(metres) / 1000.0, flon, flat, np.asarray(az), seg, t

    def _left_of(self, p, seg, t):
        """Side of the line; at a vertex, the corner rule settles disagreement."""
        side = self._left_of_edge(p, seg)
        at_start = (t <= 0.0) & (self.prev_seg[self.seg_a[seg]] >= 0)
        at_end = (t >= 1.0) & (self.next_seg[self.seg_b[seg]] >= 0)
        for mask, other, first_is_incoming in (
            (at_start, self.prev_seg[self.seg_a[seg]], False),
            (at_end, self.next_seg[self.seg_b[seg]], True),
        ):
            if not mask.any():
                continue
            r = np.flatnonzero(mask)
            incoming = seg[r] if first_is_incoming else other[r]
            outgoing = other[r] if first_is_incoming else seg[r]
            s_in = self._left_of_edge(p[r], incoming)
            s_out = self._left_of_edge(p[r], outgoing)
            turn_left = self._left_of_edge(self.xyz[self.seg_b[outgoing]], incoming)
            # turning left, the left side is the inside of the corner: both must agree
            side[r] = np.where(s_in == s_out, s_in, ~turn_left)
        return side

    def _left_of_edge(self, p, seg):
        return np.einsum("nj,nj->n", p, self.seg_normal[seg]) > 0


class PairIndex:
    """Exact nearest point on any of many lines, and which line holds it.

    One :class:`LineIndex` over the parts of every line: a query costs about
    what one query against a single line of the same total length costs.

    Parameters
    ----------
    lines : sequence of shapely (Multi)LineString
        EPSG:4326; edges are read as geodesics. Empty lines are skipped.

    Examples
    --------
    >>> from shapely import LineString
    >>> index = PairIndex([LineString([(0, 0), (0, 1)]), LineString([(2, 0), (2, 1)])])
    >>> res = index.nearest([1.6, 0.2], [0.5, 0.5])
    >>> res.part.tolist(), bool(res.left[0]), bool(res.left[1])
    ([1, 0], True, False)
    """

    def __init__(self, lines) -> None:
        lines = list(lines)
        parts, owner = [], []
        for row, line in enumerate(lines):
            if line is None:
                continue
            for piece in shapely.get_parts(line):
                if not piece.is_empty:
                    parts.append(piece)
                    owner.append(row)
        if not parts:
            raise InputError("border", None, "geometry", "needs at least one line")
        self.n_lines = len(lines)
        if len(lines) == 1:  # one line: share the cached index of that line
            self.index = line_index(lines[0])
            self.owner = np.zeros(len(shapely.get_parts(lines[0])), dtype=int)
        else:
            self.index = LineIndex(shapely.MultiLineString(parts))
            self.owner = np.asarray(owner, dtype=int)

    def nearest(self, lon: ArrayLike, lat: ArrayLike) -> NearestResult:
        """As :meth:`LineIndex.nearest`; ``part`` is the position of the nearest line."""
        res = self.index.nearest(lon, lat)
        owner = np.append(self.owner, -1)  # NaN points have part -1
        which = owner[np.where(res.part >= 0, res.part, len(self.owner))]
        return NearestResult(
            res.distance_km, res.nearest_lon, res.nearest_lat, res.bearing_deg, res.left, which
        )


@functools.lru_cache(maxsize=16)
def _cached(wkb: bytes) -> LineIndex:
    return LineIndex(shapely.from_wkb(wkb))


def line_index(line: shapely.Geometry) -> LineIndex:
    """Return a cached :class:`LineIndex` for ``line``; repeated calls reuse the tree."""
    return _cached(shapely.to_wkb(line))
