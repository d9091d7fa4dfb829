"""Sites: named places every event of a theatre is measured to.

A site is a gazetteer name (or alternate spelling) or ``(name, lon, lat)``.
The default theatre uses the story's sites; any other pair gets the towns
nearest its border (:func:`border_sites`).
"""

from __future__ import annotations

import csv
import re
import unicodedata
import warnings
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import layers
from geo.country_codes import EMBEDDED, iso3_from_name
from geo.errors import InputError
from geo.gazetteer import NOT_FOUND, geocode, not_found_message
from geo.geodesy import geodesic_km, lon_span
from geo.layers.paths import LAYERS_DIR
from geo.nearest import PairIndex

__all__ = [
    "SITE_RADIUS_KM",
    "AmbiguousSiteWarning",
    "Site",
    "border_sites",
    "curated_points",
    "join_qualifiers",
    "resolve_sites",
    "site_column",
]

#: Default sites of a pair other than the default are towns within this distance of it.
SITE_RADIUS_KM = 50.0

#: A site is a gazetteer name, or ``(name, lon, lat)``.
Site = str | tuple[str, float, float]

#: A default site is never within this distance of a better-ranked one.
TOWN_APART_KM = 5.0

#: Candidates listed for an ambiguous site name.
SITE_CANDIDATES = 8


class AmbiguousSiteWarning(UserWarning):
    """A site name means several places; the first was used and all are listed."""


def join_qualifiers(names: Iterable[str]) -> list[str]:
    """Join a country qualifier to the name before it: ``["Khash", "Iran"]`` to ``["Khash, Iran"]``.

    A comma-separated ``--sites`` list arrives split at every comma; a part
    that names a country (by name, or an ISO3 code in capitals) qualifies the
    site before it.

    Examples
    --------
    >>> join_qualifiers(["Khash", "Iran", "Chabahar", "Gwadar Port"])
    ['Khash, Iran', 'Chabahar', 'Gwadar Port']
    >>> join_qualifiers(["Khash", "AFG"])
    ['Khash, AFG']
    """
    joined: list[str] = []
    for name in names:
        text = str(name).strip()
        if joined and "," not in joined[-1] and _is_country(text):
            joined[-1] = f"{joined[-1]}, {text}"
        else:
            joined.append(text)
    return joined


def _is_country(text: str) -> bool:
    if len(text) == 3 and text.isalpha() and text.isupper() and text in EMBEDDED:
        return True
    return pd.notna(iso3_from_name(pd.Series([text])).iloc[0])


def _candidates(site: str) -> gpd.GeoDataFrame:
    """Places a site name means: exact spellings, else loose ones (never fuzzy), best first."""
    found = geocode([site], limit=SITE_CANDIDATES)
    for floor in (100.0, 95.0):
        best = found[found["score"] >= floor]
        if not best.empty:
            break
    # a site is a point: the province named after a town of its country (Khartoum,
    # Khartoum state) is that town, not a second meaning
    towns = set(best.loc[best["kind"] != "province", "iso3"])
    return best[(best["kind"] != "province") | ~best["iso3"].isin(towns)]


def _not_found(site: str) -> InputError:
    message = not_found_message(site)
    if message == NOT_FOUND:
        message = f"{site!r} {NOT_FOUND}"
    return InputError("sites", None, None, message)


def curated_points(names: Iterable[str]) -> dict[str, tuple[float, float]]:
    """``{name: (lon, lat)}`` of curated sites by their exact name, from the small curated table.

    For names known to mean one place (the default sites), this answers
    without loading the gazetteer's index; :func:`resolve_sites` gives the
    same coordinates.

    Raises
    ------
    InputError
        For a name that is not a curated site.
    """
    with open(LAYERS_DIR / "curated" / "sites.csv", encoding="utf-8", newline="") as f:
        table = {
            row["name"]: (float(row["longitude"]), float(row["latitude"]))
            for row in csv.DictReader(f)
        }
    missing = [n for n in names if n not in table]
    if missing:
        raise InputError("sites", None, None, f"{missing[0]!r} is not a curated site")
    return {n: table[n] for n in names}


