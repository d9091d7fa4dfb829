"""Turn analysed events into the escaped, compact records the map's scripts draw.

Everything here is pure: frames in, plain lists and dicts out. Text from the
data is HTML-escaped with :func:`markupsafe.escape` *here*, once, and the
templates then pass it to Leaflet through ``|tojson`` only.

Examples
--------
>>> import pandas as pd
>>> codes, table = factorize_text(pd.Series(["<b>", "ok", "<b>", None]))
>>> codes, table
([0, 1, 0, 2], ['&lt;b&gt;', 'ok', ''])
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo.io.layouts import EXTRA, SCHEMA
from geo.mapping import style
from geo.mapping.text import html_text
from geo.precision import precision_radius_km
from geo.proximity import ANALYSIS_COLUMNS, event_coordinates
from geo.style import (
    NO_ATTACKER_COLOUR,
    NO_ATTACKER_LABEL,
    OTHER_COLOUR,
    PALETTE,
    attacker_colours,
    attacker_label,
    legend_order,
    other_attackers_label,
)
from geo.zones import SPANS_BANDS

__all__ = [
    "EVENT_FIELDS",
    "NO_ATTACKER",
    "attacker_legend",
    "day_codes",
    "day_index",
    "event_columns",
    "event_payload",
    "factorize_codes",
    "factorize_text",
    "uncertainty_km",
]

# Popup rows: (column, label). Values are escaped; labels are our own text.
# ``admin1`` is the province the input states, shown untouched beside the
# computed ``province``.
EVENT_FIELDS = (
    ("sub_event_type", "Event"),
    ("actor1", "Actor 1"),
    ("actor2", "Actor 2"),
    ("admin1", "Stated province"),
    ("source", "Source"),
)
NO_ATTACKER = NO_ATTACKER_LABEL
_BASE_COLUMNS = {"geometry", "source_url", "latitude", "longitude", "row"}
# Columns shown in their own popup rows or not at all; the rest are extras.
_KNOWN_COLUMNS = frozenset(_BASE_COLUMNS | set(SCHEMA) | set(EXTRA) | set(ANALYSIS_COLUMNS))
MAX_EXTRA_COLUMNS = 6


def factorize_text(values: pd.Series) -> tuple[list[int], list[str]]:
    """Codes and a table of distinct escaped strings (missing values become ``''``).

    Parameters
    ----------
    values : pandas.Series

    Returns
    -------
    codes : list of int
    table : list of str
        HTML-escaped; ``table[codes[i]]`` is row ``i``.
    """
    codes, table = factorize_codes(values)
    return codes.tolist(), table


def factorize_codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """As :func:`factorize_text`, with the codes as the smallest unsigned integer array.

    Parameters
    ----------
    values : pandas.Series

    Returns
    -------
    codes : numpy.ndarray of uint8, uint16 or uint32
    table : list of str
        HTML-escaped, one per distinct ``str`` of the values.
    """
    # factorised in the column's own type (Arrow strings: in C++), escaped once per value
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    table = [str(html_text(u)) for u in uniques]
    if (codes < 0).any():  # missing values: one more entry, ''
        codes = np.where(codes < 0, len(table), codes)
        table.append("")
    # distinct values may share a text (1 and "1"): one table entry each is harmless
    return codes.astype(np.min_scalar_type(max(len(table) - 1, 0))), table


def uncertainty_km(events: pd.DataFrame) -> np.ndarray:
    """Radius of each event's location uncertainty circle, in kilometres.

    From ``geo_precision`` (ACLED) and ``where_prec`` (UCDP) through
    :func:`geo.precision.precision_radius_km`. NaN or infinity: no circle.

    Parameters
    ----------
    events : DataFrame

    Returns
    -------
    numpy.ndarray of float64

    Examples
    --------
    >>> import pandas as pd
    >>> uncertainty_km(pd.DataFrame({"geo_precision": [1, 3, None]})).tolist()
    [2.0, 100.0, nan]
    """
    codes = {
        c: pd.to_numeric(events[c], errors="coerce").to_numpy(dtype="float64")
        for c in ("geo_precision", "where_prec")
        if c in events
    }
    if not codes:
        return np.full(len(events), np.nan)
    return np.asarray(precision_radius_km(**codes), dtype="float64")


def day_index(dates: pd.Series) -> tuple[list[int], list[str]]:
    """Index of each event's day in the sorted list of distinct days (-1 when undated).

    Parameters
    ----------
    dates : pandas.Series

    Returns
    -------
    codes : list of int
    days : list of str
        ``YYYY-MM-DD``, sorted.

    Examples
    --------
    >>> import pandas as pd
    >>> day_index(pd.Series(pd.to_datetime(["2024-01-18", "2024-01-15", None])))
    ([1, 0, -1], ['2024-01-15', '2024-01-18'])
    """
    codes, distinct = day_codes(dates)
    return codes.tolist(), distinct


def day_codes(dates: pd.Series) -> tuple[np.ndarray, list[str]]:
    """As :func:`day_index`, with the codes as an ``int32`` array.

    Parameters
    ----------
    dates : pandas.Series

    Returns
    -------
    codes : numpy.ndarray of int32
    days : list of str
    """
    days = pd.to_datetime(pd.Series(dates), errors="coerce").dt.normalize()
    codes, distinct = pd.factorize(days, sort=True, use_na_sentinel=True)
    return codes.astype("int32"), [pd.Timestamp(d).strftime("%Y-%m-%d") for d in distinct]


def _attacker_keys(events: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Each row's index into the distinct attacker keys ("" when none), and those keys.

    The key is the computed ``attacker``, or the older guess for frames without it.
    """
    if "attacker" in events:
        values = events["attacker"]
    else:
        values = pd.Series("unknown attacker", index=events.index, dtype="object")
        for column in ("actor1", "attacker_iso3"):
            if column in events:
                value = events[column].astype("object")
                ok = value.notna() & (value.map(str).str.strip() != "")
                values = values.where(~ok, value.map(str).str.strip())
    # stripped once per distinct value, not once per event; -1 (missing) takes the last, ""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    stripped = np.array([str(u).strip() for u in uniques] + [""], dtype=object)
    keys, merged = np.unique(stripped, return_inverse=True)
    return merged.reshape(-1)[codes], [str(k) for k in keys]


