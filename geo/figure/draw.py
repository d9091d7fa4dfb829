"""Static publication figures of events along a border, drawn with matplotlib.

:func:`plot` draws an analysed event frame (the output of
:func:`geo.proximity.analyze`) against its :class:`~geo.theatre.Theatre`: the
border, its geodesic distance zones graded on each side, provinces and
countries, the events sized by fatalities and coloured by attacker (the one
palette of :mod:`geo.style`) with a dashed line to the nearest border point,
the key sites, a geodesic scale bar, a true-north arrow and a locator inset
that also carries the events too far away for the main map. The map is drawn
in a Lambert conformal conic projection fitted to the theatre
(:mod:`geo.figure.cartography`), never in plain longitude/latitude, and needs
no tiles. The parts are drawn by :mod:`geo.figure.parts`.

:func:`geo.figure.output.save_figure` writes it as PNG or SVG, atomically.

Examples
--------
>>> from geo.layers import events
>>> from geo.proximity import analyze
>>> from geo.theatre import Theatre
>>> theatre = Theatre.from_pair()
>>> fig = plot(analyze(events(), theatre), theatre)
>>> fig.bordermap.crs.name.startswith("Lambert conformal conic")
True
>>> fig.bordermap.far  # in the inset only, strikes on another country first
['Erbil', 'Idlib', 'Kerman']
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from pyproj import CRS

from geo import layers, style
from geo.errors import ParameterError
from geo.figure import cartography, credits, parts
from geo.figure.labels import drop_covered, importance_order, spread_site_labels
from geo.figure.markers import draw_events, name_events
from geo.geodesy import lon_span
from geo.placement import provinces_of
from geo.polygons import areal_part
from geo.theatre import Theatre, as_theatre

__all__ = ["VIEW_KM", "PlotInfo", "plot"]

# Events farther than this from the border go to the inset, not the main map.
VIEW_KM = 200.0
# Columns of geo.proximity.analyze the figure draws from.
_NEEDS = ("border_distance_km", "nearest_lon", "nearest_lat")


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
    labelled : list of str
        Locations of the events named on the main map, most important first.
    credit : str
        The caption's credit of the events.
    """

    crs: CRS
    extent: tuple[float, float, float, float]
    scale_bar: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    north: tuple[float, float, float] = (0.0, 0.0, 0.0)
    near: list[str] = field(default_factory=list)
    far: list[str] = field(default_factory=list)
    labelled: list[str] = field(default_factory=list)
    credit: str = ""


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

    def label(self, xy, text: str, **kwargs) -> Text:
        """Haloed text at map coordinates ``xy``, above the shapes."""
        return self.ax.text(
            *xy, text, ha="center", va="center", zorder=7, path_effects=parts.HALO, **kwargs
        )


