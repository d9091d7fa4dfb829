"""Embedded layers of the theatre, loaded as EPSG:4326 GeoDataFrames.

The files live in ``layers/`` of the checkout and travel inside the wheel as
``geo/_layers``; :data:`LAYERS_DIR` is whichever of the two exists. Loaders
return fresh copies, so callers may modify them.

Examples
--------
>>> from geo import layers
>>> line = layers.border("IRN", "PAK")
>>> line.iloc[0]["left_iso3"], line.iloc[0]["right_iso3"]
('IRN', 'PAK')
>>> sorted(layers.countries()["iso3"])
['AFG', 'IRN', 'IRQ', 'PAK', 'SYR']
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.errors import LayerError

__all__ = [
    "LAYERS_DIR",
    "border",
    "borders",
    "countries",
    "events",
    "pairs",
    "parse_pair",
    "places",
    "provinces",
    "summary",
]


def _find_layers_dir() -> Path:
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_layers", here.parent / "layers"):
        if (candidate / "SOURCES.toml").is_file():
            return candidate
    raise LayerError(f"no embedded layers found next to {here}")


LAYERS_DIR = _find_layers_dir()


_READ_LOCK = threading.Lock()


def _read(name: str) -> gpd.GeoDataFrame:
    with _READ_LOCK:  # one read per layer, even when threads ask at once
        return _read_once(name)


@functools.cache
def _read_once(name: str) -> gpd.GeoDataFrame:
    frame = gpd.read_file(LAYERS_DIR / f"{name}.geojson")
    return frame.set_crs("EPSG:4326", allow_override=True)


def countries(iso3: list[str] | tuple[str, ...] | None = None) -> gpd.GeoDataFrame:
    """High-resolution country polygons (OSM-derived, about 100 m).

    Parameters
    ----------
    iso3 : list of str, optional
        Keep only these ISO 3166-1 alpha-3 codes.

    Returns
    -------
    GeoDataFrame
        ``iso3``, ``name``, ``geometry``.
    """
    frame = _read("countries").copy()
    if iso3 is not None:
        _check_codes(iso3, frame["iso3"])
        frame = frame[frame["iso3"].isin([c.upper() for c in iso3])]
    return frame.reset_index(drop=True)


def _check_codes(codes, known) -> None:
    unknown = sorted({c.upper() for c in codes} - set(known))
    if unknown:
        raise LayerError(
            f"unknown country code(s) {', '.join(unknown)}; "
            f"embedded: {', '.join(sorted(set(known)))}"
        )


def borders() -> gpd.GeoDataFrame:
    """Every shared land border among the embedded countries.

    Returns
    -------
    GeoDataFrame
        ``pair``, ``left_iso3``, ``right_iso3``, ``length_km``, ``parts``, ``geometry``.
    """
    return _read("borders").copy()


def pairs() -> list[str]:
    """Names of the embedded border pairs, such as ``'IRN-PAK'``.

    Examples
    --------
    >>> "IRN-PAK" in pairs()
    True
    """
    return sorted(_read("borders")["pair"])


def parse_pair(text: str) -> tuple[str, str]:
    """Split ``'IRN-PAK'`` (or ``'irn pak'``, ``'IRN/PAK'``) into two codes.

    Examples
    --------
    >>> parse_pair("pak-irn")
    ('PAK', 'IRN')
    """
    for sep in ("-", "/", ",", " ", "_"):
        if sep in text.strip():
            a, _, b = text.strip().partition(sep)
            if a.strip() and b.strip():
                return a.strip().upper(), b.strip().upper()
    raise LayerError(
        f"border pair {text!r} is not of the form AAA-BBB; embedded: {', '.join(pairs())}"
    )


def border(a: str, b: str | None = None) -> gpd.GeoDataFrame:
    """Return the shared border of two countries, oriented with ``a`` on the left.

    Parameters
    ----------
    a, b : str
        ISO3 codes in either order, or ``a`` alone as ``'IRN-PAK'``.

    Returns
    -------
    GeoDataFrame
        One row: ``pair``, ``left_iso3`` (= ``a``), ``right_iso3``,
        ``length_km``, ``parts``, ``geometry``.

    Raises
    ------
    LayerError
        For a pair that shares no embedded border; the message lists those that do.
    """
    if b is None:
        a, b = parse_pair(a)
    a, b = a.upper(), b.upper()
    table = _read("borders")
    key = "-".join(sorted((a, b)))
    row = table[table["pair"] == key].copy()
    if row.empty:
        raise LayerError(
            f"{a} and {b} share no embedded border; pairs that do: {', '.join(pairs())}"
        )
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
        Keep only provinces of these ISO3 codes.

    Returns
    -------
    GeoDataFrame
        ``adm1_code, name, name_en, iso_3166_2, code_hasc, adm0_a3, type_en, geometry``.
    """
    frame = _read("provinces").copy()
    if countries is not None:
        _check_codes(countries, frame["adm0_a3"])
        frame = frame[frame["adm0_a3"].isin([c.upper() for c in countries])]
    return frame.reset_index(drop=True)


def places() -> gpd.GeoDataFrame:
    """Gazetteer: GeoNames towns plus curated sites with alternate names.

    Returns
    -------
    GeoDataFrame
        ``place_id, name, alt_names`` (``|``-separated), ``kind, iso3, admin1,
        precision, source, basis, geometry``.
    """
    frame = _read("places").copy()
    frame["alt_names"] = frame["alt_names"].fillna("")
    return frame


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


def summary() -> list[dict]:
    """One record per embedded layer: features, licence, source and, for borders, lengths.

    Returns
    -------
    list of dict
    """
    from geo.layers.sources import load_sources

    sources = load_sources(LAYERS_DIR / "SOURCES.toml")
    records = []
    for name, src_key, loader in (
        ("countries", "countries", countries),
        ("borders", "countries", borders),
        ("provinces", "provinces", provinces),
        ("places", "gazetteer", places),
        ("events", None, events),
    ):
        frame = loader()
        src = sources.get(src_key) if src_key else None
        record = {
            "layer": name,
            "features": len(frame),
            "source": src.spec if src else "curated from news reports (see PROVENANCE.md)",
            "licence": src.licence if src else "CC-BY-4.0 (bordermap curation)",
        }
        if name == "borders":
            record["lengths_km"] = {
                p: round(float(k), 1)
                for p, k in zip(frame["pair"], frame["length_km"], strict=True)
            }
        records.append(record)
    return records