def attacker_legend(
    events: pd.DataFrame,
    names: dict[str, str] | None = None,
    countries: Sequence[str] = (),
) -> tuple[list[int], list[tuple[str, str]]]:
    """Colour class of each event by attacker, and the legend rows.

    The attacker is the computed ``attacker`` column of
    :func:`geo.proximity.analyze` (events without one are "No attacker
    stated or inferred"); frames without that column fall back to ``attacker_iso3`` when
    set, else ``actor1``. Colours follow
    :func:`geo.style.attacker_colours`, as in the figure and the QGIS styles:
    the theatre's countries come first, as state forces, in
    :data:`geo.style.PAIR_COLOURS`; the most frequent other attackers follow
    (as many as :data:`geo.style.PALETTE` has colours) and the rest share
    :data:`geo.style.OTHER_COLOUR` as "Other attackers (N more)".

    Parameters
    ----------
    events : DataFrame
    names : dict, optional
        ISO3 code to country name, for labels such as ``"Iran (state forces)"``.
    countries : sequence of str
        The theatre's countries (:attr:`geo.theatre.Theatre.countries`).

    Returns
    -------
    codes : numpy.ndarray of unsigned int
        Row of the legend for each event.
    rows : list of (str, str)
        Label (raw text: the legend element escapes it) and ``#rrggbb`` colour.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"attacker": ["PAK", "IRN", "PAK", None]})
    >>> codes, rows = attacker_legend(frame, {"PAK": "Pakistan"}, ("IRN", "PAK"))
    >>> codes.tolist(), rows[0]
    ([0, 1, 0, 2], ('Pakistan (state forces)', '#1668b0'))
    >>> rows[-1]
    ('No attacker stated or inferred', '#a6a6a6')
    """
    names = names or {}
    countries = tuple(countries)
    row_keys, keys = _attacker_keys(events)
    events_of = np.bincount(row_keys, minlength=len(keys))
    counts = {k: int(n) for k, n in zip(keys, events_of, strict=True) if k and n}
    ordered = legend_order(counts, countries)
    states = [k for k in ordered if k in countries]
    others = [k for k in ordered if k not in countries][: len(PALETTE)]
    colours = attacker_colours(others, countries)
    rows: list[tuple[str, str]] = []
    lookup: dict[str, int] = {}
    for key in states + others:
        lookup[key] = len(rows)
        rows.append((attacker_label(key, names, countries), colours[key]))
    other = len(rows)  # the attackers beyond the palette share one row
    if len(lookup) < len(ordered):
        rows.append((other_attackers_label(len(ordered) - len(lookup)), OTHER_COLOUR))
    if "" in keys and events_of[keys.index("")]:
        lookup[""] = len(rows)
        rows.append((NO_ATTACKER, NO_ATTACKER_COLOUR))
    row_of_key = np.array([lookup.get(k, other) for k in keys], dtype=np.int64)
    codes = row_of_key[row_keys].astype(np.min_scalar_type(max(len(rows) - 1, 0)))
    return codes, [(t, style.hex_colour(c)) for t, c in rows]


