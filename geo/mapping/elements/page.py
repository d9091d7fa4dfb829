"""The page itself: CSS, drawing panes and first view, the title, vector and blank layers.

Add :class:`MapSetup` first: it creates the panes and the ``window.bm``
namespace every other element uses.
"""

from __future__ import annotations

from pathlib import Path

from branca.element import MacroElement
from folium.map import Layer
from folium.template import Template

from geo.mapping.style import hex_colour
from geo.mapping.text import html_text
from geo.style import BACKGROUND

__all__ = ["PANES", "BlankBase", "MapSetup", "Title", "VectorLayer"]

_CSS = (Path(__file__).parent.parent / "map.css").read_text(encoding="utf-8")
PANES = {
    "bm-countries": 300,
    "bm-zones": 320,
    "bm-provinces": 340,
    "bm-points": 400,
    "bm-lines": 405,
    "bm-border": 410,
    "bm-uncertainty": 430,
    "bm-events": 450,
    "bm-sites": 445,
}


class MapSetup(MacroElement):
    """Page CSS, the drawing panes and the data attribution; add it first.

    Parameters
    ----------
    attribution : str
        Plain text credit for the embedded layers (escaped here).
    background : str
        ``#rrggbb`` shown where no tile or country is drawn.
    canvas : bool
        Draw all vector layers on one shared canvas (large maps); else SVG.
    bounds : list
        ``[[south, west], [north, east]]`` of the first view.
    padding : pair of (x, y)
        Pixels kept free at the top left and bottom right (title, legend).
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>:root { --bm-background: {{ this.background }}; }
{{ this.css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
          var map = {{ this._parent.get_name() }};
          var panes = {{ this.panes|tojson }};
          Object.keys(panes).forEach(function (name) {
            map.createPane(name).style.zIndex = panes[name];
          });
          map.attributionControl.addAttribution({{ this.attribution|tojson }});
          // no animation: the first view is final when the page reports ready
          map.fitBounds({{ this.bounds|tojson }}, {
            paddingTopLeft: {{ this.padding[0]|tojson }},
            paddingBottomRight: {{ this.padding[1]|tojson }},
            animate: false
          });
          window.bm = window.bm || {};
          window.bm.timed = window.bm.timed || [];
          window.bm.map = map;
          // Large maps draw every vector on one canvas: fast, and one canvas
          // cannot hide the hover targets of another layer beneath it.
          window.bm.canvas = {{ this.canvas|tojson }} ? L.canvas({padding: 0.3}) : null;
          window.bm.opts = function (pane) {
            return window.bm.canvas ? {pane: pane, renderer: window.bm.canvas} : {pane: pane};
          };
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        attribution: str,
        background: str = BACKGROUND,
        *,
        canvas: bool = False,
        bounds: list[list[float]],
        padding: tuple[tuple[int, int], tuple[int, int]] = ((0, 0), (0, 0)),
    ) -> None:
        super().__init__()
        self._name = "MapSetup"
        self.canvas = bool(canvas)
        self.bounds = [[float(v) for v in corner] for corner in bounds]
        self.padding = [[int(v) for v in corner] for corner in padding]
        self.background = hex_colour(background)
        self.css = _CSS
        self.panes = PANES
        self.attribution = str(html_text(attribution))


class Title(MacroElement):
    """A centred title box with an optional subtitle.

    Parameters
    ----------
    title, subtitle : str
        Raw text, escaped here.
    """

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <div class="bm-title">{{ this.title }}{% if this.subtitle -%}
          <small>{{ this.subtitle }}</small>{%- endif %}</div>
        {% endmacro %}
        """
    )

    def __init__(self, title: str, subtitle: str = "") -> None:
        super().__init__()
        self._name = "Title"
        self.title = html_text(title)
        self.subtitle = html_text(subtitle)


class VectorLayer(Layer):
    """A GeoJSON layer whose features carry an escaped ``tip`` and a ``style``.

    Parameters
    ----------
    data : dict
        FeatureCollection; ``properties`` hold ``tip`` (escaped HTML) and
        ``style`` (Leaflet path options built from checked colours).
    name : str
        Name in the layer control.
    pane : str
        One of :data:`PANES`.
    halo : dict, optional
        Path options of a wider line drawn underneath (for the border).
    sticky : bool
        Tooltips follow the pointer (areas) or sit on the feature (lines).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
          var data = {{ this.data|tojson }};
          {% if this.halo %}
          // created first: a group draws its members in creation order
          var halo = L.geoJSON(data, Object.assign(window.bm.opts({{ this.pane|tojson }}), {
            interactive: false, style: {{ this.halo|tojson }}}));
          {% endif %}
          var layer = L.geoJSON(data, Object.assign(window.bm.opts({{ this.pane|tojson }}), {
            style: function (f) { return f.properties.style; },
            onEachFeature: function (f, l) {
              if (f.properties.tip) {
                l.bindTooltip(f.properties.tip, {sticky: {{ this.sticky|tojson }}});
              }
            }
          }));
          {% if this.halo %}
          return L.featureGroup([halo, layer]);
          {% else %}
          return layer;
          {% endif %}
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        data: dict,
        name: str,
        *,
        pane: str,
        halo: dict | None = None,
        sticky: bool = True,
        show: bool = True,
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "VectorLayer"
        self.data, self.pane, self.halo, self.sticky = data, pane, halo, sticky


class BlankBase(Layer):
    """An empty base layer: choosing it switches tiles off.

    Parameters
    ----------
    name : str
        Name in the layer control.
    show : bool
        Start with it chosen (offline maps).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.layerGroup();
        {% endmacro %}
        """
    )

    def __init__(self, name: str, *, show: bool = False) -> None:
        super().__init__(name=name, overlay=False, control=True, show=show)
        self._name = "BlankBase"
