"""Distance intervals: how far from the border an event may be, given its precision.

A point event is its exact distance; an event known to within a radius
(ACLED ``geo_precision``, UCDP ``where_prec``) spans that distance less and
more the radius; an event known only to its province or country spans the
nearest and farthest points of that outline from the border, measured once
per outline and border and cached.
"""

from __future__ import annotations

import weakref

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import layers
from geo.country_codes import EMBEDDED as layers_codes
from geo.precision import precision_extent
from geo.theatre import Theatre

__all__ = ["distance_intervals", "farthest_inside_km"]

# Interval of each area outline against each border index: chunks of one file
# name the same provinces again and again. Keyed by the outline object's id,
# the entry holding the outline itself, so an id is never reused while cached.
_AREA_INTERVALS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# Cells of the first grid over an area, and the slack at which the search stops (km).
_FIRST_CELLS = 400
_SLACK_KM = 0.5
_KM_PER_DEG = 111.7  # no degree of latitude or of longitude is longer


def farthest_inside_km(theatre: Theatre, geom, outline_km: float) -> float:
    """Bound from above the distance to the border of any point of an area.

    The nearest point of an area is on its outline, but the farthest may lie
    inside it (a country's interior, far from every border, under ``--pair
    nearest``). Grid cells over the area are searched branch and bound: a
    cell's centre (inside the area) is measured exactly, and no point of the
    cell is farther than that plus half the cell's diagonal (distance moves
    at most as fast as the point); cells that could still beat the farthest
    point found are split in four, down to a slack of :data:`_SLACK_KM`.

    Parameters
    ----------
    theatre : Theatre
    geom : shapely Polygon or MultiPolygon
        EPSG:4326.
    outline_km : float
        The largest distance found over the outline's vertices.

    Returns
    -------
    float
        At least ``outline_km``; at most the true maximum plus the slack.
    """
    w, s, e, n = geom.bounds
    step = max(np.sqrt(max((e - w) * (n - s), 1e-12) / _FIRST_CELLS), 1e-3)
    lon, lat = np.meshgrid(np.arange(w + step / 2, e, step), np.arange(s + step / 2, n, step))
    lon, lat = lon.ravel(), lat.ravel()
    best = outline_km
    while True:
        inside = shapely.contains_xy(geom, lon, lat)
        lon, lat = lon[inside], lat[inside]
        if not len(lon):
            return best
        d = theatre.index.nearest(lon, lat).distance_km
        best = max(best, float(np.nanmax(d)))
        reach = d + 0.5 * step * _KM_PER_DEG * np.sqrt(2)
        open_ = reach > best + _SLACK_KM
        if not open_.any():
            return best
        if step * _KM_PER_DEG < _SLACK_KM:  # cells this small: their bound stands
            return float(max(best, np.nanmax(reach)))
        step /= 2
        quarter = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]]) * step / 2
        lon = (lon[open_, None] + quarter[:, 0]).ravel()
        lat = (lat[open_, None] + quarter[:, 1]).ravel()


def _area_intervals(
    theatre: Theatre, areas: np.ndarray, names: np.ndarray, polygons: gpd.GeoDataFrame, key: str
) -> tuple[np.ndarray, np.ndarray]:
    """Min and max distance to the border over the province/country each event names."""
    lo = np.full(len(names), np.nan)
    hi = np.full(len(names), np.nan)
    table = polygons.set_index(key).geometry
    wanted = np.flatnonzero(areas != "")
    codes, uniques = pd.factorize(pd.Series(names[wanted], dtype=object))
    known = _AREA_INTERVALS.setdefault(theatre.index, {})
    bounds = np.full((len(uniques) + 1, 2), np.nan)  # the last row: names not found
    for i, name in enumerate(uniques):
        if name is None or name not in table.index:
            continue
        geom = table.loc[name]
        geom = geom.iloc[0] if isinstance(geom, gpd.GeoSeries) else geom
        entry = known.get(id(geom))
        if entry is None or entry[0] is not geom:
            xy = shapely.get_coordinates(geom)
            d = theatre.index.nearest(xy[:, 0], xy[:, 1]).distance_km
            touches = d.min() < 1e-3 or shapely.intersects(geom, theatre.line)
            farthest = farthest_inside_km(theatre, geom, float(d.max()))
            entry = known[id(geom)] = (geom, 0.0 if touches else d.min(), farthest)
        bounds[i] = entry[1:]
    codes = np.where(codes < 0, len(uniques), codes)
    lo[wanted], hi[wanted] = bounds[codes, 0], bounds[codes, 1]
    return lo, hi


def distance_intervals(events, dist, province, province_iso3, provs, theatre: Theatre):
    """Distance interval each event's precision allows.

    Parameters
    ----------
    events : DataFrame
        Read: ``geo_precision``/``where_prec`` and the stated ``admin1``/``iso3``.
    dist : numpy.ndarray
        Each point's exact distance to the border (km).
    province, province_iso3 : numpy.ndarray of object
        The province each point lies in, and its country.
    provs : GeoDataFrame
        The admin-1 polygons those were found in.
    theatre : Theatre

    Returns
    -------
    radius, lo, hi : numpy.ndarray
        Uncertainty radius and the interval's ends (km).
    basis : numpy.ndarray of object
        ``point``, ``circle``, ``province`` or ``country``.
    """
    radius, area = precision_extent(events)
    lo = np.maximum(dist - radius, 0.0)
    hi = dist + radius
    for kind, key, own in (
        ("province", "name_en", events.get("admin1")),
        ("country", "iso3", events.get("iso3")),
    ):
        rows = area == kind
        if rows.any():
            located = province if kind == "province" else province_iso3
            named = pd.Series(own if own is not None else None, index=events.index, dtype=object)
            polygons = provs if kind == "province" else _countries(named[rows], located[rows])
            # each distinct name is looked up once
            codes, uniques = pd.factorize(named)
            known = np.append(pd.Index(uniques, dtype=object).isin(polygons[key]), False)[codes]
            names = np.where(known, named.to_numpy(dtype=object), located)
            where = np.where(rows, kind, "")
            a_lo, a_hi = _area_intervals(theatre, where, names, polygons, key)
            lo = np.where(rows, a_lo, lo)
            hi = np.where(rows, a_hi, hi)
    basis = np.where(area != "", area, np.where(radius > 0, "circle", "point")).astype(object)
    return radius, lo, hi, basis


def _countries(named: pd.Series, located: np.ndarray) -> gpd.GeoDataFrame:
    """Outlines of only the countries country-level events name or lie in."""
    values = [*pd.unique(named.dropna()), *pd.unique(pd.Series(located, dtype=object).dropna())]
    wanted = {str(c).upper() for c in values}
    known = wanted & set(layers_codes)
    return layers.countries(sorted(known)) if known else layers.countries([])
