"""Place names to coordinates, offline, from the embedded places and provinces.

Matching works on normalised names (lower case, no diacritics, punctuation
as spaces), in three steps, best score kept per place:

1. exact name or alternate name: score 100;
2. the same "loose key" (connecting words such as *and*, *va*, *-e-* dropped,
   ``w`` read as ``v``, every vowel alike), which equates Baluchistan and
   Balochistan, Sarawan and Saravan, Sistan-Baluchestan and Sistan and
   Baluchistan: score 95;
3. fuzzy (rapidfuzz ``ratio`` of the normalised names) at or above
   :data:`FUZZY_MIN`: the ratio, capped at 94.

A country hint (ISO3 or name, or the text after a comma: ``"Saravan, Laos"``)
keeps only places in that country; a hint that names no country finds
nothing. The gazetteer covers the world (GeoNames towns of 1000 or more
people and every Natural Earth province). A province hint ranks places in
that province first. A name that matches nothing is "not found in the
embedded gazetteer": we never guess.

Examples
--------
>>> best = place("Sarawan")
>>> best["name"], best["iso3"], int(best["precision"]), float(best["score"])
('Saravan', 'IRN', 1, 100.0)
>>> place("Saravan, Laos")["iso3"]
'LAO'
>>> place("Saravan, Pakistan") is None
True
>>> place("Baluchistan")["kind"], int(place("Baluchistan")["precision"])
('province', 3)
"""

from __future__ import annotations

import functools
import re

import geopandas as gpd
import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from geo import layers
from geo.country_codes import EMBEDDED, iso3_from_name, normalise_name

__all__ = [
    "CANDIDATE_COLUMNS",
    "FUZZY_MIN",
    "NOT_FOUND",
    "geocode",
    "place",
    "place_many",
    "province_codes",
]

FUZZY_MIN = 88.0
NOT_FOUND = "not found in the embedded gazetteer"
_STOP = {"and", "va", "e", "i", "of", "the", "al", "el", "province", "ostan"}
_PROVINCE_PREFIX = "adm1-"

#: What :func:`geocode` reports of each candidate, besides ``query``, ``place_id`` and ``source``.
CANDIDATE_COLUMNS = [
    "name",
    "kind",
    "iso3",
    "admin1",
    "latitude",
    "longitude",
    "precision",
    "score",
    "matched",
]
_COLUMNS = ["query", *CANDIDATE_COLUMNS, "place_id", "source"]


def loose_key(name: str) -> str:
    """Return the spelling-insensitive key of a name.

    Examples
    --------
    >>> loose_key("Sistan-Baluchestan") == loose_key("Sistan and Baluchistan")
    True
    >>> loose_key("Sarawan") == loose_key("Saravan"), loose_key("Kerman") == loose_key("Karaman")
    (True, False)
    """
    words = [w for w in normalise_name(name).split() if w not in _STOP]
    text = "".join(words).replace("w", "v").replace("kh", "k").replace("ou", "u")
    text = re.sub(r"[aeiouy]+", "a", text)
    return re.sub(r"(.)\1+", r"\1", text)


