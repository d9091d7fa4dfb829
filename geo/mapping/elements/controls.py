"""Controls over the map: day slider, legend, vector minimap, full screen and measuring."""

from __future__ import annotations

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template
from markupsafe import Markup

from geo.mapping import assets
from geo.mapping.style import hex_colour
from geo.mapping.text import html_text
from geo.style import BORDER_COLOUR

__all__ = ["DaySlider", "Fullscreen", "Legend", "MeasureControl", "VectorMiniMap"]


class DaySlider(MacroElement):
    """Play the events day by day: a play button, a range input and the day shown.

    Add it last: it applies the final day (every event) and sets ``bm.ready``.

    Parameters
    ----------
    days : list of str
        The distinct days, sorted (:func:`geo.mapping.features.day_index`).
    interval_ms : int
        Time each day is shown while playing.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var bm = window.bm, map = {{ this._parent.get_name() }}, days = {{ this.days|tojson }};
          bm.loaded = false;
          bm.pending = bm.pending || 0;
          bm.checkReady = function () {
            if (bm.loaded && bm.pending === 0 && !bm.ready) {
              bm.ready = true;
              bm.readyAt = performance.now();
            }
          };
          if (!days.length) { bm.setDay(null); bm.loaded = true; bm.checkReady(); return; }
          var last = days.length - 1, timer = null;
          var ctl = L.control({position: 'bottomleft'});
          ctl.onAdd = function () {
            var div = L.DomUtil.create('div', 'bm-slider leaflet-bar');
            var button = L.DomUtil.create('button', 'bm-play', div);
            button.type = 'button';
            button.title = 'Play the events day by day';
            button.textContent = '\u25b6';
            var input = L.DomUtil.create('input', 'bm-range', div);
            input.type = 'range';
            input.min = 0; input.max = last; input.step = 1; input.value = last;
            input.setAttribute('aria-label', 'Day shown');
            L.DomUtil.create('span', 'bm-day', div);
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
          };
          ctl.addTo(map);
          var box = ctl.getContainer(), input = box.querySelector('input'),
              label = box.querySelector('.bm-day'),
              button = box.querySelector('button');
          function show(i) {
            input.value = i;
            bm.setDay(i);
            var prefix = i === last ? 'All events to ' : 'Events to ';
            label.textContent = prefix + days[i] + ' (' + bm.visible + ')';
          }
          function stop() {
            if (timer) { clearInterval(timer); timer = null; }
            button.textContent = '\u25b6';
          }
          input.addEventListener('input', function () { stop(); show(parseInt(input.value, 10)); });
          button.addEventListener('click', function () {
            if (timer) { stop(); return; }
            var i = parseInt(input.value, 10) >= last ? 0 : parseInt(input.value, 10) + 1;
            show(i);
            button.textContent = '\u275a\u275a';
            timer = setInterval(function () {
              if (parseInt(input.value, 10) >= last) { stop(); return; }
              show(parseInt(input.value, 10) + 1);
            }, {{ this.interval_ms|tojson }});
          });
          bm.showDay = show;
          show(last);
          bm.loaded = true;
          bm.checkReady();
        })();
        {% endmacro %}
        """
    )

    def __init__(self, days: list[str], interval_ms: int = 1200) -> None:
        super().__init__()
        self._name = "DaySlider"
        self.days = [str(d) for d in days]
        self.interval_ms = int(interval_ms)


