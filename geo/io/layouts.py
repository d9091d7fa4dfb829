"""Turn ACLED, UCDP GED and plain tables (all strings) into the event schema.

Parsing is vectorised. Values that cannot be parsed become ``<NA>``/NaN and a
row in the problems frame (see :func:`problems_frame`), so the caller can
reject or warn; nothing is guessed silently.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.errors import InputError
from geo.io.codes import iso3_from_gw, iso3_from_name, iso3_from_numeric

__all__ = [
    "ACLED_CURRENT",
    "ACLED_PRE2023",
    "LAYOUTS",
    "PROBLEM_COLUMNS",
    "SCHEMA",
    "column_map",
    "detect_layout",
    "known_names",
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
PROBLEM_COLUMNS = ["row", "event_id", "kind", "field", "severity", "message"]

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
    "event_id": ("event_id_cnty", "event_id", "id"),
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
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%d %B %Y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%Y/%m/%d",
)


def known_names() -> set[str]:
    """Lower-case column names of every layout we recognise (for header sniffing)."""
    from geo.io.text import GED_COLUMNS

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


def column_map(
    columns: list[str],
    layout: str,
    *,
    path: str = "<input>",
    lat_col: str | None = None,
    lon_col: str | None = None,
    id_col: str | None = None,
) -> dict[str, str | None]:
    """Map schema columns to input columns for a plain or ACLED table.

    Raises
    ------
    InputError
        When an override names a missing column, or no coordinate and no
        location column is found.
    """
    mapping = {name: _find(columns, aliases) for name, aliases in _ALIASES.items()}
    for key, given in (("latitude", lat_col), ("longitude", lon_col), ("event_id", id_col)):
        if given is None:
            continue
        found = _find(columns, (given.strip().lower(),))
        if found is None:
            raise InputError(
                path, None, given, f"no such column; columns are: {', '.join(map(str, columns))}"
            )
        mapping[key] = found
    has_coords = mapping["latitude"] is not None and mapping["longitude"] is not None
    if not has_coords and mapping["location"] is None:
        missing = "latitude" if mapping["latitude"] is None else "longitude"
        tried = ", ".join(_ALIASES[missing])
        raise InputError(
            path,
            None,
            missing,
            f"no {missing} column (tried {tried}) and no location column; "
            f"columns are: {', '.join(map(str, columns))}; name it with "
            f"--{'lat' if missing == 'latitude' else 'lon'}-col",
        )
    return mapping


def problems_frame(
    rows: pd.Series, ids: pd.Series, mask, kind: str, field: str | None, severity: str, message
) -> pd.DataFrame:
    """Problems for the rows where ``mask`` is true.

    ``message`` is a str, a Series aligned with ``rows``, or a callable taking
    the boolean mask and returning the messages of those rows only (so text is
    built for problem rows alone).
    """
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    where = np.flatnonzero(mask)
    if callable(message):
        msg = np.asarray(message(mask), dtype=object)
    elif isinstance(message, pd.Series):
        msg = message.to_numpy(dtype=object)[where]
    else:
        msg = message
    return pd.DataFrame(
        {
            "row": np.asarray(rows)[where],
            "event_id": pd.Series(ids).iloc[where].astype(object).fillna("").to_numpy(),
            "kind": kind,
            "field": field,
            "severity": severity,
            "message": msg,
        }
    )


def _text(raw: pd.DataFrame, col: str | None) -> pd.Series:
    if col is None or col not in raw.columns:
        return pd.Series(pd.NA, index=raw.index, dtype="string")
    values = raw[col]
    if not pd.api.types.is_string_dtype(values.dtype):
        values = values.astype("string")
    values = values.str.strip()
    return values.mask(values == "")


def _quoted(values: pd.Series, prefix: str = ""):
    """Build ``prefix'value'`` messages lazily, for the masked rows only."""

    def build(mask: np.ndarray) -> np.ndarray:
        picked = values.iloc[np.flatnonzero(mask)].astype(object).fillna("").astype(str)
        return (prefix + "'" + picked.str.slice(0, 40) + "'").to_numpy(dtype=object)

    return build


def _fast_floats(text: pd.Series) -> pd.Series | None:
    """Arrow's cast when every value is a plain number; None to take the slow path."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        values = pc.cast(pa.array(text, type=pa.string(), from_pandas=True), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return None
    return pd.Series(values.to_numpy(zero_copy_only=False), index=text.index, dtype="float64")


