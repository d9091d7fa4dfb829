"""Open a bordermap GeoPackage the way an analyst's QGIS does and render it to PNG.

Runs under Debian's /usr/bin/python3 (python3-qgis), not the project venv:

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/qgis_render.py results.gpkg out.png \
        [#rrggbb ...]

Prints one JSON object: per layer whether it is valid, its renderer type and
class attribute, its classes (with their colours), and the default style QGIS
picked from ``layer_styles``; plus pixel statistics of the render, and for
each colour given after the PNG whether the picture holds it. The qgis imports sit
inside main() so that pytest's doctest collection can import this file.
"""

from __future__ import annotations

import json
import sys

LAYERS = ("events", "sites", "nearest_lines", "borders", "zones", "provinces", "countries")


def _describe(layer, context) -> dict:
    renderer = layer.renderer()
    info = {
        "valid": layer.isValid(),
        "features": layer.featureCount(),
        "renderer": renderer.type(),
        "crs": layer.crs().authid(),
    }
    if hasattr(renderer, "classAttribute"):
        info["attr"] = renderer.classAttribute()
    if renderer.type() == "categorizedSymbol":
        cats = renderer.categories()  # keep the list alive while its symbols are used
        info["categories"] = [str(c.value()) for c in cats]
        info["colours"] = [c.symbol().color().name() for c in cats]
        if layer.geometryType() == 0:  # points: markers sized by an expression
            info["size_data_defined"] = all(c.symbol().dataDefinedSize().isActive() for c in cats)
    if renderer.type() == "graduatedSymbol":
        ranges = renderer.ranges()
        info["method"] = int(renderer.graduatedMethod())
        info["ranges"] = [[r.lowerValue(), r.upperValue(), r.label()] for r in ranges]
        point = layer.geometryType() == 0
        info["sizes"] = [round(r.symbol().size(), 2) for r in ranges] if point else []
    count, ids, names, _descs, _err = layer.listStylesInDatabase()
    info["styles"] = names[:count]
    info["style_ids"] = ids[:count]
    del context
    return info


def _has_colour(colours: set[int], hex_: str, tolerance: int = 12) -> bool:
    """Whether a pixel colour lies within ``tolerance`` of ``#rrggbb`` in every channel.

    Examples
    --------
    >>> _has_colour({0xD62728}, "#d42a27"), _has_colour({0x1668B0}, "#d62728")
    (True, False)
    """
    want = [int(hex_.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    return any(
        all(
            abs(((c >> shift) & 255) - w) < tolerance
            for shift, w in zip((16, 8, 0), want, strict=True)
        )
        for c in colours
    )


def main(argv: list[str]) -> int:
    from qgis.core import (
        QgsApplication,
        QgsMapRendererSequentialJob,
        QgsMapSettings,
        QgsRectangle,
        QgsRenderContext,
        QgsVectorLayer,
    )
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor
    from qgis.PyQt.QtXml import QDomDocument

    gpkg, png, wanted = argv[1], argv[2], argv[3:]
    app = QgsApplication([], False)
    app.initQgis()
    layers, report = [], {"layers": {}}
    for name in LAYERS:
        layer = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
        report["layers"][name] = _describe(layer, QgsRenderContext())
        layers.append(layer)
    events = layers[0]
    alt = report["layers"]["events"]["styles"].index("bordermap: events by fatalities")
    alt_layer = QgsVectorLayer(f"{gpkg}|layername=events", "events", "ogr")
    qml, _msg = alt_layer.getStyleFromDatabase(report["layers"]["events"]["style_ids"][alt])
    doc = QDomDocument()
    doc.setContent(qml)
    ok, _msg = alt_layer.importNamedStyle(doc)
    report["events_alternative"] = _describe(alt_layer, QgsRenderContext()) if ok else None

    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(events.crs())
    settings.setExtent(QgsRectangle(58.8, 23.1, 65.4, 31.9))
    settings.setOutputSize(QSize(660, 880))
    settings.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    image.save(png, "PNG")
    colours, painted = set(), 0
    step = 4
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            rgb = image.pixel(x, y) & 0xFFFFFF
            colours.add(rgb)
            painted += rgb != 0xFFFFFF
    samples = len(range(0, image.height(), step)) * len(range(0, image.width(), step))
    report["render"] = {
        "width": image.width(),
        "height": image.height(),
        "painted_fraction": painted / samples,
        "colours": len(colours),
        "has_colour": {hex_: _has_colour(colours, hex_) for hex_ in wanted},
    }
    print(json.dumps(report), flush=True)
    # Layers must go before the application, or QGIS 3.22 crashes on exit.
    del job, settings, events, layers, alt_layer, layer
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
