"""Custom branca/folium elements of the bordermap map, by concern.

Each element keeps its markup in a class-level Jinja ``_template``. Text that
came from data arrives here already escaped (:mod:`geo.mapping.features`) or
is escaped in ``__init__``; scripts receive data only through ``|tojson``.
Elements that load libraries name them through :mod:`geo.mapping.assets`.

- :mod:`~geo.mapping.elements.page`: page CSS, panes, title, vector and blank layers;
- :mod:`~geo.mapping.elements.events`: the event table, markers, heatmap, timed shapes;
- :mod:`~geo.mapping.elements.controls`: day slider, legend, minimap, full screen, measuring;
- :mod:`~geo.mapping.elements.webgl`: every event as a WebGL point (large maps).

The page keeps a small namespace ``window.bm``: ``bm.events`` (the event
table), ``bm.eventsReady`` (a promise of it), ``bm.popup(i)``, ``bm.timed``
(functions called with a day index by the time slider), ``bm.setDay(i)`` and
``bm.ready`` (true once every layer
has been added, for tests and benchmarks).
"""

from __future__ import annotations

from geo.mapping.elements.controls import (
    DaySlider,
    Fullscreen,
    Legend,
    MeasureControl,
    VectorMiniMap,
)
from geo.mapping.elements.events import EventData, EventMarkers, HeatLayer, TimedShapes
from geo.mapping.elements.page import PANES, BlankBase, MapSetup, Title, VectorLayer
from geo.mapping.elements.webgl import WebGLEvents

__all__ = [
    "PANES",
    "BlankBase",
    "DaySlider",
    "EventData",
    "EventMarkers",
    "Fullscreen",
    "HeatLayer",
    "Legend",
    "MapSetup",
    "MeasureControl",
    "TimedShapes",
    "Title",
    "VectorLayer",
    "VectorMiniMap",
    "WebGLEvents",
]