def parse_numbers(values: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Parse text to float; return (numbers, bad mask, decimal-comma mask).

    Empty values are NaN and not bad; ``"26,96"`` is 26.96 with the comma flagged.

    Examples
    --------
    >>> nums, bad, comma = parse_numbers(pd.Series(["1.5", "26,96", "x", None]))
    >>> nums.tolist()[:2], bad.tolist(), comma.tolist()
    ([1.5, 26.96], [False, False, True, False], [False, True, False, False])
    """
    text = values if pd.api.types.is_string_dtype(values.dtype) else values.astype("string")
    text = text.str.strip()
    present = text.notna() & (text != "")
    nums = _fast_floats(text.where(present))
    if nums is None:
        nums = pd.to_numeric(text.where(present), errors="coerce").astype("float64")
    failed = present & nums.isna()
    comma = np.zeros(len(text), dtype=bool)
    if failed.any():
        candidates = text[failed]
        decimal = candidates.str.fullmatch(r"[+-]?\d+,\d+").fillna(False).astype(bool)
        if decimal.any():
            fixed = pd.to_numeric(candidates[decimal].str.replace(",", ".", regex=False))
            nums.loc[fixed.index] = fixed.astype("float64")
            comma[text.index.get_indexer(fixed.index)] = True
    bad = (present & nums.isna()).to_numpy(dtype=bool)
    return nums, bad, comma


def parse_dates(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Parse dates in the unambiguous formats ACLED and UCDP use; return (dates, bad mask).

    Day/month order is never guessed: ``03/04/2024`` is bad, ``2024-04-03`` is not.

    Examples
    --------
    >>> d, bad = parse_dates(pd.Series(["2024-01-16", "16 January 2024", "03/04/2024", None]))
    >>> [str(x)[:10] for x in d], bad.tolist()
    (['2024-01-16', '2024-01-16', 'NaT', 'NaT'], [False, False, True, True])
    """
    text = values if pd.api.types.is_string_dtype(values.dtype) else values.astype("string")
    text = text.str.strip()
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    todo = text.notna() & (text != "")
    for fmt in _DATE_FORMATS:
        if not todo.any():
            break
        parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        ok = parsed.notna()
        if ok.any():
            out.loc[ok[ok].index] = parsed[ok].astype("datetime64[ns]")
            todo.loc[ok[ok].index] = False
    return out, out.isna().to_numpy(dtype=bool)


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
            _quoted(raw[col], f"{name} must be one of {sorted(allowed)}, got "),
        )
    )
    return nums.where(~pd.Series(bad, index=nums.index)).round().astype("Int64")


