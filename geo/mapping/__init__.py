"""The interactive map: analysed events against a border, zones and provinces, in folium.

:func:`render_map` takes events already analysed by
:func:`geo.proximity.analyze` and the :class:`~geo.theatre.Theatre` they were
measured against. It draws the border, its distance zones, provinces and
countries, the events sized by fatalities and coloured by attacker (the
palette of :mod:`geo.style`) with their uncertainty, lines to the nearest
border point, cross-border strikes and named sites, and adds a legend, a
day-by-day time slider and the usual controls. Above
:data:`~geo.mapping.style.CLUSTER_ABOVE` events the markers cluster and a
heatmap layer appears; above :data:`~geo.mapping.style.WEBGL_ABOVE` the
events travel as a packed binary table (:mod:`geo.mapping.packed`) and are
drawn as WebGL points (:class:`~geo.mapping.elements.WebGLEvents`), with the
heatmap as the overview. :func:`save_map` writes the page atomically.

Examples
--------
>>> from geo import layers
>>> from geo.proximity import analyze
>>> from geo.theatre import Theatre
>>> theatre = Theatre.from_pair()
>>> m = render_map(analyze(layers.events(), theatre), theatre)
>>> html = m.get_root().render()
>>> "Saravan" in html and "bm-legend" in html
True
"""

from __future__ import annotations

import functools
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo import layers
from geo.errors import ParameterError
from geo.io.atomic import atomic_path
from geo.mapping import assets, elements, features, packed, shapes, strikes, style
from geo.mapping.offline import OfflineFigure, OnlineFigure
from geo.mapping.text import html_text
from geo.placement import provinces_of
from geo.proximity import event_coordinates
from geo.style import BORDER_COLOUR, COUNTRY_FILL, fatality_labels
from geo.theatre import Theatre

__all__ = ["preload", "render_map", "save_map"]

TILES = {
    "Map tiles (Esri gray canvas)": "Esri.WorldGrayCanvas",
    "OpenStreetMap": "OpenStreetMap.Mapnik",
}
# The first view shows the border and every event within this distance of it.
VIEW_KM = 400.0
DATA_CREDIT = (
    "Borders, countries: © OpenStreetMap contributors (ODbL) via geo-maps; "
    "provinces: Natural Earth; places: GeoNames (CC BY 4.0)"
)
# Outlines of the map's own vector layers (the fills come from geo.style).
COUNTRY_LINE = {"color": "#8f8a80", "weight": 1}
PROVINCE_LINE = {"color": "#9a948a", "weight": 0.8, "fillOpacity": 0, "dashArray": "3 3"}
MINIMAP_STYLE = {"color": "#777777", "weight": 0.6, "fillColor": "#ece8df", "fillOpacity": 1}
# Countries and provinces are drawn within this many degrees of the border's box.
CLIP_DEG = 12.0


def _check_analyzed(analyzed: pd.DataFrame, theatre: Theatre) -> pd.DataFrame:
    """Return the analysed events in EPSG:4326; refuse raw events or another theatre's."""
    if not isinstance(theatre, Theatre):
        raise ParameterError("theatre", f"expected a geo.theatre.Theatre, got {type(theatre)!r}")
    located = isinstance(analyzed, gpd.GeoDataFrame) or (
        isinstance(analyzed, pd.DataFrame) and {"longitude", "latitude"} <= set(analyzed)
    )
    if not located or "border_distance_km" not in analyzed:
        raise ParameterError(
            "analyzed", "expected the output of geo.proximity.analyze(events, theatre)"
        )
    measured = analyzed.attrs.get("border_pair")
    if measured is not None and measured != theatre.pair:
        raise ParameterError(
            "analyzed", f"was measured against {measured}, not the theatre's {theatre.pair}"
        )
    crs = getattr(analyzed, "crs", None)
    if crs is not None and not crs.equals("EPSG:4326"):
        analyzed = analyzed.to_crs("EPSG:4326")
    return analyzed


def _webgl(analyzed: gpd.GeoDataFrame) -> bool:
    """Whether the events are many enough to be drawn with WebGL."""
    return len(analyzed) > style.WEBGL_ABOVE