def _numbers(values, digits: int) -> list[float | None]:
    array = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype="float64")
    return [None if math.isnan(v) else round(float(v), digits) for v in array]


def _floats(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64")


def _factorize_rows(parts: pd.DataFrame, render) -> tuple[np.ndarray, list[str]]:
    """Codes of the distinct rows of ``parts`` and ``render(*row)`` of each, escaped."""
    if parts.empty:
        return np.zeros(len(parts), dtype="uint8"), []
    # one integer key per row, column by column (re-factorised so it stays below n**2)
    key = np.zeros(len(parts), dtype="int64")
    for column in parts.columns:
        codes, uniques = pd.factorize(parts[column], use_na_sentinel=True)
        key = pd.factorize(key * (len(uniques) + 1) + (codes + 1))[0].astype("int64")
    # factorize numbers rows by first appearance: a row is the first of its kind
    # exactly when its key exceeds every key before it
    seen = np.maximum.accumulate(np.concatenate([[-1], key[:-1]]))
    first = np.flatnonzero(key > seen)
    rows = parts.iloc[first].itertuples(index=False)
    table = [str(html_text(render(*row))) for row in rows]
    return key.astype(np.min_scalar_type(max(len(table) - 1, 0))), table


def _km(value: float) -> str:
    return f"{value:,.1f}".rstrip("0").rstrip(".")


def _analysis_text(frame: pd.DataFrame, names: dict[str, str]) -> dict[str, tuple]:
    """Attacker (with how it was found), zone (with its span) and distance interval."""
    text: dict[str, tuple] = {}
    if "attacker" in frame:
        basis = frame.get("attacker_basis", pd.Series("", index=frame.index))
        # factorised in the columns' own types; only the distinct rows become Python values
        parts = pd.DataFrame({"a": frame["attacker"].array, "b": pd.Series(basis).array})

        def attacker(a, b) -> str:
            if pd.isna(a) or not str(a).strip():
                return ""
            return f"{names.get(a, a)} ({b})" if isinstance(b, str) and b else str(names.get(a, a))

        text["attacker"] = _factorize_rows(parts, attacker)
    if "zone" in frame:
        lo, hi = _floats(frame, "zone_min_km"), _floats(frame, "zone_max_km")
        parts = pd.DataFrame({"z": frame["zone"].array, "lo": lo, "hi": hi})

        def zone(z, lo, hi) -> str:
            if pd.isna(z):
                return ""
            if z == SPANS_BANDS and np.isfinite(lo) and np.isfinite(hi):
                return f"{z} ({_km(lo)}\u2013{_km(hi)} km)"
            return str(z)

        text["zone"] = _factorize_rows(parts, zone)
    lo, hi = _floats(frame, "border_distance_min_km"), _floats(frame, "border_distance_max_km")
    area = np.isnan(_floats(frame, "border_distance_km")) & np.isfinite(lo) & np.isfinite(hi)
    parts = pd.DataFrame({"lo": np.where(area, lo, np.nan), "hi": np.where(area, hi, np.nan)})
    text["distance_range"] = _factorize_rows(
        parts, lambda lo, hi: "" if np.isnan(lo) else f"{_km(lo)}\u2013{_km(hi)} km"
    )
    return text


def _event_text(
    frame: pd.DataFrame, details: bool, names: dict[str, str]
) -> tuple[dict[str, tuple], list[list[str]]]:
    """Escaped text columns (``(codes, table)``) and the popup rows (key, label)."""
    text: dict[str, tuple] = {}
    fields: list[list[str]] = []
    # the computed province; frames from before it had its own name carry it in admin1
    province = "province" if "province" in frame else "admin1"
    for column, label in EVENT_FIELDS:
        if column in frame and not (column == "admin1" and province == "admin1"):
            text[column] = factorize_codes(frame[column])
            fields.append([column, label])
    titles = frame["location"] if "location" in frame else pd.Series([""] * len(frame))
    text["title"] = factorize_codes(titles)
    if province in frame:
        text["province"] = factorize_codes(frame[province])
    if "side" in frame:
        text["side"] = factorize_codes(frame["side"])
    text.update(_analysis_text(frame, names))
    if "attacker" in text:
        fields.append(["attacker", "Attacker"])
    if details:
        if "notes" in frame:
            text["notes"] = factorize_codes(frame["notes"])
        extras = [c for c in frame.columns if str(c) not in _KNOWN_COLUMNS][:MAX_EXTRA_COLUMNS]
        for i, column in enumerate(extras):
            key = f"extra{i}"
            text[key] = factorize_codes(frame[column])
            fields.append([key, str(html_text(str(column)))])
    return text, fields


def event_columns(
    analyzed: pd.DataFrame,
    *,
    pair_label: str,
    names: dict[str, str] | None = None,
    countries: Sequence[str] = (),
    details: bool = True,
) -> dict:
    """Columnar, escaped description of every event, as numpy arrays.

    The same content as :func:`event_payload`, for
    :func:`geo.mapping.packed.pack_events`: numbers stay ``float64`` with NaN
    for missing values, codes stay integer arrays, text columns are
    ``(codes, table)`` tuples.

    Parameters
    ----------
    analyzed, pair_label, names, countries, details
        As :func:`event_payload`.

    Returns
    -------
    dict
    """
    frame = analyzed
    names = names or {}
    colour_codes, legend = attacker_legend(frame, names, countries)
    days, day_labels = (
        day_codes(frame["event_date"])
        if "event_date" in frame
        else (np.full(len(frame), -1, dtype="int32"), [])
    )
    text, fields = _event_text(frame, details, names)
    radius = uncertainty_km(frame)
    radius[~np.isfinite(radius)] = np.nan
    unc_codes, unc_table = pd.factorize(pd.Series(radius).round(1), use_na_sentinel=False)
    lon, lat = event_coordinates(frame)
    return {
        "lat": lat,
        "lon": lon,
        "size": list(style.RADIUS_PX),
        "colour": colour_codes,
        "day": days,
        "fatalities": _floats(frame, "fatalities").round(0),
        "distance_km": _floats(frame, "border_distance_km").round(1),
        "uncertainty_km": (
            unc_codes.astype(np.min_scalar_type(max(len(unc_table) - 1, 0))),
            _numbers(unc_table, 1),
        ),
        "incursion_km": _floats(frame, "incursion_km").round(1),
        "text": text,
        "fields": fields,
        "colours": [c for _, c in legend],
        "legend": legend,
        "days": day_labels,
        "pair": str(html_text(pair_label)),
    }


def event_payload(
    analyzed: pd.DataFrame,
    *,
    pair_label: str,
    names: dict[str, str] | None = None,
    countries: Sequence[str] = (),
    details: bool = True,
) -> dict:
    """Columnar, escaped description of every event for the map's scripts (JSON).

    Parameters
    ----------
    analyzed : GeoDataFrame
        Output of :func:`geo.proximity.analyze` (points in EPSG:4326).
    pair_label : str
        Border name for popups, such as ``"IRN\u2013PAK"``.
    names : dict, optional
        ISO3 code to country name.
    countries : sequence of str
        The theatre's countries, which keep their colours (:func:`attacker_legend`).
    details : bool
        Include notes and extra columns (off for very large tables).

    Returns
    -------
    dict
        Arrays ``lat, lon, colour, day, fatalities, distance_km``;
        ``uncertainty_km`` as ``[codes, table]``; ``incursion_km`` as
        ``{row: km}`` for strikes only; ``size`` (the marker radius formula,
        :data:`style.RADIUS_PX`); ``text`` (column to ``[codes, table]``
        of escaped strings); ``fields`` (popup rows); ``colours`` (one per
        legend row); ``days``; and ``legend`` (raw labels, for the legend
        element only; it is not sent to the page).
    """
    columns = event_columns(
        analyzed, pair_label=pair_label, names=names, countries=countries, details=details
    )
    fatalities = _numbers(columns["fatalities"], 0)
    unc_codes, unc_table = columns["uncertainty_km"]
    incursion = columns["incursion_km"]
    return {
        **columns,
        "lat": _numbers(columns["lat"], 4),
        "lon": _numbers(columns["lon"], 4),
        "colour": columns["colour"].tolist(),
        "day": columns["day"].tolist(),
        "fatalities": [None if v is None else int(v) for v in fatalities],
        "distance_km": _numbers(columns["distance_km"], 1),
        "uncertainty_km": [unc_codes.tolist(), unc_table],
        # strikes only, keyed by row
        "incursion_km": {
            str(i): float(incursion[i]) for i in np.flatnonzero(np.isfinite(incursion))
        },
        "text": {k: [codes.tolist(), table] for k, (codes, table) in columns["text"].items()},
    }