def _split_events(
    analyzed: gpd.GeoDataFrame, theatre: Theatre
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Split analysed events: within VIEW_KM of the border, and the others (EPSG:4326 copies)."""
    missing = [c for c in _NEEDS if c not in analyzed]
    if missing:
        raise ParameterError(
            "analyzed", f"lacks {', '.join(missing)}: pass the output of geo.proximity.analyze"
        )
    measured = analyzed.attrs.get("border_pair")
    if measured is not None and measured != theatre.pair:
        raise ParameterError(
            "analyzed", f"was measured against {measured}, not the theatre's {theatre.pair}"
        )
    if analyzed.crs is None:
        raise ParameterError("analyzed", "has no CRS")
    frame = analyzed.to_crs("EPSG:4326") if not analyzed.crs.equals("EPSG:4326") else analyzed
    # "Panjgur (Koh-e-Sabz)" is labelled Panjgur; without a location, the event id
    label_col = next((c for c in ("location", "event_id") if c in frame), None)
    frame = frame.assign(
        _label=frame[label_col]
        .astype("string")
        .fillna("")
        .str.replace(r"\s*\(.*\)$", "", regex=True)
        if label_col
        else "",
        _attacker=frame["attacker"].astype("string").fillna("").str.upper()
        if "attacker" in frame
        else "",
    )
    # an area-level event has no point distance: its interval's near end places it
    dist = pd.to_numeric(frame["border_distance_km"], errors="coerce")
    if "border_distance_min_km" in frame:
        dist = dist.fillna(pd.to_numeric(frame["border_distance_min_km"], errors="coerce"))
    placed = ~frame.geometry.is_empty & frame.geometry.notna()
    return frame[dist <= VIEW_KM], frame[~(dist <= VIEW_KM) & placed]


def _frame(theatre: Theatre, near: gpd.GeoDataFrame) -> tuple[CRS, tuple]:
    """Projection fitted to the border and nearby events, and the box to show in it.

    Longitudes are taken on the shortest arc holding them, so a border across
    the antimeridian gets a central meridian near 180°, not near 0°.
    """
    xy = shapely.get_coordinates(
        np.concatenate([theatre.border.geometry.to_numpy(), near.geometry.to_numpy()])
    )
    lon0, lon1 = lon_span(xy[:, 0])
    crs = cartography.theatre_crs(lon0, xy[:, 1].min(), lon1, xy[:, 1].max())
    shown = shapely.union_all([theatre.line, shapely.MultiPoint(near.geometry.to_numpy())])
    box = shapely.bounds(cartography.project(shown, crs))
    pad = (max(theatre.zones_km) + 35.0) * 1000.0  # the outer zone and a margin
    return crs, (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad)


def _zones(canvas: _Canvas, theatre: Theatre, countries: gpd.GeoDataFrame) -> list[dict]:
    """Distance zones graded on each side of the border; the zone colours per side."""
    zones = theatre.zone_polygons
    zone_geoms = canvas.prepare(zones)
    swatches = []
    for side, (near_c, far_c) in zip(parts.sides(theatre), style.SIDE_RAMPS, strict=True):
        rows = (zones["side"] == side).to_numpy()
        colours = style.zone_ramp(int(rows.sum()), near_c, far_c)
        order = np.argsort(zones.loc[rows, "zone_min_km"].to_numpy())
        labels = zones.loc[rows, "zone"].to_numpy()[order]
        parts.polygons(
            canvas.ax,
            zone_geoms[rows][order],
            facecolor=colours,
            edgecolor="none",
            alpha=0.75,
            zorder=2,
        )
        swatches.append(dict(zip(labels, colours, strict=True)))
    return swatches


def _base(
    canvas: _Canvas, theatre: Theatre, countries: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame
) -> list[dict]:
    """Land, zones, provinces, the border and area names; the zone colours per side."""
    ax = canvas.ax
    ax.set_facecolor(style.BACKGROUND)
    land = canvas.prepare(countries)
    mine = countries["iso3"].isin(theatre.countries).to_numpy()
    for rows, fill in ((mine, "pair"), (~mine, "other")):
        parts.polygons(
            ax, land[rows], facecolor=style.COUNTRY_FILL[fill], edgecolor="none", zorder=1
        )
    swatches = _zones(canvas, theatre, countries)

    prov_geoms = canvas.prepare(provinces)
    parts.lines(ax, prov_geoms, colors="#8f8f8f", linewidths=0.4, linestyles=(0, (3, 2)), zorder=3)
    parts.lines(ax, land, colors="#555555", linewidths=0.7, zorder=4)
    line = cartography.project(theatre.line, canvas.crs)
    parts.lines(ax, [line], colors=style.BORDER_COLOUR, linewidths=2.0, zorder=6, capstyle="round")

    view = canvas.view
    for name, geom, iso3 in zip(
        provinces["name_en"], prov_geoms, provinces["adm0_a3"], strict=True
    ):
        inside = areal_part(shapely.intersection(geom, view))
        if iso3 not in theatre.countries or inside.is_empty or inside.area < 0.04 * view.area:
            continue
        spot = shapely.maximum_inscribed_circle(inside, 2000.0).coords[0]
        canvas.label(spot, name, fontsize=7, style="italic", color="#6d6d6d", gid="province-label")
    x0, x1, y0, y1 = canvas.extent
    inner = view.buffer(-0.04 * (x1 - x0))
    for iso3, geom in zip(countries["iso3"], land, strict=True):
        inside = areal_part(shapely.intersection(geom, inner))
        if inside.is_empty or inside.area < 0.02 * view.area:
            continue
        x, y = shapely.maximum_inscribed_circle(inside, 2000.0).coords[0]
        name = theatre.names.get(iso3, iso3).upper()
        canvas.label(
            (x, y + 0.03 * (y1 - y0)),
            name,
            fontsize=13,
            color="#5a5a5a",
            fontweight="light",
            gid="country-label",
        )
    return swatches


def _sites(canvas: _Canvas, theatre: Theatre) -> tuple[list[shapely.Point], list[Text]]:
    """Mark and name the theatre's sites on the map; their map points and names."""
    points = theatre.site_points
    shown, names = [], []
    view = canvas.view
    xy = shapely.points([tuple(p) for p in points.values()]) if points else []
    projected = cartography.project(np.asarray(xy), canvas.crs) if points else []
    for name, pt in zip(points, projected, strict=True):
        if not view.contains(pt):
            continue
        shown.append(pt)
        canvas.ax.plot(pt.x, pt.y, marker="s", markersize=3.5, color="black", zorder=9)
        label = canvas.ax.annotate(
            _short(name),
            (pt.x, pt.y),
            xytext=(6, 3),
            textcoords="offset points",
            fontsize=9,
            fontweight="bold",
            zorder=12,
            path_effects=parts.HALO,
            gid="site-label",
        )
        names.append(label)
    return shown, names


def _inferred(analyzed: pd.DataFrame) -> int:
    """How many events' attacker was inferred from actor names, for the caption."""
    return int((analyzed.get("attacker_basis", pd.Series(dtype=str)) == "inferred").sum())


def _settle_names(ax: Axes, site_names: list[Text], locator: Axes | None) -> None:
    """Sites first, each on a free side of its mark; then area names that cover none.

    In the locator, the far events' names come first, then the countries'.
    """
    spread_site_labels(ax, site_names)
    for axes, kinds, above in (
        (ax, ("country-label", "province-label"), site_names),
        (locator, ("locator-event", "locator-country"), ()),
    ):
        if axes is not None:
            names = [t for kind in kinds for t in axes.texts if t.get_gid() == kind]
            drop_covered(axes, names, above)


def _short(name: str) -> str:
    """Label of a site: ``"Gwadar Port"`` prints as ``"Gwadar"``."""
    return name.removesuffix(" Port").removesuffix(" port")


def _title(analyzed: pd.DataFrame, label: str) -> str:
    """Default title: the border and the months its events span."""
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
    return f"Events along the {label} border{span}"


def _caption(fig: Figure, info: PlotInfo, near: gpd.GeoDataFrame, inferred: int) -> None:
    """Write notes on zones, labels, attackers and far events, and the credits, under the map."""
    note = "Zones: geodesic distance from the border."
    if len(info.labelled) < len(near):
        note += (
            f" Named, with a dashed line to the nearest border point: the {len(info.labelled)} "
            f"most important of {len(near)} events (strikes first, then by fatalities; "
            "one per place)."
        )
    else:
        note += " Dashed lines: to the nearest border point."
    if inferred:
        note += (
            f" The attacker of {inferred} event{'s' if inferred > 1 else ''} is inferred "
            "from actor names (ACLED actor1, UCDP side_a)."
        )
    if info.far:
        places = list(dict.fromkeys(name for name in info.far if name))  # most important first
        listed = ", ".join(places[:4]) + (", ..." if len(places) > 4 else "")
        events = f"{len(info.far)} event{'s' if len(info.far) > 1 else ''}"
        note += f" More than {VIEW_KM:g} km away, in the inset only: {events} ({listed})."
    credit = f"Projection: {info.crs.name} (WGS84). {credits.LAYERS_CREDIT} {info.credit}"
    text = textwrap.fill(note, 170) + "\n" + textwrap.fill(credit, 190)
    fig.text(0.02, 0.09, text, fontsize=6.5, color="#444444", ha="left", va="top", linespacing=1.4)


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Axes, Axes | None]:
    """Return the main map's axes, and a side panel for inset and legends in a new figure."""
    if ax is not None:
        return ax, None
    # the lowest tenth holds the caption: notes and credits, up to six lines
    ax = Figure(figsize=figsize).add_axes((0.02, 0.11, 0.665, 0.825))
    panel = ax.figure.add_axes((0.70, 0.11, 0.28, 0.825))
    panel.set_axis_off()
    return ax, panel


