"""Events drawn with WebGL (Leaflet.glify) for maps of many events.

One vertex buffer holds every event: its position, colour, size and day.
The day slider only changes a shader uniform, so filtering by day never
rebuilds or re-uploads the points. Clicks are matched on the CPU against the
same typed arrays (the nearest shown point under the pointer) and open the
popup that :class:`~geo.mapping.elements.EventData` builds for small maps.
"""

from __future__ import annotations

from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template

from geo.mapping import assets

__all__ = ["WebGLEvents"]

# A point's day is compared with the slider's on the GPU; hidden points are
# moved outside the clip volume. Points are a quarter of their size at low
# zoom (a dense cloud reads better, and software renderers fill fewer pixels)
# and full size from zoom 9; never under 3 px.
VERTEX_SHADER = """
uniform mat4 matrix;
uniform float uDay;
uniform float uScale;
attribute vec4 vertex;
attribute vec4 color;
attribute float pointSize;
attribute float day;
varying vec4 _color;
varying float _size;
void main() {
  _size = max(3.0, pointSize * uScale);
  gl_PointSize = _size;
  gl_Position = matrix * vertex;
  if (day > uDay) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); }
  _color = color;
}
"""
# A filled disc with a thin white ring (from 8 px), like the markers of small maps.
FRAGMENT_SHADER = """
precision mediump float;
varying vec4 _color;
varying float _size;
void main() {
  float d = length(gl_PointCoord - vec2(0.5)) * 2.0;
  if (d > 1.0) { discard; }
  float ring = _size < 8.0 ? 2.0 : 1.0 - 2.0 / _size;
  gl_FragColor = d > ring ? vec4(1.0, 1.0, 1.0, 0.85) : _color;
}
"""


