"""Static publication figures of events along a border, drawn with matplotlib.

:func:`plot` draws the border, its geodesic distance zones graded on each
side, provinces and countries, the events sized by fatalities and coloured by
attacker with a dashed line to the nearest border point, the key sites, a
geodesic scale bar, a true-north arrow and a locator inset that also carries
the events too far away for the main map. The map is drawn in a Lambert
conformal conic projection fitted to the theatre (:mod:`geo.cartography`),
never in plain longitude/latitude, and needs no tiles. The parts are drawn by
:mod:`geo.figparts`.

:func:`save_figure` writes a PNG or SVG atomically.

Examples
--------
>>> fig = plot()
>>> fig.bordermap.crs.name.startswith("Lambert conformal conic")
True
>>> fig.bordermap.far  # shown in the inset only
['Kerman', 'Erbil', 'Idlib']
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from pyproj import CRS

from geo import cartography, layers
from geo import figparts as parts
from geo.atomic import atomic_path
from geo.errors import InputError, OutputExistsError
from geo.zones import DEFAULT_ZONES_KM, border_zones, parse_zones

__all__ = ["FORMATS", "SITES", "VIEW_KM", "PlotInfo", "figure_format", "plot", "save_figure"]

FORMATS = ("png", "svg")
# Events farther than this from the border go to the inset, not the main map.
VIEW_KM = 200.0
# Gazetteer entries labelled on the figure, with the short name to print.
SITES = {
    "site-chabahar": "Chabahar",
    "site-gwadar_port": "Gwadar",
    "site-saravan": "Saravan",
    "site-panjgur": "Panjgur",
}
# An event this close to a labelled site borrows the site's label.
_SAME_PLACE_M = 15_000.0
_CREDIT = (
    "Borders and countries \u00a9 OpenStreetMap contributors (ODbL) via geo-maps; provinces: "
    "Natural Earth; places: GeoNames (CC BY 4.0); events: bordermap curation of AP/Reuters."
)


@dataclass
class PlotInfo:
    """What a figure shows, kept on it as ``fig.bordermap`` for captions and tests.

    Attributes
    ----------
    crs : pyproj.CRS
        Projection of the main map (metres).
    extent : tuple of float
        ``xmin, xmax, ymin, ymax`` of the main map in ``crs``.
    scale_bar : tuple of float
        ``x0, x1, y, km``: the bar's ends in ``crs`` and the length it stands for.
    north : tuple of float
        ``x, y, angle_deg``: the arrow's foot and true north there, clockwise
        from map up.
    near, far : list of str
        Locations of events on the main map, and of those only in the inset.
    """

    crs: CRS
    extent: tuple[float, float, float, float]
    scale_bar: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    north: tuple[float, float, float] = (0.0, 0.0, 0.0)
    near: list[str] = field(default_factory=list)
    far: list[str] = field(default_factory=list)


@dataclass
class _Canvas:
    """The main map's axes and projection, and how finely to draw into them."""

    ax: Axes
    crs: CRS
    extent: tuple[float, float, float, float]

    @property
    def view(self) -> shapely.Polygon:
        x0, x1, y0, y1 = self.extent
        return shapely.box(x0, y0, x1, y1)

    @property
    def clip(self) -> tuple[float, float, float, float]:
        x0, x1, y0, y1 = self.extent
        return (x0 - 5e4, y0 - 5e4, x1 + 5e4, y1 + 5e4)

    @property
    def tolerance(self) -> float:
        return (self.extent[1] - self.extent[0]) / 2500.0

    def prepare(self, frame: gpd.GeoDataFrame) -> np.ndarray:
        return parts.prepare(frame, self.crs, self.clip, self.tolerance)


