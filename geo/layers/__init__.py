"""Embedded layers of the whole world, loaded as EPSG:4326 GeoDataFrames.

The files live in ``layers/`` of the checkout and travel inside the wheel as
``geo/_layers``; :data:`LAYERS_DIR` is whichever of the two exists. The
geometry is stored per country (:mod:`geo.layers.store`), so a border and its
two countries load without reading the world; every file is checked against
its SHA-256 on first use. Loaders return fresh copies, so callers may modify them.

Examples
--------
>>> from geo import layers
>>> line = layers.border("IRN", "PAK")
>>> line.iloc[0]["left_iso3"], line.iloc[0]["right_iso3"]
('IRN', 'PAK')
>>> layers.parse_pair("Chad, Sudan")
('TCD', 'SDN')
>>> "SDN-TCD" in layers.pairs()
True
"""

from __future__ import annotations

import functools
import threading

import geopandas as gpd
import pandas as pd
import shapely

from geo.errors import LayerError
from geo.layers import store
from geo.layers.names import country_code
from geo.layers.names import parse_pair as split_pair
from geo.layers.paths import LAYERS_DIR
from geo.layers.sources import load_sources

__all__ = [
    "LAYERS_DIR",
    "border",
    "border_table",
    "borders",
    "countries",
    "country_boxes",
    "country_table",
    "events",
    "neighbours",
    "pairs",
    "parse_pair",
    "place_names",
    "places",
    "provinces",
    "summary",
]


_READ_LOCK = threading.Lock()
_KINDS = {"countries": "polygon", "provinces": "polygon", "borders": "line"}
PROVINCE_COLUMNS = ["adm1_code", "name", "name_en", "iso_3166_2", "code_hasc", "adm0_a3", "type_en"]


def _partition(layer: str, iso3: str) -> gpd.GeoDataFrame:
    with _READ_LOCK:  # one read per file, even when threads ask at once
        return _partition_once(layer, iso3)


@functools.cache
def _partition_once(layer: str, iso3: str) -> gpd.GeoDataFrame:
    return store.read_layer(f"{layer}/{iso3}.parquet", _KINDS[layer])


@functools.cache
def _csv(name: str) -> pd.DataFrame:
    return store.read_table(name)


def country_table() -> pd.DataFrame:
    """Every embedded country without geometry: cheap, for names and boxes.

    Returns
    -------
    pandas.DataFrame
        ``iso3, name, alt_names`` (``|``-separated other English names),
        ``west, south, east, north`` (the outline's bounds, degrees), sorted by ``iso3``.
        A country the sources name only by its code (Natural Earth's PSE)
        takes its first alternate name (Palestine).
    """
    return _named(_csv("countries.csv"))


def _named(table: pd.DataFrame) -> pd.DataFrame:
    """Return a copy where a ``name`` that is only the code is the first alternate name."""
    table = table.copy()
    first = table["alt_names"].fillna("").astype(str).str.split("|").str[0]
    bare = (table["name"] == table["iso3"]) & (first != "")
    table.loc[bare, "name"] = first[bare]
    return table


def country_boxes() -> pd.DataFrame:
    """Boxes that hold each country, without geometry: one per country, two across 180°.

    Returns
    -------
    pandas.DataFrame
        ``iso3, west, south, east, north``: a country whose outline spans the
        antimeridian (Russia, the United States, Fiji...) has one box for its
        parts west of 0° and one for those east of it.
    """
    return _csv("boxes.csv").copy()


def border_table(country: str | None = None) -> pd.DataFrame:
    """Every border pair without geometry: cheap.

    Parameters
    ----------
    country : str, optional
        Only the pairs of this country (ISO3 code or English name).

    Returns
    -------
    pandas.DataFrame
        ``pair, left_iso3, right_iso3, length_km, bridged_km, parts``, sorted by ``pair``.
    """
    table = _csv("borders.csv")
    if country is not None:
        (code,) = _codes([country])
        table = table[(table["left_iso3"] == code) | (table["right_iso3"] == code)]
    return table.reset_index(drop=True)


def _codes(codes) -> list[str]:
    """Upper-case ISO3 codes (English names accepted), checked against the table."""
    table = _csv("countries.csv")
    out, unknown = [], []
    for c in codes:
        code = c.upper() if c.upper() in set(table["iso3"]) else country_code(c, table)
        (out if code else unknown).append(code or c)
    if unknown:
        raise LayerError(
            f"unknown country code(s) {', '.join(sorted(unknown))}; "
            f"embedded: {', '.join(table['iso3'])}"
        )
    return out


