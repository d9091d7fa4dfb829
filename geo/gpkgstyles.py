"""Default QGIS styles of the exported GeoPackage layers.

One function per layer turns the layer's data into a renderer: events are
coloured by attacker and sized by fatalities, zones graded by distance,
borders bold, provinces outlined. :func:`default_styles` returns the rows that
:func:`geo.gpkgmeta.write_styles` stores in ``layer_styles``.

Examples
--------
>>> import geopandas as gpd
>>> rows = default_styles({"borders": gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")})
>>> [(r.table, r.name, r.default) for r in rows]
[('borders', 'bordermap: borders', True)]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.qml import (
    Category,
    Range,
    Renderer,
    categorized,
    fill_symbol,
    graduated,
    line_symbol,
    marker_symbol,
    qml_document,
    single,
    sld_document,
)

__all__ = ["FATALITY_CLASSES", "StyleRow", "default_styles", "fatality_size_expression"]

#: (lower, upper, label, marker diameter in mm); classes include both bounds.
FATALITY_CLASSES = (
    (0, 0, "0 killed", 2.5),
    (1, 4, "1-4 killed", 4.0),
    (5, 24, "5-24 killed", 5.5),
    (25, 99, "25-99 killed", 7.5),
    (100, float("inf"), "100 or more killed", 10.0),
)

#: Colours of attacking states; others take the next colour of _QUALITATIVE.
ATTACKER_COLOURS = {"IRN": "#d7301f", "PAK": "#1a9850", "AFG": "#6a3d9a", "IRQ": "#1f78b4"}
_QUALITATIVE = ("#ff7f00", "#a65628", "#f781bf", "#999999", "#e6ab02", "#66a61e")
_ZONE_RAMP = ("#b30000", "#e34a33", "#fc8d59", "#fdbb84", "#fdd49e", "#fef0d9")
_GRID_RAMP = ("#efedf5", "#bcbddc", "#756bb1", "#3f007d")


@dataclass(frozen=True)
class StyleRow:
    """One row of ``layer_styles``: which table, the style's name and documents."""

    table: str
    name: str
    qml: str
    sld: str
    description: str
    default: bool = True
    geometry_column: str = "geom"


def fatality_size_expression(field: str = "fatalities") -> str:
    """QGIS expression giving the marker size (mm) of each fatality class.

    Examples
    --------
    >>> fatality_size_expression().startswith('CASE WHEN coalesce("fatalities", 0) >= 100')
    True
    """
    parts = [
        f'WHEN coalesce("{field}", 0) >= {lower} THEN {size:g}'
        for lower, _, _, size in reversed(FATALITY_CLASSES[1:])
    ]
    return f"CASE {' '.join(parts)} ELSE {FATALITY_CLASSES[0][3]:g} END"


def _attacker_categories(frame: pd.DataFrame) -> tuple[list[Category], Category]:
    codes = sorted(
        {str(v) for v in frame.get("attacker_iso3", pd.Series(dtype=object)).dropna() if str(v)}
    )
    size = fatality_size_expression()
    extra = iter(_QUALITATIVE)
    cats = [
        Category(
            code,
            f"attacked by {code}",
            marker_symbol(
                code, ATTACKER_COLOURS.get(code) or next(extra, "#999999"), size_expression=size
            ),
        )
        for code in codes
    ]
    other = Category(
        "", "no state attacker", marker_symbol("other", "#737373", size_expression=size)
    )
    return cats, other


def _events(frame: pd.DataFrame) -> list[StyleRow]:
    cats, other = _attacker_categories(frame)
    by_attacker = categorized("attacker_iso3", cats, other)
    by_fatalities = graduated(
        "fatalities",
        [
            Range(lo, hi, label, marker_symbol(str(i), "#cb181d", size, alpha=0.85))
            for i, (lo, hi, label, size) in enumerate(FATALITY_CLASSES)
        ],
        method="GraduatedSize",
    )
    return [
        _row(
            "events",
            by_attacker,
            "Colour by attacking state, size by fatalities (0, 1-4, 5-24, 25-99, 100+)",
        ),
        _row(
            "events",
            by_fatalities,
            "Graduated size by fatalities (0, 1-4, 5-24, 25-99, 100+)",
            name="bordermap: events by fatalities",
            default=False,
        ),
    ]


