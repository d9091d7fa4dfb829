"""Place names to coordinates, offline, from the embedded places and provinces.

Matching works on the forms of :mod:`geo.spelling` (any script: Persian,
Urdu, Pashto and Arabic spellings too), best score kept per place:
1. exact name or alternate name: score 100; 2. the same loose key (Sarawan
and Saravan, Sistan-Baluchestan and Sistan and Baluchistan) where the two
spellings are still at least :data:`LOOSE_MIN` alike (so "Tine" is not
"Teni" or "Tune"): score 95;
3. fuzzy (rapidfuzz ``ratio``) at or above :data:`FUZZY_MIN`: the ratio,
capped at 94. Steps 2 and 3 look at names and the alternates of provinces
and curated sites only, not GeoNames' many alternates. Namesakes of one score
rank curated sites first, then towns before provinces, then by population.

A country hint (ISO3 or name, or the text after a comma: ``"Saravan, Laos"``)
keeps only places in that country (in both for a name used by two, such
as "Congo"); a hint that names no country finds nothing. The gazetteer
covers the world (GeoNames towns of 1000 or more people, every Natural
Earth province, the curated sites). A province hint ranks places in that
province first. A name that matches nothing is "not found in the embedded
gazetteer" (:func:`not_found_message` names the
countries where it does exist): we never guess.

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

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.compute as pc
from rapidfuzz import fuzz, process

from geo import layers
from geo.cache import memoised
from geo.country_codes import EMBEDDED, iso3_candidates
from geo.geodesy import geodesic_km
from geo.spelling import loose_key, normalise

__all__ = [
    "CANDIDATE_COLUMNS",
    "FUZZY_MIN",
    "NOT_FOUND",
    "PLACED_COLUMNS",
    "geocode",
    "not_found_message",
    "place",
    "place_many",
    "province_codes",
]

FUZZY_MIN = 88.0
#: Least string similarity (rapidfuzz ``ratio``) for a same-loose-key match to count.
LOOSE_MIN = 80.0
#: Two towns found for one name this close are one place (curated site and GeoNames town).
SAME_PLACE_KM = 2.0
NOT_FOUND = "not found in the embedded gazetteer"
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
    "population",
    "score",
    "matched",
]
_COLUMNS = ["query", *CANDIDATE_COLUMNS, "place_id", "source"]


@functools.cache
def _index() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(entries, names): one entry per place or province; one name row per spelling.

    The spellings and their normalised forms are computed when the layers are
    built (``place_names.parquet``), so nothing is normalised here.
    """
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
            "population": places["population"].astype("int64"),
            # a province's id is its Natural Earth adm1_code
            "place_id": ids.where(~province, ids.str.removeprefix(_PROVINCE_PREFIX)),
            "source": places["source"],
            "alt": places["alt_names"],
        }
    ).reset_index(drop=True)
    entries["iso3"] = entries["iso3"].fillna("").astype(str)
    names = layers.place_names()
    names["entry"] = pd.Index(ids).get_indexer(names["place_id"])
    names = names[names["entry"] >= 0].drop(columns="place_id").reset_index(drop=True)
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
    # a spelling is the province's that ranks it first (its name, then alternates: East
    # Darfur lists South Darfur's names late); ranked alike by two, it names neither
    best: dict[tuple[str, str], tuple[int, str | None]] = {}
    for code, iso3, name, alt in zip(
        provinces["place_id"], provinces["iso3"], provinces["name"], provinces["alt"], strict=True
    ):
        for rank, spelling in enumerate([name, *str(alt or "").split("|")], start=-1):
            key = loose_key(spelling)  # an empty alternate must not match an empty hint
            held = best.get((iso3, key), (rank + 1, code))
            if key and rank <= held[0]:
                best[(iso3, key)] = (rank, code if rank < held[0] or held[1] == code else None)
    return {key: code for key, (_rank, code) in best.items() if code is not None}


def _province_code_table(entries: pd.DataFrame) -> pd.Series:
    table = _province_table(pd.unique(entries["iso3"].dropna()))
    keys = zip(entries["iso3"], _keys(entries["admin1"]), strict=True)
    return pd.Series([table.get(k) for k in keys], index=entries.index, dtype=object)


def _keys(names: pd.Series) -> np.ndarray:
    """:func:`loose_key` of every name, computed once per distinct name."""
    codes, unique = pd.factorize(names.fillna("").astype(str))
    return np.asarray([loose_key(u) for u in unique] + [""], dtype=object)[codes]