def _pair_label(theatre: Theatre) -> str:
    """``"IRN\u2013PAK"`` for an embedded pair (en dash), else the line's name."""
    return "\u2013".join(theatre.countries) if theatre.embedded else theatre.pair


def preload(theatre: Theatre) -> None:
    """Load what every map of ``theatre`` draws: its region's countries and provinces.

    Optional: :func:`render_map` loads them when needed. The CLI calls it on a
    thread while the events are still being read and analysed, so the map is
    drawn sooner once they are.

    Parameters
    ----------
    theatre : Theatre
    """
    region = theatre.region()
    layers.countries(list(region))
    provinces_of(region)


def render_map(
    analyzed: gpd.GeoDataFrame,
    theatre: Theatre,
    *,
    title: str | None = None,
    offline: bool = False,
    event_text: tuple | None = None,
) -> folium.Map:
    """Build the interactive map of analysed events along a theatre's border.

    Parameters
    ----------
    analyzed : GeoDataFrame or DataFrame
        Output of :func:`geo.proximity.analyze` for ``theatre``: points, or
        (for a plain DataFrame) ``longitude``/``latitude`` in degrees. ACLED-style
        columns are used when present: ``event_date``, ``actor1``,
        ``actor2``, ``fatalities``, ``geo_precision``, ``location``,
        ``source``, ``notes`` and the input's own ``admin1``. Events are
        coloured by the computed ``attacker``; the popup's province is the
        computed ``province``.
    theatre : Theatre
        The border, its countries and distance zones
        (:meth:`geo.theatre.Theatre.from_pair`, :meth:`~geo.theatre.Theatre.from_border`).
    title : str, optional
        Title shown on the map (escaped); a default names the border.
    offline : bool
        Inline every script and stylesheet when the page is rendered, and
        start with tiles off (the vector layers are the basemap).
    event_text : tuple, optional
        :func:`geo.mapping.features.event_text` of ``analyzed`` with the
        theatre's names and ``details=False``, when it is at hand (the CLI
        builds it chunk by chunk as the events are analysed); used for the
        WebGL points, which carry no notes.

    Returns
    -------
    folium.Map

    Raises
    ------
    ParameterError
        When ``analyzed`` is not an analysed frame, or was measured against
        another border than ``theatre``'s, or for the ``nearest`` theatre.
    """
    analyzed = _check_analyzed(analyzed, theatre)
    theatre.single("the map")
    region = theatre.region(analyzed)
    countries = layers.countries(list(region))
    large = len(analyzed) > style.CLUSTER_ABOVE or _webgl(analyzed)
    payload = _payload(analyzed, theatre, details=not large, event_text=event_text)
    # clustered markers share one canvas; WebGL points have their own, and the
    # border (SVG, a pane above them) stays visible over the densest cloud
    m = _new_map(analyzed, theatre, offline=offline, canvas=large and not _webgl(analyzed))
    zone_rows = _geography(m, theatre, countries, provinces_of(region))
    _event_layers(m, analyzed, theatre, payload, countries)
    _controls(m, countries)
    m.add_child(
        elements.Legend(
            attackers=payload["legend"],
            sizes=list(
                zip(
                    fatality_labels(style.SIZE_SAMPLES),
                    style.radius_px(style.SIZE_SAMPLES),
                    strict=True,
                )
            ),
            zones=zone_rows,
            pair_label=_pair_label(theatre),
            symbols=not large,
        )
    )
    m.add_child(elements.Title(*_titles(title, analyzed, theatre)))
    m.add_child(elements.DaySlider(payload["days"]))
    return m


def _payload(analyzed: pd.DataFrame, theatre: Theatre, *, details: bool, event_text) -> dict:
    """Describe the events: numpy columns for WebGL points, JSON lists for markers."""
    describe = features.event_payload
    if _webgl(analyzed):
        describe = functools.partial(features.event_columns, text=event_text)
    return describe(
        analyzed,
        pair_label=_pair_label(theatre),
        names=theatre.names,
        countries=theatre.countries,
        details=details,
    )


