"""English names of the countries: Natural Earth's, plus common short and official forms.

Natural Earth's ``admin`` names are the primary names; :data:`ALIASES` adds
the other English names people write (``Timor-Leste`` for ``East Timor``),
so :func:`geo.layers.parse_pair` understands them.
"""

from __future__ import annotations

__all__ = ["ALIASES", "EXTRA_NAMES"]

#: Names for outlines Natural Earth admin-1 gives no country name for.
EXTRA_NAMES = {
    "ATA": "Antarctica",
    "ATF": "French Southern and Antarctic Lands",
    "BES": "Caribbean Netherlands",
    "UMI": "United States Minor Outlying Islands",
    "XKX": "Kosovo",
    "SSD": "South Sudan",
    "ESH": "Western Sahara",
}

#: Other English names, ``|``-separated.
ALIASES = {
    "BHS": "Bahamas|The Bahamas",
    "BOL": "Bolivia",
    "BRN": "Brunei",
    "CIV": "Côte d'Ivoire|Ivory Coast",
    "COD": "DR Congo|DRC|Congo-Kinshasa|Democratic Republic of the Congo",
    "COG": "Congo|Congo-Brazzaville|Republic of the Congo",
    "CPV": "Cabo Verde|Cape Verde",
    "CZE": "Czechia|Czech Republic",
    "FSM": "Micronesia",
    "GBR": "United Kingdom|UK|Britain|Great Britain",
    "GNB": "Guinea-Bissau",
    "IRN": "Iran|Islamic Republic of Iran",
    "KOR": "South Korea|Republic of Korea",
    "LAO": "Laos",
    "MDA": "Moldova",
    "MKD": "North Macedonia|Macedonia",
    "MMR": "Myanmar|Burma",
    "PRK": "North Korea",
    "PSE": "Palestine",
    "RUS": "Russia|Russian Federation",
    "SRB": "Serbia|Republic of Serbia",
    "SWZ": "Eswatini|Swaziland",
    "SYR": "Syria",
    "TLS": "Timor-Leste|East Timor",
    "TZA": "Tanzania|United Republic of Tanzania",
    "USA": "United States|United States of America|US|USA",
    "VEN": "Venezuela",
    "VNM": "Vietnam|Viet Nam",
    "VAT": "Vatican|Holy See",
}
