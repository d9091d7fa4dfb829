"""Static publication figures: a conformal map fitted to the theatre, PNG or SVG.

- :mod:`geo.figure.draw` composes the figure from an analysed frame and its
  theatre (:func:`plot`);
- :mod:`geo.figure.output` writes it as PNG or SVG (:func:`save_figure`);
- :mod:`geo.figure.parts` draws its pieces (scale bar, north arrow, inset, legends);
- :mod:`geo.figure.markers` draws the events, and names the most important
  ones chosen and placed by :mod:`geo.figure.labels` (adjustText);
- :mod:`geo.figure.credits` credits the layers and the user's events;
- :mod:`geo.figure.cartography` fits the projection and measures on the ellipsoid.
"""

from __future__ import annotations

from geo._lazy import lazy_module

_NAMES = {
    "FORMATS": "geo.figure.output",
    "PlotInfo": "geo.figure.draw",
    "figure_format": "geo.figure.output",
    "plot": "geo.figure.draw",
    "save_figure": "geo.figure.output",
}
__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_module(
    __name__, _NAMES, ["cartography", "credits", "draw", "labels", "markers", "output", "parts"]
)