def _new_map(
    analyzed: gpd.GeoDataFrame, theatre: Theatre, *, offline: bool, canvas: bool
) -> folium.Map:
    """Start the map: its assets, page setup, first view and base layers."""
    x0, y0, x1, y1 = theatre.border.total_bounds
    m = folium.Map(
        location=[(y0 + y1) / 2, (x0 + x1) / 2],
        zoom_start=7,
        tiles=None,
        control_scale=True,
        min_zoom=3,
        max_zoom=14,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    # markercluster needs the map's own zoom range, not only the tiles'
    m.options.update(min_zoom=3, max_zoom=14)
    m.default_js = assets.links("leaflet_js")
    m.default_css = assets.links("leaflet_css")
    (OfflineFigure() if offline else OnlineFigure()).add_child(m)
    # the border and the events near it; room for the title (top), the
    # legend (right) and the slider (bottom)
    near = (pd.to_numeric(analyzed["border_distance_km"], errors="coerce") <= VIEW_KM).to_numpy()
    if near.any():
        lon, lat = event_coordinates(analyzed)
        lon, lat = lon[near], lat[near]
        x0, y0 = min(x0, np.nanmin(lon)), min(y0, np.nanmin(lat))
        x1, y1 = max(x1, np.nanmax(lon)), max(y1, np.nanmax(lat))
    m.add_child(
        elements.MapSetup(
            DATA_CREDIT,
            canvas=canvas,
            bounds=[[y0 - 0.35, x0 - 0.9], [y1 + 0.1, x1 + 0.9]],
            padding=((50, 60), (270, 60)),
        )
    )
    for i, (label, provider) in enumerate(TILES.items()):
        folium.TileLayer(provider, name=label, overlay=False, show=not offline and i == 0).add_to(m)
    elements.BlankBase("No tiles (vector basemap)", show=offline).add_to(m)
    return m


def _geography(
    m: folium.Map, theatre: Theatre, countries: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame
) -> list[tuple[str, str]]:
    """Countries, their names, distance zones, provinces and the border; the zone legend rows."""
    names = theatre.names
    x0, y0, x1, y1 = theatre.border.total_bounds
    near = (x0 - CLIP_DEG, y0 - CLIP_DEG, x1 + CLIP_DEG, y1 + CLIP_DEG)
    in_pair = countries["iso3"].isin(theatre.countries)
    fills = [
        {**COUNTRY_LINE, "fillColor": COUNTRY_FILL["pair" if p else "other"], "fillOpacity": 0.55}
        for p in in_pair
    ]
    tips = [html_text(n) for n in countries["name"]]
    m.add_child(
        elements.VectorLayer(
            shapes.geojson(countries, 0.005, tips, fills, within=near),
            "Countries",
            pane="bm-countries",
        )
    )
    m.add_child(
        elements.TimedShapes(
            shapes.country_labels(countries, theatre.border), "Country names", pane="bm-countries"
        )
    )
    zone_data, zone_rows = shapes.zone_layer(theatre.zone_polygons, names)
    m.add_child(elements.VectorLayer(zone_data, "Distance zones", pane="bm-zones"))
    tips = [
        html_text(f"{p} ({names.get(c, c)})")
        for p, c in zip(provinces["name_en"], provinces["adm0_a3"], strict=True)
    ]
    lines = [PROVINCE_LINE] * len(provinces)
    m.add_child(
        elements.VectorLayer(
            shapes.geojson(provinces, 0.005, tips, lines, within=near),
            "Provinces",
            pane="bm-provinces",
        )
    )
    length = theatre.length_km
    tip = html_text(f"{theatre.label} border: {length:,.1f} km (geodesic, WGS84)")
    line = {"color": BORDER_COLOUR, "weight": 2.6, "opacity": 1}
    m.add_child(
        elements.VectorLayer(
            shapes.geojson(theatre.border, 0.0, [tip], [line]),
            f"{_pair_label(theatre)} border ({length:,.0f} km)",
            pane="bm-border",
            halo={"color": "#ffffff", "weight": 6, "opacity": 0.9},
            sticky=True,
        )
    )
    return zone_rows


def _event_layers(
    m: folium.Map,
    analyzed: gpd.GeoDataFrame,
    theatre: Theatre,
    payload: dict,
    countries: gpd.GeoDataFrame,
) -> None:
    """Distance lines, strikes, uncertainty, the events, their heatmap, sites and labels."""
    large = len(analyzed) > style.CLUSTER_ABOVE or _webgl(analyzed)
    labels = not large and len(analyzed) <= style.LABELS_UP_TO
    if not large:
        links = shapes.nearest_links(analyzed, payload["day"], labels)
        m.add_child(elements.TimedShapes(links, "Distance to border", pane="bm-lines"))
        land = dict(zip(countries["iso3"], countries.geometry, strict=True))
        arrows = strikes.strike_arrows(analyzed, theatre.countries, theatre.names, land)
        if arrows:
            m.add_child(
                elements.TimedShapes(
                    shapes.arrow_shapes(arrows, labels), "Cross-border strikes", pane="bm-lines"
                )
            )
        circles = shapes.uncertainty_circles(payload)
        m.add_child(elements.TimedShapes(circles, "Location uncertainty", pane="bm-uncertainty"))
    if _webgl(analyzed):
        m.add_child(elements.EventData(*packed.pack_events(payload)))
        m.add_child(elements.WebGLEvents("Events"))
    else:
        m.add_child(elements.EventData(payload))
        m.add_child(elements.EventMarkers("Events", cluster=large))
    if large:
        m.add_child(elements.HeatLayer("Event density (heatmap)", show=False))
    sites = shapes.site_markers(theatre.site_points)
    m.add_child(elements.TimedShapes(sites, "Named sites", pane="bm-sites"))
    if labels:
        dates = shapes.event_labels(analyzed, payload, sites)
        m.add_child(elements.TimedShapes(dates, "Event dates", pane="bm-events"))


def _controls(m: folium.Map, countries: gpd.GeoDataFrame) -> None:
    """Fullscreen, measuring tool, vector minimap and the layer control."""
    m.add_child(elements.Fullscreen(position="topleft"))
    m.add_child(elements.MeasureControl(position="topleft"))
    n = len(countries)
    outline = shapes.geojson(countries, 0.05, [""] * n, [MINIMAP_STYLE] * n)
    m.add_child(elements.VectorMiniMap(outline))
    folium.LayerControl(position="topright", collapsed=True).add_to(m)


def _titles(title: str | None, analyzed: gpd.GeoDataFrame, theatre: Theatre) -> tuple[str, str]:
    """Return the title (default: the border's name) and a subtitle with count and dates."""
    dates = (
        pd.to_datetime(analyzed["event_date"], errors="coerce")
        if "event_date" in analyzed
        else None
    )
    span = ""
    if dates is not None and dates.notna().any():
        first, last = dates.min(), dates.max()
        span = f", {first:%d %b %Y}" + ("" if first == last else f" to {last:%d %b %Y}")
    heading = title if title else f"{theatre.label} border"
    count = len(analyzed)
    return heading, f"{count:,} event{'s' if count != 1 else ''}{span}; distances geodesic (WGS84)"


def save_map(m: folium.Map, out: Path | str, *, overwrite: bool = False) -> Path:
    """Write the map's page to ``out`` atomically.

    Parameters
    ----------
    m : folium.Map
        From :func:`render_map`; offline maps come out self-contained.
    out : path-like
        Target ``.html`` file; folders are created.
    overwrite : bool
        Whether a page already at ``out`` may be replaced.

    Returns
    -------
    pathlib.Path
        ``out``, complete (it appears only once fully written).

    Raises
    ------
    OutputExistsError
        When ``out`` exists and ``overwrite`` is false.
    """
    out = Path(out)
    with atomic_path(out, overwrite=overwrite) as tmp:  # refuses before rendering
        tmp.write_text(m.get_root().render(), encoding="utf-8")
    return out
