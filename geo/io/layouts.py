"""Turn ACLED, UCDP GED and plain tables (all strings) into the event schema.

Parsing is vectorised. Values that cannot be parsed become ``<NA>``/NaN and a
row in the problems frame (see :func:`problems_frame`), so the caller can
reject or warn; nothing is guessed silently.
"""

from __future__ import annotations

import functools
import re
import shlex

import numpy as np
import pandas as pd

from geo.country_codes import iso3_from_gw as _iso3_from_gw
from geo.country_codes import iso3_from_name as _iso3_from_name
from geo.country_codes import iso3_from_numeric as _iso3_from_numeric
from geo.errors import InputError
from geo.io.limits import DATE_MAX, DATE_MIN
from geo.io.measures import coordinate_column, fatalities_column
from geo.io.problems import PROBLEM_COLUMNS, listed_columns, problems_frame, quoted_messages
from geo.io.text import GED_COLUMNS
from geo.io.values import (
    date_order_hint,
    dates_out_of_range,
    holds_empty,
    parse_dates,
    parse_numbers,
    per_distinct,
    trimmed,
)

__all__ = [
    "ACLED_CURRENT",
    "ACLED_PRE2023",
    "LAYOUTS",
    "PROBLEM_COLUMNS",
    "SCHEMA",
    "column_map",
    "detect_layout",
    "known_names",
    "listed_columns",
    "normalise",
    "problems_frame",
]

# name -> (dtype, meaning); the order is the column order of read_events.
SCHEMA: dict[str, tuple[str, str]] = {
    "event_id": ("string", "identifier, unique in the file"),
    "event_date": ("datetime64[ns]", "day of the event (UCDP: date_start)"),
    "time_precision": ("Int64", "1 day, 2 week, 3 month (ACLED codes)"),
    "event_type": ("string", "ACLED event type (UCDP: type of violence)"),
    "sub_event_type": ("string", "ACLED sub-event type"),
    "actor1": ("string", "first actor (UCDP: side_a)"),
    "actor2": ("string", "second actor (UCDP: side_b)"),
    "attacker_iso3": ("string", "ISO3 of the state that struck, for cross-border strikes"),
    "country": ("string", "stated country name"),
    "iso3": ("string", "stated country as ISO3 (from iso3, numeric iso, or the name)"),
    "admin1": ("string", "stated province"),
    "location": ("string", "stated place name"),
    "latitude": ("float64", "degrees north, EPSG:4326"),
    "longitude": ("float64", "degrees east, EPSG:4326"),
    "geo_precision": ("Int64", "1 exact town, 2 near town or district, 3 province or wider"),
    "fatalities": ("Int64", "reported deaths (UCDP: best estimate)"),
    "source": ("string", "reporting sources"),
    "notes": ("string", "free text"),
}
EXTRA: dict[str, tuple[str, str]] = {
    "row": ("int64", "1-based data row in the input file"),
    "where_prec": ("Int64", "UCDP location precision 1-7, when the input is UCDP"),
    "placement_method": ("string", "coordinates, geometry, representative_point, gazetteer"),
    "placement_score": ("float64", "gazetteer match score 0-100; NaN when not geocoded"),
    "source_format": ("string", "acled, ucdp, csv, geojson, gpkg, shp, fgb, parquet"),
}

ACLED_CURRENT = (
    "event_id_cnty event_date year time_precision disorder_type event_type sub_event_type "
    "actor1 assoc_actor_1 inter1 actor2 assoc_actor_2 inter2 interaction civilian_targeting "
    "iso region country admin1 admin2 admin3 location latitude longitude geo_precision "
    "source source_scale notes fatalities tags timestamp"
).split()
ACLED_PRE2023 = (
    "data_id iso event_id_cnty event_id_no_cnty event_date year time_precision event_type "
    "sub_event_type actor1 assoc_actor_1 inter1 actor2 assoc_actor_2 inter2 interaction "
    "region country admin1 admin2 admin3 location latitude longitude geo_precision source "
    "source_scale notes fatalities timestamp iso3"
).split()

