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

from geo.mapping import style
from geo.mapping.popups import (
    EVENT_FIELDS,
    event_text,
    factorize_codes,
    factorize_text,
    floats,
    merge_event_text,
)
from geo.mapping.text import html_text
from geo.precision import precision_radius_km
from geo.proximity import event_coordinates
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

__all__ = [
    "EVENT_FIELDS",
    "NO_ATTACKER",
    "attacker_legend",
    "day_codes",
    "day_index",
    "event_columns",
    "event_payload",
    "event_text",
    "factorize_codes",
    "factorize_text",
    "merge_event_text",
    "uncertainty_km",
]

NO_ATTACKER = NO_ATTACKER_LABEL


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


def event_columns(
    analyzed: pd.DataFrame,
    *,
    pair_label: str,
    names: dict[str, str] | None = None,
    countries: Sequence[str] = (),
    details: bool = True,
    text: tuple[dict[str, tuple], list[list[str]]] | None = None,
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
    text : tuple, optional
        :func:`event_text` of ``analyzed`` with the same ``names`` and
        ``details``, when it was computed already (for instance chunk by chunk
        and joined with :func:`merge_event_text`).

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
    if text is None:
        text = event_text(frame, names=names, details=details)
    text, fields = text
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
        "fatalities": floats(frame, "fatalities").round(0),
        "distance_km": floats(frame, "border_distance_km").round(1),
        "uncertainty_km": (
            unc_codes.astype(np.min_scalar_type(max(len(unc_table) - 1, 0))),
            _numbers(unc_table, 1),
        ),
        "incursion_km": floats(frame, "incursion_km").round(1),
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
