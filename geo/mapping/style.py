"""Sizes, thresholds and colour checks of the interactive map.

Colours come from :mod:`geo.style`, the one palette the map shares with the
figure and the QGIS styles; only what is particular to the web map lives here.

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
from geo.style import FATALITY_SAMPLES

__all__ = [
    "CLUSTER_ABOVE",
    "LABELS_UP_TO",
    "RADIUS_PX",
    "SIZE_SAMPLES",
    "WEBGL_ABOVE",
    "hex_colour",
    "radius_px",
]

#: Tolls the legend shows (the last reads "50+": markers stop growing there).
SIZE_SAMPLES = FATALITY_SAMPLES
# Above this many events markers cluster and a heatmap layer appears.
CLUSTER_ABOVE = 1000
# Above this many events they are drawn as WebGL points from a packed table
# (the heatmap stays as the overview layer) instead of clustered markers.
WEBGL_ABOVE = 20_000
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

    Parameters
    ----------
    value : str
        A colour about to reach a style attribute.

    Returns
    -------
    str

    Raises
    ------
    InputError
        For anything else, so no text reaches a style attribute unchecked.
    """
    if not isinstance(value, str) or not _HEX.match(value):
        raise InputError("map style", None, "colour", f"not a #rrggbb colour: {value!r}")
    return value.lower()
