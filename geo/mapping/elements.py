"""Custom branca/folium elements of the bordermap map.

Each element keeps its markup in a class-level Jinja ``_template``. Text that
came from data arrives here already escaped (:mod:`geo.mapping.features`) or
is escaped in ``__init__``; scripts receive data only through ``|tojson``.
Elements that load libraries name them through :mod:`geo.mapping.assets`.

The page keeps a small namespace ``window.bm``: ``bm.events`` (the event
table), ``bm.popup(i)``, ``bm.timed`` (functions called with a day index by
the time slider), ``bm.setDay(i)`` and ``bm.ready`` (true once every layer
has been added, for tests and benchmarks).
"""

from __future__ import annotations

from pathlib import Path

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template
from markupsafe import Markup

from geo.mapping import assets, style
from geo.mapping.text import html_text, script_json

__all__ = [
    "BlankBase",
    "DaySlider",
    "EventData",
    "EventMarkers",
    "HeatLayer",
    "Legend",
    "MapSetup",
    "TimedShapes",
    "Title",
    "VectorLayer",
    "VectorMiniMap",
]

_CSS = (Path(__file__).with_name("map.css")).read_text(encoding="utf-8")
PANES = {
    "bm-countries": 300,
    "bm-zones": 320,
    "bm-provinces": 340,
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
        background: str = style.BACKGROUND,
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
        self.background = style.hex_colour(background)
        self.css = _CSS
        self.panes = PANES
        self.attribution = str(html_text(attribution))


class Title(MacroElement):
    """A centred title box with an optional subtitle (both escaped)."""

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
    """An empty base layer: choosing it switches tiles off."""

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


class EventData(MacroElement):
    """The event table (escaped, columnar) and the popup builder ``bm.popup(i)``.

    Parameters
    ----------
    payload : dict
        Output of :func:`geo.mapping.features.event_payload`.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var bm = window.bm;
          var P = bm.events = {{ this.payload_json }};
          function text(key, i) { var c = P.text[key]; return c ? c[1][c[0][i]] : ''; }
          bm.date = function (i) { return P.day[i] >= 0 ? P.days[P.day[i]] : ''; };
          function num(v, digits) {
            return (v === null || v === undefined) ? '' : v.toFixed(digits);
          }
          bm.popup = function (i) {
            var rows = [];
            function row(label, value) {
              if (value !== '') {
                rows.push('<tr><th>' + label + '</th><td>' + value + '</td></tr>');
              }
            }
            var fields = {};
            P.fields.forEach(function (f) { fields[f[0]] = f[1]; });
            ['sub_event_type', 'actor1', 'actor2'].forEach(function (k) {
              if (fields[k]) { row(fields[k], text(k, i)); }
            });
            row('Fatalities', num(P.fatalities[i], 0));
            var province = text('admin1', i), side = text('side', i);
            row('Province', province + (side ? (province ? ', ' : '') + side : ''));
            var uc = P.uncertainty_km, d = num(P.distance_km[i], 1), u = num(uc[1][uc[0][i]], 0);
            var where = u ? ' (location \u00b1 ' + u + ' km)' : '';
            row('To ' + P.pair + ' border', d ? d + ' km' + where : '');
            row('Zone', text('zone', i));
            var inc = num(P.incursion_km[i], 1);  // keys are row numbers, strikes only
            row('Incursion', inc ? inc + ' km inside ' + side : '');
            row('Source', text('source', i));
            P.fields.forEach(function (f) {
              if (f[0].indexOf('extra') === 0) { row(f[1], text(f[0], i)); }
            });
            var notes = text('notes', i);
            return '<div class="bm-pop"><div class="t">' + text('title', i) + '</div>' +
              '<div class="d">' + bm.date(i) + '</div><table>' + rows.join('') + '</table>' +
              (notes ? '<p class="n">' + notes + '</p>' : '') + '</div>';
          };
          bm.visible = 0;
          bm.setDay = function (day) {
            bm.day = day;
            bm.timed.forEach(function (apply) { apply(day); });
          };
          bm.shows = function (d, day) {
            return day === null || day === undefined || d < 0 || d <= day;
          };
        })();
        {% endmacro %}
        """
    )

    def __init__(self, payload: dict) -> None:
        super().__init__()
        self._name = "EventData"
        self.payload_json = script_json({k: v for k, v in payload.items() if k != "legend"})


