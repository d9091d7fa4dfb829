"""Shapes of the map as plain records: GeoJSON layers, lines, arrows, labels.

Each function turns analysed frames into the lists that
:class:`geo.mapping.elements.VectorLayer` and
:class:`geo.mapping.elements.TimedShapes` draw. Text from data passes
:func:`geo.mapping.text.html_text` here.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.mapping import style
from geo.mapping.text import html_text
from geo.polygons import areal_part
from geo.proximity import nearest_lines
from geo.style import zone_ramp

__all__ = [
    "LINK_MAX_KM",
    "arrow_shapes",
    "country_labels",
    "event_labels",
    "geojson",
    "nearest_links",
    "site_markers",
    "uncertainty_circles",
    "zone_layer",
]

# Lines to the nearest border point are drawn for events this close to it;
# beyond, they would cross half the map and say little about this border.
LINK_MAX_KM = 300.0


def geojson(
    frame: gpd.GeoDataFrame,
    tolerance: float,
    tips,
    styles,
    *,
    within: tuple[float, float, float, float] | None = None,
) -> dict:
    """FeatureCollection with simplified, rounded geometry and our properties.

    Parameters
    ----------
    frame : GeoDataFrame
        EPSG:4326 features.
    tolerance : float
        Simplification in degrees (0 keeps every vertex).
    tips, styles : sequence
        Escaped tooltip and Leaflet path options per feature.
    within : tuple of float, optional
        ``(west, south, east, north)``: clip every shape to this box first,
        so distant parts of large countries do not weigh on the page.

    Returns
    -------
    dict
        A GeoJSON FeatureCollection; empty geometries are left out.
    """
    geoms = frame.geometry.to_numpy()
    if within is not None:
        geoms = shapely.clip_by_rect(geoms, *within)
    # Douglas-Peucker without the topology repair: 5 to 8 times faster, and a
    # browser draws a ring that touches itself as well as any other
    geoms = shapely.simplify(geoms, tolerance, preserve_topology=False)
    # 4 decimals (about 10 m) keep the page small; np.round gives short reprs
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, 4))
    features_ = [
        {
            "type": "Feature",
            "geometry": shapely.geometry.mapping(g),
            "properties": {"tip": str(t), "style": s},
        }
        for g, t, s in zip(geoms, tips, styles, strict=True)
        if g is not None and not g.is_empty
    ]
    return {"type": "FeatureCollection", "features": features_}


def zone_layer(zones, names) -> tuple[dict, list[tuple[str, str]]]:
    """Distance bands of the border per side, with their legend rows.

    Parameters
    ----------
    zones : GeoDataFrame
        The theatre's bands (:attr:`geo.theatre.Theatre.zone_polygons`).
    names : dict
        ISO3 code to country name, for the tooltips.

    Returns
    -------
    data : dict
        FeatureCollection for :class:`~geo.mapping.elements.VectorLayer`.
    rows : list of (str, str)
        Zone label and colour, nearest first.
    """
    labels = list(dict.fromkeys(zones["zone"]))
    ramp = dict(zip(labels, zone_ramp(len(labels)), strict=True))
    tips = [
        html_text(f"{names.get(s, s)} side: {z} from the border")
        for s, z in zip(zones["side"], zones["zone"], strict=True)
    ]
    styles = [{"stroke": False, "fillColor": ramp[z], "fillOpacity": 0.32} for z in zones["zone"]]
    return geojson(zones, 0.002, tips, styles), [(z, ramp[z]) for z in labels]


def nearest_links(analyzed: pd.DataFrame, days: list[int], labels: bool) -> list[dict]:
    """Dashed lines from events within :data:`LINK_MAX_KM` to their nearest border point.

    Uses :func:`geo.proximity.nearest_lines`; with ``labels`` each line also
    gets its distance written beside it, else the distance shows on hover.

    Parameters
    ----------
    analyzed : DataFrame
        Output of :func:`geo.proximity.analyze`.
    days : list of int
        Day index of each event (:func:`geo.mapping.features.day_index`).
    labels : bool
        Write each distance on the map.

    Returns
    -------
    list of dict
        Items for :class:`~geo.mapping.elements.TimedShapes`.
    """
    dist = pd.to_numeric(analyzed["border_distance_km"], errors="coerce")
    close = (dist <= LINK_MAX_KM).to_numpy()
    lines = nearest_lines(analyzed[close])
    day = np.asarray(days)[close]
    items = []
    for geom, km, d in zip(lines.geometry, lines["border_distance_km"], day, strict=True):
        (x0, y0), (x1, y1) = geom.coords
        items.append(
            {
                "k": "line",
                "d": int(d),
                "p": [[round(y0, 5), round(x0, 5)], [round(y1, 5), round(x1, 5)]],
                "s": {"color": "#333333", "weight": 1.3, "dashArray": "5 4", "opacity": 0.9},
                "t": f"{km:.1f} km to the border",
            }
        )
        if not labels:
            continue
        # the label sits nearer the border end, clear of the event's own marker
        items.append(
            {
                "k": "label",
                "d": int(d),
                "c": [round(y0 + 0.65 * (y1 - y0), 5), round(x0 + 0.65 * (x1 - x0), 5)],
                "t": f"{km:.0f} km",
                "label": {"direction": "top", "className": "bm-label", "offset": [0, -2]},
            }
        )
    return items


def uncertainty_circles(payload: dict) -> list[dict]:
    """Translucent circles of each event's location uncertainty (radius in km).

    Parameters
    ----------
    payload : dict
        From :func:`geo.mapping.features.event_payload`.

    Returns
    -------
    list of dict
        Items for :class:`~geo.mapping.elements.TimedShapes`.
    """
    items = []
    codes, table = payload["uncertainty_km"]
    for i, r in enumerate(table[c] for c in codes):
        lat, lon = payload["lat"][i], payload["lon"][i]
        if r is None or not r > 0 or lat is None or lon is None:
            continue
        colour = payload["colours"][payload["colour"][i]]
        items.append(
            {
                "k": "circle",
                "d": payload["day"][i],
                "c": [lat, lon],
                "r": r * 1000.0,
                "s": {
                    "color": colour,
                    "weight": 1,
                    "dashArray": "4 3",
                    "fillColor": colour,
                    "fillOpacity": 0.08,
                    "interactive": False,
                },
            }
        )
    return items


def arrow_shapes(arrows: list[dict], labels: bool) -> list[dict]:
    """Curve, arrowhead and (with ``labels``) depth label of each cross-border strike.

    Parameters
    ----------
    arrows : list of dict
        From :func:`geo.mapping.features.strike_arrows`.
    labels : bool
        Write each strike's depth beside its target, else show it on hover.

    Returns
    -------
    list of dict
        Items for :class:`~geo.mapping.elements.TimedShapes`.
    """
    items = []
    for a in arrows:
        items.append(
            {
                "k": "line",
                "d": a["day"],
                "p": a["path"],
                "s": {"color": a["colour"], "weight": 3.5, "opacity": 0.95},
                "t": None if labels else a["label"],
            }
        )
        if labels:
            items.append(
                {
                    "k": "label",
                    "d": a["day"],
                    "c": a["label_at"],
                    "t": a["label"],
                    "label": {
                        "direction": a["label_side"],
                        "className": "bm-label bm-strike",
                        "offset": [14 if a["label_side"] == "right" else -14, 0],
                    },
                }
            )
        items.append(
            {
                "k": "head",
                "d": a["day"],
                "c": a["head"]["at"],
                "a": a["head"]["angle"],
                "s": {"color": style.hex_colour(a["colour"])},
            }
        )
    return items


def country_labels(countries: gpd.GeoDataFrame, border: gpd.GeoDataFrame) -> list[dict]:
    """Place each country's name inside its part of the view around the border.

    Parameters
    ----------
    countries : GeoDataFrame
        Country polygons with ``name``, EPSG:4326.
    border : GeoDataFrame
        The theatre's border.

    Returns
    -------
    list of dict
        ``"text"`` items for :class:`~geo.mapping.elements.TimedShapes`.
    """
    x0, y0, x1, y1 = border.total_bounds
    view = shapely.box(x0 - 2.0, y0 - 0.5, x1 + 2.0, y1 + 0.5)
    items = []
    for name, geom in zip(countries["name"], countries.geometry, strict=True):
        part = areal_part(shapely.intersection(geom, view))
        if part.is_empty or shapely.area(part) < 0.5:
            continue
        # the part's largest inscribed circle keeps the name clear of the edges
        centre = shapely.maximum_inscribed_circle(part, 0.02).coords[0]
        items.append(
            {
                "k": "text",
                "d": -1,
                "c": [round(centre[1], 4), round(centre[0], 4)],
                "t": str(html_text(name)),
            }
        )
    return items


def event_labels(analyzed: gpd.GeoDataFrame, payload: dict, sites: list[dict]) -> list[dict]:
    """Day (and place, unless a named site is there) under each event, for small maps.

    Parameters
    ----------
    analyzed : GeoDataFrame
        Output of :func:`geo.proximity.analyze`.
    payload : dict
        From :func:`geo.mapping.features.event_payload`.
    sites : list of dict
        From :func:`site_markers`.

    Returns
    -------
    list of dict
        ``"label"`` items for :class:`~geo.mapping.elements.TimedShapes`.
    """
    site_xy = np.array([s["c"] for s in sites] or np.empty((0, 2)))
    # to_datetime(None) is NaT, not None: test for the column itself
    dates = (
        pd.to_datetime(analyzed["event_date"], errors="coerce")
        if "event_date" in analyzed
        else None
    )
    places = analyzed.get("location", pd.Series("", index=analyzed.index)).fillna("")
    items = []
    for i, (lat, lon) in enumerate(zip(payload["lat"], payload["lon"], strict=True)):
        if lat is None or lon is None:
            continue
        # within about 5 km of a site the site's own label names the place
        at_site = len(site_xy) and np.hypot(*(site_xy - [lat, lon]).T).min() < 0.05
        when = "" if dates is None or pd.isna(dates.iloc[i]) else f"{dates.iloc[i]:%-d %b}"
        text = ", ".join(t for t in ("" if at_site else str(places.iloc[i]), when) if t)
        if not text:
            continue
        radius = float(style.radius_px([payload["fatalities"][i] or 0])[0])
        items.append(
            {
                "k": "label",
                "d": payload["day"][i],
                "c": [lat, lon],
                "t": str(html_text(text)),
                "label": {
                    "direction": "bottom",
                    "className": "bm-label bm-when",
                    "offset": [0, round(radius) + 1],
                },
            }
        )
    return items


def site_markers(sites: dict[str, tuple[float, float]]) -> list[dict]:
    """Squares with names for the theatre's sites.

    Parameters
    ----------
    sites : dict
        ``{name: (lon, lat)}``, as :attr:`geo.theatre.Theatre.site_points`.

    Returns
    -------
    list of dict
        ``"site"`` items for :class:`~geo.mapping.elements.TimedShapes`.
    """
    return [
        {
            "k": "site",
            "d": -1,
            "c": [round(y, 5), round(x, 5)],
            "t": str(html_text(name)),
            "label": {
                "permanent": True,
                "direction": "top",
                "className": "bm-site",
                "offset": [0, -3],
            },
        }
        for name, (x, y) in sites.items()
    ]