def resolve_sites(sites: Iterable[Site]) -> dict[str, tuple[float, float]]:
    """``{name: (lon, lat)}`` of gazetteer names and ``(name, lon, lat)`` tuples.

    A name may carry a country (``"Khash, Iran"`` or ``"Khash, IRN"``; a
    list split at its commas is joined again by :func:`join_qualifiers`).
    Exact spellings (any script) win over loose ones; curated sites, then
    towns before provinces, then larger towns come first. A name that means
    several places warns with :class:`AmbiguousSiteWarning`, listing them,
    and takes the first.

    Raises
    ------
    InputError
        For a name the gazetteer does not know (``sites``); with a country,
        the message names the countries where the name does exist.
    """
    sites = list(sites)
    names = join_qualifiers(s for s in sites if isinstance(s, str))
    found = {
        str(n): (float(x), float(y)) for n, x, y in (s for s in sites if not isinstance(s, str))
    }
    for site in names:
        hits = _candidates(site)
        if hits.empty:
            raise _not_found(site)
        if len(hits) > 1:
            listed = "; ".join(
                f"{n} ({k}, {c or 'no country'}, {y:.3f} {x:.3f})"
                for n, k, c, y, x in zip(
                    hits["name"],
                    hits["kind"],
                    hits["iso3"],
                    hits["latitude"],
                    hits["longitude"],
                    strict=True,
                )
            )
            warnings.warn(
                f"site {site!r} is ambiguous, using the first of {len(hits)}: {listed}; "
                + (
                    "the first is used"
                    if "," in site
                    else 'add the country to choose ("Name, Country")'
                ),
                AmbiguousSiteWarning,
                stacklevel=2,
            )
        found[site] = (float(hits["longitude"].iloc[0]), float(hits["latitude"].iloc[0]))
    return found


def border_sites(
    border: gpd.GeoDataFrame, *, radius_km: float = SITE_RADIUS_KM, count: int = 3
) -> tuple[tuple[str, float, float], ...]:
    """Pick the largest gazetteer towns within ``radius_km`` of a border, one per side first.

    Towns are ranked by GeoNames ``population`` (towns nearest the border
    first among equals), and a town within :data:`TOWN_APART_KM` of a
    better-ranked one is skipped (GeoNames lists El Geneina twice). The
    first pick on each side comes before a second on either, and towns of
    the pair's countries before any of a third; curated sites (ports,
    crossings, such as Chabahar) and provinces are never picked.

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
    side = towns["iso3"].where(towns["iso3"].isin(sides), "")
    towns = pd.concat([_apart(group.head(count * 4)) for _, group in towns.groupby(side)])
    mine = towns["iso3"].isin(sides)
    # one per side in turn, then the rest; towns of third countries last
    towns["_turn"] = towns.groupby(towns["iso3"].where(mine, "")).cumcount() + (~mine) * len(towns)
    towns = towns.sort_values("_turn", kind="stable").drop_duplicates("name").head(count)
    points = zip(towns["name"], towns.geometry.x, towns.geometry.y, strict=True)
    return tuple((str(name), float(x), float(y)) for name, x, y in points)


def _apart(towns: gpd.GeoDataFrame, km: float = TOWN_APART_KM) -> gpd.GeoDataFrame:
    """Drop each town within ``km`` of a better-ranked one (GeoNames lists some towns twice)."""
    x, y = towns.geometry.x.to_numpy(), towns.geometry.y.to_numpy()
    keep: list[int] = []
    for i in range(len(towns)):
        if not keep or geodesic_km(x[i], y[i], x[keep], y[keep]).min() > km:
            keep.append(i)
    return towns.iloc[keep]


def _padded_box(border: gpd.GeoDataFrame, km: float) -> tuple[float, float, float, float]:
    xy = shapely.get_coordinates(border.geometry.to_numpy())
    w, e = lon_span(xy[:, 0])
    s, n = float(xy[:, 1].min()), float(xy[:, 1].max())
    dlat = km / 110.0
    dlon = dlat / max(np.cos(np.radians(max(abs(s), abs(n)) + dlat)), 0.02)
    return (w - dlon, max(s - dlat, -90.0), e + dlon, min(n + dlat, 90.0))


def site_column(name: str) -> str:
    """Column name for the distance to a site.

    Examples
    --------
    >>> site_column("Gwadar Port")
    'dist_gwadar_port_km'
    >>> site_column("Khash (Iran)"), site_column("São Tomé")
    ('dist_khash_iran_km', 'dist_sao_tome_km')
    """
    folded = name.casefold()
    # accents dropped where the letter has an ASCII base; other scripts kept as they are
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
    )
    slug = "_".join(re.findall(r"[^\W_]+", plain))
    return f"dist_{slug}_km"