@functools.cache
def _province_names() -> pd.DataFrame:
    """Every province's ``adm1_code``, country, name and alternates (no geometry, no keys).

    Read straight from the gazetteer's Parquet file, four columns and the
    province rows only: the whole layer with its points is not needed here.
    """
    table = layers.store.read_table(
        "places.parquet", columns=["place_id", "kind", "iso3", "name", "alt_names"]
    )
    table = table.filter(pc.equal(table["kind"], "province"))
    ids = pc.utf8_replace_slice(table["place_id"], 0, len(_PROVINCE_PREFIX), "")
    starts = pc.starts_with(table["place_id"], _PROVINCE_PREFIX)
    return pd.DataFrame(
        {
            "place_id": pc.if_else(starts, ids, table["place_id"]).to_pylist(),
            "iso3": table["iso3"].to_pylist(),
            "name": table["name"].to_pylist(),
            "alt": pc.fill_null(table["alt_names"], "").to_pylist(),
            "kind": "province",
        }
    )


@functools.lru_cache(maxsize=512)
def _country_provinces(iso3: str) -> dict[tuple[str, str], str]:
    """(ISO3, loose key) of one country's province names and alternates to its ``adm1_code``.

    Built per country on first use, so checking a file about two countries
    never keys the names of all 4,500 provinces, and kept in the on-disk
    cache (:mod:`geo.cache`), so later runs do not read the gazetteer for it.
    """

    def build() -> dict[tuple[str, str], str]:
        entries = _province_names()
        return _province_lookup(entries[entries["iso3"] == iso3])

    return memoised("province-names", [iso3], build, modules=("geo.gazetteer", "geo.spelling"))


def _province_table(countries) -> dict[tuple[str, str], str]:
    """(ISO3, loose key) to ``adm1_code`` for the provinces of ``countries``."""
    table: dict[tuple[str, str], str] = {}
    for iso3 in {str(c) for c in countries if isinstance(c, str) and c}:
        table.update(_country_provinces(iso3))
    return table


def _country_hint(hint) -> tuple[str, ...] | None:
    """ISO3 codes a hint names (several for "Congo"); () for no known country; None for no hint."""
    if hint is None or (not isinstance(hint, str) and pd.isna(hint)) or not str(hint).strip():
        return None
    # codes and names alike ("PAK", "Pakistan", "DRC"): an unknown three letters is no code
    return iso3_candidates(str(hint).strip())


def _split_query(query: str) -> tuple[str, tuple[str, ...] | None, str | None]:
    """Split 'Saravan, Laos' into name and country hint, or name and province hint."""
    if "," not in query:
        return query, None, None
    head, _, tail = query.rpartition(",")
    country = _country_hint(tail)
    if country:
        return head.strip(), country, None
    return head.strip(), None, tail.strip()


def _match(name: str, limit_names: pd.DataFrame) -> pd.DataFrame:
    """Score spellings: 100 exact; 95 same loose key and fuzzy for primary spellings only."""
    norm, key = normalise(name), loose_key(name)
    if not norm:
        return pd.DataFrame(columns=["entry", "spelling", "score"])
    is_primary = limit_names["primary"].to_numpy(dtype=bool)
    norms = limit_names["norm"].to_numpy()
    loose = np.flatnonzero(is_primary & (limit_names["key"].to_numpy() == key))
    # the same loose key counts only for spellings still alike: "Sarawan" is
    # "Saravan", but "Tine" is not "Teni" though both key to "tana"
    alike = np.array([fuzz.ratio(norm, str(norms[i])) >= LOOSE_MIN for i in loose], dtype=bool)
    score = np.where(norms == norm, 100.0, 0.0)
    score[loose[alike & (score[loose] < 100.0)]] = 95.0
    primary = np.flatnonzero(is_primary)
    fuzzy = process.extract(
        norm,
        limit_names["norm"].to_numpy()[primary].tolist(),
        scorer=fuzz.ratio,
        score_cutoff=FUZZY_MIN,
        limit=25,
    )
    if fuzzy:
        pos = primary[np.array([f[2] for f in fuzzy])]
        score[pos] = np.maximum(score[pos], np.minimum(np.array([f[1] for f in fuzzy]), 94.0))
    hits = pd.DataFrame(
        {"entry": limit_names["entry"], "spelling": limit_names["spelling"], "score": score}
    )
    hits = hits[hits["score"] > 0]
    return hits.sort_values("score", ascending=False, kind="stable").drop_duplicates("entry")


