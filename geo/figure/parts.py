"""Parts of a static map figure: shapes, labels, legends, scale bar, north arrow, inset.

Everything here draws into matplotlib axes whose data coordinates are metres
of a projected CRS (see :mod:`geo.figure.cartography`); :mod:`geo.figure.draw`
assembles the parts into a figure. Colours come from :mod:`geo.style`, the one
palette of the map, the figure and the QGIS styles.

Examples
--------
>>> marker_size([0, 9, 100]).round(1).tolist()
[36.0, 282.2, 1024.0]
>>> from geo.theatre import Theatre
>>> sides(Theatre.from_pair("AFG-PAK"))
('AFG', 'PAK')
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.path import Path as MplPath
from pyproj import CRS

from geo import style
from geo.figure import cartography
from geo.geodesy import lon_span
from geo.theatre import Theatre

__all__ = [
    "HALO",
    "SIZE_SAMPLES",
    "event_text",
    "fit_extent",
    "inset",
    "legends",
    "lines",
    "marker_size",
    "north_arrow",
    "polygon_path",
    "polygons",
    "prepare",
    "scale_bar",
    "sides",
]

SIZE_SAMPLES = style.FATALITY_SAMPLES
#: Most events the locator inset names.
FAR_LABELS = 6
HALO = [patheffects.withStroke(linewidth=2.6, foreground="white")]


def sides(theatre: Theatre) -> tuple[str, str]:
    """Name the two sides of a theatre's border: its countries, or ``left``/``right`` of a line.

    Parameters
    ----------
    theatre : geo.theatre.Theatre

    Returns
    -------
    tuple of str
    """
    a, b = theatre.countries or ("left", "right")
    return a, b


def polygon_path(geom: shapely.Geometry) -> MplPath | None:
    """One compound path of a (multi)polygon, holes included."""
    verts, codes = [], []
    for poly in shapely.get_parts(geom):
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)
            verts.append(xy)
            codes.append([MplPath.MOVETO] + [MplPath.LINETO] * (len(xy) - 2) + [MplPath.CLOSEPOLY])
    if not verts:
        return None
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def polygons(ax: Axes, geoms, **kwargs) -> PathCollection:
    """Add (multi)polygons as one collection; ``kwargs`` go to PathCollection."""
    paths = [p for p in (polygon_path(g) for g in geoms) if p is not None]
    return ax.add_collection(PathCollection(paths, **kwargs), autolim=False)


def lines(ax: Axes, geoms, **kwargs) -> LineCollection:
    """Add lines (and polygon outlines) as one collection; ``kwargs`` go to LineCollection."""
    segs = []
    for g in geoms:
        for part in shapely.get_parts(g):
            if part.geom_type == "LineString" and not part.is_empty:
                segs.append(np.asarray(part.coords))
            elif part.geom_type == "Polygon":
                segs.extend(np.asarray(r.coords) for r in (part.exterior, *part.interiors))
    return ax.add_collection(LineCollection(segs, **kwargs), autolim=False)


def fit_extent(
    ax: Axes, box: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    """Grow ``box`` to the axes' shape so one map metre is as wide as it is tall."""
    x0, y0, x1, y1 = box
    fig_w, fig_h = ax.figure.get_size_inches()
    pos = ax.get_position()
    aspect = (pos.height * fig_h) / (pos.width * fig_w)
    w, h = x1 - x0, y1 - y0
    if h / w < aspect:
        h = w * aspect
    else:
        w = h / aspect
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2


def prepare(frame: gpd.GeoDataFrame, crs: CRS, clip, tolerance: float) -> np.ndarray:
    """Project, clip to ``clip`` (xmin, ymin, xmax, ymax) and simplify to ``tolerance`` metres."""
    geoms = cartography.project(frame.geometry.to_numpy(), crs)
    geoms = shapely.clip_by_rect(geoms, *clip)
    return shapely.simplify(geoms, tolerance, preserve_topology=True)


def marker_size(fatalities) -> np.ndarray:
    """Marker area in pt^2: area grows with fatalities (diameter 6 pt up to 32 pt)."""
    f = np.nan_to_num(np.asarray(fatalities, dtype="float64"), nan=0.0).clip(min=0)
    return np.minimum(6.0 + 3.6 * np.sqrt(f), 32.0) ** 2