def _split_events(events, key: str, zones_km) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Analyse the events; those within VIEW_KM of the border, and the others."""
    from geo.proximity import analyze

    analyzed = analyze(events, pair=key, zones_km=zones_km)
    if not analyzed.crs.equals("EPSG:4326"):
        analyzed = analyzed.to_crs("EPSG:4326")
    # "Panjgur (Koh-e-Sabz)" is labelled Panjgur; without a location, the event id
    label_col = next((c for c in ("location", "event_id") if c in analyzed), None)
    analyzed["_label"] = (
        analyzed[label_col].astype("string").fillna("").str.replace(r"\s*\(.*\)$", "", regex=True)
        if label_col
        else ""
    )
    analyzed["_attacker"] = (
        analyzed["attacker_iso3"].astype("string").fillna("").str.upper()
        if "attacker_iso3" in analyzed
        else ""
    )
    dist = pd.to_numeric(analyzed["border_distance_km"], errors="coerce")
    placed = ~analyzed.geometry.is_empty & analyzed.geometry.notna()
    return analyzed[dist <= VIEW_KM], analyzed[~(dist <= VIEW_KM) & placed]


def _frame(border: gpd.GeoDataFrame, near: gpd.GeoDataFrame, zones_km) -> tuple[CRS, tuple]:
    """Projection fitted to the border and nearby events, and the box to show in it."""
    lon0, lat0, lon1, lat1 = border.total_bounds
    if len(near):
        n0, m0, n1, m1 = near.total_bounds
        lon0, lat0, lon1, lat1 = min(lon0, n0), min(lat0, m0), max(lon1, n1), max(lat1, m1)
    crs = cartography.theatre_crs(lon0, lat0, lon1, lat1)
    shown = shapely.union_all(
        [border.geometry.iloc[0], shapely.MultiPoint(near.geometry.to_numpy())]
    )
    box = shapely.bounds(cartography.project(shown, crs))
    pad = (max(zones_km) + 35.0) * 1000.0  # the outer zone and a margin
    return crs, (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad)


def _base(canvas: _Canvas, border, zones_km, pair, countries, names) -> list[dict]:
    """Land, zones, provinces, the border and area names; the zone colours per side."""
    ax = canvas.ax
    ax.set_facecolor(parts.SEA)
    land = canvas.prepare(countries)
    mine = countries["iso3"].isin(pair).to_numpy()
    parts.polygons(ax, land[mine], facecolor=parts.LAND["pair"], edgecolor="none", zorder=1)
    parts.polygons(ax, land[~mine], facecolor=parts.LAND["other"], edgecolor="none", zorder=1)

    zones = border_zones(border, zones_km, countries=countries)
    zone_geoms = canvas.prepare(zones)
    swatches = []
    for side, (near_c, far_c) in zip(pair, parts.SIDE_RAMPS, strict=True):
        rows = (zones["side"] == side).to_numpy()
        colours = parts.ramp(near_c, far_c, int(rows.sum()))
        order = np.argsort(zones.loc[rows, "zone_min_km"].to_numpy())
        labels = zones.loc[rows, "zone"].to_numpy()[order]
        parts.polygons(
            ax, zone_geoms[rows][order], facecolor=colours, edgecolor="none", alpha=0.75, zorder=2
        )
        swatches.append(dict(zip(labels, colours, strict=True)))

    provinces = layers.provinces()
    prov_geoms = canvas.prepare(provinces)
    parts.lines(ax, prov_geoms, colors="#8f8f8f", linewidths=0.4, linestyles=(0, (3, 2)), zorder=3)
    parts.lines(ax, land, colors="#555555", linewidths=0.7, zorder=4)
    line = cartography.project(border.geometry.iloc[0], canvas.crs)
    parts.lines(ax, [line], colors=parts.BORDER, linewidths=2.0, zorder=6, capstyle="round")

    view = canvas.view
    x0, x1, y0, y1 = canvas.extent
    for name, geom, iso3 in zip(
        provinces["name_en"], prov_geoms, provinces["adm0_a3"], strict=True
    ):
        inside = shapely.intersection(geom, view)
        if iso3 not in pair or inside.is_empty or inside.area < 0.04 * view.area:
            continue
        spot = shapely.maximum_inscribed_circle(inside, 2000.0).coords[0]
        ax.text(
            *spot,
            name,
            fontsize=7,
            style="italic",
            color="#6d6d6d",
            ha="center",
            va="center",
            zorder=7,
            path_effects=parts.HALO,
        )
    inner = view.buffer(-0.04 * (x1 - x0))
    for iso3, geom in zip(countries["iso3"], land, strict=True):
        inside = shapely.intersection(geom, inner)
        if inside.is_empty or inside.area < 0.02 * view.area:
            continue
        x, y = shapely.maximum_inscribed_circle(inside, 2000.0).coords[0]
        ax.text(
            x,
            y + 0.03 * (y1 - y0),
            names[iso3].upper(),
            fontsize=13,
            color="#5a5a5a",
            ha="center",
            va="center",
            zorder=7,
            fontweight="light",
            path_effects=parts.HALO,
        )
    return swatches


def _sites(canvas: _Canvas) -> list[shapely.Point]:
    """Mark and name the key sites on the map; their map points."""
    places = layers.places()
    sites = places[places["place_id"].isin(SITES)]
    shown = []
    view = canvas.view
    for pid, pt in zip(
        sites["place_id"], cartography.project(sites.geometry.to_numpy(), canvas.crs), strict=True
    ):
        if not view.contains(pt):
            continue
        shown.append(pt)
        canvas.ax.plot(pt.x, pt.y, marker="s", markersize=3.5, color="black", zorder=9)
        canvas.ax.annotate(
            SITES[pid],
            (pt.x, pt.y),
            xytext=(6, 3),
            textcoords="offset points",
            fontsize=9,
            fontweight="bold",
            zorder=12,
            path_effects=parts.HALO,
        )
    return shown


def _events(canvas: _Canvas, near: gpd.GeoDataFrame, colours, sites: list) -> None:
    """Events sized by fatalities, coloured by attacker, with a line to the border."""
    if not len(near):
        return
    ax = canvas.ax
    pts = cartography.project(near.geometry.to_numpy(), canvas.crs)
    ends = cartography.project(
        shapely.points(near["nearest_lon"].to_numpy(), near["nearest_lat"].to_numpy()), canvas.crs
    )
    px, py = shapely.get_x(pts), shapely.get_y(pts)
    segs = [
        np.array([[p, q], [r, s]])
        for p, q, r, s in zip(px, py, shapely.get_x(ends), shapely.get_y(ends), strict=True)
    ]
    ax.add_collection(
        LineCollection(segs, colors="#333333", linewidths=0.8, linestyles=(0, (2, 1.5)), zorder=8)
    )
    fatalities = near["fatalities"] if "fatalities" in near else np.zeros(len(near))
    ax.scatter(
        px,
        py,
        s=parts.marker_size(fatalities),
        c=[colours[c] for c in near["_attacker"]],
        edgecolors="white",
        linewidths=1.0,
        zorder=10,
        gid="events",
    )
    named = shapely.MultiPoint(sites) if sites else shapely.Point()
    for x, y, (_, row) in zip(px, py, near.iterrows(), strict=True):
        unnamed = named.is_empty or shapely.Point(x, y).distance(named) > _SAME_PLACE_M
        if row["_label"] and unnamed:
            ax.annotate(
                row["_label"],
                (x, y),
                xytext=(7, 3),
                textcoords="offset points",
                fontsize=8.5,
                zorder=12,
                path_effects=parts.HALO,
            )
        ax.annotate(
            parts.event_text(row),
            (x, y),
            xytext=(0, -11),
            textcoords="offset points",
            fontsize=7,
            ha="center",
            va="top",
            zorder=11,
            path_effects=parts.HALO,
        )


def _title(analyzed: pd.DataFrame, a: str, b: str) -> str:
    dates = (
        pd.to_datetime(analyzed["event_date"], errors="coerce")
        if "event_date" in analyzed
        else pd.Series(dtype="datetime64[ns]")
    )
    months = [f"{m:%B %Y}" for m in sorted(set(dates.dropna().dt.to_period("M")))]
    span = (
        f", {months[0]}"
        if len(months) == 1
        else (f", {months[0]} to {months[-1]}" if months else "")
    )
    return f"Events along the {a}\u2013{b} border{span}"


def _caption(fig: Figure, info: PlotInfo) -> None:
    note = "Zones: geodesic distance from the border. Dashed lines: to the nearest border point."
    if info.far:
        more = f" and {len(info.far) - 4} more" if len(info.far) > 4 else ""
        note += (
            f" More than {VIEW_KM:g} km away, in the inset only: {', '.join(info.far[:4])}{more}."
        )
    credit = f"Projection: {info.crs.name} (WGS84). {_CREDIT}"
    text = textwrap.fill(note, 170) + "\n" + textwrap.fill(credit, 190)
    fig.text(0.02, 0.06, text, fontsize=6.5, color="#444444", ha="left", va="top", linespacing=1.5)


# Titles and labels come from data and --title: show them literally, so that "$"
# never starts mathtext (which garbles the text or fails on an unknown symbol).
@mpl.rc_context({"text.parse_math": False})
def plot(
    events: gpd.GeoDataFrame | None = None,
    *,
    pair: str = "IRN-PAK",
    zones_km=DEFAULT_ZONES_KM,
    title: str | None = None,
    ax: Axes | None = None,
    figsize: tuple[float, float] = (10.0, 8.4),
) -> Figure:
    """Draw a publication figure of events along a border.

    Parameters
    ----------
    events : GeoDataFrame, optional
        Point events in any CRS (the seed events by default). Used when
        present: ``fatalities`` (marker area), ``attacker_iso3`` (colour),
        ``event_date``, ``location``, ``event_type``.
    pair : str
        Embedded border pair, ``"AAA-BBB"``.
    zones_km : sequence of float
        Edges of the distance zones in km.
    title : str, optional
        Title above the map; a default names the border and the months.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes, legends and inset included (their figure is
        returned); by default a new figure of ``figsize`` inches with a side
        panel for the inset and legends.
    figsize : tuple of float
        Width and height in inches of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        With ``fig.bordermap``, a :class:`PlotInfo`. It is not registered
        with pyplot, so it is garbage-collected like any object; Jupyter
        shows it inline.

    Raises
    ------
    LayerError
        For a pair that shares no embedded border.
    InputError
        For events without a CRS or with non-point geometry.
    """
    a, b = layers.parse_pair(pair)
    zones_km = parse_zones(list(zones_km))
    border = layers.border(a, b)
    near, far = _split_events(layers.events() if events is None else events, f"{a}-{b}", zones_km)
    crs, box = _frame(border, near, zones_km)

    panel = None
    if ax is None:
        ax = Figure(figsize=figsize).add_axes((0.02, 0.085, 0.665, 0.85))
        panel = ax.figure.add_axes((0.70, 0.085, 0.28, 0.85))
        panel.set_axis_off()
    fig = ax.figure
    canvas = _Canvas(ax, crs, parts.fit_extent(ax, box))
    info = PlotInfo(crs, canvas.extent, near=list(near["_label"]), far=list(far["_label"]))

    countries = layers.countries()
    names = dict(zip(countries["iso3"], countries["name"], strict=True))
    colours = parts.attacker_colours(pd.concat([near["_attacker"], far["_attacker"]]))
    swatches = _base(canvas, border, zones_km, (a, b), countries, names)
    _events(canvas, near, colours, _sites(canvas))

    host = panel if panel is not None else ax
    parts.legends(
        host, panel is not None, names, (a, b), swatches, colours, sorted(set(near["_attacker"]))
    )
    info.scale_bar = parts.scale_bar(ax, crs, canvas.extent)
    info.north = parts.north_arrow(ax, crs, canvas.extent)
    rect = [0.0, 0.63, 1.0, 0.35] if panel is not None else [0.70, 0.70, 0.29, 0.29]
    parts.inset(host, rect, crs, canvas.extent, countries, (a, b), far, colours, VIEW_KM)

    x0, x1, y0, y1 = canvas.extent
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(
        title or _title(pd.concat([near, far]), names[a], names[b]),
        loc="left",
        fontsize=13,
        fontweight="bold",
        pad=8,
    )
    _caption(fig, info)
    fig.bordermap = info
    return fig


def figure_format(out: Path | str) -> str:
    """``"png"`` or ``"svg"`` from a file name's suffix.

    Raises
    ------
    InputError
        For any other suffix.

    Examples
    --------
    >>> figure_format("maps/fig.SVG")
    'svg'
    """
    suffix = Path(out).suffix
    fmt = suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        shown = repr(suffix) if suffix else "a name without a suffix"
        raise InputError(str(out), None, "--out", f"write a .png or .svg file, not {shown}")
    return fmt


def save_figure(
    fig: Figure, out: Path | str, *, dpi: float = 200.0, overwrite: bool = False
) -> Path:
    """Write a figure as PNG or SVG (by ``out``'s suffix), atomically.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    out : path-like
        ``.png`` or ``.svg``.
    dpi : float
        Pixels per inch of a PNG (SVG is vector; text stays text).
    overwrite : bool
        Replace an existing ``out``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InputError
        For another suffix, or a non-positive dpi.
    OutputExistsError
        When ``out`` exists and ``overwrite`` is false.
    """
    out = Path(out)
    fmt = figure_format(out)
    if not dpi > 0:
        raise InputError(str(out), None, "--dpi", f"must be positive, not {dpi}")
    if out.exists() and not overwrite:
        raise OutputExistsError(str(out))
    with (
        mpl.rc_context({"svg.hashsalt": "bordermap", "svg.fonttype": "none"}),
        atomic_path(out) as tmp,
    ):
        metadata = {"Date": None} if fmt == "svg" else {"Software": "bordermap"}
        fig.savefig(tmp, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")
    return out
