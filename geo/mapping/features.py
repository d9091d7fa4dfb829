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
import shapely
from markupsafe import Markup

from geo.io.layouts import EXTRA, SCHEMA
from geo.mapping import style
from geo.mapping.text import html_text
from geo.precision import precision_radius_km
from geo.proximity import ANALYSIS_COLUMNS
from geo.style import OTHER_COLOUR, PALETTE, attacker_colours

__all__ = [
    "EVENT_FIELDS",
    "attacker_legend",
    "day_index",
    "event_payload",
    "factorize_text",
    "strike_arrows",
    "uncertainty_km",
]

# Popup rows: (column, label). Values are escaped; labels are our own text.
EVENT_FIELDS = (
    ("sub_event_type", "Event"),
    ("actor1", "Attacker"),
    ("actor2", "Target"),
    ("admin1", "Province"),
    ("source", "Source"),
)
# admin1_source: the stated province, which analyze() renames (admin1 is the located one)
_BASE_COLUMNS = {"geometry", "source_url", "latitude", "longitude", "row", "admin1_source"}
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
    text = values.astype("object").where(values.notna(), "")
    codes, uniques = pd.factorize(text.map(str), use_na_sentinel=False)
    return codes.tolist(), [str(html_text(u)) for u in uniques]


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
    days = pd.to_datetime(dates, errors="coerce").dt.normalize()
    distinct = sorted(days.dropna().unique())
    lookup = {d: i for i, d in enumerate(distinct)}
    codes = [lookup.get(d, -1) if pd.notna(d) else -1 for d in days]
    return codes, [pd.Timestamp(d).strftime("%Y-%m-%d") for d in distinct]


def _attacker_keys(events: pd.DataFrame) -> pd.Series:
    keys = pd.Series("unknown attacker", index=events.index, dtype="object")
    for column in ("actor1", "attacker_iso3"):
        if column in events:
            value = events[column].astype("object")
            ok = value.notna() & (value.map(str).str.strip() != "")
            keys = keys.where(~ok, value.map(str).str.strip())
    return keys


def attacker_legend(
    events: pd.DataFrame,
    names: dict[str, str] | None = None,
    countries: Sequence[str] = (),
) -> tuple[list[int], list[tuple[str, str]]]:
    """Colour class of each event by attacker, and the legend rows.

    The attacker is ``attacker_iso3`` when set, else ``actor1``. Colours follow
    :func:`geo.style.attacker_colours`, as in the figure and the QGIS styles:
    the theatre's countries come first, as state forces, in
    :data:`geo.style.PAIR_COLOURS`; the most frequent other attackers follow
    (as many as :data:`geo.style.PALETTE` has colours) and the rest share
    :data:`geo.style.OTHER_COLOUR` as "other attackers".

    Parameters
    ----------
    events : DataFrame
    names : dict, optional
        ISO3 code to country name, for labels such as ``"Iran (state forces)"``.
    countries : sequence of str
        The theatre's countries (:attr:`geo.theatre.Theatre.countries`).

    Returns
    -------
    codes : list of int
        Row of the legend for each event.
    rows : list of (str, str)
        Label (raw text: the legend element escapes it) and ``#rrggbb`` colour.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"attacker_iso3": ["PAK", "IRN", "PAK"], "actor1": "x"})
    >>> attacker_legend(frame, {"PAK": "Pakistan"}, ("IRN", "PAK"))
    ([0, 1, 0], [('Pakistan (state forces)', '#1668b0'), ('IRN (state forces)', '#d62728')])
    """
    names = names or {}
    countries = tuple(countries)
    keys = _attacker_keys(events)
    counts = keys.value_counts(sort=True)
    ordered = sorted(counts.index, key=lambda k: (k not in countries, -counts[k], k))
    states = [k for k in ordered if k in countries]
    others = [k for k in ordered if k not in countries][: len(PALETTE)]
    colours = attacker_colours(others, countries)
    rows: list[tuple[str, str]] = []
    lookup: dict[str, int] = {}
    for key in states + others:
        label = names.get(key, key)
        lookup[key] = len(rows)
        rows.append((f"{label} (state forces)" if key in countries else str(label), colours[key]))
    if len(lookup) < len(ordered):
        rows.append(("other attackers", OTHER_COLOUR))
    other = len(rows) - 1
    return [lookup.get(k, other) for k in keys], [(t, style.hex_colour(c)) for t, c in rows]


