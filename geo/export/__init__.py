"""GIS outputs: the styled GeoPackage, its QGIS styles and provenance metadata.

- :mod:`geo.export.gpkg` writes the layers (:func:`export_gpkg`, :func:`export_events`);
- :mod:`geo.export.styles` builds the default QGIS styles from :mod:`geo.style`;
- :mod:`geo.export.qml` renders QML and SLD documents;
- :mod:`geo.export.metadata` reads and writes ``layer_styles`` and ``gpkg_metadata``.
"""

from __future__ import annotations

from geo._lazy import lazy_module

_NAMES = {
    **dict.fromkeys(
        ("LAYER_NAMES", "build_layers", "export_events", "export_gpkg"), "geo.export.gpkg"
    ),
    **dict.fromkeys(("read_provenance", "read_styles"), "geo.export.metadata"),
}
__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_module(__name__, _NAMES, ["gpkg", "metadata", "qml", "styles"])
