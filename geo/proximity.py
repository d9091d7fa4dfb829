"""Proximity of events to a border: distance, nearest point, side, province, zone.

Every distance is an exact geodesic on the WGS84 ellipsoid (see
:mod:`geo.nearest`); nothing is measured in a projected CRS.

Examples
--------
>>> import geo
>>> out = geo.analyze(geo.seed_events())
>>> row = out.set_index("location").loc["Saravan"]
>>> row["side"], row["province"], bool(40 < row["border_distance_km"] < 50)
('IRN', 'Sistan and Baluchestan', True)
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from geo import layers
from geo.attribution import attribute_attacker
from geo.errors import InputError, LayerError
from geo.geodesy import geodesic_km
from geo.intervals import distance_intervals
from geo.nearest import line_index
from geo.placement import AT_SEA, place_events
from geo.sites import resolve_sites, site_column
from geo.summaries import strike_pairs, summarize
from geo.theatre import Theatre, as_theatre
from geo.zones import assign_zone

__all__ = [
    "ANALYSIS_COLUMNS",
    "AT_SEA",
    "NOT_STRIKES",
    "analyze",
    "distance_to_line_km",
    "event_coordinates",
    "nearest_lines",
    "site_column",
    "site_distances",
    "strike_pairs",
    "summarize",
]


#: ACLED event types that are never strikes, whoever the actor: demonstrations and
#: strategic developments (a base set up, an agreement, a transfer of territory).
NOT_STRIKES = ("Protests", "Riots", "Strategic developments")

ANALYSIS_COLUMNS = [
    "border_distance_km",
    "border_distance_min_km",
    "border_distance_max_km",
    "uncertainty_km",
    "distance_basis",
    "nearest_lon",
    "nearest_lat",
    "bearing_to_border_deg",
    "line_side",
    "side",
    "province",
    "province_iso3",
    "offshore",
    "zone",
    "zone_min_km",
    "zone_max_km",
    "attacker",
    "attacker_basis",
    "incursion_km",
    "incursion_border",
    "border_pair",
]


def distance_to_line_km(lon, lat, line: shapely.Geometry):
    """Exact geodesic distance from points to a line, with the nearest point.

    Parameters
    ----------
    lon, lat : array_like
        Degrees, EPSG:4326.
    line : shapely LineString or MultiLineString
        EPSG:4326; edges are read as geodesics.

    Returns
    -------
    distance_km, nearest_lon, nearest_lat, bearing_deg : numpy.ndarray
        ``bearing_deg`` is the azimuth from the point to its nearest point,
        clockwise from north in [0, 360).

    Examples
    --------
    >>> from shapely import LineString
    >>> d, x, y, b = distance_to_line_km([0.0], [1.0], LineString([(-1, 0), (1, 0)]))
    >>> round(float(d[0]), 3), round(float(x[0]), 6), round(float(b[0]))
    (110.574, 0.0, 180)
    """
    res = line_index(line).nearest(lon, lat)
    return res.distance_km, res.nearest_lon, res.nearest_lat, res.bearing_deg


def event_coordinates(events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude of each event (degrees, WGS84; NaN where none).

    From the point geometry of a GeoDataFrame (transformed to EPSG:4326), or
    from the ``longitude``/``latitude`` columns of a plain DataFrame.
    """
    if not isinstance(events, gpd.GeoDataFrame):
        if isinstance(events, pd.DataFrame) and {"longitude", "latitude"} <= set(events):
            # degrees on WGS84, as read: no point geometry is built (a million cost 0.6 s)
            lon = pd.to_numeric(events["longitude"], errors="coerce").to_numpy("float64")
            lat = pd.to_numeric(events["latitude"], errors="coerce").to_numpy("float64")
            return lon, lat
        raise InputError(
            "events", None, None, "needs a GeoDataFrame of points, or longitude/latitude columns"
        )
    if events.crs is None:
        raise InputError("events", None, "geometry", "has no CRS; set EPSG:4326")
    if not events.crs.equals("EPSG:4326"):
        events = events.to_crs("EPSG:4326")
    geoms = events.geometry.to_numpy()
    kinds = shapely.get_type_id(geoms)
    bad = np.flatnonzero((kinds != 0) & ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms))
    if bad.size:
        raise InputError("events", int(bad[0]) + 1, "geometry", "is not a point")
    return shapely.get_x(geoms), shapely.get_y(geoms)