class WebGLEvents(JSCSSMixin, Layer):
    """Every event as a WebGL point: coloured by attacker, sized by fatalities.

    Needs the packed table of :class:`~geo.mapping.elements.EventData`
    (``bm.eventsReady``); the layer is empty until it is decoded, and
    ``bm.ready`` waits for the first frame.

    Parameters
    ----------
    name : str
        Name in the layer control.
    opacity : float
        Fill opacity of the points.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
          var bm = window.bm, map = {{ this._parent.get_name() }};
          var points = null, radius = null, wx = null, wy = null;
          // the layer control's handle: it shows or hides glify's own canvas layer
          var group = new (L.Layer.extend({
            onAdd: function (m) {
              if (points && !m.hasLayer(points.layer)) { m.addLayer(points.layer); }
            },
            onRemove: function (m) { if (points) { m.removeLayer(points.layer); } }
          }))();
          bm.pending = (bm.pending || 0) + 1;
          function zoomScale() {
            return Math.min(1, Math.max(0.25, Math.pow(2, map.getZoom() - 9)));
          }
          // rows come in drawing order: at zoom z the first lod[ceil(z)] cover every cell
          function drawn() {
            var lod = bm.events.lod, z = Math.ceil(map.getZoom());
            return lod[Math.max(0, Math.min(z, lod.length - 1))];
          }
          function pixels(i) { return Math.max(3, (2 * radius[i] + 2) * zoomScale()) / 2; }
          function dayLimit() { return (bm.day === null || bm.day === undefined) ? 1e9 : bm.day; }
          function rgb(hex) {
            return [1, 3, 5].map(function (k) { return parseInt(hex.substr(k, 2), 16) / 255; });
          }
          class BmPoints extends L.glify.Points {
            resetVertices() {
              var P = bm.events, n = P.lat.length, c = this.mapCenterPixels;
              var colours = P.colours.map(rgb), v = new Float32Array(n * 8);
              var s = P.size, R = Math.PI / 180, MAX = 85.0511287798;
              radius = new Float32Array(n); wx = new Float64Array(n); wy = new Float64Array(n);
              for (var i = 0; i < n; i++) {
                var lat = Math.max(Math.min(P.lat[i], MAX), -MAX), f = P.fatalities[i];
                var x = 256 * (0.5 + P.lon[i] / 360);
                var y = 256 * (0.5 - Math.log(Math.tan(Math.PI / 4 + lat * R / 2)) / (2 * Math.PI));
                if (!(isFinite(x) && isFinite(y))) { x = y = NaN; }
                wx[i] = x; wy[i] = y;
                radius[i] = Math.min(s[0] + s[1] * Math.sqrt(f > 0 ? f : 0), s[2]);
                var rgbi = colours[P.colour[i]], k = i * 8;
                v[k] = isNaN(x) ? -1e9 : x - c.x; v[k + 1] = isNaN(y) ? -1e9 : y - c.y;
                v[k + 2] = rgbi[0]; v[k + 3] = rgbi[1]; v[k + 4] = rgbi[2];
                v[k + 5] = {{ this.opacity|tojson }};
                v[k + 6] = 2 * radius[i] + 2;
                v[k + 7] = P.day[i] < 0 ? -1 : P.day[i];
              }
              this.bytes = 8;
              this.vertices = v;
              this.latLngLookup = {};
              this.allLatLngLookup = {length: n};
              return this;
            }
            drawOnCanvas(e) {
              var gl = this.gl;
              if (!gl || !this.program) { return this; }  // called once before setup
              gl.useProgram(this.program);
              gl.uniform1f(this.getUniformLocation('uDay'), dayLimit());
              gl.uniform1f(this.getUniformLocation('uScale'), zoomScale());
              this.allLatLngLookup = {length: drawn()};
              return super.drawOnCanvas(e);
            }
          }
          function visibleCount(day) {
            var P = bm.events, n = 0, limit = (day === null || day === undefined) ? 1e9 : day;
            for (var i = 0; i < P.day.length; i++) { if (P.day[i] <= limit) { n += 1; } }
            return n;
          }
          bm.timed.push(function (day) {
            if (!points) { return; }
            bm.visible = visibleCount(day);
            points.layer.redraw();
          });
          bm.eventsReady.then(function () {
            points = new BmPoints({
              map: map, data: [], pane: 'bm-points', className: 'bm-webgl',
              vertexShaderSource: {{ this.vertex_shader|tojson }},
              fragmentShaderSource: {{ this.fragment_shader|tojson }},
              shaderVariables: {
                vertex: {type: 'FLOAT', start: 0, size: 2},
                color: {type: 'FLOAT', start: 2, size: 4},
                pointSize: {type: 'FLOAT', start: 6, size: 1},
                day: {type: 'FLOAT', start: 7, size: 1}
              }
            });
            // glify puts its canvas on the map: keep it there only if the layer is on
            if (!map.hasLayer(group)) { map.removeLayer(points.layer); }
            bm.webgl = points;
            if (bm.showDay && bm.day !== null && bm.day !== undefined) { bm.showDay(bm.day); }
            else { bm.visible = visibleCount(bm.day); }
            points.layer.redraw(function () {
              requestAnimationFrame(function () {
                bm.pending -= 1;
                if (bm.checkReady) { bm.checkReady(); }
              });
            });
          });
          // the nearest shown point under the pointer, on the CPU: no picking pass
          bm.pickEvent = function (latlng) {
            if (!points || !map.hasLayer(group)) { return -1; }
            var P = bm.events, c = map.project(latlng, 0), zoom = Math.pow(2, map.getZoom());
            var limit = dayLimit(), best = -1, bestD = Infinity;
            for (var i = 0, n = drawn(); i < n; i++) {
              if (P.day[i] > limit) { continue; }
              var dx = (wx[i] - c.x) * zoom, dy = (wy[i] - c.y) * zoom, d = dx * dx + dy * dy;
              var r = pixels(i) + 2;
              if (d <= r * r && d <= bestD) { best = i; bestD = d; }
            }
            return best;
          };
          bm.openEventPopup = function (i) {
            var P = bm.events;
            L.popup({maxWidth: 360, offset: [0, -pixels(i)]})
              .setLatLng([P.lat[i], P.lon[i]]).setContent(bm.popup(i)).openOn(map);
          };
          map.on('click', function (e) {
            var i = bm.pickEvent(e.latlng);
            if (i >= 0) { bm.openEventPopup(i); }
          });
          return group;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, name: str, *, opacity: float = 0.85) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "WebGLEvents"
        self.opacity = float(opacity)
        self.vertex_shader = VERTEX_SHADER
        self.fragment_shader = FRAGMENT_SHADER
        self.default_js = assets.links("glify_js")
        self.default_css = []
