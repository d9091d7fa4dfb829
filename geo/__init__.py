"""bordermap: geodesic analysis and mapping of conflict events along borders.

The public surface is small; every name is importable from ``geo`` directly:

- layer loaders: :func:`countries`, :func:`border`, :func:`borders`,
  :func:`provinces`, :func:`places`, :func:`seed_events` (the same as
  ``geo.layers.events``; ``geo.io.events`` is the event-file module);
- :func:`read_events` reads an ACLED, UCDP, GeoParquet or plain CSV event file
  (:class:`ReadOptions` holds its options);
- :func:`geocode` / :func:`place` resolve place names offline;
- :class:`Theatre` is a border pair with its zones, sites and bounds, built once;
- :func:`analyze` computes proximity (distance, nearest border point, side,
  province, zone) for every event against a theatre;
- :func:`render_map`, :func:`plot` and :func:`export_gpkg` draw or write an
  analysed frame and its theatre: the interactive map, a static figure, the
  styled GeoPackage.

Data flows one way: read, analyse once, then any number of views::

    theatre = geo.Theatre.from_pair("IRN-PAK")
    analyzed = geo.analyze(geo.read_events("acled.csv").events, theatre)
    geo.render_map(analyzed, theatre)

Every subpackage is an attribute too (``geo.layers.border("IRN", "PAK")``).
Modules load on first use, so ``import geo`` stays quick.
"""

from __future__ import annotations

from geo._lazy import lazy_module

__version__ = "0.1.0"

_NAMES = {
    "countries": "geo.layers",
    "border": "geo.layers",
    "borders": "geo.layers",
    "provinces": "geo.layers",
    "places": "geo.layers",
    "seed_events": "geo.layers:events",
    "read_events": "geo.io.events",
    "ReadOptions": "geo.io.options",
    "Theatre": "geo.theatre",
    "geocode": "geo.gazetteer",
    "place": "geo.gazetteer",
    "analyze": "geo.proximity",
    "render_map": "geo.mapping",
    "export_gpkg": "geo.export.gpkg",
    "plot": "geo.figure.draw",
}
#: Subpackages and modules reachable as attributes: ``geo.layers.border(...)``.
SUBMODULES = (
    "country_codes",
    "dask",
    "errors",
    "export",
    "figure",
    "gazetteer",
    "geodesy",
    "io",
    "layers",
    "mapping",
    "nearest",
    "precision",
    "proximity",
    "raster",
    "style",
    "theatre",
    "zones",
)

__all__ = ["__version__", *sorted(_NAMES)]
__getattr__, __dir__ = lazy_module(__name__, _NAMES, SUBMODULES)
