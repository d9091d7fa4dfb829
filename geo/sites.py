"""Sites: named places every event of a theatre is measured to.

A site is a gazetteer name (or alternate spelling) or ``(name, lon, lat)``.
The default theatre uses the story's sites; any other pair gets the towns
nearest its border (:func:`border_sites`).
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import shapely

from geo import layers
from geo.errors import InputError
from geo.geodesy import lon_span
from geo.nearest import PairIndex

__all__ = ["SITE_RADIUS_KM", "Site", "border_sites", "resolve_sites"]

#: Default sites of a pair other than the default are towns within this distance of it.
SITE_RADIUS_KM = 50.0

#: A site is a gazetteer name, or ``(name, lon, lat)``.
Site = str | tuple[str, float, float]


def resolve_sites(sites: Iterable[Site]) -> dict[str, tuple[float, float]]:
    """``{name: (lon, lat)}`` of gazetteer names (or alternate spellings) and tuples.

    Raises
    ------
    InputError
        For a name the gazetteer does not know (``sites``).
    """
    sites = list(sites)
    if all(not isinstance(site, str) for site in sites):
        return {str(n): (float(x), float(y)) for n, x, y in sites}
    places = layers.places()
    names = places["name"].str.casefold()
    alts = places["alt_names"].str.casefold().str.split("|")
    found = {}
    for site in sites:
        if not isinstance(site, str):
            name, x, y = site
            found[str(name)] = (float(x), float(y))
            continue
        key = site.casefold()
        hit = places[(names == key) | alts.apply(lambda a, k=key: k in a)]
        if hit.empty:
            raise InputError("sites", None, None, f"{site!r} not found in the embedded gazetteer")
        curated = hit[hit["source"] == "curated"]
        geom = (curated if not curated.empty else hit).geometry.iloc[0]
        found[site] = (geom.x, geom.y)
    return found


def border_sites(
    border: gpd.GeoDataFrame, *, radius_km: float = SITE_RADIUS_KM, count: int = 3
) -> tuple[tuple[str, float, float], ...]:
    """Pick the largest gazetteer towns within ``radius_km`` of a border, one per side first.

    Towns are ranked by ``population`` when the gazetteer has it, else (the
    gazetteer of GeoNames towns has no population) towns nearest the border
    come first. The first pick on each side comes before a second on either,
    and towns of the pair's countries before any of a third; curated sites
    (ports, crossings, such as Chabahar) and provinces are never picked.

    Parameters
    ----------
    border : GeoDataFrame
        One border row with ``left_iso3`` and ``right_iso3``.
    radius_km : float
    count : int

    Returns
    -------
    tuple of (name, lon, lat)
    """
    w, s, e, n = _padded_box(border, radius_km)
    places = layers.places()
    xy = shapely.get_coordinates(places.geometry.to_numpy())
    lon = np.mod(xy[:, 0] - w, 360.0) + w  # same turn of the globe as the box
    box = (lon >= w) & (lon <= e) & (xy[:, 1] >= s) & (xy[:, 1] <= n)
    # towns only: never a curated site (port, crossing) or a whole province
    town = (places["source"] != "curated") & (places["kind"] != "province")
    towns = places[box & town.to_numpy()].copy()
    if towns.empty:
        return ()
    line = border.geometry.iloc[0]
    towns["_km"] = PairIndex([line]).nearest(towns.geometry.x, towns.geometry.y).distance_km
    towns = towns[towns["_km"] <= radius_km]
    rank = ["population", "_km"] if "population" in towns else ["_km"]
    towns = towns.sort_values(rank, ascending=[False, True][-len(rank) :], kind="stable")
    sides = [str(border[c].iloc[0]) for c in ("left_iso3", "right_iso3")]
    mine = towns["iso3"].isin(sides)
    # one per side in turn, then the rest; towns of third countries last
    towns["_turn"] = towns.groupby(towns["iso3"].where(mine, "")).cumcount() + (~mine) * len(towns)
    towns = towns.sort_values("_turn", kind="stable").drop_duplicates("name").head(count)
    points = zip(towns["name"], towns.geometry.x, towns.geometry.y, strict=True)
    return tuple((str(name), float(x), float(y)) for name, x, y in points)


def _padded_box(border: gpd.GeoDataFrame, km: float) -> tuple[float, float, float, float]:
    xy = shapely.get_coordinates(border.geometry.to_numpy())
    w, e = lon_span(xy[:, 0])
    s, n = float(xy[:, 1].min()), float(xy[:, 1].max())
    dlat = km / 110.0
    dlon = dlat / max(np.cos(np.radians(max(abs(s), abs(n)) + dlat)), 0.02)
    return (w - dlon, max(s - dlat, -90.0), e + dlon, min(n + dlat, 90.0))