def _one_per_place(found: pd.DataFrame) -> pd.DataFrame:
    """Drop a town near a better-ranked one: a curated site and its GeoNames town are one."""
    town = (found["kind"] != "province").to_numpy()
    x, y = found["longitude"].to_numpy(float), found["latitude"].to_numpy(float)
    keep = np.ones(len(found), dtype=bool)
    for i in np.flatnonzero(town)[1:]:
        before = np.flatnonzero(town[:i] & keep[:i])
        keep[i] = (geodesic_km(x[i], y[i], x[before], y[before]) > SAME_PLACE_KM).all()
    return found[keep]


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
            codes = [c for c in wanted if c in EMBEDDED]
            if not codes:
                continue
            in_country = np.isin(entries["iso3"].to_numpy()[spellings["entry"].to_numpy()], codes)
            pool = spellings[in_country]
        hits = _match(name, pool)
        if hits.empty:
            continue
        found = entries.loc[hits["entry"]].copy()
        found["matched"] = hits["spelling"].to_numpy()
        found["score"] = hits["score"].to_numpy()
        found["query"] = str(query)
        found["_hint"] = ~_in_province(found, admin_hint)
        found["_curated"] = found["source"] != "curated"
        # namesakes of one score: curated first, towns before provinces, larger towns first
        found = found.sort_values(
            ["_hint", "score", "_curated", "precision", "population"],
            ascending=[True, False, True, True, False],
            kind="stable",
        )
        frames.append(_one_per_place(found).head(limit))
    if not frames:
        empty = pd.DataFrame(columns=[*_COLUMNS, "polygon"])
        return gpd.GeoDataFrame(empty, geometry=gpd.points_from_xy([], []), crs="EPSG:4326")
    out = pd.concat(frames, ignore_index=True)[_COLUMNS]
    out["polygon"] = _province_polygons(out)
    out["precision"] = out["precision"].astype(int)
    out["population"] = out["population"].astype("int64")
    out["score"] = out["score"].astype(float)
    return gpd.GeoDataFrame(
        out, geometry=gpd.points_from_xy(out["longitude"], out["latitude"]), crs="EPSG:4326"
    )


def not_found_message(query: str, *, country: str | None = None) -> str:
    """Say why a name was not found, naming the countries where it does exist.

    Parameters
    ----------
    query : str
        The name, possibly with a country hint (``"Khash, Pakistan"``).
    country : str, optional
        The country the search was limited to (ISO3 or name).

    Returns
    -------
    str
        ``"'Khash' is not in PAK; found in IRN, AFG"`` when the name exists
        in other countries (spelt so, else by loose key), else :data:`NOT_FOUND`.

    Examples
    --------
    >>> not_found_message("Saravan, Pakistan")
    "'Saravan' is not in PAK; found in IRN, LAO"
    >>> not_found_message("Qxzvrt")
    'not found in the embedded gazetteer'
    """
    name, hint, _ = _split_query(str(query))
    wanted = _country_hint(country) if country is not None else hint
    if not wanted:
        return NOT_FOUND
    elsewhere = geocode([name], limit=25)
    elsewhere = elsewhere[(elsewhere["score"] >= 95.0) & (elsewhere["iso3"] != "")]
    exact = elsewhere[elsewhere["score"] == 100.0]  # the same spelling, else the same loose key
    countries = pd.unique((exact if len(exact) else elsewhere)["iso3"].to_numpy())
    if not len(countries):
        return NOT_FOUND
    return f"{name!r} is not in {'/'.join(wanted)}; found in {', '.join(countries)}"


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


#: What :func:`place_many` gives per row.
PLACED_COLUMNS = [
    "latitude",
    "longitude",
    "precision",
    "score",
    "name",
    "matched",
    "place_id",
    "kind",
    "iso3",
    "admin1",
    "reason",
]


def _best(name: str, country: str, admin1: str) -> tuple:
    best = place(name, country=country or None, admin1=admin1 or None) if name else None
    if best is None:
        reason = not_found_message(name, country=country or None) if name else NOT_FOUND
        return (np.nan, np.nan, 0, np.nan, *[None] * 6, reason)
    return (*[best[c] for c in PLACED_COLUMNS[:-1]], None)


def place_many(
    names: pd.Series, *, country: pd.Series | None = None, admin1: pd.Series | None = None
) -> pd.DataFrame:
    """Best match per row, looking each distinct (name, country, admin1) up once.

    Returns
    -------
    pandas.DataFrame
        Aligned with ``names``: :data:`PLACED_COLUMNS`: ``latitude,
        longitude, precision, score``, the place's ``name``, the spelling
        ``matched``, its ``place_id``, ``kind``, ``iso3`` and ``admin1``
        (NaN or None where nothing was found), and the ``reason`` a name
        was not found (:func:`not_found_message`; None when found): what a
        per-row ``placed_by_name`` warning reports.
    """
    index = names.index

    def column(values: pd.Series | None) -> np.ndarray:
        values = pd.Series(pd.NA, index=index) if values is None else values
        return values.astype("string").fillna("").to_numpy()

    keys = pd.DataFrame(
        {"query": column(names), "country": column(country), "admin1_hint": column(admin1)}
    )
    unique = keys.drop_duplicates().reset_index(drop=True)
    results = pd.DataFrame(
        [_best(*row) for row in unique.itertuples(index=False)], columns=PLACED_COLUMNS
    )
    table = pd.concat([unique, results], axis=1)
    merged = keys.merge(table, on=["query", "country", "admin1_hint"], how="left")
    merged.index = index
    return merged[PLACED_COLUMNS]


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
    table = _province_table(pd.unique(iso3.dropna().astype(str)))
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
