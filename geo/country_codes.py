"""Country codes: ISO 3166 numeric, Gleditsch-Ward (UCDP) and names to ISO3.

Numeric and Gleditsch-Ward codes cover the countries most common in ACLED and
UCDP; names also resolve to any country of the embedded layers (their English
name or code). Anything else maps to ``<NA>``, which the checks treat as
"country not checkable", never as an error.

:data:`EMBEDDED` is every country of the embedded layers, read on first use
from the cheap country table (:func:`country_table`: codes, names and
bounding boxes, no geometry); :func:`countries_at` finds the countries whose
box holds a point, so callers load only the outlines they need.

Examples
--------
>>> import pandas as pd
>>> iso3_from_numeric(pd.Series(["364", "586", "4", "999", ""])).tolist()
['IRN', 'PAK', 'AFG', <NA>, <NA>]
>>> iso3_from_name(pd.Series(["Iran (Islamic Republic of)", "pakistan", "Laos"])).tolist()
['IRN', 'PAK', 'LAO']
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo import layers
from geo.layers.names import AMBIGUOUS_NAMES

__all__ = [
    "BOX_COLUMNS",
    "EMBEDDED",
    "countries_at",
    "country_table",
    "iso3_from_gw",
    "iso3_from_name",
    "iso3_from_numeric",
    "normalise_name",
]

#: Bounding-box columns of :func:`country_table`.
BOX_COLUMNS = ("west", "south", "east", "north")


@functools.cache
def _sorted_codes() -> tuple[str, ...]:
    return tuple(sorted(_table()["iso3"].astype(str)))


@functools.cache
def _code_set() -> frozenset[str]:
    return frozenset(_sorted_codes())


@functools.cache
def _table() -> pd.DataFrame:
    return layers.country_table()[["iso3", "name", *BOX_COLUMNS]]


@functools.cache
def _boxes() -> pd.DataFrame:
    return layers.country_boxes()


def country_table() -> pd.DataFrame:
    """Every embedded country: ``iso3``, ``name`` and its box (no geometry; cheap, cached).

    Returns
    -------
    pandas.DataFrame
        ``iso3, name, west, south, east, north`` (degrees).

    Examples
    --------
    >>> "PAK" in set(country_table()["iso3"])
    True
    """
    return _table().copy()


def countries_at(lon, lat, *, pad_deg: float = 0.01) -> list[str]:
    """Codes of the countries whose bounding box holds at least one of the points.

    A superset of the countries the points lie in (boxes, not outlines), found
    without loading any geometry.

    Parameters
    ----------
    lon, lat : array_like
        Degrees; NaN is ignored.
    pad_deg : float
        Grow every box by this much.

    Returns
    -------
    list of str
        Sorted ISO3 codes.

    Examples
    --------
    >>> countries_at([62.33], [27.37])
    ['IRN', 'PAK']
    """
    lon = np.asarray(lon, dtype="float64").ravel()
    lat = np.asarray(lat, dtype="float64").ravel()
    ok = np.isfinite(lon) & np.isfinite(lat)
    lon, lat = lon[ok], lat[ok]
    if len(lon) == 0:
        return []
    table = _boxes()
    # coarse first: a 1-degree cell holds many points, test each cell once
    code = (np.floor(lon) + 180).astype(np.int64) * 1000 + (np.floor(lat) + 90).astype(np.int64)
    code = np.unique(code)
    cells = np.column_stack([code // 1000 - 180, code % 1000 - 90]).astype("float64")
    found = []
    for code, w, s, e, n in table[["iso3", *BOX_COLUMNS]].itertuples(index=False):
        w, s, e, n = w - pad_deg, s - pad_deg, e + pad_deg, n + pad_deg
        near = (cells[:, 0] + 1 >= w) & (cells[:, 0] <= e) & (cells[:, 1] + 1 >= s)
        near &= cells[:, 1] <= n
        if near.any() and bool(((lon >= w) & (lon <= e) & (lat >= s) & (lat <= n)).any()):
            found.append(str(code))
    return sorted(set(found))


class _LayerCodes(Sequence):
    """ISO3 codes of every embedded country, read from the layers on first use."""

    def _codes(self) -> tuple[str, ...]:
        return _sorted_codes()

    def __getitem__(self, i):
        return self._codes()[i]

    def __len__(self) -> int:
        return len(self._codes())

    def __contains__(self, code) -> bool:
        return code in _code_set()

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self._codes(), dtype=dtype if dtype is not None else object)

    def __repr__(self) -> str:
        return f"EMBEDDED{self._codes()!r}"


#: Every country of the embedded layers (ISO3), as a sequence loaded on first use.
EMBEDDED: Sequence[str] = _LayerCodes()

# ISO3: (ISO numeric, Gleditsch-Ward, names...)
_COUNTRIES: dict[str, tuple[int, int | None, tuple[str, ...]]] = {
    "AFG": (4, 700, ("Afghanistan",)),
    "IRN": (
        364,
        630,
        (
            "Iran",
            "Iran (Islamic Republic of)",
            "Iran, Islamic Republic of",
            "Islamic Republic of Iran",
            "Persia",
        ),
    ),
    "IRQ": (368, 645, ("Iraq",)),
    "PAK": (586, 770, ("Pakistan",)),
    "SYR": (760, 652, ("Syria", "Syrian Arab Republic")),
    "IND": (356, 750, ("India",)),
    "CHN": (156, 710, ("China",)),
    "TUR": (792, 640, ("Turkey", "Turkiye", "Türkiye")),
    "TKM": (795, 701, ("Turkmenistan",)),
    "TJK": (762, 702, ("Tajikistan",)),
    "UZB": (860, 704, ("Uzbekistan",)),
    "KGZ": (417, 703, ("Kyrgyzstan",)),
    "KAZ": (398, 705, ("Kazakhstan",)),
    "AZE": (31, 373, ("Azerbaijan",)),
    "ARM": (51, 371, ("Armenia",)),
    "GEO": (268, 372, ("Georgia",)),
    "RUS": (643, 365, ("Russia", "Russian Federation", "Russia (Soviet Union)")),
    "UKR": (804, 369, ("Ukraine",)),
    "JOR": (400, 663, ("Jordan",)),
    "LBN": (422, 660, ("Lebanon",)),
    "ISR": (376, 666, ("Israel",)),
    "PSE": (275, None, ("Palestine", "State of Palestine")),
    "SAU": (682, 670, ("Saudi Arabia",)),
    "YEM": (887, 679, ("Yemen", "Yemen (North Yemen)")),
    "OMN": (512, 698, ("Oman",)),
    "ARE": (784, 696, ("United Arab Emirates", "UAE")),
    "QAT": (634, 694, ("Qatar",)),
    "BHR": (48, 692, ("Bahrain",)),
    "KWT": (414, 690, ("Kuwait",)),
    "EGY": (818, 651, ("Egypt",)),
    "LBY": (434, 620, ("Libya",)),
    "SDN": (729, 625, ("Sudan",)),
    "SSD": (728, 626, ("South Sudan",)),
    "SOM": (706, 520, ("Somalia",)),
    "ETH": (231, 530, ("Ethiopia",)),
    "NGA": (566, 475, ("Nigeria",)),
    "MLI": (466, 432, ("Mali",)),
    "BFA": (854, 439, ("Burkina Faso",)),
    "NER": (562, 436, ("Niger",)),
    "TCD": (148, 483, ("Chad",)),
    "CMR": (120, 471, ("Cameroon",)),
    "COD": (
        180,
        490,
        (
            "Democratic Republic of Congo",
            "DR Congo (Zaire)",
            "Democratic Republic of the Congo",
            "DR Congo",
            "DRC",
            "Congo-Kinshasa",
        ),
    ),
    "CAF": (140, 482, ("Central African Republic",)),
    "MOZ": (508, 541, ("Mozambique",)),
    "DZA": (12, 615, ("Algeria",)),
    "TUN": (788, 616, ("Tunisia",)),
    "MAR": (504, 600, ("Morocco",)),
    "BGD": (50, 771, ("Bangladesh",)),
    "NPL": (524, 790, ("Nepal",)),
    "LKA": (144, 780, ("Sri Lanka",)),
    "MMR": (104, 775, ("Myanmar", "Myanmar (Burma)", "Burma")),
    "THA": (764, 800, ("Thailand",)),
    "LAO": (418, 812, ("Laos", "Lao PDR", "Lao People's Democratic Republic")),
    "KHM": (116, 811, ("Cambodia", "Cambodia (Kampuchea)")),
    "PHL": (608, 840, ("Philippines",)),
    "IDN": (360, 850, ("Indonesia",)),
    "MEX": (484, 70, ("Mexico",)),
    "COL": (170, 100, ("Colombia",)),
    "BRA": (76, 140, ("Brazil",)),
    "VEN": (862, 101, ("Venezuela",)),
    "HTI": (332, 41, ("Haiti",)),
    "USA": (840, 2, ("United States", "United States of America", "USA")),
    "GBR": (826, 200, ("United Kingdom", "UK")),
    "FRA": (250, 220, ("France",)),
    "DEU": (276, 255, ("Germany",)),
}


def normalise_name(text: str) -> str:
    """Lower-case, strip diacritics and punctuation, squeeze spaces.

    Examples
    --------
    >>> normalise_name("  Sīstān-va-Balūchestān ")
    'sistan va baluchestan'
    """
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    cleaned = "".join(c if c.isalnum() else " " for c in plain)
    return " ".join(cleaned.split())


_BY_NUMERIC = {str(num): iso for iso, (num, _, _) in _COUNTRIES.items()}
_BY_GW = {str(gw): iso for iso, (_, gw, _) in _COUNTRIES.items() if gw is not None}
_BY_NAME = {
    normalise_name(name): iso for iso, (_, _, names) in _COUNTRIES.items() for name in names
}
_BY_NAME.update({iso.lower(): iso for iso in _COUNTRIES})


def _map_unique(values: pd.Series, lookup) -> pd.Series:
    text = values.astype("string").fillna("")
    uniques = pd.unique(text.to_numpy())
    table = {u: lookup(u) for u in uniques}
    return text.map(table).astype("string")


def iso3_from_numeric(values: pd.Series) -> pd.Series:
    """ISO 3166 numeric codes (as text or numbers) to ISO3; unknown gives ``<NA>``."""

    def one(code: str):
        code = code.strip().split(".")[0].lstrip("0") or ("0" if code.strip() else "")
        return _BY_NUMERIC.get(code, pd.NA)

    return _map_unique(values, one)


def iso3_from_gw(values: pd.Series) -> pd.Series:
    """Gleditsch-Ward country codes (UCDP ``country_id``) to ISO3; unknown gives ``<NA>``."""
    return _map_unique(values, lambda c: _BY_GW.get(c.strip().split(".")[0], pd.NA))


@functools.cache
def _layer_names() -> dict[str, str]:
    table = _table()
    names = {normalise_name(n): str(c) for c, n in zip(table["iso3"], table["name"], strict=True)}
    names.update({str(c).lower(): str(c) for c in table["iso3"]})
    return names


def iso3_from_name(values: pd.Series) -> pd.Series:
    """Map country names (any case, no diacritics) or ISO3 codes to ISO3; unknown gives <NA>.

    Names are looked up in the built-in list first, then among the embedded
    countries' English names and codes.
    """

    def one(name: str):
        key = normalise_name(name)
        return _BY_NAME.get(key) or (_layer_names().get(key, pd.NA) if key else pd.NA)

    return _map_unique(values, one)


def iso3_candidates(name: str) -> tuple[str, ...]:
    """Every ISO3 a country name may stand for: one, several (``Congo``) or none.

    Examples
    --------
    >>> iso3_candidates("Congo"), iso3_candidates("DRC"), iso3_candidates("Atlantis")
    (('COD', 'COG'), ('COD',), ())
    """
    several = AMBIGUOUS_NAMES.get(normalise_name(name))  # shared with pair names
    if several:
        return several
    found = iso3_from_name(pd.Series([str(name)])).iloc[0]
    return () if pd.isna(found) else (str(found),)