def _zones(frame: pd.DataFrame) -> list[StyleRow]:
    if {"zone_min_km", "zone_max_km"} <= set(frame.columns) and len(frame):
        bands = frame[["zone_min_km", "zone_max_km", "zone"]].drop_duplicates("zone_max_km")
        bands = bands.sort_values("zone_max_km")
        triples = list(zip(bands["zone_min_km"], bands["zone_max_km"], bands["zone"], strict=True))
    else:
        triples = [(0.0, 10.0, "0-10 km"), (10.0, 25.0, "10-25 km"), (25.0, 50.0, "25-50 km")]
        triples.append((50.0, 100.0, "50-100 km"))
    ramp = _ZONE_RAMP[: max(len(triples), 1)]
    ranges = [
        Range(
            float(lo),
            float(hi) if np.isfinite(hi) else float("inf"),
            str(label),
            fill_symbol(str(i), ramp[min(i, len(ramp) - 1)], "#7f0000", fill_alpha=0.55),
        )
        for i, (lo, hi, label) in enumerate(triples)
    ]
    return [_row("zones", graduated("zone_max_km", ranges), "Distance bands, graded by km")]


def _priogrid(frame: pd.DataFrame) -> list[StyleRow]:
    classes = ((0, 0, "no events"), (1, 1, "1 event"), (2, 4, "2-4 events"))
    classes += ((5, float("inf"), "5 or more events"),)
    ranges = [
        Range(
            lo,
            hi,
            label,
            fill_symbol(str(i), None if i == 0 else _GRID_RAMP[i], "#9e9ac8", fill_alpha=0.7),
        )
        for i, (lo, hi, label) in enumerate(classes)
    ]
    return [_row("priogrid", graduated("events", ranges), "PRIO-GRID cells graded by event count")]


_SIMPLE = {
    "borders": (line_symbol("0", "#1a1a1a", 1.2), "Borders, bold"),
    "countries": (fill_symbol("0", "#f2efe9", "#6e6e6e", outline_mm=0.4), "Country fill"),
    "provinces": (
        fill_symbol("0", None, "#8c8c8c", outline_mm=0.3, outline_style="dash"),
        "Province outlines",
    ),
    "nearest_lines": (
        line_symbol("0", "#e41a1c", 0.4, style="dash"),
        "Event to its nearest border point",
    ),
    "places": (marker_symbol("0", "#969696", 1.2, outline="#636363"), "GeoNames towns"),
    "sites": (marker_symbol("0", "#ff7f00", 4.0, shape="star"), "Sites of the story"),
}


def _row(
    table: str, renderer: Renderer, description: str, *, name: str | None = None, default=True
) -> StyleRow:
    return StyleRow(
        table=table,
        name=name or f"bordermap: {table}",
        qml=qml_document(renderer),
        sld=sld_document(table, renderer),
        description=description,
        default=default,
    )


def default_styles(frames: dict[str, pd.DataFrame]) -> list[StyleRow]:
    """Style rows for every layer in ``frames`` that bordermap knows how to style.

    Parameters
    ----------
    frames : dict of str to DataFrame
        Layer name to the data written (categories and classes follow the data).

    Returns
    -------
    list of StyleRow
        One default style per known layer; events also get a non-default alternative.
    """
    rows: list[StyleRow] = []
    for table, frame in frames.items():
        if table == "events":
            rows += _events(frame)
        elif table == "zones":
            rows += _zones(frame)
        elif table == "priogrid":
            rows += _priogrid(frame)
        elif table in _SIMPLE:
            symbol, description = _SIMPLE[table]
            rows.append(_row(table, single(symbol), description))
    return rows
