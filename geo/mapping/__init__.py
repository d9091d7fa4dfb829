"""The interactive map: events against a border, zones and provinces, in folium.

:func:`render_map` analyses the events with :mod:`geo.proximity`, draws the
border, its distance zones, provinces and countries, the events sized by
fatalities and coloured by attacker with their uncertainty, lines to the
nearest border point, cross-border strikes and named sites, and adds a
legend, a day-by-day time slider and the usual controls. Above
:data:`~geo.mapping.style.CLUSTER_ABOVE` events the markers cluster and a
heatmap layer appears. :func:`save_map` writes the page atomically.

Examples
--------
>>> m = render_map()
>>> html = m.get_root().render()
>>> "Saravan" in html and "bm-legend" in html
True
"""

from __future__ import annotations

from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
from folium import plugins

from geo import layers
from geo.atomic import atomic_path
from geo.errors import InputError, OutputExistsError
from geo.mapping import assets, elements, features, shapes, style
from geo.mapping.offline import OfflineFigure
from geo.mapping.text import html_text

__all__ = ["render_map", "save_map"]

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


def _check_events(events: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if not isinstance(events, gpd.GeoDataFrame):
        raise InputError("events", None, None, "expected a GeoDataFrame of points")
    if events.crs is None:
        raise InputError("events", None, "geometry", "no CRS; set EPSG:4326")
    events = events.to_crs("EPSG:4326")
    kinds = set(events.geometry.dropna().geom_type)
    if kinds - {"Point"}:
        raise InputError("events", None, "geometry", f"expected points, got {sorted(kinds)}")
    return events


def render_map(
    events: gpd.GeoDataFrame | None = None,
    *,
    pair: str = "IRN-PAK",
    zones_km=(10, 25, 50, 100),
    title: str | None = None,
    offline: bool = False,
) -> folium.Map:
    """Build the interactive map of events along a border.

    Parameters
    ----------
    events : GeoDataFrame, optional
        Point events in any CRS (the seed events by default). ACLED-style
        columns are used when present: ``event_date``, ``actor1``,
        ``actor2``, ``attacker_iso3``, ``fatalities``, ``geo_precision``,
        ``location``, ``source``, ``notes``.
    pair : str
        Embedded border pair, ``"AAA-BBB"``.
    zones_km : sequence of float
        Edges of the distance zones in km.
    title : str, optional
        Title shown on the map (escaped); a default names the border.
    offline : bool
        Inline every script and stylesheet when the page is rendered, and
        start with tiles off (the vector layers are the basemap).

    Returns
    -------
    folium.Map

    Raises
    ------
    InputError
        For events without a CRS or with non-point geometry.
    LayerError
        For a pair that shares no embedded border.
    """
    from geo.proximity import analyze

    a, b = layers.parse_pair(pair)
    border = layers.border(a, b)
    key = f"{a}-{b}"
    events = _check_events(layers.events() if events is None else events)
    analyzed = analyze(events, pair=key, zones_km=zones_km)
    countries = layers.countries()
    names = dict(zip(countries["iso3"], countries["name"], strict=True))
    large = len(analyzed) > style.CLUSTER_ABOVE
    labels = len(analyzed) <= style.LABELS_UP_TO
    pair_label = f"{a}\u2013{b}"
    payload = features.event_payload(
        analyzed, pair_label=pair_label, names=names, details=not large
    )

    x0, y0, x1, y1 = border.total_bounds
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
    if offline:
        OfflineFigure().add_child(m)
    # the border and the events near it; room for the title (top), the
    # legend (right) and the slider (bottom)
    near = analyzed[pd.to_numeric(analyzed["border_distance_km"], errors="coerce") <= VIEW_KM]
    if len(near):
        ex0, ey0, ex1, ey1 = near.total_bounds
        x0, y0, x1, y1 = min(x0, ex0), min(y0, ey0), max(x1, ex1), max(y1, ey1)
    m.add_child(
        elements.MapSetup(
            DATA_CREDIT,
            canvas=large,
            bounds=[[y0 - 0.35, x0 - 0.9], [y1 + 0.1, x1 + 0.9]],
            padding=((50, 60), (270, 60)),
        )
    )
    for i, (label, provider) in enumerate(TILES.items()):
        folium.TileLayer(provider, name=label, overlay=False, show=not offline and i == 0).add_to(m)
    elements.BlankBase("No tiles (vector basemap)", show=offline).add_to(m)

    in_pair = countries["iso3"].isin([a, b])
    m.add_child(
        elements.VectorLayer(
            shapes.geojson(
                countries,
                0.005,
                [html_text(n) for n in countries["name"]],
                [
                    {
                        "color": "#8f8a80",
                        "weight": 1,
                        "fillColor": style.COUNTRY_FILL["pair" if p else "other"],
                        "fillOpacity": 0.55,
                    }
                    for p in in_pair
                ],
            ),
            "Countries",
            pane="bm-countries",
        )
    )
    m.add_child(
        elements.TimedShapes(
            shapes.country_labels(countries, border), "Country names", pane="bm-countries"
        )
    )
    zone_data, zone_rows = shapes.zone_layer(border, zones_km, names)
    m.add_child(elements.VectorLayer(zone_data, "Distance zones", pane="bm-zones"))
    provinces = layers.provinces()
    m.add_child(
        elements.VectorLayer(
            shapes.geojson(
                provinces,
                0.005,
                [
                    html_text(f"{p} ({names.get(c, c)})")
                    for p, c in zip(provinces["name_en"], provinces["adm0_a3"], strict=True)
                ],
                [
                    {"color": "#9a948a", "weight": 0.8, "fillOpacity": 0, "dashArray": "3 3"}
                    for _ in range(len(provinces))
                ],
            ),
            "Provinces",
            pane="bm-provinces",
        )
    )
    length = float(border["length_km"].iloc[0])
    border_tip = html_text(
        f"{names.get(a, a)}\u2013{names.get(b, b)} border: {length:,.1f} km (geodesic, WGS84)"
    )
    m.add_child(
        elements.VectorLayer(
            shapes.geojson(
                border,
                0.0,
                [border_tip],
                [{"color": style.BORDER_COLOUR, "weight": 2.6, "opacity": 1}],
            ),
            f"{pair_label} border ({length:,.0f} km)",
            pane="bm-border",
            halo={"color": "#ffffff", "weight": 6, "opacity": 0.9},
            sticky=True,
        )
    )
    if not large:
        m.add_child(
            elements.TimedShapes(
                shapes.nearest_links(analyzed, payload["day"], labels),
                "Distance to border",
                pane="bm-lines",
            )
        )
        land = dict(zip(countries["iso3"], countries.geometry, strict=True))
        arrows = features.strike_arrows(analyzed, (a, b), names, land)
        if arrows:
            m.add_child(
                elements.TimedShapes(
                    shapes.arrow_shapes(arrows, labels), "Cross-border strikes", pane="bm-lines"
                )
            )
        m.add_child(
            elements.TimedShapes(
                shapes.uncertainty_circles(payload), "Location uncertainty", pane="bm-uncertainty"
            )
        )
    m.add_child(elements.EventData(payload))
    m.add_child(elements.EventMarkers("Events", cluster=large))
    if large:
        m.add_child(elements.HeatLayer("Event density (heatmap)", show=False))
    sites = shapes.site_markers()
    m.add_child(elements.TimedShapes(sites, "Named sites", pane="bm-sites"))
    if labels:
        m.add_child(
            elements.TimedShapes(
                shapes.event_labels(analyzed, payload, sites), "Event dates", pane="bm-events"
            )
        )

    fullscreen = plugins.Fullscreen(position="topleft")
    fullscreen.default_js = assets.links("fullscreen_js")
    fullscreen.default_css = assets.links("fullscreen_css")
    m.add_child(fullscreen)
    measure = plugins.MeasureControl(
        position="topleft",
        primary_length_unit="kilometers",
        secondary_length_unit="miles",
        primary_area_unit="sqkilometers",
        secondary_area_unit=None,
    )
    measure.default_js = assets.links("measure_js")
    measure.default_css = assets.links("measure_css")
    m.add_child(measure)
    m.add_child(
        elements.VectorMiniMap(
            shapes.geojson(
                countries,
                0.05,
                ["" for _ in range(len(countries))],
                [
                    {"color": "#777777", "weight": 0.6, "fillColor": "#ece8df", "fillOpacity": 1}
                    for _ in range(len(countries))
                ],
            )
        )
    )
    folium.LayerControl(position="topright", collapsed=True).add_to(m)
    m.add_child(
        elements.Legend(
            attackers=payload["legend"],
            sizes=list(zip(style.SIZE_SAMPLES, style.radius_px(style.SIZE_SAMPLES), strict=True)),
            zones=zone_rows,
            pair_label=pair_label,
            symbols=not large,
        )
    )
    m.add_child(elements.Title(*_titles(title, analyzed, names, a, b)))
    m.add_child(elements.DaySlider(payload["days"]))
    return m


def _titles(title, analyzed, names, a, b) -> tuple[str, str]:
    dates = (
        pd.to_datetime(analyzed["event_date"], errors="coerce")
        if "event_date" in analyzed
        else None
    )
    span = ""
    if dates is not None and dates.notna().any():
        first, last = dates.min(), dates.max()
        span = f", {first:%d %b %Y}" + ("" if first == last else f" to {last:%d %b %Y}")
    heading = title if title else f"{names.get(a, a)}\u2013{names.get(b, b)} border"
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
        Replace an existing file.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    OutputExistsError
        When ``out`` exists and ``overwrite`` is false.
    """
    out = Path(out)
    if out.exists() and not overwrite:
        raise OutputExistsError(str(out))
    html = m.get_root().render()
    with atomic_path(out) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return out