@functools.cache
def _index() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(entries, names): one entry per place or province; one name row per spelling."""
    places = layers.places()
    province = (places["kind"] == "province").to_numpy()
    ids = places["place_id"].astype(str)
    entries = pd.DataFrame(
        {
            "name": places["name"],
            "kind": places["kind"],
            "iso3": places["iso3"],
            "admin1": places["admin1"],
            "latitude": places.geometry.y,
            "longitude": places.geometry.x,
            "precision": places["precision"].astype(int),
            # a province's id is its Natural Earth adm1_code
            "place_id": ids.where(~province, ids.str.removeprefix(_PROVINCE_PREFIX)),
            "source": places["source"],
            "alt": places["alt_names"],
        }
    ).reset_index(drop=True)
    entries["iso3"] = entries["iso3"].fillna("").astype(str)
    spellings = (entries["name"] + "|" + entries["alt"].fillna("")).str.split("|")
    names = spellings.explode().rename("spelling").to_frame()
    names = names[names["spelling"].str.strip() != ""]
    names["entry"] = names.index.to_numpy()
    names["norm"] = names["spelling"].map(normalise_name)
    names["key"] = names["spelling"].map(loose_key)
    names = names.drop_duplicates(["entry", "norm"]).reset_index(drop=True)
    entries["admin1_code"] = _province_code_table(entries)
    return entries, names


def _in_province(found: pd.DataFrame, hint) -> np.ndarray:
    """Which candidates lie in the province a hint names (none for an empty hint)."""
    if not isinstance(hint, str) or not hint.strip():
        return np.zeros(len(found), dtype=bool)
    codes = province_codes(pd.Series([hint] * len(found)), found["iso3"])
    stated = codes.fillna("").to_numpy(dtype=object)
    known = found["admin1_code"].fillna("").to_numpy(dtype=object)
    return (stated == known) & (stated != "")


def _province_polygons(found: pd.DataFrame) -> list:
    """Look up the polygon of each province row (None for other places), per country."""
    polygons = [None] * len(found)
    rows = np.flatnonzero((found["kind"] == "province").to_numpy())
    for iso3 in pd.unique(found["iso3"].to_numpy()[rows]):
        table = layers.provinces(countries=[iso3]).drop_duplicates("adm1_code")
        shapes = dict(zip(table["adm1_code"], table.geometry, strict=True))
        for i in rows[found["iso3"].to_numpy()[rows] == iso3]:
            polygons[i] = shapes.get(found["place_id"].iloc[i])
    return polygons


def _province_lookup(entries: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(ISO3, loose key of a province name or its alternate) to the province's ``place_id``."""
    provinces = entries[entries["kind"] == "province"]
    table = {}
    for code, iso3, name, alt in zip(
        provinces["place_id"], provinces["iso3"], provinces["name"], provinces["alt"], strict=True
    ):
        for spelling in [name, *str(alt or "").split("|")]:
            key = loose_key(spelling)
            if key:  # an empty alternate must not match an empty hint
                table[(iso3, key)] = code
    return table


def _province_code_table(entries: pd.DataFrame) -> pd.Series:
    table = _province_table()
    keys = zip(entries["iso3"], _keys(entries["admin1"]), strict=True)
    return pd.Series([table.get(k) for k in keys], index=entries.index, dtype=object)


def _keys(names: pd.Series) -> np.ndarray:
    """:func:`loose_key` of every name, computed once per distinct name."""
    codes, unique = pd.factorize(names.fillna("").astype(str))
    return np.asarray([loose_key(u) for u in unique] + [""], dtype=object)[codes]


@functools.cache
def _province_table() -> dict[tuple[str, str], str]:
    """(ISO3, loose key) of every province name and alternate to its ``adm1_code``."""
    places = layers.places()
    provinces = places[places["kind"] == "province"]
    entries = pd.DataFrame(
        {
            "place_id": provinces["place_id"].astype(str).str.removeprefix(_PROVINCE_PREFIX),
            "iso3": provinces["iso3"],
            "name": provinces["name"],
            "alt": provinces["alt_names"],
            "kind": "province",
        }
    )
    return _province_lookup(entries)


def _country_hint(hint) -> str | None:
    """ISO3 for a hint; '' when the hint names no known country; None when there is no hint."""
    if hint is None or (not isinstance(hint, str) and pd.isna(hint)) or not str(hint).strip():
        return None
    text = str(hint).strip()
    if len(text) == 3 and text.isalpha():
        return text.upper()
    found = iso3_from_name(pd.Series([text])).iloc[0]
    return "" if pd.isna(found) else str(found)


def _split_query(query: str) -> tuple[str, str | None, str | None]:
    """Split 'Saravan, Laos' into name and country hint, or name and province hint."""
    if "," not in query:
        return query, None, None
    head, _, tail = query.rpartition(",")
    country = _country_hint(tail)
    if country:
        return head.strip(), country, None
    return head.strip(), None, tail.strip()