def event_text(row: pd.Series) -> str:
    """Caption under an event: date, toll (or kind of event) and distance to the border."""
    # unparseable dates (a library caller's raw strings) leave the date out
    date = pd.to_datetime(row.get("event_date"), errors="coerce")
    when = "" if pd.isna(date) else f"{date.day} {date:%b}"
    dead = pd.to_numeric(pd.Series([row.get("fatalities")]), errors="coerce").iloc[0]
    if pd.notna(dead) and dead > 0:
        what = f"{int(dead)} killed"
    else:
        what = str(row.get("sub_event_type", ""))
        what = str(row.get("event_type", "")) if what in ("", "Other", "nan", "<NA>") else what
        what = "" if what in ("nan", "<NA>") else what.lower()
    dist = row.get("border_distance_km")
    if pd.notna(dist):
        away = f"{dist:.0f} km from the border"
    else:  # an area-level event: the interval of its area
        low, high = row.get("border_distance_min_km"), row.get("border_distance_max_km")
        away = (
            f"{low:.0f}-{high:.0f} km from the border" if pd.notna(low) and pd.notna(high) else ""
        )
    return "\n".join(t for t in (" · ".join(t for t in (when, what) if t), away) if t)


def scale_bar(
    ax: Axes, crs: CRS, extent: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    """Draw a geodesic scale bar in the lower left corner.

    Returns
    -------
    tuple of float
        ``x0, x1, y, km``: the bar's ends in map metres and the length it stands for.
    """
    x0, x1, y0, y1 = extent
    km = cartography.nice_length_km((x1 - x0) / 1000.0)
    bx, by = x0 + 0.045 * (x1 - x0), y0 + 0.035 * (y1 - y0)
    ends = [bx] + [cartography.scale_bar(crs, bx, by, km * f) for f in (0.25, 0.5, 1.0)]
    thick = 0.006 * (y1 - y0)
    for i, (a, b) in enumerate(itertools.pairwise(ends)):
        ax.add_patch(
            mpl.patches.Rectangle(
                (a, by),
                b - a,
                thick,
                facecolor="black" if i % 2 == 0 else "white",
                edgecolor="black",
                linewidth=0.6,
                zorder=20,
            )
        )
    ax.add_line(Line2D([ends[0], ends[-1]], [by, by], linewidth=0, gid="scale-bar"))
    for x, value in zip((ends[0], ends[2], ends[3]), (0, km / 2, km), strict=True):
        ax.text(
            x,
            by + 1.8 * thick,
            f"{value:g}",
            ha="center",
            va="bottom",
            fontsize=7.5,
            zorder=20,
            path_effects=HALO,
        )
    ax.annotate(
        "km",
        (ends[-1], by + thick / 2),
        xytext=(4, 0),
        textcoords="offset points",
        ha="left",
        va="center",
        fontsize=7.5,
        zorder=20,
        path_effects=HALO,
    )
    return (ends[0], ends[-1], by, km)


def north_arrow(
    ax: Axes, crs: CRS, extent: tuple[float, float, float, float]
) -> tuple[float, float, float]:
    """Draw an arrow to true north where it stands, above the scale bar.

    Returns
    -------
    tuple of float
        ``x, y, angle_deg``: the arrow's foot and north there, clockwise from map up.
    """
    x0, x1, y0, y1 = extent
    fx, fy = x0 + 0.06 * (x1 - x0), y0 + 0.10 * (y1 - y0)
    lon, lat = cartography.project(shapely.Point(fx, fy), crs, inverse=True).coords[0]
    angle = cartography.north_angle_deg(crs, lon, lat)
    length = 0.055 * (y1 - y0)
    dx, dy = length * np.sin(np.radians(angle)), length * np.cos(np.radians(angle))
    arrow = ax.annotate(
        "",
        xy=(fx + dx, fy + dy),
        xytext=(fx, fy),
        zorder=20,
        arrowprops={
            "arrowstyle": "-|>,head_width=0.35,head_length=0.8",
            "color": "black",
            "linewidth": 1.6,
            "shrinkA": 0,
            "shrinkB": 0,
        },
        gid="north-arrow",
    )
    arrow.arrow_patch.set_gid("north-arrow-shape")
    ax.text(
        fx + 1.3 * dx,
        fy + 1.3 * dy,
        "N",
        ha="center",
        va="center",
        fontsize=11,
        fontweight="bold",
        zorder=20,
        path_effects=HALO,
    )
    return (fx, fy, angle)


def inset(
    host: Axes,
    rect: list[float],
    crs: CRS,
    extent: tuple[float, float, float, float],
    countries: gpd.GeoDataFrame,
    pair: tuple[str, ...],
    far: gpd.GeoDataFrame,
    colours: dict[str, str],
    far_km: float,
) -> Axes:
    """Draw a locator map of all ``countries`` with the main map's outline and ``far`` events.

    Parameters
    ----------
    host : matplotlib.axes.Axes
        Axes to place the inset in, at ``rect`` (axes fraction).
    rect : list of float
        ``x, y, width, height``.
    crs, extent
        Projection and ``xmin, xmax, ymin, ymax`` of the main map.
    countries : GeoDataFrame
        ``iso3``, ``name``, polygons in EPSG:4326.
    pair : tuple of str
        The border's two countries, drawn lighter.
    far : GeoDataFrame
        Events left off the main map, EPSG:4326, with ``_label`` and
        ``_attacker`` columns, most important first (the first
        :data:`FAR_LABELS` are named).
    colours : dict
        Attacker code to colour.
    far_km : float
        Distance beyond which events were left off, for the caption.

    Returns
    -------
    matplotlib.axes.Axes
    """
    x0, x1, y0, y1 = extent
    frame = cartography.project(
        shapely.segmentize(shapely.box(x0, y0, x1, y1), 10_000.0), crs, inverse=True
    )
    # the locator holds the countries drawn and the main map (any side of 180°)
    boxes = countries.geometry.bounds.to_numpy() if len(countries) else np.empty((0, 4))
    xy = np.vstack([boxes[:, :2], boxes[:, 2:], shapely.get_coordinates(frame)])
    lon0, lon1 = lon_span(xy[:, 0])
    locator_crs = cartography.theatre_crs(lon0, xy[:, 1].min(), lon1, xy[:, 1].max())
    locator = host.inset_axes(rect, zorder=30)
    _locator_map(locator, locator_crs, countries, pair)
    frame = cartography.project(frame, locator_crs)
    lines(locator, [frame], colors="black", linewidths=0.9)
    if len(far):
        _far_events(locator, locator_crs, far, colours)
    for spine in locator.spines.values():
        spine.set_linewidth(0.8)
    caption = "Box: the main map" + (f"; dots: events beyond {far_km:g} km" if len(far) else "")
    locator.set_title(caption, fontsize=6.5, loc="left", pad=3, color="#444444")
    return locator


_LOCATOR_COUNTRY = {"fontsize": 5, "ha": "center", "va": "center", "color": "#555555"}
_LOCATOR_COUNTRY["gid"] = "locator-country"
_LOCATOR_EVENT = {"fontsize": 5.5, "path_effects": HALO, "gid": "locator-event"}


def _locator_map(
    locator: Axes, crs: CRS, countries: gpd.GeoDataFrame, pair: tuple[str, ...]
) -> None:
    """Every country, named, filling the locator's axes."""
    locator.set_facecolor(style.BACKGROUND)
    # thin the 100 m outlines before projecting them: the locator draws to 3 km
    coarse = shapely.simplify(countries.geometry.to_numpy(), 0.005, preserve_topology=False)
    coarse = np.where(shapely.is_empty(coarse), countries.geometry.to_numpy(), coarse)
    geoms = shapely.simplify(cartography.project(coarse, crs), 3000.0)
    mine = countries["iso3"].isin(pair).to_numpy()
    for rows, fill in ((mine, "pair"), (~mine, "other")):
        polygons(
            locator,
            geoms[rows],
            facecolor=style.COUNTRY_FILL[fill],
            edgecolor=style.COUNTRY_OUTLINE,
            linewidth=0.4,
        )
    bx0, by0, bx1, by1 = shapely.bounds(geoms).T
    ex0, ex1, ey0, ey1 = fit_extent(locator, (bx0.min(), by0.min(), bx1.max(), by1.max()))
    locator.set_xlim(ex0, ex1)
    locator.set_ylim(ey0, ey1)
    locator.set_aspect("equal", adjustable="box")
    locator.set_xticks([])
    locator.set_yticks([])
    spots = cartography.project(countries.geometry.representative_point().to_numpy(), crs)
    for spot, name in zip(spots, countries["name"], strict=True):
        locator.text(spot.x, spot.y, name.upper(), **_LOCATOR_COUNTRY)


def _far_events(locator: Axes, crs: CRS, far: gpd.GeoDataFrame, colours: dict[str, str]) -> None:
    """Small dots and labels for the events left off the main map."""
    pts = cartography.project(far.geometry.to_numpy(), crs)
    xs, ys = shapely.get_x(pts), shapely.get_y(pts)
    locator.scatter(
        xs,
        ys,
        s=marker_size(far.get("fatalities", 0)) / 9,
        c=[colours.get(a, style.OTHER_COLOUR) for a in far["_attacker"]],
        edgecolors="white",
        linewidths=0.5,
        zorder=5,
        gid="far-events",
    )
    # the first few only: the caller puts the most important first
    for x, y, name in zip(
        xs[:FAR_LABELS], ys[:FAR_LABELS], far["_label"][:FAR_LABELS], strict=True
    ):
        locator.annotate(name, (x, y), xytext=(3, 2), textcoords="offset points", **_LOCATOR_EVENT)


def _key_entries(
    theatre: Theatre, swatches: list[dict[str, str]], colours: dict[str, str], shown: dict
) -> tuple[list, list[str]]:
    """Build the main key's handles and labels: lines, zones (a swatch per side), attackers."""
    names, pair = theatre.names, theatre.countries
    handles = [
        Line2D([], [], color=style.BORDER_COLOUR, linewidth=2.0),
        Line2D([], [], color="#8f8f8f", linewidth=0.6, linestyle=(0, (3, 2))),
    ]
    labels = [f"{theatre.label} border", "Province boundary"]
    if shown:
        handles.append(Line2D([], [], color="#333333", linewidth=0.8, linestyle=(0, (2, 1.5))))
        labels.append("To the nearest border point")
    for zone in swatches[0] if swatches else {}:
        handles.append(
            tuple(
                mpl.patches.Patch(facecolor=side.get(zone, "none"), alpha=0.75, edgecolor="none")
                for side in swatches
            )
        )
        labels.append(f"{zone} from the border")
    # as on the map: the attackers beyond the palette share one row, "other attackers"
    rest = {c for c in shown if c and colours[c] == style.OTHER_COLOUR}
    named = style.legend_order({c: n for c, n in shown.items() if c and c not in rest}, pair)
    entries = [(colours[c], f"Attacker: {style.attacker_label(c, names, pair)}") for c in named]
    if rest:
        entries.append((style.OTHER_COLOUR, style.other_attackers_label(len(rest))))
    if "" in shown:
        entries.append((colours[""], style.NO_ATTACKER_LABEL))
    for colour, label in entries:
        handles.append(
            Line2D([], [], marker="o", linestyle="", markersize=7, markerfacecolor=colour,
                   markeredgecolor="white")
        )  # fmt: skip
        labels.append(label)
    return handles, labels


def legends(
    host: Axes,
    panel: bool,
    theatre: Theatre,
    swatches: list[dict[str, str]],
    colours: dict[str, str],
    shown: dict[str, int],
) -> None:
    """Key to lines, zones (one swatch per side) and attackers; a second one to sizes.

    In a side ``panel`` they stack under the inset; on the map they sit at its
    left edge and lower right corner.

    Parameters
    ----------
    host : matplotlib.axes.Axes
        The side panel, or the main map.
    panel : bool
        Whether ``host`` is a side panel.
    theatre : geo.theatre.Theatre
        Names the border, its sides and the attackers.
    swatches : list of dict
        Zone label to colour, one dict per side.
    colours : dict
        Attacker code to colour.
    shown : dict of str to int
        Attacker codes of the events on the main map, and how many events each has.
    """
    a, b = (theatre.names.get(side, side) for side in sides(theatre))
    handles, labels = _key_entries(theatre, swatches, colours, shown)
    key = host.legend(
        handles,
        labels,
        loc="upper left" if panel else "center left",
        bbox_to_anchor=(0.0, 0.6) if panel else (0.012, 0.5),
        fontsize=7,
        frameon=not panel,
        framealpha=0.92,
        borderpad=0.8,
        labelspacing=0.75,
        handlelength=2.6,
        title=f"Zones: {a} side | {b} side",
        title_fontsize=7,
        handler_map={tuple: HandlerTuple(ndivide=None, pad=0.15)},
    )
    key.set_zorder(25)
    host.add_artist(key)
    _size_key(host, panel)


def _size_key(host: Axes, panel: bool) -> None:
    """Key to marker sizes: the area of :data:`SIZE_SAMPLES` dead."""
    sizes = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=float(np.sqrt(marker_size([n])[0])),
            markerfacecolor="none",
            markeredgecolor="#444444",
        )
        for n in SIZE_SAMPLES
    ]
    size_key = host.legend(
        sizes,
        style.fatality_labels(SIZE_SAMPLES),
        loc="lower left" if panel else "lower right",
        ncol=len(SIZE_SAMPLES),
        frameon=not panel,
        bbox_to_anchor=(0.0, 0.06) if panel else None,
        fontsize=7,
        title="Killed (marker area)",
        title_fontsize=7,
        framealpha=0.92,
        borderpad=1.0,
        columnspacing=0.8,
        handletextpad=0.2,
        handlelength=4.6,
        labelspacing=1.6,
    )
    size_key.set_zorder(25)