class Legend(MacroElement):
    """Categorical legend: attacker colours, fatality sizes and the map's symbols.

    Parameters
    ----------
    attackers : list of (str, str)
        Raw label (escaped here) and ``#rrggbb`` colour.
    sizes : list of (str, float)
        Label of a toll (such as ``"50+"``) and its marker radius in pixels.
    zones : list of (str, str)
        Raw zone label and colour.
    pair_label : str
        Border name: the pair's ISO3 codes joined by an en dash, or the line's name.
    symbols : bool
        Show the per-event symbols (uncertainty, distance line, strike arrow),
        which large maps leave out.
    """

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <div id="{{ this.get_name() }}" class="bm-legend">
          <h4>Attacker</h4>
          {% for label, colour in this.attackers %}
          <div class="row"><i class="sw dot"
            style="width:12px;height:12px;background:{{ colour }}"></i>
            {{- label }}</div>
          {% endfor %}
          <h4>Fatalities</h4>
          <div class="sizes">{% for n, r in this.sizes %}
            <span><i class="sw dot"
              style="width:{{ 2 * r }}px;height:{{ 2 * r }}px;background:#8a8a8a"></i>{{ n }}</span>
          {% endfor %}</div>
          <h4>Map</h4>
          <div class="row"><svg class="sw" width="26" height="10">
            <line x1="0" y1="5" x2="26" y2="5" stroke="#fff" stroke-width="6"/>
            <line x1="0" y1="5" x2="26" y2="5" stroke="{{ this.border_colour }}"
              stroke-width="2.5"/>
            </svg>{{ this.pair_label }} border</div>
          {% if this.symbols %}
          <div class="row"><svg class="sw" width="26" height="14">
            <circle cx="13" cy="7" r="6" fill="#555" fill-opacity=".12" stroke="#555"
              stroke-dasharray="3 2"/></svg>location uncertainty</div>
          <div class="row"><svg class="sw" width="26" height="10">
            <line x1="0" y1="5" x2="26" y2="5" stroke="#333" stroke-width="1.2"
              stroke-dasharray="4 3"/></svg>distance to border</div>
          <div class="row"><svg class="sw" width="26" height="12">
            <path d="M1 10 Q 12 0 20 6" fill="none" stroke="#555" stroke-width="2.5"/>
            <path d="M25 8 L17 9 L20 3 Z" fill="#555"/></svg>cross-border strike</div>
          {% endif %}
          <div class="row"><svg class="sw" width="26" height="12">
            <rect x="9" y="2" width="8" height="8" fill="#1b1b1b" stroke="#fff"/>
            </svg>named site</div>
          {% if this.zones %}<h4>Distance from border</h4>
          {% for label, colour in this.zones %}
          <div class="row"><i class="sw"
            style="width:18px;height:11px;background:{{ colour }};opacity:.75"></i>{{ label }}</div>
          {% endfor %}{% endif %}
        </div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
          var ctl = L.control({position: 'topright'});
          ctl.onAdd = function () {
            var el = document.getElementById({{ this.get_name()|tojson }});
            L.DomEvent.disableClickPropagation(el);
            L.DomEvent.disableScrollPropagation(el);
            return el;
          };
          ctl.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        attackers: list[tuple[str, str]],
        sizes: list[tuple[int, float]],
        zones: list[tuple[str, str]],
        pair_label: str,
        *,
        symbols: bool = True,
    ) -> None:
        super().__init__()
        self._name = "Legend"
        self.symbols = bool(symbols)
        self.attackers = [(html_text(label), hex_colour(c)) for label, c in attackers]
        self.sizes = [(str(html_text(n)), float(r)) for n, r in sizes]
        self.zones = [(html_text(label), hex_colour(c)) for label, c in zones]
        self.pair_label = html_text(pair_label)
        self.border_colour = Markup(hex_colour(BORDER_COLOUR))


class VectorMiniMap(JSCSSMixin, MacroElement):
    """Leaflet-MiniMap over the country outlines, so it works without tiles.

    Parameters
    ----------
    data : dict
        FeatureCollection whose features carry a Leaflet ``style``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var outline = L.geoJSON({{ this.data|tojson }}, {
            style: function (f) { return f.properties.style; }, interactive: false
          });
          new L.Control.MiniMap(outline, {
            position: 'bottomright', toggleDisplay: true, width: 170, height: 140,
            zoomLevelOffset: -4, aimingRectOptions: {color: '#d62728', weight: 2, fillOpacity: 0.05}
          }).addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, data: dict) -> None:
        super().__init__()
        self._name = "VectorMiniMap"
        self.data = data
        self.default_js = assets.links("minimap_js")
        self.default_css = assets.links("minimap_css")


class Fullscreen(JSCSSMixin, MacroElement):
    """The leaflet.fullscreen button: the map fills the screen and back.

    Parameters
    ----------
    position : str
        Leaflet control corner.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.fullscreen({{ this.options|tojson }}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, position: str = "topleft") -> None:
        super().__init__()
        _pinned_control(self, "Fullscreen", "fullscreen", position)
        self.options.update(title="Full screen", titleCancel="Leave full screen")
        self.options["forceSeparateButton"] = False


class MeasureControl(JSCSSMixin, MacroElement):
    """leaflet-measure in kilometres (and miles, square kilometres): distances and areas.

    Parameters
    ----------
    position : str
        Leaflet control corner.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          // Leaflet 1.8 and later pan to a focused marker: the capture marker
          // covering the map must not make the view jump while measuring
          L.Control.Measure.include({
            _setCaptureMarkerIcon: function () {
              this._captureMarker.options.autoPanOnFocus = false;
              this._captureMarker.setIcon(
                L.divIcon({iconSize: this._map.getSize().multiplyBy(2)}));
            }
          });
          var measure = new L.Control.Measure({{ this.options|tojson }});
          {{ this._parent.get_name() }}.addControl(measure);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, position: str = "topleft") -> None:
        super().__init__()
        _pinned_control(self, "MeasureControl", "measure", position)
        self.options.update(
            {
                "primaryLengthUnit": "kilometers",
                "secondaryLengthUnit": "miles",
                "primaryAreaUnit": "sqkilometers",
            }
        )


def _pinned_control(element: MacroElement, name: str, asset: str, position: str) -> None:
    """Name a Leaflet plugin control, place it, and load its pinned script and style."""
    element._name = name
    element.options = {"position": position}
    element.default_js = assets.links(f"{asset}_js")
    element.default_css = assets.links(f"{asset}_css")