def _finish(canvas: _Canvas, title: str) -> None:
    """Fix the main map's extent and aspect, hide its ticks and set the title."""
    ax = canvas.ax
    x0, x1, y0, y1 = canvas.extent
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, loc="left", fontsize=13, fontweight="bold", pad=8)


# Titles and labels come from data and --title: show them literally, so that "$"
# never starts mathtext (which garbles the text or fails on an unknown symbol).
@mpl.rc_context({"text.parse_math": False})
def plot(
    analyzed: gpd.GeoDataFrame,
    theatre: Theatre | str | None,
    *,
    title: str | None = None,
    ax: Axes | None = None,
    figsize: tuple[float, float] = (10.0, 8.4),
    events_origin: str | None = None,
) -> Figure:
    """Draw a publication figure of analysed events along a theatre's border.

    Parameters
    ----------
    analyzed : GeoDataFrame
        Events analysed against ``theatre`` (:func:`geo.proximity.analyze`),
        in any CRS. Used when present: ``fatalities`` (marker area and
        which events are named), ``attacker`` and ``attacker_basis`` (colour;
        a stated or inferred attacker makes a strike), ``event_date``,
        ``location``, ``event_type`` and ``source`` (the caption's credit).
    theatre : Theatre or str or None
        The border, its zones and countries (a pair name or None builds one).
    title : str, optional
        Title above the map; a default names the border and the months.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes, legends and inset included (their figure is
        returned); by default a new figure of ``figsize`` inches with a side
        panel for the inset and legends.
    figsize : tuple of float
        Width and height in inches of a new figure.
    events_origin : str, optional
        Where the events came from, credited in the caption with the most
        frequent names of their ``source`` column: a file name, or
        :data:`geo.figure.credits.SEED_EVENTS` for the embedded seed events.

    Returns
    -------
    matplotlib.figure.Figure
        With ``fig.bordermap``, a :class:`PlotInfo`. It is not registered
        with pyplot, so it is garbage-collected like any object; Jupyter
        shows it inline.

    Raises
    ------
    ParameterError
        For a frame that was not analysed, or was analysed against another
        theatre (``analyzed``).
    """
    theatre = as_theatre(theatre).single("the figure")
    near, far = _split_events(analyzed, theatre)
    crs, box = _frame(theatre, near)
    ax, panel = _axes(ax, figsize)
    canvas = _Canvas(ax, crs, parts.fit_extent(ax, box))
    far = far.iloc[importance_order(far)]
    info = PlotInfo(crs, canvas.extent, near=list(near["_label"]), far=list(far["_label"]))
    info.credit = credits.events_credit(analyzed, events_origin)

    region = theatre.region(analyzed)
    countries = layers.countries(list(region))
    codes = pd.concat([near["_attacker"], far["_attacker"]])
    colours = style.frame_colours(codes, theatre.countries)
    swatches = _base(canvas, theatre, countries, provinces_of(region))
    site_points, site_names = _sites(canvas, theatre)
    pending = draw_events(ax, crs, near, colours, site_points)

    host = panel if panel is not None else ax
    shown = near["_attacker"].value_counts().to_dict()  # the legend orders them as the map
    parts.legends(host, panel is not None, theatre, swatches, colours, shown)
    info.scale_bar = parts.scale_bar(ax, crs, canvas.extent)
    info.north = parts.north_arrow(ax, crs, canvas.extent)
    rect = [0.0, 0.63, 1.0, 0.35] if panel is not None else [0.70, 0.70, 0.29, 0.29]
    inset = (host, rect, crs, canvas.extent, countries, theatre.countries, far, colours, VIEW_KM)
    locator = parts.inset(*inset) if len(countries) else None  # a locator needs land
    _finish(canvas, title or _title(pd.concat([near, far]), theatre.label))
    _settle_names(ax, site_names, locator)
    info.labelled = name_events(ax, pending, site_names)
    _caption(ax.figure, info, near, _inferred(analyzed))
    ax.figure.bordermap = info
    return ax.figure
