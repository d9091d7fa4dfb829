"""bordermap: geodesic analysis and mapping of conflict events along borders.

The public surface is small; every name is importable from ``geo`` directly:

- layer loaders: :func:`countries`, :func:`border`, :func:`borders`,
  :func:`provinces`, :func:`places`, :func:`seed_events` (the same as
  ``geo.layers.events``; ``geo.events`` is the event-file module);
- :func:`read_events` reads an ACLED, UCDP, GeoParquet or plain CSV event file;
- :func:`geocode` / :func:`place` resolve place names offline;
- :func:`analyze` computes proximity (distance, nearest border point, side,
  province, zone) for every event;
- :func:`render_map` builds the interactive folium map;
- :func:`export_gpkg` writes the styled, validated GeoPackage;
- :func:`plot` draws a static publication figure.

Heavy modules load on first use, so ``import geo`` stays quick.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "countries": "geo.layers",
    "border": "geo.layers",
    "borders": "geo.layers",
    "provinces": "geo.layers",
    "places": "geo.layers",
    "seed_events": ("geo.layers", "events"),
    "read_events": "geo.events",
    "geocode": "geo.gazetteer",
    "place": "geo.gazetteer",
    "analyze": "geo.proximity",
    "render_map": "geo.mapping",
    "export_gpkg": "geo.export",
    "plot": "geo.figure",
}

__all__ = ["__version__", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        target = _LAZY[name]
        module, attr = target if isinstance(target, tuple) else (target, name)
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'geo' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