def _concat(frames: list[gpd.GeoDataFrame], empty_columns: list[str]) -> gpd.GeoDataFrame:
    if not frames:
        return gpd.GeoDataFrame(
            {c: pd.Series(dtype=str) for c in empty_columns}, geometry=[], crs="EPSG:4326"
        )
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")


def countries(iso3: list[str] | tuple[str, ...] | None = None) -> gpd.GeoDataFrame:
    """High-resolution country polygons (OSM-derived, about 100 m).

    Parameters
    ----------
    iso3 : list of str, optional
        Keep only these ISO 3166-1 alpha-3 codes (or English names); without
        it every country is loaded (the whole world: use :func:`country_table`
        when names or boxes are enough).

    Returns
    -------
    GeoDataFrame
        ``iso3``, ``name``, ``geometry``.
    """
    codes = list(_csv("countries.csv")["iso3"]) if iso3 is None else _codes(iso3)
    frame = _concat([_partition("countries", c) for c in codes], ["iso3", "name"])
    frame["name"] = frame["iso3"].map(_names_by_code()).fillna(frame["name"])
    return frame


@functools.cache
def _names_by_code() -> dict[str, str]:
    table = country_table()
    return dict(zip(table["iso3"], table["name"], strict=True))


def borders() -> gpd.GeoDataFrame:
    """Every border of the world, each pair once (first code on the left).

    Returns
    -------
    GeoDataFrame
        ``pair``, ``left_iso3``, ``right_iso3``, ``length_km``, ``bridged_km``,
        ``parts``, ``geometry``, sorted by ``pair``.
    """
    lefts = sorted(set(_csv("borders.csv")["left_iso3"]))
    frame = _concat([_partition("borders", c) for c in lefts], list(_csv("borders.csv").columns))
    return frame.sort_values("pair").reset_index(drop=True)


def pairs() -> list[str]:
    """Names of the embedded border pairs, such as ``'IRN-PAK'`` (codes sorted).

    Examples
    --------
    >>> "IRN-PAK" in pairs()
    True
    """
    return sorted(_csv("borders.csv")["pair"])


def neighbours(iso3: str) -> list[tuple[str, float]]:
    """List the borders of a country, longest first.

    Parameters
    ----------
    iso3 : str
        ISO3 code or English name.

    Returns
    -------
    list of (str, float)
        ``(pair, length_km)``, the pair spelled as stored (codes sorted).

    Examples
    --------
    >>> neighbours("IRN")[0][0]
    'IRN-IRQ'
    """
    rows = border_table(iso3).sort_values(["length_km", "pair"], ascending=[False, True])
    return [(p, float(k)) for p, k in zip(rows["pair"], rows["length_km"], strict=True)]


def parse_pair(text: str) -> tuple[str, str]:
    """Read a pair of countries by ISO3 code or English name, in the given order.

    ``'SDN-TCD'``, ``'tcd sdn'``, ``'Sudan, Chad'``, ``'Guinea-Bissau/Senegal'``
    all work; the first country given comes first.

    Examples
    --------
    >>> parse_pair("pak-irn")
    ('PAK', 'IRN')
    """
    return split_pair(text, _csv("countries.csv"), set(_csv("borders.csv")["pair"]))


def _no_border(a: str, b: str) -> LayerError:
    parts = []
    for code in (a, b):
        near = [p for p, _ in neighbours(code)]
        parts.append(f"{code}'s borders: {', '.join(near) if near else 'none'}")
    return LayerError(f"{a} and {b} share no embedded border; {'; '.join(parts)}")


def border(a: str, b: str | None = None) -> gpd.GeoDataFrame:
    """Return the shared border of two countries, oriented with ``a`` on the left.

    Parameters
    ----------
    a, b : str
        ISO3 codes or English names in either order, or ``a`` alone as
        ``'IRN-PAK'`` / ``'Iran, Pakistan'`` (see :func:`parse_pair`).

    Returns
    -------
    GeoDataFrame
        One row: ``pair`` (``"A-B"``), ``left_iso3`` (= ``a``), ``right_iso3``,
        ``length_km``, ``bridged_km``, ``parts``, ``geometry``.

    Raises
    ------
    LayerError
        For a pair that shares no border; the message names each country's neighbours.
    """
    a, b = parse_pair(a) if b is None else _codes([a, b])
    key = "-".join(sorted((a, b)))
    if key not in set(_csv("borders.csv")["pair"]):
        raise _no_border(a, b)
    table = _partition("borders", min(a, b))
    row = table[table["pair"] == key].copy()
    if row.iloc[0]["left_iso3"] != a:
        row["geometry"] = shapely.reverse(row.geometry.to_numpy())
        if row.iloc[0]["geometry"].geom_type == "MultiLineString":
            row["geometry"] = [
                shapely.MultiLineString(list(shapely.get_parts(g))[::-1]) for g in row.geometry
            ]
        row["left_iso3"], row["right_iso3"] = a, b
    row["pair"] = f"{a}-{b}"
    return row.reset_index(drop=True)