def _match(name: str, limit_names: pd.DataFrame) -> pd.DataFrame:

    norm, key = normalise_name(name), loose_key(name)
    if not norm:
        return pd.DataFrame(columns=["entry", "spelling", "score"])
    score = np.where(
        limit_names["norm"].to_numpy() == norm,
        100.0,
        np.where(limit_names["key"].to_numpy() == key, 95.0, 0.0),
    )
    hits = pd.DataFrame(
        {"entry": limit_names["entry"], "spelling": limit_names["spelling"], "score": score}
    )
    fuzzy = process.extract(
        norm, limit_names["norm"].tolist(), scorer=fuzz.ratio, score_cutoff=FUZZY_MIN, limit=25
    )
    if fuzzy:
        pos = np.array([f[2] for f in fuzzy])
        vals = np.minimum(np.array([f[1] for f in fuzzy]), 94.0)
        hits.iloc[pos, 2] = np.maximum(hits["score"].to_numpy()[pos], vals)
    hits = hits[hits["score"] > 0]
    return hits.sort_values("score", ascending=False).drop_duplicates("entry")


def geocode(
    names,
    *,
    country: str | None = None,
    admin1: str | None = None,
    limit: int = 5,
) -> pd.DataFrame:
    """Candidate places for each name, best first.

    Parameters
    ----------
    names : str or list of str
        Place or province names; ``"Name, Country"`` gives a country hint.
    country : str, optional
        ISO3 code or country name: only places in this country.
    admin1 : str, optional
        Province name: places in this province rank first.
    limit : int
        Candidates per name.

    Returns
    -------
    geopandas.GeoDataFrame
        ``query, name, matched, kind, iso3, admin1, latitude, longitude,
        precision, score, place_id, source, polygon`` (the province polygon,
        or None) and point geometry in EPSG:4326. A name with no candidate has
        no row: it was not found in the embedded gazetteer.

    Examples
    --------
    >>> found = geocode(["Chah Bahar", "Koh-e-Sabz", "Qxzvrt"])
    >>> found[["query", "name", "precision", "score"]].values.tolist()
    [['Chah Bahar', 'Chabahar', 1, 100.0], ['Koh-e-Sabz', 'Koh-e-Sabz', 3, 100.0]]
    """
    names = [names] if isinstance(names, str) else list(names)
    entries, spellings = _index()
    frames = []
    for query in names:
        name, hint_country, hint_admin1 = _split_query(str(query))
        wanted = _country_hint(country) if country is not None else hint_country
        admin_hint = admin1 if admin1 is not None else hint_admin1
        pool = spellings
        if wanted is not None:
            if wanted not in EMBEDDED:
                continue
            pool = spellings[entries["iso3"].to_numpy()[spellings["entry"].to_numpy()] == wanted]
        hits = _match(name, pool)
        if hits.empty:
            continue
        found = entries.loc[hits["entry"]].copy()
        found["matched"] = hits["spelling"].to_numpy()
        found["score"] = hits["score"].to_numpy()
        found["query"] = str(query)
        found["_hint"] = ~_in_province(found, admin_hint)
        found["_curated"] = found["source"] != "curated"
        found = found.sort_values(
            ["_hint", "score", "_curated", "precision"],
            ascending=[True, False, True, True],
            kind="stable",
        )
        # a curated site and its GeoNames town are one place: keep the first (curated)
        same = found.assign(_lat=found["latitude"].round(3), _lon=found["longitude"].round(3))
        found = found[~same.duplicated(["_lat", "_lon", "kind"]) | (found["kind"] == "province")]
        found = found[~same.loc[found.index].duplicated(["_lat", "_lon"])]
        frames.append(found.head(limit))
    if not frames:
        empty = pd.DataFrame(columns=[*_COLUMNS, "polygon"])
        return gpd.GeoDataFrame(empty, geometry=gpd.points_from_xy([], []), crs="EPSG:4326")
    out = pd.concat(frames, ignore_index=True)[_COLUMNS]
    out["polygon"] = _province_polygons(out)
    out["precision"] = out["precision"].astype(int)
    out["score"] = out["score"].astype(float)
    return gpd.GeoDataFrame(
        out, geometry=gpd.points_from_xy(out["longitude"], out["latitude"]), crs="EPSG:4326"
    )