class EventMarkers(JSCSSMixin, Layer):
    """Event circles: plain, or clustered (chunked loading) for large tables.

    Parameters
    ----------
    name : str
        Name in the layer control.
    cluster : bool
        Use Leaflet.markercluster (chunked loading) instead of a plain group.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
          var bm = window.bm, P = bm.events;
          var opts = bm.opts('bm-events');
          var markers = [];
          for (var i = 0; i < P.lat.length; i++) {
            if (P.lat[i] === null || P.lon[i] === null) { continue; }
            var f = Math.max(P.fatalities[i] || 0, 0);
            var m = L.circleMarker([P.lat[i], P.lon[i]], Object.assign({
              radius: Math.min(P.size[0] + P.size[1] * Math.sqrt(f), P.size[2]),
              color: '#ffffff', weight: 1.2,
              fillColor: P.colours[P.colour[i]], fillOpacity: 0.88, className: 'bm-event'
            }, opts));
            m.bmIndex = i;
            {% if not this.cluster %}
            var c = P.text.title;
            m.bindTooltip(c[1][c[0][i]] + ' \u00b7 ' + bm.date(i));
            {% endif %}
            markers.push(m);
          }
          bm.markers = markers;
          // one popup for the layer, filled on click: no Popup object per marker
          bm.openPopup = function (m) {
            L.popup({maxWidth: 360, offset: [0, -m.getRadius()]}).setLatLng(m.getLatLng())
              .setContent(bm.popup(m.bmIndex)).openOn(bm.map);
          };
          {% if this.cluster %}
          bm.pending = (bm.pending || 0);
          var group = L.markerClusterGroup({
            chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 50,
            chunkProgress: function (done, total) { if (done >= total) { bm.clusterDone(); } }
          });
          bm.clusterDone = function () {
            bm.pending = Math.max(0, bm.pending - 1);
            if (bm.checkReady) { bm.checkReady(); }
          };
          bm.timed.push(function (day) {
            var keep = markers.filter(function (m) { return bm.shows(P.day[m.bmIndex], day); });
            bm.visible = keep.length;
            group.clearLayers();
            if (group._map) { bm.pending += 1; }
            group.addLayers(keep);
          });
          {% else %}
          var group = L.featureGroup();
          bm.timed.push(function (day) {
            var n = 0;
            markers.forEach(function (m) {
              var want = bm.shows(P.day[m.bmIndex], day), has = group.hasLayer(m);
              if (want) { n += 1; }
              if (want && !has) { group.addLayer(m); }
              else if (!want && has) { group.removeLayer(m); }
            });
            bm.visible = n;
          });
          {% endif %}
          group.on('click', function (e) { bm.openPopup(e.propagatedFrom || e.layer); });
          return group;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, name: str, *, cluster: bool) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "EventMarkers"
        self.cluster = cluster
        if cluster:
            self.default_js = assets.links("markercluster_js")
            self.default_css = assets.links("markercluster_css", "markercluster_default_css")
        else:
            self.default_js, self.default_css = [], []


class HeatLayer(JSCSSMixin, Layer):
    """Event density from the shared event table, weighted by 1 + fatalities."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
          var bm = window.bm, P = bm.events;
          var heat = L.heatLayer([], {radius: 14, blur: 16, maxZoom: 9, minOpacity: 0.25});
          bm.timed.push(function (day) {
            var pts = [];
            for (var i = 0; i < P.lat.length; i++) {
              if (P.lat[i] !== null && bm.shows(P.day[i], day)) {
                pts.push([P.lat[i], P.lon[i], 1 + Math.min(P.fatalities[i] || 0, 20) / 4]);
              }
            }
            heat.setLatLngs(pts);
          });
          return heat;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, name: str, *, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "HeatLayer"
        self.default_js = assets.links("heat_js")
        self.default_css = []