_ALIASES: dict[str, tuple[str, ...]] = {
    "event_id": ("event_id_cnty", "event_id", "uid", "id"),
    "event_date": ("event_date", "date"),
    "time_precision": ("time_precision",),
    "event_type": ("event_type",),
    "sub_event_type": ("sub_event_type",),
    "actor1": ("actor1",),
    "actor2": ("actor2",),
    "attacker_iso3": ("attacker_iso3",),
    "country": ("country",),
    "iso3": ("iso3",),
    "admin1": ("admin1", "province"),
    "location": ("location", "place", "place_name"),
    "latitude": ("latitude", "lat", "y"),
    "longitude": ("longitude", "lon", "lng", "long", "x"),
    "geo_precision": ("geo_precision",),
    "fatalities": ("fatalities", "deaths"),
    "source": ("source",),
    "notes": ("notes",),
}
LAYOUTS = ("acled", "ucdp", "csv")

_UCDP_VIOLENCE = {"1": "State-based conflict", "2": "Non-state conflict", "3": "One-sided violence"}
# UCDP where_prec -> ACLED-style geo_precision; date_prec -> time_precision
_WHERE_TO_GEO = {1: 1, 2: 2, 3: 2, 4: 3, 5: 3, 6: 3, 7: 3}
_DATE_TO_TIME = {1: 1, 2: 2, 3: 2, 4: 3, 5: 3}


def known_names() -> set[str]:
    """Lower-case column names of every layout we recognise (for header sniffing)."""
    names = {a for aliases in _ALIASES.values() for a in aliases}
    return names | set(ACLED_CURRENT) | set(ACLED_PRE2023) | set(GED_COLUMNS)


def detect_layout(columns: list[str]) -> str:
    """Name the layout of a table from its column names.

    Examples
    --------
    >>> detect_layout(ACLED_CURRENT)
    'acled'
    >>> detect_layout(["id", "type_of_violence", "where_prec", "best"])
    'ucdp'
    >>> detect_layout(["id", "lat", "lon"])
    'csv'
    """
    lower = {str(c).strip().lower() for c in columns}
    if "event_id_cnty" in lower and {"sub_event_type", "geo_precision"} & lower:
        return "acled"
    if {"type_of_violence", "where_prec"} <= lower or {"side_a", "best", "date_start"} <= lower:
        return "ucdp"
    return "csv"


def _find(columns: list[str], names: tuple[str, ...]) -> str | None:
    lower = {str(c).strip().lower(): c for c in columns}
    for name in names:
        if name in lower:
            return lower[name]
    return None


_LAT_LIKE = re.compile(r"(^|[^a-z])(lat|north)", re.IGNORECASE)
_LON_LIKE = re.compile(r"(^|[^a-z])(lon|lng|east)", re.IGNORECASE)


def _refuse_unnamed_coordinates(columns: list[str], path: str) -> None:
    """Refuse a file whose coordinates go by other names, rather than place it all by name.

    With no ``latitude``/``longitude`` column (nor an alias), every row would
    be placed from its location name, kilometres off, while the file has the
    coordinates under names such as ``lat_dd``/``lon_dd`` or ``north``/``east``.
    """
    lat = [str(c) for c in columns if _LAT_LIKE.search(str(c))]
    lon = [str(c) for c in columns if _LON_LIKE.search(str(c))]
    if lat and lon:
        raise InputError(
            path,
            None,
            "latitude",
            f"no latitude/longitude column (tried {', '.join(_ALIASES['latitude'])} and "
            f"{', '.join(_ALIASES['longitude'])}), but {lat[0]} and {lon[0]} look like "
            f"coordinates: name them with --lat-col {shlex.quote(lat[0])} --lon-col "
            f"{shlex.quote(lon[0])} (or drop them to place every event by its location name)",
        )