def analyze(
    events: gpd.GeoDataFrame | pd.DataFrame,
    theatre: Theatre | str | None = None,
    *,
    provinces: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Proximity analysis of every event against a border.

    Parameters
    ----------
    events : GeoDataFrame or DataFrame
        Points (EPSG:4326, or any CRS that can be transformed to it), or a
        plain DataFrame with ``longitude`` and ``latitude`` columns (degrees,
        WGS84; no geometry is built, the fast path for large tables). Used if
        present: ``geo_precision`` / ``where_prec`` (uncertainty), a stated
        ``admin1`` / ``iso3`` (the area of imprecise events), and the attacker
        (``attacker_iso3``, else ACLED ``actor1`` / ``assoc_actor_1`` or UCDP
        ``side_a``; see :mod:`geo.attribution`).
    theatre : Theatre or str, optional
        The border to measure against (:class:`geo.theatre.Theatre`; a pair
        such as ``"IRN-PAK"`` builds one; the default theatre if None). For
        an embedded pair, sides are ISO3 codes; for a user line they are
        ``left`` and ``right`` of the line's direction.
    provinces : GeoDataFrame, optional
        Admin-1 polygons with ``name_en`` and ``adm0_a3`` (embedded by default).

    Returns
    -------
    GeoDataFrame or DataFrame
        The events, of the type given (same rows, order, index and columns: no
        input column is renamed or overwritten) plus :data:`ANALYSIS_COLUMNS`:

        - ``border_distance_km``: geodesic distance of the point; NaN for
          events only known to a province or country (``distance_basis``
          ``province``/``country``), whose interval is measured over that
          polygon. ``border_distance_min_km``/``border_distance_max_km`` hold
          the interval the precision allows; ``nearest_lon``/``nearest_lat``,
          ``bearing_to_border_deg``.
        - ``line_side`` (left/right of the line) and ``side``: ISO3 of the
          country the event lies in for an embedded pair (else left/right);
          :data:`AT_SEA` beyond the territorial sea.
        - ``province``/``province_iso3``: the admin-1 unit the point lies in,
          or the nearest one for events at sea within 12 nautical miles
          (``offshore`` True); none for country-level events.
        - ``zone`` with ``zone_min_km``/``zone_max_km``: the band holding the
          whole interval, or :data:`geo.zones.SPANS_BANDS`.
        - ``attacker``/``attacker_basis`` (``stated`` or ``inferred``), and
          ``incursion_km``: for a strike whose attacker is not the country it
          lies in, its depth from the border those two countries share
          (``incursion_border``); an ``event_type`` in :data:`NOT_STRIKES`
          is never a strike.
    """
    theatre = as_theatre(theatre)
    events = _without_computed(events)
    lon, lat = event_coordinates(events)
    res = theatre.index.nearest(lon, lat)
    rows = _border_rows(theatre, res)
    computed = _measured(events, lon, lat, res, rows, theatre, provinces)
    out = events.copy()
    for col, values in computed.items():
        out[col] = _column(values)
    lo, hi = computed["border_distance_min_km"], computed["border_distance_max_km"]
    zones = assign_zone(lo, theatre.zones_km, hi)
    for col in zones.columns:
        out[col] = pd.Series(zones[col].array, index=out.index)
    attacker, basis = attribute_attacker(events)
    a_table, a_codes = _coded(attacker)
    out["attacker"], out["attacker_basis"] = _text_column(a_table, a_codes), _column(basis)
    # a protest or a base set up across the border is not a strike
    striking = (a_table, np.where(_strike_types(events), a_codes, len(a_table) - 1))
    struck = (computed["side"], computed["province_iso3"])
    nearest_key = (rows["keys"], rows["line"])
    depth, via = _incursion(striking, struck, lon, lat, nearest_key, computed["border_distance_km"])
    out["incursion_km"], out["incursion_border"] = depth, _text_column(*via)
    out["border_pair"] = _text_column(rows["pairs"], rows["line"])
    # plain values only: attrs travel into file metadata (GeoParquet writes them as JSON)
    out.attrs.pop("source", None)  # the reader's file name, for its errors only
    out.attrs["border_pair"] = theatre.pair
    out.attrs["border_length_km"] = theatre.length_km
    return out


def _coded(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``values`` as ``(table, codes)``: distinct values with None last, and each row's entry."""
    codes, uniques = pd.factorize(values)
    return np.append(np.asarray(uniques, dtype=object), None), np.where(
        codes < 0, len(uniques), codes
    )


def _column(values):
    """Return ``values`` as an output column: text in an object array as pandas' string dtype.

    The few distinct values are turned into Arrow strings once and spread by
    index (a tenth of the cost of converting every row's Python string).
    Text already given as ``(table, codes)`` is spread as it is.
    """
    if isinstance(values, tuple):
        return _text_column(*values)
    if values.dtype != object:
        return values
    return _text_column(*_coded(values))


def _strike_types(events: pd.DataFrame) -> np.ndarray:
    """Whether each event's type can be a strike: not one of :data:`NOT_STRIKES` (ACLED)."""
    if "event_type" not in events:
        return np.ones(len(events), dtype=bool)
    codes, types = pd.factorize(events["event_type"])
    kinds = np.array([" ".join(str(t).split()).casefold() for t in types] + [""], dtype=object)
    return ~np.isin(kinds, [t.casefold() for t in NOT_STRIKES])[codes]


def _text_column(table: np.ndarray, codes: np.ndarray):
    """``table[codes]`` (text or None) as pandas' string dtype, taken in Arrow."""
    strings = pa.array(table, pa.large_string(), from_pandas=True)  # NaN: missing
    return pd.arrays.ArrowStringArray(strings.take(codes), dtype=pd.StringDtype(na_value=np.nan))


def _without_computed(events: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Refuse input columns named like computed ones; drop them from bordermap's own output.

    A file bordermap wrote (it has ``border_pair`` and ``distance_basis``) is
    analysed afresh; any other file keeps all its columns untouched, so a
    column that a computed one would overwrite is an error.
    """
    taken = [c for c in ANALYSIS_COLUMNS if c in events.columns]
    if not taken:
        return events
    if {"border_pair", "distance_basis"} <= set(taken):
        return events.drop(columns=taken)
    raise InputError(
        events.attrs.get("source", "events"),
        None,
        taken[0],
        f"bordermap computes {', '.join(taken)} and never overwrites an input column: "
        "rename it in the file",
    )


def _measured(events, lon, lat, res, rows, theatre: Theatre, provinces) -> dict:
    """Distances, their interval, sides and provinces: the columns before zones and strikes."""
    place = place_events(lon, lat, provinces, theatre)
    line_side, side = _sides(res, place, theatre, rows)
    radius, lo, hi, basis = distance_intervals(
        events,
        res.distance_km,
        place["province"],
        place["province_iso3"],
        place["provinces"],
        theatre,
    )
    area = (basis == "province") | (basis == "country")
    country = basis == "country"  # only the country is known: no province is claimed
    # text columns as (table, codes): spread in Arrow without hashing a million strings
    claimed = np.where(country, len(place["names"]) - 1, place["index"])
    return {
        "border_distance_km": np.where(area, np.nan, res.distance_km),
        "border_distance_min_km": lo,
        "border_distance_max_km": hi,
        "uncertainty_km": radius,
        "distance_basis": basis,
        "nearest_lon": np.where(area, np.nan, res.nearest_lon),
        "nearest_lat": np.where(area, np.nan, res.nearest_lat),
        "bearing_to_border_deg": np.where(area, np.nan, res.bearing_deg),
        "line_side": line_side,
        "side": side,
        "province": (place["names"], claimed),
        "province_iso3": (place["codes"], claimed),
        "offshore": place["offshore"],
    }


def _border_rows(theatre: Theatre, res) -> dict[str, np.ndarray]:
    """Each event's nearest border line, and each line's pair and sorted country key.

    ``line`` is ``len(border)`` for an event without one; ``pairs`` and
    ``keys`` have one more entry, None, for it.
    """
    border = theatre.border
    n = len(border)

    def per_line(name):
        values = border[name].to_numpy(dtype=object) if name in border else np.full(n, None)
        return np.append(values, None)

    # one key per border line: codes are joined whole, never split
    lines = zip(per_line("left_iso3"), per_line("right_iso3"), strict=True)
    keys = np.empty(n + 1, dtype=object)
    keys[:] = [None if a is None else "-".join(sorted((a, b))) for a, b in lines]
    pairs = per_line("pair") if theatre.is_nearest else np.append(np.full(n, theatre.pair), None)
    return {"line": np.where(res.part >= 0, res.part, n), "pairs": pairs, "keys": keys}


def _sides(res, place: dict, theatre: Theatre, rows: dict) -> tuple:
    """Side of the line, and the side: the country for embedded borders, else left/right.

    Both as ``(table, codes)`` (see :func:`_column`).
    """
    measured = ~np.isnan(res.distance_km)
    line_side = (np.array(["left", "right", None], dtype=object), np.where(res.left, 0, 1))
    line_side[1][~measured] = 2
    if not theatre.embedded:
        return line_side, line_side
    table = np.append(place["codes"], AT_SEA)  # ISO3 of each province, None, at sea
    codes = place["index"].copy()
    codes[pd.isna(table)[codes] & measured] = len(table) - 1
    return line_side, (table, codes)


def _incursion(attacker, struck, lon, lat, nearest_key: tuple, dist):
    """Depth of each cross-border strike from the border its two countries share.

    ``attacker`` is ``(table, codes)`` of ISO3 codes (None: unknown);
    ``struck`` the pair (side, province_iso3) of ``(table, codes)`` that name
    the country struck; ``nearest_key`` the key of each border line and each
    event's line. Returns the depth and ``(table, codes)`` of the border used.
    """
    keys, line = nearest_key
    depth = np.full(len(attacker[1]), np.nan)
    ids: dict[str, int] = {}  # every code met in the small tables, numbered once

    def numbered(table):
        return np.array([ids.setdefault(v, len(ids)) if isinstance(v, str) and v else -1
                         for v in table] + [-1], dtype=np.int64)  # fmt: skip

    (side_t, side), (country_t, country) = struck
    # the country struck: the side for an embedded pair; for a user's line (sides
    # left and right) the country of the province the event lies in
    is_code = np.array([isinstance(v, str) and len(v) == 3 for v in side_t], dtype=bool)
    hit = np.where(is_code[side], numbered(side_t)[side], numbered(country_t)[country])
    by = numbered(attacker[0])[attacker[1]]
    cross = np.flatnonzero((by >= 0) & (hit >= 0) & (by != hit))
    if not len(cross):
        return depth, (np.array([None], dtype=object), np.zeros(len(depth), dtype=np.int64))
    names = np.array(list(ids), dtype=object)
    borders: list[str | None] = []
    via = np.full(len(depth), -1, dtype=np.int64)
    pair_of = by[cross] * (len(ids) + 1) + hit[cross]
    order = np.argsort(pair_of, kind="stable")  # rows of a pair stay in row order
    starts = np.flatnonzero(np.r_[True, pair_of[order][1:] != pair_of[order][:-1]])
    for first, end in zip(starts, [*starts[1:], len(order)], strict=True):
        rows = cross[order[first:end]]
        a, b = names[by[rows[0]]], names[hit[rows[0]]]
        key = "-".join(sorted((a, b)))  # codes are compared whole, never split
        borders.append(key)
        this = keys[line[rows]] == key  # measured already: the event's own border
        depth[rows[this]] = dist[rows[this]]
        via[rows[this & np.isfinite(dist[rows])]] = len(borders) - 1
        # an event known only to its province or country has no point depth (as it has
        # no point distance): only located events are measured to another border
        far = rows[~this & np.isfinite(lon[rows]) & np.isfinite(dist[rows])]
        if len(far):
            try:
                other = layers.border(a, b).geometry.iloc[0]
            except LayerError:  # the two share no land border
                continue
            depth[far] = distance_to_line_km(lon[far], lat[far], other)[0]
            via[far] = len(borders) - 1
    return depth, (np.array([*borders, None], dtype=object), np.where(via < 0, len(borders), via))


def nearest_lines(analyzed: gpd.GeoDataFrame | pd.DataFrame) -> gpd.GeoDataFrame:
    """Lines from each analysed event to its nearest border point.

    Parameters
    ----------
    analyzed : GeoDataFrame or DataFrame
        Output of :func:`analyze` (points, or ``longitude``/``latitude``).

    Returns
    -------
    GeoDataFrame
        ``event_id`` (when present), ``border_distance_km``, ``side``, and a
        two-point LineString per event that has a distance.
    """
    have = analyzed["border_distance_km"].notna().to_numpy()
    sub = analyzed[have]
    start = np.column_stack(event_coordinates(sub))
    end = np.column_stack([sub["nearest_lon"].to_numpy(), sub["nearest_lat"].to_numpy()])
    coords = np.stack([start, end], axis=1)
    lines = shapely.linestrings(coords)
    cols = [c for c in ("event_id", "border_distance_km", "side") if c in sub]
    return gpd.GeoDataFrame(sub[cols].reset_index(drop=True), geometry=lines, crs="EPSG:4326")


def site_distances(
    analyzed: gpd.GeoDataFrame, sites: Iterable = ("Chabahar", "Gwadar Port")
) -> pd.DataFrame:
    """Geodesic distance from every event to named sites.

    Parameters
    ----------
    analyzed : GeoDataFrame
        Events (analysed or not), points in EPSG:4326.
    sites : iterable
        Gazetteer names (or alternate spellings), or ``(name, lon, lat)`` tuples.

    Returns
    -------
    DataFrame
        One column per site, named by :func:`site_column`, same index as ``analyzed``.
    """
    lon, lat = event_coordinates(analyzed)
    table = {
        site_column(name): geodesic_km(lon, lat, x, y)
        for name, (x, y) in resolve_sites(sites).items()
    }
    return pd.DataFrame(table, index=analyzed.index)