def place(name: str, *, country: str | None = None, admin1: str | None = None) -> pd.Series | None:
    """Return the best match for one name, or None when the embedded gazetteer lacks it.

    Parameters
    ----------
    name : str
        Place or province name.
    country, admin1 : str, optional
        Hints as for :func:`geocode`.

    Returns
    -------
    pandas.Series or None
        One row of :func:`geocode`.
    """
    found = geocode([name], country=country, admin1=admin1, limit=1)
    return None if found.empty else found.iloc[0]


def place_many(
    names: pd.Series, *, country: pd.Series | None = None, admin1: pd.Series | None = None
) -> pd.DataFrame:
    """Best match per row, looking each distinct (name, country, admin1) up once.

    Returns
    -------
    pandas.DataFrame
        Aligned with ``names``: ``latitude, longitude, precision, score, name``;
        NaN where nothing was found.
    """
    index = names.index
    keys = pd.DataFrame(
        {
            "name": names.astype("string").fillna("").to_numpy(),
            "country": (country if country is not None else pd.Series(pd.NA, index=index))
            .astype("string")
            .fillna("")
            .to_numpy(),
            "admin1": (admin1 if admin1 is not None else pd.Series(pd.NA, index=index))
            .astype("string")
            .fillna("")
            .to_numpy(),
        }
    )
    unique = keys.drop_duplicates().reset_index(drop=True)
    results = []
    for name, ctry, adm in unique.itertuples(index=False):
        best = place(name, country=ctry or None, admin1=adm or None) if name else None
        if best is None:
            results.append((np.nan, np.nan, 0, np.nan, None))
        else:
            results.append(
                (
                    best["latitude"],
                    best["longitude"],
                    int(best["precision"]),
                    best["score"],
                    best["name"],
                )
            )
    table = pd.concat(
        [
            unique,
            pd.DataFrame(
                results, columns=["latitude", "longitude", "precision", "score", "matched_name"]
            ),
        ],
        axis=1,
    )
    merged = keys.merge(table, on=["name", "country", "admin1"], how="left")
    merged.index = index
    return merged[["latitude", "longitude", "precision", "score", "matched_name"]].rename(
        columns={"matched_name": "name"}
    )


def province_codes(names: pd.Series, iso3: pd.Series) -> pd.Series:
    """``adm1_code`` of each stated province name in its country, or ``<NA>``.

    Exact and loose-key matches only (no fuzzy matching), so an unknown name
    is never mapped to a wrong province.

    Examples
    --------
    >>> province_codes(
    ...     pd.Series(["Baluchistan", "Sistan-Baluchestan", "Nowhere"]),
    ...     pd.Series(["PAK", "IRN", "IRN"]),
    ... ).tolist()
    ['PAK-1108', 'IRN-3247', <NA>]
    """
    table = _province_table()
    pairs = pd.DataFrame(
        {
            "iso3": iso3.astype("string").fillna("").to_numpy(),
            "name": names.astype("string").fillna("").to_numpy(),
        }
    )
    unique = pairs.drop_duplicates().reset_index(drop=True)
    unique["code"] = pd.array(
        [table.get((i, loose_key(n)), pd.NA) for i, n in unique.itertuples(index=False)],
        dtype="string",
    )
    codes = pairs.merge(unique, on=["iso3", "name"], how="left")["code"]
    return pd.Series(codes.to_numpy(), index=names.index, dtype="string")
