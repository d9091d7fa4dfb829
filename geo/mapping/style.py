"""Colours, sizes and thresholds of the map, in one place.

Examples
--------
>>> radius_px([0, 4, 100]).tolist()
[4.0, 9.0, 22.0]
>>> hex_colour("#A1b2C3")
'#a1b2c3'
"""

from __future__ import annotations

import re

import numpy as np
from numpy.typing import ArrayLike

from geo.errors import InputError

__all__ = [
    "ATTACKER_COLOURS",
    "BACKGROUND",
    "BORDER_COLOUR",
    "CLUSTER_ABOVE",
    "COUNTRY_FILL",
    "LABELS_UP_TO",
    "OTHER_COLOUR",
    "PALETTE",
    "RADIUS_PX",
    "SIZE_SAMPLES",
    "ZONE_FAR",
    "ZONE_NEAR",
    "hex_colour",
    "radius_px",
    "zone_ramp",
]

# Shown where no tile loads, so the vector layers alone still read as a map.
BACKGROUND = "#d3dbe3"
COUNTRY_FILL = {"pair": "#f6f3ec", "other": "#e8e5de"}
BORDER_COLOUR = "#1d1d1d"
# Nearest band darkest; one ramp for both sides (tooltips name the side).
ZONE_NEAR, ZONE_FAR = "#4a3b78", "#ddd6ee"
# Attackers that are states in the theatre keep a fixed colour across maps.
ATTACKER_COLOURS = {"IRN": "#d62728", "PAK": "#1668b0"}
PALETTE = ("#2a9d3a", "#e07b00", "#8c564b", "#c4469c", "#12a3b4", "#6b6b00")
OTHER_COLOUR = "#7f7f7f"
SIZE_SAMPLES = (0, 10, 50, 100)
# Above this many events markers cluster and a heatmap layer appears.
CLUSTER_ABOVE = 1000
# Distances and strike depths are written on the map for up to this many
# events; beyond, they show on hover, or the labels would bury the map.
LABELS_UP_TO = 50

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


# Marker radius in px = min(BASE + SCALE * sqrt(fatalities), MAX); the page
# applies the same formula to the fatalities it receives.
RADIUS_PX = (4.0, 2.5, 22.0)


def radius_px(fatalities: ArrayLike) -> np.ndarray:
    """Marker radius in pixels: area grows with fatalities, from 4 px up to 22 px.

    Parameters
    ----------
    fatalities : array_like
        Counts; NaN and negatives draw as zero.

    Returns
    -------
    numpy.ndarray
    """
    f = np.nan_to_num(np.asarray(fatalities, dtype="float64"), nan=0.0).clip(min=0)
    base, scale, top = RADIUS_PX
    return np.minimum(base + scale * np.sqrt(f), top).round(1)


def hex_colour(value: str) -> str:
    """Return ``value`` lower-cased if it is ``#rrggbb``; raise otherwise.

    Raises
    ------
    InputError
        For anything else, so no text reaches a style attribute unchecked.
    """
    if not isinstance(value, str) or not _HEX.match(value):
        raise InputError("map style", None, "colour", f"not a #rrggbb colour: {value!r}")
    return value.lower()


def zone_ramp(n: int) -> list[str]:
    """``n`` colours from :data:`ZONE_NEAR` (nearest band) to :data:`ZONE_FAR`.

    Examples
    --------
    >>> zone_ramp(3)
    ['#4a3b78', '#9488b3', '#ddd6ee']
    >>> zone_ramp(1)
    ['#4a3b78']
    """
    near = np.array([int(ZONE_NEAR[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
    far = np.array([int(ZONE_FAR[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
    steps = np.linspace(0.0, 1.0, n) if n > 1 else np.zeros(1)
    return ["#" + "".join(f"{round(v):02x}" for v in near + (far - near) * t) for t in steps[:n]]
