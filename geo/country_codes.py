"""Country codes: ISO 3166 numeric, Gleditsch-Ward (UCDP) and names to ISO3.

Covers the theatre (AFG, IRN, IRQ, PAK, SYR), their neighbours and the
countries most common in ACLED and UCDP; anything else maps to ``<NA>``,
which the checks treat as "country not checkable", never as an error.

Examples
--------
>>> import pandas as pd
>>> iso3_from_numeric(pd.Series(["364", "586", "4", "999", ""])).tolist()
['IRN', 'PAK', 'AFG', <NA>, <NA>]
>>> iso3_from_name(pd.Series(["Iran (Islamic Republic of)", "pakistan", "Laos"])).tolist()
['IRN', 'PAK', 'LAO']
"""

from __future__ import annotations

import unicodedata

import pandas as pd

__all__ = ["EMBEDDED", "iso3_from_gw", "iso3_from_name", "iso3_from_numeric", "normalise_name"]

EMBEDDED = ("AFG", "IRN", "IRQ", "PAK", "SYR")

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
        ("Democratic Republic of Congo", "DR Congo (Zaire)", "Democratic Republic of the Congo"),
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


def iso3_from_name(values: pd.Series) -> pd.Series:
    """Map country names (any case, no diacritics) or ISO3 codes to ISO3; unknown gives <NA>."""
    return _map_unique(values, lambda n: _BY_NAME.get(normalise_name(n), pd.NA))