def provinces(countries: list[str] | tuple[str, ...] | None = None) -> gpd.GeoDataFrame:
    """Admin-1 polygons fitted to the high-resolution countries.

    Parameters
    ----------
    countries : list of str, optional
        Keep only provinces of these ISO3 codes (or names); all by default
        (the whole world).

    Returns
    -------
    GeoDataFrame
        ``adm1_code, name, name_en, iso_3166_2, code_hasc, adm0_a3, type_en, geometry``.
    """
    codes = list(_csv("countries.csv")["iso3"]) if countries is None else _codes(countries)
    frame = _concat([_partition("provinces", c) for c in codes], PROVINCE_COLUMNS)
    return frame[[*PROVINCE_COLUMNS, "geometry"]]


@functools.cache
def _places() -> gpd.GeoDataFrame:
    return store.read_layer("places.parquet", "point")


def places() -> gpd.GeoDataFrame:
    """Gazetteer: GeoNames towns, admin-1 names and curated sites with alternate names.

    Returns
    -------
    GeoDataFrame
        ``place_id, name, alt_names`` (``|``-separated), ``kind, iso3, admin1,
        precision, source, basis, geometry``.
    """
    with _READ_LOCK:
        frame = _places().copy()
    frame["alt_names"] = frame["alt_names"].fillna("")
    return frame


@functools.cache
def _place_names() -> pd.DataFrame:
    return store.read_table("place_names.parquet").to_pandas()


def place_names() -> pd.DataFrame:
    """Every spelling of every gazetteer place, normalised when the layers were built.

    Returns
    -------
    pandas.DataFrame
        ``place_id, spelling, norm`` (:func:`geo.gazetteer.normalise`),
        ``key`` (:func:`geo.gazetteer.loose_key`) and ``primary`` (a name,
        or an alternate of a province or curated site: fuzzy matching looks
        at these only).
    """
    with _READ_LOCK:
        return _place_names().copy()


@functools.cache
def _events_table() -> pd.DataFrame:
    return pd.read_csv(
        LAYERS_DIR / "events.csv",
        dtype={"attacker_iso3": "string", "actor2": "string", "source_url": "string"},
        keep_default_na=False,
        na_values={"latitude": [""], "longitude": [""]},
    )


def events() -> gpd.GeoDataFrame:
    """Load the seed events of January 2024 in the ACLED-compatible schema.

    Returns
    -------
    GeoDataFrame
        One row per event, points in EPSG:4326, ``event_date`` as datetime64.
    """
    table = _events_table().copy()
    table["event_date"] = pd.to_datetime(table["event_date"], format="%Y-%m-%d")
    return gpd.GeoDataFrame(
        table,
        geometry=gpd.points_from_xy(table["longitude"], table["latitude"]),
        crs="EPSG:4326",
    )


def _feature_counts() -> dict[str, int]:
    return {
        "countries": len(_csv("countries.csv")),
        "borders": len(_csv("borders.csv")),
        "provinces": int(_csv("tiling.csv")["provinces"].sum()),
        "places": len(places()),
        "events": len(_events_table()),
    }


def summary() -> list[dict]:
    """One record per embedded layer: features, licence, source and, for borders, lengths.

    Read from the geometry-free tables, so it does not load the world.

    Returns
    -------
    list of dict
    """
    sources = load_sources(LAYERS_DIR / "SOURCES.toml")
    counts = _feature_counts()
    records = []
    for name, src_key in (
        ("countries", "countries"),
        ("borders", "countries"),
        ("provinces", "provinces"),
        ("places", "gazetteer"),
        ("events", None),
    ):
        src = sources.get(src_key) if src_key else None
        record = {
            "layer": name,
            "features": counts[name],
            "source": src.spec if src else "curated from news reports (see PROVENANCE.md)",
            "licence": src.licence if src else "CC-BY-4.0 (bordermap curation)",
        }
        if name == "borders":
            table = _csv("borders.csv")
            record["lengths_km"] = {
                p: round(float(k), 1)
                for p, k in zip(table["pair"], table["length_km"], strict=True)
            }
        records.append(record)
    return records