def _numbers(values, digits: int) -> list[float | None]:
    array = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype="float64")
    return [None if math.isnan(v) else round(float(v), digits) for v in array]


def _event_text(frame: pd.DataFrame, details: bool) -> tuple[dict[str, list], list[list[str]]]:
    """Escaped text columns (``[codes, table]``) and the popup rows (key, label)."""
    text: dict[str, list] = {}
    fields: list[list[str]] = []
    for column, label in EVENT_FIELDS:
        if column in frame:
            text[column] = list(factorize_text(frame[column]))
            fields.append([column, label])
    titles = frame["location"] if "location" in frame else pd.Series([""] * len(frame))
    text["title"] = list(factorize_text(titles))
    for column in ("side", "zone"):
        if column in frame:
            text[column] = list(factorize_text(frame[column]))
    if details:
        if "notes" in frame:
            text["notes"] = list(factorize_text(frame["notes"]))
        extras = [c for c in frame.columns if str(c) not in _KNOWN_COLUMNS][:MAX_EXTRA_COLUMNS]
        for i, column in enumerate(extras):
            key = f"extra{i}"
            text[key] = list(factorize_text(frame[column]))
            fields.append([key, str(html_text(str(column)))])
    return text, fields


def event_payload(
    analyzed: pd.DataFrame,
    *,
    pair_label: str,
    names: dict[str, str] | None = None,
    countries: Sequence[str] = (),
    details: bool = True,
) -> dict:
    """Columnar, escaped description of every event for the map's scripts.

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
    frame = analyzed
    colour_codes, legend = attacker_legend(frame, names, countries)
    days, day_labels = (
        day_index(frame["event_date"]) if "event_date" in frame else ([-1] * len(frame), [])
    )
    fatalities = (
        pd.to_numeric(frame["fatalities"], errors="coerce")
        if "fatalities" in frame
        else pd.Series(np.nan, index=frame.index)
    )
    text, fields = _event_text(frame, details)
    radius = uncertainty_km(frame)
    radius[~np.isfinite(radius)] = np.nan
    unc_codes, unc_table = pd.factorize(pd.Series(radius).round(1), use_na_sentinel=False)
    incursion = _numbers(frame.get("incursion_km", np.nan), 1) if len(frame) else []
    return {
        "lat": _numbers(frame.geometry.y, 4),
        "lon": _numbers(frame.geometry.x, 4),
        "size": list(style.RADIUS_PX),
        "colour": colour_codes,
        "day": days,
        "fatalities": [None if v is None else int(v) for v in _numbers(fatalities, 0)],
        "distance_km": _numbers(frame.get("border_distance_km", np.nan), 1),
        "uncertainty_km": [unc_codes.tolist(), _numbers(unc_table, 1)],
        "incursion_km": {str(i): v for i, v in enumerate(incursion) if v is not None},
        "text": text,
        "fields": fields,
        "colours": [c for _, c in legend],
        "legend": legend,
        "days": day_labels,
        "pair": str(html_text(pair_label)),
    }


def strike_arrows(
    analyzed: pd.DataFrame,
    pair: Sequence[str],
    names: dict[str, str] | None = None,
    land: dict | None = None,
) -> list[dict]:
    """Curved arrows for cross-border strikes, from the attacker's side to the target.

    A strike is an event whose ``attacker_iso3`` is one country of the pair and
    which lies in the other (``side``) with a finite ``incursion_km``. The curve
    starts beyond the nearest border point, on the attacker's side, and bends
    to the event; these are drawing coordinates, not measurements.

    Parameters
    ----------
    analyzed : GeoDataFrame
        Output of :func:`geo.proximity.analyze` for the pair's border.
    pair : sequence of str
        The theatre's two ISO3 codes (:attr:`geo.theatre.Theatre.countries`);
        empty for a user's line, which has no strikes to draw.
    names : dict, optional
        ISO3 code to country name, for labels.
    land : dict, optional
        ISO3 code to country polygon: where given, the start point is moved
        until it lies in the attacker's country (borders bend).

    Returns
    -------
    list of dict
        ``path`` ([lat, lon] pairs), ``head`` (``at`` [lat, lon] and screen
        ``angle`` in degrees clockwise from east), ``label`` (escaped
        HTML), ``day`` index, ``colour``, ``label_at`` (the target) and
        ``label_side`` (``"left"`` or ``"right"``: beyond the target, away from
        the border).
    """
    names = names or {}
    colours = attacker_colours((), pair)  # the pair's colours, as in every output
    needed = {"attacker_iso3", "side", "incursion_km", "nearest_lon", "nearest_lat"}
    if not needed <= set(analyzed.columns):
        return []
    frame = analyzed
    attacker = frame["attacker_iso3"].astype("object").fillna("").map(str)
    side = frame["side"].astype("object").fillna("").map(str)
    depth = pd.to_numeric(frame["incursion_km"], errors="coerce")
    mask = attacker.isin(pair) & side.isin(pair) & (attacker != side) & depth.notna()
    if not mask.any():
        return []
    days, _ = day_index(frame["event_date"]) if "event_date" in frame else ([-1] * len(frame), [])
    days = np.asarray(days)[mask.to_numpy()]
    sel = frame[mask]
    tx, ty = sel.geometry.x.to_numpy(), sel.geometry.y.to_numpy()
    nx, ny = sel["nearest_lon"].to_numpy(float), sel["nearest_lat"].to_numpy(float)
    arrows = []
    for i in range(len(sel)):
        a, s, d = attacker[mask].iloc[i], side[mask].iloc[i], depth[mask].iloc[i]
        start = _start(nx[i], ny[i], tx[i], ty[i], (land or {}).get(a))
        path, head = _curve(start, tx[i], ty[i])
        label = (
            html_text(f"{names.get(a, a)} strike")
            + Markup("<br>")
            + html_text(f"{d:.0f} km into {names.get(s, s)}")
        )
        arrows.append(
            {
                "path": path,
                "head": head,
                "label": str(html_text(label)),
                "label_at": [round(float(ty[i]), 5), round(float(tx[i]), 5)],
                "label_side": "right" if path[0][1] < path[-1][1] else "left",
                "day": int(days[i]),
                "colour": colours[a],
            }
        )
    return arrows


def _start(nx: float, ny: float, tx: float, ty: float, attacker_land) -> tuple[float, float]:
    """Find a start beyond the nearest border point, away from the target, on attacker land."""
    k = math.cos(math.radians(ty))
    dx, dy = (nx - tx) * k, ny - ty  # roughly isotropic units near the target
    length = math.hypot(dx, dy) or 1e-9
    back = max(0.6 * length, 0.35)  # at least ~35 km beyond the border
    for turn in (0, 30, -30, 60, -60, 90, -90):
        c, s = math.cos(math.radians(turn)), math.sin(math.radians(turn))
        ux, uy = (dx * c - dy * s) / length, (dx * s + dy * c) / length
        for frac in (1.0, 0.6, 0.35):
            sx, sy = nx + ux * back * frac / k, ny + uy * back * frac
            if attacker_land is None or attacker_land.contains(shapely.Point(sx, sy)):
                return sx, sy
    return nx, ny


def _curve(start: tuple[float, float], tx: float, ty: float, steps: int = 24):
    """Quadratic curve from ``start`` (attacker side) towards the target."""
    sx, sy = start
    k = math.cos(math.radians(ty))
    mx, my = (sx + tx) / 2, (sy + ty) / 2
    span = math.hypot((tx - sx) * k, ty - sy)
    # bend to the left of travel by a quarter of the span
    px, py = -(ty - sy) / span, (tx - sx) * k / span
    cx, cy = mx + px * 0.25 * span / k, my + py * 0.25 * span
    t = np.linspace(0.0, 0.82, steps)  # stop short of the target's own marker
    xs = (1 - t) ** 2 * sx + 2 * (1 - t) * t * cx + t**2 * tx
    ys = (1 - t) ** 2 * sy + 2 * (1 - t) * t * cy + t**2 * ty
    path = [[round(float(y), 5), round(float(x), 5)] for x, y in zip(xs, ys, strict=True)]
    # arrowhead: a fixed-size marker at the tip, turned along the last segment
    # as drawn in Web Mercator (screen angle, clockwise from east)
    merc = np.log(np.tan(np.pi / 4 + np.radians(ys[-2:]) / 2))
    angle = -math.degrees(math.atan2(merc[1] - merc[0], math.radians(xs[-1] - xs[-2])))
    head = {"at": path[-1], "angle": round(angle, 1)}
    return path, head
