"""Distance zones along a border: labels, assignment, and geodesic buffer polygons.

Buffers are geodesic. The border is cut into pieces of at most
:data:`PIECE_KM`; each piece is buffered in an azimuthal equidistant
projection centred on it (where distances from the centre are exact and
scale error within ``PIECE_KM / 2`` plus the buffer distance stays below
0.1 %), the outline is densified and brought back to longitude/latitude, and
the pieces are merged. So a 50 km zone is 50 km wide everywhere along a border
of any length and latitude.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from geo import layers
from geo.errors import ParameterError
from geo.geodesy import WGS84, densify_geodesic, geodesic_km

__all__ = [
    "DEFAULT_ZONES_KM",
    "MAX_ZONE_KM",
    "PIECE_KM",
    "SPANS_BANDS",
    "assign_zone",
    "border_buffer",
    "border_zones",
    "parse_zones",
    "zone_categories",
    "zone_labels",
]

DEFAULT_ZONES_KM = (10.0, 25.0, 50.0, 100.0)
# Beyond this a "zone" wraps a good part of the globe, and the local
# azimuthal equidistant buffers would no longer be true to 0.5 %.
MAX_ZONE_KM = 2000.0
PIECE_KM = 300.0
#: Zone of an event whose distance interval reaches into more than one band.
SPANS_BANDS = "spans bands"
_OUTLINE_STEP_KM = 2.0


def parse_zones(text: str | Sequence[float] | None) -> tuple[float, ...]:
    """Read zone edges such as ``"10,25,50,100"`` into sorted positive kilometres.

    Examples
    --------
    >>> parse_zones("50, 10,25")
    (10.0, 25.0, 50.0)
    >>> parse_zones(None)
    (10.0, 25.0, 50.0, 100.0)
    """
    if text is None:
        return DEFAULT_ZONES_KM
    items = text.split(",") if isinstance(text, str) else list(text)
    try:
        values = sorted({float(str(v).strip()) for v in items if str(v).strip()})
    except ValueError as exc:
        raise ParameterError("zones_km", f"not a list of kilometres: {text!r}") from exc
    if not values or values[0] <= 0 or not np.isfinite(values[-1]):
        raise ParameterError("zones_km", f"zone edges must be positive km: {text!r}")
    if values[-1] > MAX_ZONE_KM:
        raise ParameterError(
            "zones_km", f"zone edges above {MAX_ZONE_KM:g} km are not supported: {text!r}"
        )
    return tuple(values)


def _km(value: float) -> str:
    return f"{value:g}"


def zone_labels(zones_km: Sequence[float]) -> list[str]:
    """Labels of the bands, innermost first, plus the band beyond the last edge.

    Examples
    --------
    >>> zone_labels([10, 25])
    ['0-10 km', '10-25 km', '>25 km']
    """
    edges = [0.0, *zones_km]
    inner = [f"{_km(lo)}-{_km(hi)} km" for lo, hi in itertools.pairwise(edges)]
    return [*inner, f">{_km(zones_km[-1])} km"]


def zone_categories(zones_km: Sequence[float]) -> list[str]:
    """Every value ``zone`` can take: the bands in order, then :data:`SPANS_BANDS`.

    Examples
    --------
    >>> zone_categories([10])
    ['0-10 km', '>10 km', 'spans bands']
    """
    return [*zone_labels(zones_km), SPANS_BANDS]


def assign_zone(
    distance_km: np.ndarray, zones_km: Sequence[float], upper_km: np.ndarray | None = None
) -> pd.DataFrame:
    """Band of each distance, or of each distance interval.

    Parameters
    ----------
    distance_km : numpy.ndarray
        Distances, or the lower ends of intervals when ``upper_km`` is given.
    zones_km : sequence of float
        Ascending zone edges.
    upper_km : numpy.ndarray, optional
        Upper ends of the intervals. An interval gets a band only when it lies
        wholly inside it; otherwise its zone is :data:`SPANS_BANDS`, and
        ``zone_min_km``/``zone_max_km`` are the outer edges of the bands it
        reaches into.

    Returns
    -------
    DataFrame
        ``zone`` (ordered categorical of :func:`zone_categories`; missing where
        the distance is NaN), ``zone_min_km``, ``zone_max_km``.

    Examples
    --------
    >>> assign_zone(np.array([3.0, 10.0, 10.5, 400.0]), [10, 25])["zone"].tolist()
    ['0-10 km', '0-10 km', '10-25 km', '>25 km']
    >>> assign_zone(np.array([3.0, 12.0]), [10, 25], np.array([30.0, 20.0]))["zone"].tolist()
    ['spans bands', '10-25 km']
    """
    lower = np.asarray(distance_km, dtype="float64")
    upper = lower if upper_km is None else np.asarray(upper_km, dtype="float64")
    edges = np.array([0.0, *zones_km, np.inf])
    # a point exactly on an edge belongs to the inner band (within 10 km means <= 10)
    low_band = np.searchsorted(edges[1:-1], lower, side="left")
    high_band = np.searchsorted(edges[1:-1], upper, side="left")
    known = np.isfinite(lower) & ~np.isnan(upper)
    spans = len(edges) - 1
    codes = np.where(known, np.where(low_band == high_band, low_band, spans), -1)
    zone = pd.Categorical.from_codes(codes, categories=zone_categories(zones_km), ordered=True)
    lo = np.where(known, edges[np.clip(low_band, 0, len(edges) - 2)], np.nan)
    hi = np.where(known, edges[np.clip(high_band + 1, 1, len(edges) - 1)], np.nan)
    return pd.DataFrame({"zone": zone, "zone_min_km": lo, "zone_max_km": hi})


def _pieces(line: shapely.Geometry) -> list[np.ndarray]:
    """Cut a (multi)line into coordinate runs of at most PIECE_KM each."""
    runs = []
    for part in shapely.get_parts(line):
        xy = shapely.get_coordinates(part)
        steps = geodesic_km(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1])
        along = np.concatenate([[0.0], np.cumsum(steps)])
        cuts = np.searchsorted(along, np.arange(PIECE_KM, along[-1], PIECE_KM))
        bounds = [0, *cuts.tolist(), len(xy) - 1]
        for i0, i1 in itertools.pairwise(bounds):
            if i1 > i0:
                runs.append(xy[i0 : i1 + 1])
    return runs


def _buffer_piece(xy: np.ndarray, distance_km: float, single_sided: bool) -> shapely.Geometry:
    lon, lat = densify_geodesic(xy[:, 0], xy[:, 1], 5.0)
    mid = len(lon) // 2
    aeqd = CRS.from_proj4(f"+proj=aeqd +lat_0={lat[mid]} +lon_0={lon[mid]} +datum=WGS84 +units=m")
    fwd = Transformer.from_crs("EPSG:4326", aeqd, always_xy=True)
    back = Transformer.from_crs(aeqd, "EPSG:4326", always_xy=True)
    x, y = fwd.transform(lon, lat)
    shape = shapely.buffer(
        shapely.LineString(np.column_stack([x, y])),
        distance_km * 1000.0,
        quad_segs=32,
        single_sided=single_sided,
        cap_style="round" if not single_sided else "flat",
    )
    shape = shapely.segmentize(shape, _OUTLINE_STEP_KM * 1000.0)
    return shapely.transform(shape, lambda c: np.column_stack(back.transform(c[:, 0], c[:, 1])))


def border_buffer(
    line: shapely.Geometry, distance_km: float, *, side: str | None = None
) -> shapely.Geometry:
    """Geodesic buffer of a border line.

    Parameters
    ----------
    line : shapely LineString or MultiLineString
        EPSG:4326.
    distance_km : float
        Buffer distance.
    side : {None, "left", "right"}
        Whole buffer, or only the side left/right of the line's direction.

    Returns
    -------
    shapely Polygon or MultiPolygon
        EPSG:4326.
    """
    if side not in (None, "left", "right"):
        raise ParameterError("side", f"{side!r} is not one of None, 'left', 'right'")
    signed = distance_km if side != "right" else -distance_km
    pieces = [_buffer_piece(xy, signed, side is not None) for xy in _pieces(line)]
    return shapely.make_valid(shapely.union_all(pieces))


def border_zones(
    border: gpd.GeoDataFrame,
    zones_km: Sequence[float] = DEFAULT_ZONES_KM,
    *,
    countries: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Distance bands of a border as polygons, split by side.

    Parameters
    ----------
    border : GeoDataFrame
        One border row (e.g. :func:`geo.layers.border`); with ``left_iso3`` and
        ``right_iso3`` columns the sides are those countries, clipped to their
        land (``countries`` or the embedded layer); without them, the sides
        are ``left`` and ``right`` of the line's direction.
    zones_km : sequence of float
        Ascending band edges in km.
    countries : GeoDataFrame, optional
        Country polygons with ``iso3``, for an embedded pair.

    Returns
    -------
    GeoDataFrame
        ``zone``, ``zone_min_km``, ``zone_max_km``, ``side``, ``area_km2``,
        ``geometry``; one row per band and side, innermost first.
    """
    zones_km = parse_zones(list(zones_km))
    line = shapely.union_all(border.geometry.to_numpy())
    named = {"left_iso3", "right_iso3"} <= set(border.columns) and border[
        ["left_iso3", "right_iso3"]
    ].notna().all(axis=None)
    rows = []
    if named:
        left, right = border["left_iso3"].iloc[0], border["right_iso3"].iloc[0]
        land = countries if countries is not None else layers.countries([left, right])
        land = land.set_index("iso3").geometry
        discs = [border_buffer(line, d) for d in zones_km]
        sides = [(left, land.get(left)), (right, land.get(right))]
        for iso3, clip in sides:
            if clip is None:
                continue
            for (lo, hi, label), disc_hi, disc_lo in _bands(zones_km, discs):
                band = shapely.difference(disc_hi, disc_lo) if disc_lo is not None else disc_hi
                rows.append((label, lo, hi, iso3, shapely.intersection(band, clip)))
    else:
        for side in ("left", "right"):
            discs = [border_buffer(line, d, side=side) for d in zones_km]
            for (lo, hi, label), disc_hi, disc_lo in _bands(zones_km, discs):
                band = shapely.difference(disc_hi, disc_lo) if disc_lo is not None else disc_hi
                rows.append((label, lo, hi, side, band))
    frame = gpd.GeoDataFrame(
        rows, columns=["zone", "zone_min_km", "zone_max_km", "side", "geometry"], crs="EPSG:4326"
    )
    frame = frame[~frame.geometry.is_empty].reset_index(drop=True)

    frame["area_km2"] = [abs(WGS84.geometry_area_perimeter(g)[0]) / 1e6 for g in frame.geometry]
    return frame[["zone", "zone_min_km", "zone_max_km", "side", "area_km2", "geometry"]]


def _bands(zones_km, discs):
    labels = zone_labels(zones_km)
    edges = [0.0, *zones_km]
    for i, hi in enumerate(zones_km):
        yield (edges[i], hi, labels[i]), discs[i], (discs[i - 1] if i else None)
