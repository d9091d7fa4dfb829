"""Events on a figure's main map: markers for all, labels and lines for the most important.

Every event gets a marker, its area growing with fatalities and its colour
the attacker's (stated or inferred). The most important events
(:mod:`geo.figure.labels`) are named, with their date, toll and distance,
and get a dashed line to their nearest border point; the labels are placed
only once the map is final, so :func:`draw_events` returns them pending and
:func:`name_events` places them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.text import Text
from pyproj import CRS

from geo.figure import cartography
from geo.figure.labels import choose_labelled, importance_order, place_labels
from geo.figure.parts import event_text, marker_size

__all__ = ["SAME_PLACE_M", "PendingLabels", "draw_events", "name_events"]

#: An event this close (map metres) to a named site borrows the site's name.
SAME_PLACE_M = 15_000.0


@dataclass
class PendingLabels:
    """Labels waiting to be placed once the map is final: texts, their events, every marker."""

    xy: np.ndarray
    texts: list[str]
    markers: np.ndarray
    names: list[str] = field(default_factory=list)
    to_border: list[np.ndarray | None] = field(default_factory=list)


def draw_events(
    ax: Axes, crs: CRS, near: gpd.GeoDataFrame, colours: dict[str, str], sites: list
) -> PendingLabels:
    """Events sized by fatalities, coloured by attacker; the most important with a line and label.

    Every event gets its marker; the most important, one per place and at
    most :data:`~geo.figure.labels.MAX_LABELS`
    (:func:`~geo.figure.labels.choose_labelled`), are returned with their
    labels (place, date, toll, distance, and how many more events share the
    place) and dashed lines to the nearest border point, drawn by
    :func:`name_events` once the map is final.
    """
    empty = np.empty((0, 2))
    if not len(near):
        return PendingLabels(empty, [], empty)
    pts = cartography.project(near.geometry.to_numpy(), crs)
    px, py = shapely.get_x(pts), shapely.get_y(pts)
    fatalities = near["fatalities"] if "fatalities" in near else np.zeros(len(near))
    ax.scatter(
        px,
        py,
        s=marker_size(fatalities),
        c=[colours[c] for c in near["_attacker"]],
        edgecolors="white",
        linewidths=1.0,
        zorder=10,
        gid="events",
    )
    top, together = choose_labelled(
        importance_order(near), np.column_stack([px, py]), list(near["_label"])
    )
    shown = near.iloc[top]
    ends = cartography.project(
        shapely.points(shown["nearest_lon"].to_numpy(), shown["nearest_lat"].to_numpy()),
        crs,
    )
    # an area-level event may have no nearest point, hence no line
    to_border = [
        np.array([[px[i], py[i]], [x, y]]) if np.isfinite(x) and np.isfinite(y) else None
        for i, x, y in zip(top, shapely.get_x(ends), shapely.get_y(ends), strict=True)
    ]
    named = shapely.MultiPoint(sites) if sites else shapely.Point()
    texts = []
    for i, n, (_, row) in zip(top, together, shown.iterrows(), strict=True):
        # an event at a named site borrows the site's label
        unnamed = named.is_empty or shapely.Point(px[i], py[i]).distance(named) > SAME_PLACE_M
        place = row["_label"] if row["_label"] and unnamed else ""
        more = f"and {n - 1} more event{'s' if n > 2 else ''} here" if n > 1 else ""
        texts.append("\n".join(t for t in (place, event_text(row), more) if t))
    xy = np.column_stack([px[top], py[top]])
    return PendingLabels(xy, texts, np.column_stack([px, py]), list(shown["_label"]), to_border)


def name_events(ax: Axes, pending: PendingLabels, site_names: list[Text]) -> list[str]:
    """Place the labels, then draw the dashed lines of the events still named; their names."""
    kept = place_labels(ax, pending.xy, pending.texts, pending.markers, site_names)
    segs = [pending.to_border[i] for i in kept if pending.to_border[i] is not None]
    ax.add_collection(
        LineCollection(
            segs,
            colors="#333333",
            linewidths=0.8,
            linestyles=(0, (2, 1.5)),
            zorder=8,
            gid="to-border",
        ),
        autolim=False,
    )
    return [pending.names[i] for i in kept]
