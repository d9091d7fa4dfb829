"""Cross-border strikes drawn as curved arrows from the attacker's side to the target.

Drawing coordinates only: the measurements (``incursion_km``) come from
:func:`geo.proximity.analyze`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import shapely
from markupsafe import Markup

from geo.mapping.features import day_codes
from geo.mapping.text import html_text
from geo.proximity import event_coordinates
from geo.style import attacker_colours

__all__ = ["strike_arrows"]


def strike_arrows(
    analyzed: pd.DataFrame,
    pair: Sequence[str],
    names: dict[str, str] | None = None,
    land: dict | None = None,
) -> list[dict]:
    """Curved arrows for cross-border strikes, from the attacker's side to the target.

    A strike is an event whose ``attacker`` (computed by
    :func:`geo.proximity.analyze`, stated or inferred) is one country of the pair and
    which lies in the other (``side``) with a finite ``incursion_km``. The curve
    starts beyond the nearest border point, on the attacker's side, and bends
    to the event; these are drawing coordinates, not measurements.

    Parameters
    ----------
    analyzed : GeoDataFrame
        Output of :func:`geo.proximity.analyze` for the pair's border.
    pair : sequence of str
        The theatre's two ISO3 codes (:attr:`geo.theatre.Theatre.countries`);
        empty for a user's line, which has no strikes to draw.
    names : dict, optional
        ISO3 code to country name, for labels.
    land : dict, optional
        ISO3 code to country polygon: where given, the start point is moved
        until it lies in the attacker's country (borders bend).

    Returns
    -------
    list of dict
        ``path`` ([lat, lon] pairs), ``head`` (``at`` [lat, lon] and screen
        ``angle`` in degrees clockwise from east), ``label`` (escaped
        HTML), ``day`` index, ``colour``, ``label_at`` (the target) and
        ``label_side`` (``"left"`` or ``"right"``: beyond the target, away from
        the border).
    """
    names = names or {}
    colours = attacker_colours((), pair)  # the pair's colours, as in every output
    needed = {"attacker", "side", "incursion_km", "nearest_lon", "nearest_lat"}
    if not needed <= set(analyzed.columns):
        return []
    frame = analyzed
    attacker = frame["attacker"].astype("object").fillna("").map(str)
    side = frame["side"].astype("object").fillna("").map(str)
    depth = pd.to_numeric(frame["incursion_km"], errors="coerce")
    mask = attacker.isin(pair) & side.isin(pair) & (attacker != side) & depth.notna()
    if not mask.any():
        return []
    days = (
        day_codes(frame["event_date"])[0]
        if "event_date" in frame
        else np.full(len(frame), -1, dtype="int32")
    )[mask.to_numpy()]
    sel = frame[mask]
    tx, ty = event_coordinates(sel)
    nx, ny = sel["nearest_lon"].to_numpy(float), sel["nearest_lat"].to_numpy(float)
    spread = (
        pd.to_numeric(sel["uncertainty_km"], errors="coerce").to_numpy(float)
        if "uncertainty_km" in sel
        else np.full(len(sel), np.nan)
    )
    arrows = []
    for i in range(len(sel)):
        a, s, d = attacker[mask].iloc[i], side[mask].iloc[i], depth[mask].iloc[i]
        start = _start(nx[i], ny[i], tx[i], ty[i], (land or {}).get(a))
        path, head = _curve(start, tx[i], ty[i])
        label = _label(names.get(a, a), names.get(s, s), d, spread[i])
        arrows.append(
            {
                "path": path,
                "head": head,
                "label": str(html_text(label)),
                "label_at": [round(float(ty[i]), 5), round(float(tx[i]), 5)],
                "label_side": "right" if path[0][1] < path[-1][1] else "left",
                "day": int(days[i]),
                "colour": colours[a],
            }
        )
    return arrows


def _label(attacker: str, struck: str, depth: float, spread: float) -> Markup:
    """Name the strike and its depth; add the location's uncertainty when it reaches the border."""
    label = (
        html_text(f"{attacker} strike")
        + Markup("<br>")
        + html_text(f"{depth:.0f} km into {struck}")
    )
    if spread >= depth:  # the event may lie on either side of the border
        label += Markup("<br>") + html_text(f"(location \u00b1{spread:.0f} km)")
    return label


def _start(nx: float, ny: float, tx: float, ty: float, attacker_land) -> tuple[float, float]:
    """Find a start beyond the nearest border point, away from the target, on attacker land."""
    k = math.cos(math.radians(ty))
    dx, dy = (nx - tx) * k, ny - ty  # roughly isotropic units near the target
    length = math.hypot(dx, dy) or 1e-9
    # 60 % of the depth beyond the border, at least ~35 km and at most ~110 km, so a
    # deep strike's arrow still starts near the border and on the map
    back = min(max(0.6 * length, 0.35), 1.0)
    for turn in (0, 30, -30, 60, -60, 90, -90):
        c, s = math.cos(math.radians(turn)), math.sin(math.radians(turn))
        ux, uy = (dx * c - dy * s) / length, (dx * s + dy * c) / length
        for frac in (1.0, 0.6, 0.35):
            sx, sy = nx + ux * back * frac / k, ny + uy * back * frac
            if attacker_land is None or attacker_land.contains(shapely.Point(sx, sy)):
                return sx, sy
    return nx, ny


def _curve(start: tuple[float, float], tx: float, ty: float, steps: int = 24):
    """Quadratic curve from ``start`` (attacker side) towards the target."""
    sx, sy = start
    k = math.cos(math.radians(ty))
    mx, my = (sx + tx) / 2, (sy + ty) / 2
    span = math.hypot((tx - sx) * k, ty - sy)
    # bend to the left of travel by a quarter of the span
    px, py = -(ty - sy) / span, (tx - sx) * k / span
    cx, cy = mx + px * 0.25 * span / k, my + py * 0.25 * span
    # stop short of the target's own marker: about 10 km, or 18 % of a short arrow
    t = np.linspace(0.0, 1.0 - min(0.18, 0.09 / max(span, 1e-9)), steps)
    xs = (1 - t) ** 2 * sx + 2 * (1 - t) * t * cx + t**2 * tx
    ys = (1 - t) ** 2 * sy + 2 * (1 - t) * t * cy + t**2 * ty
    path = [[round(float(y), 5), round(float(x), 5)] for x, y in zip(xs, ys, strict=True)]
    # arrowhead: a fixed-size marker at the tip, turned along the last segment
    # as drawn in Web Mercator (screen angle, clockwise from east)
    merc = np.log(np.tan(np.pi / 4 + np.radians(ys[-2:]) / 2))
    angle = -math.degrees(math.atan2(merc[1] - merc[0], math.radians(xs[-1] - xs[-2])))
    head = {"at": path[-1], "angle": round(angle, 1)}
    return path, head