def column_map(
    columns: list[str],
    layout: str,
    *,
    path: str = "<input>",
    lat_col: str | None = None,
    lon_col: str | None = None,
    id_col: str | None = None,
    date_col: str | None = None,
    fatalities_col: str | None = None,
    country_col: str | None = None,
) -> dict[str, str | None]:
    """Map schema columns to input columns for a plain or ACLED table.

    The ``*_col`` names override detection (case-insensitive).

    Raises
    ------
    InputError
        When an override names a missing column, or no coordinate and no
        location column is found.
    """
    mapping = {name: _find(columns, aliases) for name, aliases in _ALIASES.items()}
    overrides = (
        ("latitude", lat_col),
        ("longitude", lon_col),
        ("event_id", id_col),
        ("event_date", date_col),
        ("fatalities", fatalities_col),
        ("country", country_col),
    )
    for key, given in overrides:
        if given is None:
            continue
        found = _find(columns, (given.strip().lower(),))
        if found is None:
            raise InputError(
                path, None, given, f"no such column; columns are: {listed_columns(columns)}"
            )
        mapping[key] = found
    lat_none, lon_none = mapping["latitude"] is None, mapping["longitude"] is None
    if lat_none and lon_none:
        _refuse_unnamed_coordinates(columns, path)
    if lat_none != lon_none or (lat_none and mapping["location"] is None):
        # one coordinate without the other is never filled in by name
        missing = "latitude" if lat_none else "longitude"
        present = "longitude" if lat_none else "latitude"
        tried = f"(tried {', '.join(_ALIASES[missing])})"
        reason = (
            f"a {present} column ({mapping[present]}) but no {missing} column {tried}"
            if lat_none != lon_none
            else f"no {missing} column {tried} and no location column"
        )
        raise InputError(
            path,
            None,
            missing,
            f"{reason}; columns are: {listed_columns(columns)}; "
            f"name it with --{'lat' if missing == 'latitude' else 'lon'}-col",
        )
    return mapping


def _text(raw: pd.DataFrame, col: str | None) -> pd.Series:
    if col is None or col not in raw.columns:
        return pd.Series(pd.NA, index=raw.index, dtype="string")
    values = raw[col]
    if not pd.api.types.is_string_dtype(values.dtype):
        values = values.astype("string")
    if not trimmed(values):
        values = values.str.strip()
    elif not holds_empty(values):
        return values
    return values.mask(values == "")


iso3_from_name = per_distinct(_iso3_from_name)
iso3_from_numeric = per_distinct(_iso3_from_numeric)
iso3_from_gw = per_distinct(_iso3_from_gw)


def _int_codes(
    raw: pd.DataFrame, col: str | None, allowed: set[int], name: str, rows, ids, problems: list
) -> pd.Series:
    if col is None or col not in raw.columns:
        return pd.Series(pd.NA, index=raw.index, dtype="Int64")
    nums, bad, _ = parse_numbers(raw[col])
    outside = nums.notna() & ~nums.isin(list(allowed))
    bad = bad | outside.to_numpy(dtype=bool)
    problems.append(
        problems_frame(
            rows,
            ids,
            bad,
            "bad_precision",
            col,
            "warning",
            quoted_messages(raw[col], f"{name} must be one of {sorted(allowed)}, got "),
        )
    )
    return nums.where(~pd.Series(bad, index=nums.index)).round().astype("Int64")


#: UCDP GED columns standing for the schema's id and date.
_UCDP_NAMES = {"event_id": "id", "event_date": "date_start"}