class TimedShapes(Layer):
    """Shapes and labels that appear with their event's day.

    Parameters
    ----------
    items : list of dict
        Each has ``k``, the kind, and ``d``, the day index (-1: always shown).
        Geometry: ``p`` ([lat, lon] list) for ``"line"`` and ``"polygon"``;
        ``c`` ([lat, lon]) for ``"circle"`` (with ``r`` metres), ``"site"``
        (a square), ``"head"`` (an arrowhead turned ``a`` degrees clockwise
        from east), ``"label"`` (a permanent label) and ``"text"`` (a name on
        the map). ``s`` holds path options (checked colours); ``t`` is escaped
        HTML (tooltip, label or name) and ``label`` the tooltip options.
    name, pane : str
        Layer control name and drawing pane.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
          var bm = window.bm, group = L.featureGroup(), items = {{ this.items|tojson }};
          var made = items.map(function (it) {
            var o = Object.assign(bm.opts({{ this.pane|tojson }}), it.s), l;
            if (it.k === 'circle') { l = L.circle(it.c, Object.assign(o, {radius: it.r})); }
            else if (it.k === 'polygon') { l = L.polygon(it.p, o); }
            else if (it.k === 'label') {
              l = L.tooltip(Object.assign({permanent: true, pane: 'tooltipPane'}, it.label))
                .setLatLng(it.c).setContent(it.t);
              it.t = null;
            }
            else if (it.k === 'head') {
              l = L.marker(it.c, {
                pane: o.pane, interactive: false, keyboard: false, icon: L.divIcon({
                className: 'bm-head', iconSize: [22, 22],
                html: '<svg width="22" height="22" viewBox="-9 -9 18 18">' +
                  '<path d="M8 0 L-7 -6.5 L-3.5 0 L-7 6.5 Z" fill="' + it.s.color + '" ' +
                  'stroke="#fff" stroke-width="1" ' +
                  'transform="rotate(' + Number(it.a) + ')"/></svg>'})});
            }
            else if (it.k === 'text') {
              l = L.marker(it.c, {pane: o.pane, interactive: false, keyboard: false,
                icon: L.divIcon({className: 'bm-country', iconSize: [160, 20], html: it.t})});
              it.t = null;
            }
            else if (it.k === 'site') {
              l = L.marker(it.c, {pane: o.pane, keyboard: false,
                icon: L.divIcon({className: 'bm-site-icon', iconSize: [9, 9]})});
            }
            else { l = L.polyline(it.p, o); }
            if (it.t) { l.bindTooltip(it.t, it.label || {sticky: true}); }
            l.bmDay = it.d;
            return l;
          });
          bm.timed.push(function (day) {
            made.forEach(function (l) {
              var want = bm.shows(l.bmDay, day), has = group.hasLayer(l);
              if (want && !has) { group.addLayer(l); }
              else if (!want && has) { group.removeLayer(l); }
            });
          });
          return group;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, items: list[dict], name: str, *, pane: str, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "TimedShapes"
        self.items, self.pane = items, pane


class DaySlider(MacroElement):
    """Play the events day by day: a play button, a range input and the day shown.

    Add it last: it applies the final day (every event) and sets ``bm.ready``.
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
    sizes : list of (int, float)
        Fatalities and the marker radius in pixels.
    zones : list of (str, str)
        Raw zone label and colour.
    pair_label : str
        Border name, such as ``"IRN-PAK"`` (an en dash in the default map).
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
        self.attackers = [(html_text(label), style.hex_colour(c)) for label, c in attackers]
        self.sizes = [(int(n), float(r)) for n, r in sizes]
        self.zones = [(html_text(label), style.hex_colour(c)) for label, c in zones]
        self.pair_label = html_text(pair_label)
        self.border_colour = Markup(style.hex_colour(style.BORDER_COLOUR))


class VectorMiniMap(JSCSSMixin, MacroElement):
    """Leaflet-MiniMap over the country outlines, so it works without tiles."""

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