def normalise(
    raw: pd.DataFrame, layout: str, mapping: dict[str, str | None], fmt: str
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
    get = (
        (lambda key: _text(raw, key))
        if layout == "ucdp"
        else (lambda key: _text(raw, mapping.get(key)))
    )
    if layout == "ucdp":
        ids = get("id")
        out["event_id"] = ids
    else:
        ids = get("event_id")
        out["event_id"] = ids
    missing_id = out["event_id"].isna()
    if missing_id.any():
        id_col = "id" if layout == "ucdp" else mapping.get("event_id")
        if id_col is not None:
            problems.append(
                problems_frame(
                    rows,
                    ids,
                    missing_id,
                    "missing_id",
                    id_col,
                    "warning",
                    "empty event id; using row-<n>",
                )
            )
        out.loc[missing_id, "event_id"] = "row-" + rows[missing_id].astype("string")
    ids = out["event_id"]

    if layout == "ucdp":
        date_col = "date_start"
        dates_text = get("date_start")
    else:
        date_col = mapping.get("event_date")
        dates_text = get("event_date")
    if date_col is not None and date_col in raw.columns:
        dates, bad = parse_dates(dates_text)
        problems.append(
            problems_frame(
                rows,
                ids,
                bad,
                "bad_date",
                date_col,
                "error",
                _quoted(dates_text, "not a date (use YYYY-MM-DD): "),
            )
        )
        out["event_date"] = dates
    else:
        out["event_date"] = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")

    if layout == "ucdp":
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
        lat_col, lon_col, fat_col = "latitude", "longitude", "best"
        where = _int_codes(raw, "where_prec", set(range(1, 8)), "where_prec", rows, ids, problems)
        out["geo_precision"] = where.map(_WHERE_TO_GEO, na_action="ignore").astype("Int64")
        out["where_prec"] = where
        out["source"], out["notes"] = get("source_original"), get("source_headline")
    else:
        out["time_precision"] = _int_codes(
            raw, mapping.get("time_precision"), {1, 2, 3}, "time_precision", rows, ids, problems
        )
        for key in ("event_type", "sub_event_type", "actor1", "actor2", "attacker_iso3", "country"):
            out[key] = get(key)
        out["attacker_iso3"] = out["attacker_iso3"].str.upper()
        stated = get("iso3")
        iso3 = stated.str.upper().where(stated.str.fullmatch(r"[A-Za-z]{3}").fillna(False))
        iso3 = iso3.fillna(iso3_from_name(stated))
        if layout == "acled" and "iso" in raw.columns:
            iso3 = iso3.fillna(iso3_from_numeric(raw["iso"]))
        out["iso3"] = iso3.fillna(iso3_from_name(out["country"]))
        out["admin1"], out["location"] = get("admin1"), get("location")
        lat_col, lon_col = mapping.get("latitude"), mapping.get("longitude")
        fat_col = mapping.get("fatalities")
        out["geo_precision"] = _int_codes(
            raw, mapping.get("geo_precision"), {1, 2, 3}, "geo_precision", rows, ids, problems
        )
        out["where_prec"] = pd.Series(pd.NA, index=raw.index, dtype="Int64")
        out["source"], out["notes"] = get("source"), get("notes")

    for key, col in (("latitude", lat_col), ("longitude", lon_col)):
        if col is None or col not in raw.columns:
            out[key] = np.nan
            continue
        nums, bad, comma = parse_numbers(raw[col])
        problems.append(
            problems_frame(
                rows, ids, bad, "bad_coordinates", col, "error", _quoted(raw[col], "not a number: ")
            )
        )
        problems.append(
            problems_frame(
                rows,
                ids,
                comma,
                "decimal_comma",
                col,
                "warning",
                _quoted(raw[col], "decimal comma read as a point: "),
            )
        )
        out[key] = nums

    if fat_col is not None and fat_col in raw.columns:
        nums, bad, comma = parse_numbers(raw[fat_col])
        bad = bad | comma
        whole = nums.isna() | ((nums >= 0) & np.isfinite(nums) & (nums == nums.round()))
        bad = bad | ~whole.to_numpy(dtype=bool)
        problems.append(
            problems_frame(
                rows,
                ids,
                bad,
                "bad_fatalities",
                fat_col,
                "error",
                _quoted(raw[fat_col], "not a whole number >= 0: "),
            )
        )
        out["fatalities"] = nums.where(~pd.Series(bad, index=nums.index)).round().astype("Int64")
    else:
        out["fatalities"] = pd.Series(pd.NA, index=raw.index, dtype="Int64")

    out["source_format"] = fmt
    ordered = ["row", *SCHEMA, "where_prec", "source_format"]
    out = out[ordered]
    replaced = set(out.columns)
    extras = [
        c
        for c in raw.columns
        if c not in replaced and c != "row" and not c.startswith("_bordermap")
    ]
    out = pd.concat([out, raw[extras]], axis=1)
    return out, problems