def normalise(
    raw: pd.DataFrame,
    layout: str,
    mapping: dict[str, str | None],
    fmt: str,
    *,
    dayfirst: bool = False,
    date_format: str | None = None,
) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Build the schema columns from a chunk of strings.

    Parameters
    ----------
    raw : pandas.DataFrame
        Strings, with ``row`` (1-based) first.
    layout : {'acled', 'ucdp', 'csv'}
    mapping : dict
        From :func:`column_map` (ignored for UCDP, whose names are fixed).
    fmt : str
        Value of ``source_format``.
    dayfirst, date_format
        How to read dates (see :func:`geo.io.values.parse_dates`).

    Returns
    -------
    (pandas.DataFrame, list of pandas.DataFrame)
        Schema columns, then the original columns not replaced by them; and
        the parse problems found.
    """
    rows = raw["row"]
    out = pd.DataFrame(index=raw.index)
    out["row"] = rows.astype("int64")
    problems: list[pd.DataFrame] = []
    names = _UCDP_NAMES if layout == "ucdp" else mapping
    ids = _event_ids(raw, out, names.get("event_id"), problems)
    # ACLED and UCDP date every event; in another table an empty date is an unknown one
    _event_dates(
        raw, out, names.get("event_date"), ids, problems, dayfirst, date_format, layout == "csv"
    )
    if layout == "ucdp":
        cols = _ucdp_columns(raw, out, ids, problems)
    else:
        cols = _table_columns(raw, out, layout, mapping, ids, problems)
    for key, col in zip(("latitude", "longitude"), cols[:2], strict=True):
        out[key] = coordinate_column(raw, col, ids, problems)
    # ACLED and UCDP count every event: an empty count there is worth a warning
    out["fatalities"] = fatalities_column(raw, cols[2], ids, problems, counted=layout != "csv")
    out["source_format"] = fmt
    out = out[["row", *SCHEMA, "where_prec", "source_format"]]
    replaced = set(out.columns)
    extras = [
        c
        for c in raw.columns
        if c not in replaced and c != "row" and not c.startswith("_bordermap")
    ]
    return pd.concat([out, raw[extras]], axis=1), problems


def _event_ids(raw: pd.DataFrame, out: pd.DataFrame, id_col: str | None, problems: list):
    rows, ids = raw["row"], _text(raw, id_col)
    out["event_id"] = ids
    missing_id = out["event_id"].isna()
    if missing_id.any():
        problems.append(
            problems_frame(
                rows,
                "row-" + rows.astype("string"),
                missing_id,
                "missing_id",
                id_col or "event_id",
                "warning",
                "empty event id; using row-<n>" if id_col else "no id column; using row-<n>",
            )
        )
        out.loc[missing_id, "event_id"] = "row-" + rows[missing_id].astype("string")
    return out["event_id"]


def _event_dates(
    raw, out, date_col: str | None, ids, problems: list, dayfirst: bool, date_format, optional
) -> None:
    if date_col is None or date_col not in raw.columns:
        out["event_date"] = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
        return
    dates_text = _text(raw, date_col)
    dates, bad = parse_dates(dates_text, dayfirst=dayfirst, date_format=date_format)
    out["event_date"] = dates
    empty = (dates_text.fillna("").str.strip() == "").to_numpy()
    missing, bad = (bad & empty) & (not optional), bad & ~empty  # said so, not quoted
    if missing.any():
        gone = problems_frame(raw["row"], ids, missing, "bad_date", date_col, "error", "empty")
        problems.append(gone)
    if not bad.any():
        return
    far = np.zeros(len(bad), dtype=bool)
    far[bad] = dates_out_of_range(dates_text[bad])
    span = f"outside {DATE_MIN:%Y-%m-%d} to {DATE_MAX:%Y-%m-%d}: "
    problems.append(
        problems_frame(
            raw["row"], ids, far, "bad_date", date_col, "error", quoted_messages(dates_text, span)
        )
    )
    hint = None if dayfirst or date_format else date_order_hint(dates_text[bad].drop_duplicates())
    advice = {
        "day-first": "dates look day-first: read with dayfirst (--dayfirst): ",
        "month-first": "dates look month-first: give the format (--date-format %m/%d/%Y): ",
        "ambiguous": "day/month order unknown: add --dayfirst or --date-format %m/%d/%Y: ",
    }
    expected = f"not a date in the format {date_format}: " if date_format else None
    text = expected or advice.get(hint, "not a date (use YYYY-MM-DD): ")
    problems.append(
        problems_frame(
            raw["row"],
            ids,
            bad & ~far,
            "bad_date",
            date_col,
            "error",
            quoted_messages(dates_text, text),
        )
    )


def _ucdp_columns(raw, out, ids, problems: list) -> tuple[str, str, str]:
    """Fill the schema from UCDP GED's fixed names; return (lat, lon, fatalities) columns."""
    rows = raw["row"]
    get = functools.partial(_text, raw)
    date_prec = _int_codes(raw, "date_prec", {1, 2, 3, 4, 5}, "date_prec", rows, ids, problems)
    out["time_precision"] = date_prec.map(_DATE_TO_TIME, na_action="ignore").astype("Int64")
    out["event_type"] = get("type_of_violence").map(_UCDP_VIOLENCE).astype("string")
    out["sub_event_type"] = pd.Series(pd.NA, index=raw.index, dtype="string")
    out["actor1"], out["actor2"] = get("side_a"), get("side_b")
    out["attacker_iso3"] = pd.Series(pd.NA, index=raw.index, dtype="string")
    out["country"] = get("country")
    iso3 = iso3_from_name(out["country"])
    if "country_id" in raw.columns:
        iso3 = iso3.fillna(iso3_from_gw(raw["country_id"]))
    out["iso3"] = iso3
    out["admin1"] = get("adm_1").str.replace(
        r"\s+(province|state|region|governorate|district)$", "", case=False, regex=True
    )
    out["location"] = get("where_coordinates").str.replace(
        r"\s+(town|village|city)$", "", case=False, regex=True
    )
    where = _int_codes(raw, "where_prec", set(range(1, 8)), "where_prec", rows, ids, problems)
    out["geo_precision"] = where.map(_WHERE_TO_GEO, na_action="ignore").astype("Int64")
    out["where_prec"] = where
    out["source"], out["notes"] = get("source_original"), get("source_headline")
    return "latitude", "longitude", "best"


