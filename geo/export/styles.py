"""Default QGIS styles of the exported GeoPackage layers.

One function per layer turns the layer's data into a renderer: events are
coloured by attacker and sized by fatalities, zones graded by distance,
borders bold, provinces outlined. Colours come from :mod:`geo.style`, so a
country is the same colour in QGIS as on the map and the figure.
:func:`default_styles` returns the rows that
:func:`geo.export.metadata.write_styles` stores in ``layer_styles``.

Examples
--------
>>> import geopandas as gpd
>>> from geo.theatre import Theatre
>>> empty = gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
>>> rows = default_styles({"borders": empty}, Theatre.from_pair())
>>> [(r.table, r.name, r.default) for r in rows]
[('borders', 'bordermap: borders', True)]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.export.qml import (
    Category,
    Range,
    Renderer,
    Symbol,
    categorized,
    fill_symbol,
    graduated,
    line_symbol,
    marker_symbol,
    qml_document,
    single,
    sld_document,
)
from geo.style import (
    BORDER_COLOUR,
    COUNTRY_FILL,
    COUNTRY_OUTLINE,
    NO_ATTACKER_LABEL,
    OTHER_COLOUR,
    ZONE_NEAR,
    attacker_label,
    frame_colours,
    legend_order,
    zone_ramp,
)
from geo.theatre import Theatre
from geo.zones import zone_labels

__all__ = ["FATALITY_CLASSES", "StyleRow", "default_styles", "fatality_size_expression"]

#: (lower, upper, label, marker diameter in mm); classes include both bounds.
FATALITY_CLASSES = (
    (0, 0, "0 killed", 2.5),
    (1, 4, "1-4 killed", 4.0),
    (5, 24, "5-24 killed", 5.5),
    (25, 99, "25-99 killed", 7.5),
    (100, float("inf"), "100 or more killed", 10.0),
)

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


_ATTACKER = "attacker"


def _category_label(code: str, colour: str, names: dict | None, countries: tuple[str, ...]) -> str:
    label = attacker_label(code, names or {}, countries)
    return f"Other attackers: {label}" if colour == OTHER_COLOUR else label


def _attacker_categories(
    frame: pd.DataFrame, countries: tuple[str, ...], names: dict | None = None
) -> tuple[list[Category], Category]:
    # the computed attacker (stated or inferred from actor names), as the map and figure use
    column = _ATTACKER if _ATTACKER in frame else "attacker_iso3"
    codes = frame.get(column, pd.Series(dtype=object)).dropna().astype(str)
    colours = frame_colours(codes, countries)  # the map's and the figure's colours
    size = fatality_size_expression()
    counts = codes[codes != ""].value_counts()
    # in the map legend's order: the theatre's states, then by events; the rarest share
    # the "other attackers" colour, each still its own category
    ordered = legend_order({str(c): int(n) for c, n in counts.items()}, countries)
    cats = [
        Category(
            code,
            _category_label(code, colours[code], names, countries),
            marker_symbol(code, colours[code], size_expression=size),
        )
        for code in ordered
    ]
    other = Category(
        "", NO_ATTACKER_LABEL, marker_symbol("other", colours[""], size_expression=size)
    )
    return cats, other


def _events(frame: pd.DataFrame, theatre: Theatre) -> list[StyleRow]:
    cats, other = _attacker_categories(frame, theatre.countries, theatre.names)
    by_attacker = categorized(_ATTACKER if _ATTACKER in frame else "attacker_iso3", cats, other)
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


def _zones(frame: pd.DataFrame, theatre: Theatre) -> list[StyleRow]:
    if {"zone_min_km", "zone_max_km"} <= set(frame.columns) and len(frame):
        bands = frame[["zone_min_km", "zone_max_km", "zone"]].drop_duplicates("zone_max_km")
        bands = bands.sort_values("zone_max_km")
        triples = list(zip(bands["zone_min_km"], bands["zone_max_km"], bands["zone"], strict=True))
    else:
        edges = [0.0, *theatre.zones_km]
        labels = zone_labels(theatre.zones_km)
        triples = list(zip(edges[:-1], edges[1:], labels, strict=False))
    ramp = zone_ramp(max(len(triples), 1))
    ranges = [
        Range(
            float(lo),
            float(hi) if np.isfinite(hi) else float("inf"),
            str(label),
            fill_symbol(str(i), ramp[i], ZONE_NEAR, fill_alpha=0.55),
        )
        for i, (lo, hi, label) in enumerate(triples)
    ]
    return [_row("zones", graduated("zone_max_km", ranges), "Distance bands, graded by km")]


def _priogrid(frame: pd.DataFrame, theatre: Theatre) -> list[StyleRow]:
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
    "borders": (line_symbol("0", BORDER_COLOUR, 1.2), "Borders, bold"),
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


def _countries(frame: pd.DataFrame, theatre: Theatre) -> list[StyleRow]:
    def fill(name: str, kind: str) -> Symbol:
        return fill_symbol(name, COUNTRY_FILL[kind], COUNTRY_OUTLINE, outline_mm=0.4)

    description = "Country fill; the theatre's two countries lighter"
    if not theatre.countries:
        return [_row("countries", single(fill("0", "other")), "Country fill")]
    names = theatre.names
    cats = [Category(code, names.get(code, code), fill(code, "pair")) for code in theatre.countries]
    other = Category("", "other countries", fill("other", "other"))
    return [_row("countries", categorized("iso3", cats, other), description)]


_LAYERS = {"events": _events, "zones": _zones, "priogrid": _priogrid, "countries": _countries}


def default_styles(frames: dict[str, pd.DataFrame], theatre: Theatre) -> list[StyleRow]:
    """Style rows for every layer in ``frames`` that bordermap knows how to style.

    Parameters
    ----------
    frames : dict of str to DataFrame
        Layer name to the data written (categories and classes follow the data).
    theatre : Theatre
        Its two countries take their colours from :func:`geo.style.attacker_colours`
        and their land :data:`geo.style.COUNTRY_FILL`; its zones grade the
        zones layer when the data has none.

    Returns
    -------
    list of StyleRow
        One default style per known layer; events also get a non-default alternative.
    """
    rows: list[StyleRow] = []
    for table, frame in frames.items():
        if table in _LAYERS:
            rows += _LAYERS[table](frame, theatre)
        elif table in _SIMPLE:
            symbol, description = _SIMPLE[table]
            rows.append(_row(table, single(symbol), description))
    return rows
