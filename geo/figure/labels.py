"""Which events a figure names, and where their labels go.

With a few events every one is named; with hundreds, names would overlap
until none could be read. So events are ranked (cross-border strikes first,
then other events with an attacker, stated or inferred, then by fatalities)
and only the first :data:`MAX_LABELS` are named. The labels are then moved
apart, off the markers and inside the map, by adjustText (Flyamer et al.,
https://github.com/Phlya/adjustText), with a thin leader line to the event
when a label had to move away from it.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame(
...     {
...         "_attacker": ["", "PAK", "", "IRN"],
...         "side": ["AFG", "AFG", "PAK", "IRN"],
...         "fatalities": [30, 2, 50, 9],
...     }
... )
>>> importance_order(frame).tolist()  # the strike across a border, the strike, then the dead
[1, 3, 2, 0]
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.text import Text

from geo.figure.parts import HALO

__all__ = [
    "MAX_LABELS",
    "SAME_SPOT_M",
    "choose_labelled",
    "drop_covered",
    "importance_order",
    "place_labels",
    "spread_site_labels",
]

_ISO3 = re.compile(r"^[A-Z]{3}$")
#: Most events a figure names on its main map.
MAX_LABELS = 14
#: Events closer than this on the map (metres) share one spot, and one label.
SAME_SPOT_M = 1000.0


def importance_order(frame: pd.DataFrame) -> np.ndarray:
    """Positions of the events, most important first.

    Parameters
    ----------
    frame : pandas.DataFrame
        ``_attacker`` (ISO3 or ``""``), and when present ``side`` and ``fatalities``.

    Returns
    -------
    numpy.ndarray
        Row positions: strikes on another country first, then the other
        events with an attacker, each group by fatalities (most first); ties
        keep the frame's order.
    """
    attacker = frame["_attacker"].astype("string").fillna("").to_numpy(dtype=object)
    side = (
        frame["side"].astype("string").fillna("").to_numpy(dtype=object)
        if "side" in frame
        else np.full(len(frame), "", dtype=object)
    )
    has_attacker = attacker != ""
    # "at sea", "left" or "right" of a user's line are no country to strike into
    country = np.array([bool(_ISO3.match(str(s))) for s in side], dtype=bool)
    across = has_attacker & country & (side != attacker)
    dead = (
        pd.to_numeric(frame["fatalities"], errors="coerce").fillna(0).to_numpy(dtype="float64")
        if "fatalities" in frame
        else np.zeros(len(frame))
    )
    # np.lexsort sorts by the last key first; stable, so ties keep the frame's order
    return np.lexsort((-dead, ~has_attacker, ~across))


def choose_labelled(
    order: np.ndarray,
    xy: np.ndarray,
    places: Sequence[str] | None = None,
    *,
    limit: int = MAX_LABELS,
    spot_m: float = SAME_SPOT_M,
) -> tuple[np.ndarray, np.ndarray]:
    """Pick the events to name: the most important, one per place, at most ``limit``.

    Parameters
    ----------
    order : numpy.ndarray
        Event positions, most important first (:func:`importance_order`).
    xy : numpy.ndarray
        Shape ``(n, 2)``: every event's map coordinates, metres.
    places : sequence of str, optional
        Each event's place name (``""`` for none): events of one name are one
        place, as ACLED gives one point per named place.
    limit : int
        Most labels.
    spot_m : float
        Unnamed events within the same ``spot_m`` square are one place.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The chosen positions, most important first, and how many events
        share each one's place (1 when alone).

    Examples
    --------
    >>> xy = np.array([[0.0, 0.0], [10.0, 0.0], [5000.0, 0.0], [9000.0, 0.0]])
    >>> chosen, counts = choose_labelled(np.array([1, 0, 2, 3]), xy, ["", "", "Wana", "Wana"])
    >>> chosen.tolist(), counts.tolist()
    ([1, 2], [2, 2])
    """
    spot = np.floor(np.asarray(xy, dtype="float64") / spot_m).astype("int64")
    names = [""] * len(spot) if places is None else list(places)
    keys = [f"name:{n}" if n else f"spot:{x},{y}" for n, (x, y) in zip(names, spot, strict=True)]
    _, key, size = np.unique(np.array(keys, dtype=object), return_inverse=True, return_counts=True)
    _, first = np.unique(key[order], return_index=True)
    chosen = order[np.sort(first)][:limit]
    return chosen, size[key[chosen]]


def place_labels(
    ax: Axes, xy: np.ndarray, texts: list[str], avoid: np.ndarray, others: Sequence[Text] = ()
) -> np.ndarray:
    """Write ``texts`` at map points ``xy`` and move them apart, off the markers and ``others``.

    Call it last, once the axes have their final limits and aspect. Where
    adjustText leaves a label on a more important one or on one of ``others``,
    it is moved to a free spot nearby, or else left out with its leader
    line, so no two labels ever overlap.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The map, its limits and aspect final.
    xy : numpy.ndarray
        Shape ``(n, 2)``: the labelled events, map coordinates, most important first.
    texts : list of str
        One label per row of ``xy``.
    avoid : numpy.ndarray
        Shape ``(m, 2)``: every marker on the map, labelled or not.
    others : sequence of matplotlib.text.Text
        Texts already on the map (site names), which the labels must not cover.

    Returns
    -------
    numpy.ndarray
        Positions (into ``texts``) of the labels kept, in order.
    """
    labels = [
        ax.text(
            x,
            y,
            text,
            fontsize=7,
            ha="left",
            va="bottom",
            zorder=12,
            path_effects=HALO,
            gid="event-label",
        )
        for (x, y), text in zip(xy, texts, strict=True)
    ]
    if not labels:
        return np.arange(0)
    # adjustText loads pyplot, so it is imported only when a figure names events
    from adjustText import adjust_text

    ax.apply_aspect()
    near = _markers_near(avoid, xy, ax)
    _, leaders = adjust_text(
        labels,
        x=near[:, 0],
        y=near[:, 1],
        objects=list(others) or None,
        ax=ax,
        expand=(1.15, 1.3),
        ensure_inside_axes=True,
        iter_lim=80,  # not a time limit: the same labels wherever and however fast it runs
        arrowprops={"arrowstyle": "-", "color": "#555555", "linewidth": 0.5},
    )
    return _settle(ax, labels, xy, leaders, others)


#: Most markers a label is pushed away from: adjustText's cost grows with the square of the
#: label-marker pairs that overlap along x and along y (1,500 markers took 40 s for 14 labels).
MAX_AVOIDED = 400
#: Markers within one cell of this many screen pixels are one obstacle to a label.
MARKER_CELL_PX = 4.0


def _markers_near(avoid: np.ndarray, xy: np.ndarray, ax: Axes) -> np.ndarray:
    """Keep the markers a label could land on: one per small screen cell, nearest the labels.

    Markers on the same :data:`MARKER_CELL_PX` cell are one obstacle (ACLED
    gives many events one point per place); of those, at most
    :data:`MAX_AVOIDED`, within 15 % of the map's extent of a label, are kept:
    with 50,000 events, pushing every label off every marker took minutes.
    """
    avoid = np.asarray(avoid, dtype="float64").reshape(-1, 2)
    if len(avoid) <= MAX_AVOIDED:
        return avoid
    cells = np.floor(ax.transData.transform(avoid) / MARKER_CELL_PX)
    finite = np.isfinite(cells).all(axis=1)
    _, first = np.unique(cells[finite], axis=0, return_index=True)
    avoid = avoid[finite][np.sort(first)]
    if len(avoid) <= MAX_AVOIDED:
        return avoid
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    reach = 0.15 * max(abs(x1 - x0), abs(y1 - y0))
    gap = np.full(len(avoid), np.inf)
    for x, y in np.asarray(xy, dtype="float64").reshape(-1, 2):
        gap = np.minimum(gap, np.hypot(avoid[:, 0] - x, avoid[:, 1] - y))
    order = np.argsort(gap, kind="stable")[:MAX_AVOIDED]
    return avoid[order[gap[order] <= reach]]


def _settle(
    ax: Axes, labels: list[Text], xy: np.ndarray, leaders: list, others: Sequence[Text]
) -> np.ndarray:
    """Free each label from the ones before it and from ``others``, or remove it; those kept.

    A label adjustText left on another is tried at nearby spots (up to about
    a label's width aside and its height above or below); if none inside the
    map is free, it is removed with its leader line.
    """
    from adjustText import get_renderer  # the renderer adjustText measured with

    renderer = get_renderer(ax.figure)
    taken = [other.get_window_extent(renderer) for other in others]
    frame = ax.get_window_extent(renderer)
    kept = []
    for i, label in enumerate(labels):
        leader = next((a for a in leaders if getattr(a, "patchA", None) is label), None)
        box = _free_spot(ax, label, renderer, taken, frame)
        if box is not None and leader is not None:
            leader.set_positions(label.get_position(), tuple(xy[i]))
        if box is None:
            label.remove()
            if leader is not None:
                leader.remove()
            continue
        kept.append(i)
        taken.append(box)
    return np.array(kept, dtype="int64")


#: Where a label still on another is tried, in its own widths and heights, nearest first.
_NUDGES = sorted(
    ((dx, dy) for dx in (0.0, 0.6, -0.6, 1.1, -1.1) for dy in (0.0, 0.55, -0.55, 1.1, -1.1, 1.65)),
    key=lambda d: d[0] ** 2 + d[1] ** 2,
)


def _free_spot(ax: Axes, label: Text, renderer, taken: list, frame):
    """Move ``label`` to the nearest free spot around it; its box, or None."""
    box = label.get_window_extent(renderer)
    start = ax.transData.transform(label.get_position())
    for dx, dy in _NUDGES:
        shift = np.array([dx * box.width, dy * box.height])
        moved = box.translated(*shift)
        inside = frame.x0 <= moved.x0 and moved.x1 <= frame.x1
        inside &= frame.y0 <= moved.y0 and moved.y1 <= frame.y1
        if inside and not any(moved.overlaps(other) for other in taken):
            if dx or dy:
                label.set_position(ax.transData.inverted().transform(start + shift))
            return moved
    return None


#: Where a site's name may sit, in points from its mark, in order of preference.
SITE_OFFSETS = (
    (6, 3, "left", "bottom"),
    (-6, 3, "right", "bottom"),
    (6, -3, "left", "top"),
    (-6, -3, "right", "top"),
    (0, 7, "center", "bottom"),
    (0, -7, "center", "top"),
)


def spread_site_labels(ax: Axes, labels: Sequence[Text]) -> None:
    """Move each site name to the first side of its mark where it covers no earlier one.

    Call it once the axes have their final limits. Names are offset
    annotations (:data:`SITE_OFFSETS` in points); a name with no free side
    keeps the first.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    labels : sequence of matplotlib.text.Annotation
        The site names, most important first.
    """
    renderer = _renderer(ax)
    taken = []
    for label in labels:
        for dx, dy, ha, va in (*SITE_OFFSETS, SITE_OFFSETS[0]):
            label.xyann = (dx, dy)
            label.set_horizontalalignment(ha)
            label.set_verticalalignment(va)
            box = label.get_window_extent(renderer)
            if not any(box.overlaps(other) for other in taken):
                break
        taken.append(box)


def drop_covered(ax: Axes, names: Sequence[Text], above: Sequence[Text] = ()) -> list[Text]:
    """Remove each area name that covers an earlier one, or one of ``above``; those kept.

    Country names come before province names in ``names``, so a province
    name under a country name ("Nakhon Ratchasima" under THAILAND) is the one
    left out.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Its limits final.
    names : sequence of matplotlib.text.Text
        Area names, most important first.
    above : sequence of matplotlib.text.Text
        Texts that always stay (site names).

    Returns
    -------
    list of matplotlib.text.Text
    """
    renderer = _renderer(ax)
    taken = [t.get_window_extent(renderer) for t in above]
    kept = []
    for name in names:
        box = name.get_window_extent(renderer)
        if any(box.overlaps(other) for other in taken):
            name.remove()
            continue
        taken.append(box)
        kept.append(name)
    return kept


def _renderer(ax: Axes):
    figure = ax.figure
    get = getattr(figure.canvas, "get_renderer", None)
    return get() if get is not None else figure._get_renderer()