def _table_columns(raw, out, layout, mapping, ids, problems: list):
    """Fill the schema from ACLED or plain columns; return (lat, lon, fatalities) columns."""
    rows = raw["row"]

    def get(key: str) -> pd.Series:
        return _text(raw, mapping.get(key))

    out["time_precision"] = _int_codes(
        raw, mapping.get("time_precision"), {1, 2, 3}, "time_precision", rows, ids, problems
    )
    for key in ("event_type", "sub_event_type", "actor1", "actor2", "attacker_iso3", "country"):
        out[key] = get(key)
    out["attacker_iso3"] = _attacker_codes(raw, mapping.get("attacker_iso3"), ids, problems)
    stated = get("iso3")
    iso3 = stated.str.upper().where(stated.str.fullmatch(r"[A-Za-z]{3}").fillna(False))
    iso3 = iso3.fillna(iso3_from_name(stated))
    if layout == "acled" and "iso" in raw.columns:
        iso3 = iso3.fillna(iso3_from_numeric(raw["iso"]))
    out["iso3"] = iso3.fillna(iso3_from_name(out["country"]))
    out["admin1"], out["location"] = get("admin1"), get("location")
    out["geo_precision"] = _int_codes(
        raw, mapping.get("geo_precision"), {1, 2, 3}, "geo_precision", rows, ids, problems
    )
    out["where_prec"] = pd.Series(pd.NA, index=raw.index, dtype="Int64")
    out["source"], out["notes"] = get("source"), get("notes")
    return mapping.get("latitude"), mapping.get("longitude"), mapping.get("fatalities")


def _attacker_codes(raw, col: str | None, ids, problems: list) -> pd.Series:
    """Read the striking state as ISO3 from a code or country name; others warn (bad_attacker)."""
    stated = _text(raw, col)
    if col is None or not stated.notna().any():
        return stated
    codes = iso3_from_name(stated).astype("string")
    bad = (stated.notna() & codes.isna()).to_numpy(dtype=bool)
    problems.append(
        problems_frame(
            raw["row"],
            ids,
            bad,
            "bad_attacker",
            col,
            "warning",
            quoted_messages(stated, "not a country code or name; attacker left empty: "),
        )
    )
    return codes
