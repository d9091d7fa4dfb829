"""Country names and border-pair spellings of the embedded layers.

:func:`parse_pair` reads a pair written with ISO3 codes or English names, in
either order and with any separator (``SDN-TCD``, ``Sudan, Chad``,
``Guinea-Bissau/Senegal``): it tries every split of the text at a separator
and keeps the one where both halves name a country, so names that contain a
hyphen or a space need no quoting.

Examples
--------
>>> from geo import layers
>>> layers.parse_pair("Sudan-Chad")
('SDN', 'TCD')
>>> layers.parse_pair("Guinea-Bissau, Senegal")
('GNB', 'SEN')
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from geo.errors import LayerError

__all__ = ["country_code", "normalise", "parse_pair"]

_SEPARATORS = re.compile(r"\s+(?:and|vs\.?|versus|to)\s+|[-/,_;|\u2013\u2014\s]+", re.IGNORECASE)


#: Short names used for more than one country ("Congo", "Korea"): a pair or a
#: place hint with one of them may mean either.
AMBIGUOUS_NAMES = {
    "congo": ("COD", "COG"),
    "the congo": ("COD", "COG"),
    "korea": ("KOR", "PRK"),
}


def normalise(name: str) -> str:
    """Return a name's matching key: no accents, lower case, words only, no leading 'the'.

    Examples
    --------
    >>> normalise("  Côte d'Ivoire ")
    'cote d ivoire'
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())
    return text.removeprefix("the ")


def _lookup(table: pd.DataFrame) -> dict[str, str]:
    keys = {}
    if "alt_names" in table:
        for code, alt in zip(table["iso3"], table["alt_names"], strict=True):
            keys.update({normalise(n): code for n in str(alt).split("|") if n})
    keys.update({normalise(n): c for c, n in zip(table["iso3"], table["name"], strict=True)})
    keys.update({c.casefold(): c for c in table["iso3"]})
    return keys


def country_code(text: str, table: pd.DataFrame) -> str | None:
    """ISO3 code of a country given by code or English name, or None.

    Parameters
    ----------
    text : str
        ``"sdn"``, ``"Sudan"``, ``"Timor-Leste"``.
    table : pandas.DataFrame
        The country table (``iso3``, ``name``, optionally ``alt_names``, ``|``-separated).

    Returns
    -------
    str or None
    """
    return _lookup(table).get(normalise(text))


def _codes(name: str, lookup: dict[str, str]) -> list[str]:
    key = normalise(name)
    shared = AMBIGUOUS_NAMES.get(key)
    if shared:
        return [c for c in shared if c.casefold() in lookup]
    return [lookup[key]] if key in lookup else []


def parse_pair(text: str, table: pd.DataFrame, bordered: set[str] | None = None) -> tuple[str, str]:
    """Split a pair of countries, by code or English name, keeping the given order.

    Parameters
    ----------
    text : str
        Two countries with any separator between them.
    table : pandas.DataFrame
        The country table (``iso3``, ``name``).
    bordered : set of str, optional
        Pairs that share a border (``"COD-RWA"``): a name two countries share
        (:data:`AMBIGUOUS_NAMES`) means the one that borders the other.

    Returns
    -------
    (str, str)
        The two ISO3 codes, the first given first.

    Raises
    ------
    LayerError
        When no split of the text names two countries, or two splits name
        different pairs.
    """
    lookup = _lookup(table)
    found = set()
    for sep in _SEPARATORS.finditer(text):
        for a in _codes(text[: sep.start()], lookup):
            for b in _codes(text[sep.end() :], lookup):
                if a != b:
                    found.add((a, b))
    if len(found) > 1 and bordered is not None:  # "Congo-Rwanda": the Congo that borders it
        sharing = {(a, b) for a, b in found if "-".join(sorted((a, b))) in bordered}
        found = sharing or found
    if len(found) == 1:
        return found.pop()
    if found:
        spelled = "; ".join(f"{a}-{b}" for a, b in sorted(found))
        raise LayerError(f"border pair {text!r} is ambiguous: {spelled}")
    raise LayerError(
        f"border pair {text!r} does not name two countries; write two ISO3 codes or "
        "English names such as 'SDN-TCD' or 'Sudan, Chad'"
    )
