"""The event layers: the shared event table and popups, markers, heatmap and timed shapes.

:class:`EventData` puts the table in ``window.bm.events`` once; the other
layers draw from it and register with ``bm.timed`` so the day slider can
show them day by day.
"""

from __future__ import annotations

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template
from markupsafe import Markup

from geo.mapping import assets
from geo.mapping.text import script_json

__all__ = ["HEAT_POINTS", "EventData", "EventMarkers", "HeatLayer", "TimedShapes"]

#: Most points the heatmap gathers; larger tables are sampled evenly.
HEAT_POINTS = 200_000


class EventData(MacroElement):
    """The event table (escaped, columnar) and the popup builder ``bm.popup(i)``.

    Small tables are JSON; large ones arrive as a packed block
    (:func:`geo.mapping.packed.pack_events`) that the page decodes with the
    browser's ``DecompressionStream`` into typed arrays of the same shape.
    Either way ``bm.eventsReady`` is a promise of ``bm.events``.

    Parameters
    ----------
    payload : dict
        Output of :func:`geo.mapping.features.event_payload`, or the header
        of :func:`geo.mapping.packed.pack_events` when ``blob`` is given.
    blob : str, optional
        The packed block (base64 of gzip).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var bm = window.bm;
          function text(key, i) {
            var c = bm.events.text[key];
            return c ? c[1][c[0][i]] : '';
          }
          bm.date = function (i) {
            var P = bm.events;
            return P.day[i] >= 0 ? P.days[P.day[i]] : '';
          };
          function num(v, digits) {
            return (v === null || v === undefined || isNaN(v)) ? '' : v.toFixed(digits);
          }
          bm.popup = function (i) {
            var P = bm.events, rows = [];
            function row(label, value) {
              if (value !== '') {
                rows.push('<tr><th>' + label + '</th><td>' + value + '</td></tr>');
              }
            }
            var fields = {};
            P.fields.forEach(function (f) { fields[f[0]] = f[1]; });
            ['sub_event_type', 'actor1', 'actor2', 'attacker'].forEach(function (k) {
              if (fields[k]) { row(fields[k], text(k, i)); }
            });
            row('Fatalities', num(P.fatalities[i], 0) || 'unknown');  // blank is not 0
            var province = text('province', i), side = text('side', i);
            row('Province', province + (side ? (province ? ', ' : '') + side : ''));
            if (fields.admin1) { row(fields.admin1, text('admin1', i)); }
            var uc = P.uncertainty_km, d = num(P.distance_km[i], 1), u = num(uc[1][uc[0][i]], 0);
            var where = u ? ' (location \u00b1 ' + u + ' km)' : '';
            row('To ' + P.pair + ' border', d ? d + ' km' + where : text('distance_range', i));
            row('Zone', text('zone', i));
            var inc = num(P.incursion_km[i], 1);  // strikes only: NaN or no key otherwise
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
          {% if this.blob %}
          // base64 -> gzip -> one ArrayBuffer; typed-array views, no copies
          bm.unpack = function (H, b64) {
            var bytes;
            if (Uint8Array.fromBase64) { bytes = Uint8Array.fromBase64(b64); }
            else {
              var bin = atob(b64);
              bytes = new Uint8Array(bin.length);
              for (var b = 0; b < bin.length; b++) { bytes[b] = bin.charCodeAt(b); }
            }
            var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
            return new Response(stream).arrayBuffer().then(function (buf) {
              var K = H.packed, cols = {}, P = Object.assign({}, H);
              var kinds = {u1: Uint8Array, u2: Uint16Array, u4: Uint32Array,
                           i4: Int32Array, f4: Float32Array};
              K.columns.forEach(function (c) {
                cols[c.key] = new kinds[c.type](buf, c.offset, c.length);
              });
              function scaled(key) {
                var raw = cols[key], s = K.scales[key], out = new Float64Array(raw.length);
                for (var i = 0; i < raw.length; i++) {
                  out[i] = raw[i] === K.missing ? NaN : raw[i] * s;
                }
                return out;
              }
              P.lat = scaled('lat'); P.lon = scaled('lon'); P.distance_km = scaled('distance_km');
              P.incursion_km = scaled('incursion_km');
              P.colour = cols.colour; P.day = cols.day; P.fatalities = cols.fatalities;
              P.uncertainty_km = [cols.uncertainty_km, H.uncertainty_table];
              P.text = {};
              Object.keys(H.text_tables).forEach(function (key) {
                P.text[key] = [cols['text.' + key], H.text_tables[key]];
              });
              return P;
            });
          };
          bm.pending = (bm.pending || 0) + 1;
          bm.eventsReady = bm.unpack({{ this.payload_json }}, {{ this.blob }}).then(function (P) {
            bm.events = P;
            bm.pending -= 1;
            if (bm.checkReady) { bm.checkReady(); }
            return P;
          });
          {% else %}
          var P = bm.events = {{ this.payload_json }};
          bm.eventsReady = Promise.resolve(bm.events);
          {% endif %}
        })();
        {% endmacro %}
        """
    )

    def __init__(self, payload: dict, blob: str | None = None) -> None:
        super().__init__()
        self._name = "EventData"
        self._payload_json = script_json({k: v for k, v in payload.items() if k != "legend"})
        self.payload_json = self._payload_json
        self._blob = script_json(blob) if blob is not None else None
        self.blob = self._blob

    def render(self, **kwargs) -> None:
        """Render; a page that can attach large literals gets them as tokens.

        branca compiles each element's rendered script as a template again:
        the text tables (one note per event) and the block would be lexed
        by Jinja, megabytes at a time, for nothing.
        """
        attach = getattr(self.get_root(), "attach", None)
        if attach is not None:
            self.payload_json = Markup(attach(self._payload_json))
            if self._blob is not None:
                self.blob = Markup(attach(self._blob))
        super().render(**kwargs)


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
    """Event density from the shared event table, weighted by 1 + fatalities.

    The points are gathered only while the layer is on the map (and again
    when the day changes); above :data:`HEAT_POINTS` events an even sample
    stands for the rest, with its weights scaled up.

    Parameters
    ----------
    name : str
        Name in the layer control.
    show : bool
        Start with the layer on.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
          var bm = window.bm;
          var heat = L.heatLayer([], {radius: 14, blur: 16, maxZoom: 9, minOpacity: 0.25});
          function fill() {
            var P = bm.events;
            if (!heat._map || !P) { return; }
            var step = Math.max(1, Math.ceil(P.lat.length / {{ this.max_points }})), pts = [];
            for (var i = 0; i < P.lat.length; i += step) {
              if (P.lat[i] !== null && !isNaN(P.lat[i]) && bm.shows(P.day[i], bm.day)) {
                pts.push([P.lat[i], P.lon[i], step * (1 + Math.min(P.fatalities[i] || 0, 20) / 4)]);
              }
            }
            heat.setLatLngs(pts);
          }
          heat.on('add', function () { bm.eventsReady.then(fill); });
          bm.timed.push(fill);
          return heat;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, name: str, *, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "HeatLayer"
        self.max_points = HEAT_POINTS
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
