"""Maps of many events: the packed table, the drawing order, WebGL in Chromium, and SRI."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import geo.layers as layers
from geo.mapping import assets, features, lod, packed, save_map, style
from geo.mapping.offline import external_resources
from geo.proximity import analyze

from .mapbrowser import browser_page, open_map, synthetic_events
from .test_mapping import PAYLOADS, THEATRE, draw, hostile_events, page


@pytest.fixture
def webgl_from_4(monkeypatch):
    """Draw every map of more than 4 events with WebGL, so the seed events qualify."""
    monkeypatch.setattr(style, "WEBGL_ABOVE", 4)


def test_pack_arrays_round_trip_keeps_types_and_values():
    rng = np.random.default_rng(1)
    columns = {
        "a": rng.integers(0, 255, 7).astype("uint8"),
        "b": rng.integers(-5, 5, 5).astype("int64"),
        "c": rng.normal(size=3),
        "d": rng.integers(0, 70000, 9).astype("uint32"),
    }
    head, blob = packed.pack_arrays(columns)
    assert [h["type"] for h in head] == ["u1", "i4", "f4", "u4"]
    assert all(h["offset"] % 4 == 0 for h in head)  # typed-array views need alignment
    out = packed.unpack_arrays(head, blob)
    for key, values in columns.items():
        np.testing.assert_allclose(out[key], values, rtol=1e-6)


@pytest.mark.parametrize("slices", [1, 2, 3, 7])
def test_gzip_slices_make_one_gzip_file_that_any_reader_opens(tmp_path, slices):
    import gzip
    import subprocess
    import zlib

    rng = np.random.default_rng(slices)
    data = rng.integers(0, 50, 300_001).astype("<i4").tobytes()  # not a multiple of anything
    blob = packed.gzip_slices(data, slices=slices)
    assert gzip.decompress(blob) == data
    # one member, read by zlib's own gzip mode too (it stops at the first member's end)
    assert zlib.decompress(blob, 16 + zlib.MAX_WBITS) == data
    (tmp_path / "b.gz").write_bytes(blob)
    assert subprocess.run(["gzip", "-t", str(tmp_path / "b.gz")]).returncode == 0
    assert len(blob) < 1.01 * len(gzip.compress(data, compresslevel=1)) + 64


def test_pack_events_keeps_each_row_together_in_drawing_order():
    analyzed = analyze(synthetic_events(400, seed=3), THEATRE)
    columns = features.event_columns(
        analyzed, pair_label="IRN-PAK", countries=THEATRE.countries, details=False
    )
    header, blob = packed.pack_events(columns)
    arrays = packed.unpack_arrays(header["packed"]["columns"], blob)
    lat = arrays["lat"] * packed.COORD_SCALE
    titles = np.asarray(header["text_tables"]["title"])[arrays["text.title"]]
    original = pd.DataFrame(
        {
            "lat": np.round(columns["lat"], 5),
            "title": np.asarray(columns["text"]["title"][1])[columns["text"]["title"][0]],
        }
    )
    shipped = pd.DataFrame({"lat": np.round(lat, 5), "title": titles})
    key = ["lat", "title"]
    pd.testing.assert_frame_equal(
        original.sort_values(key, ignore_index=True), shipped.sort_values(key, ignore_index=True)
    )
    # strikes: the incursion travels with its row, in tenths of a km (missing elsewhere)
    strikes = np.flatnonzero(np.isfinite(columns["incursion_km"]))
    before = {
        (round(columns["lat"][r], 5), round(columns["lon"][r], 5)): columns["incursion_km"][r]
        for r in strikes
    }
    lon = arrays["lon"] * packed.COORD_SCALE
    depth = arrays["incursion_km"]
    after = {
        (round(lat[r], 5), round(lon[r], 5)): round(depth[r] * packed.DISTANCE_SCALE, 1)
        for r in np.flatnonzero(depth != packed.MISSING)
    }
    assert before and after == before
    assert "incursion_km" not in header
    assert header["lod"][-1] == len(analyzed)
    assert header["lod"] == sorted(header["lod"])
    assert "legend" not in header


def test_draw_order_prefix_covers_every_cell_with_its_earliest_event():
    rng = np.random.default_rng(7)
    n = 5000
    lat, lon = rng.uniform(25, 31, n), rng.uniform(58, 66, n)
    day = rng.integers(-1, 50, n)
    order, counts = lod.draw_order(lat, lon, day)
    assert sorted(order.tolist()) == list(range(n))
    x, y = lod.mercator_pixels(lat, lon)
    for zoom in (3, 6, 9):
        scale = 2.0**zoom / lod.CELL_PX
        cell = pd.Series(list(zip(np.floor(x * scale), np.floor(y * scale), strict=True)))
        prefix = order[: counts[zoom]]
        assert set(cell[prefix]) == set(cell)  # every occupied cell is drawn
        # and by its earliest event, so a day filter never empties a covered cell
        earliest = pd.Series(day).groupby(cell).min()
        assert (pd.Series(day[prefix], index=cell[prefix]).groupby(level=0).min() == earliest).all()
    assert counts[3] < counts[9] < n


def test_large_map_ships_a_packed_table_and_webgl(webgl_from_4):
    html = page(draw(offline=True))
    assert "glify_js" in html and "bm.unpack(" in html
    assert "var P = bm.events =" not in html  # no JSON table
    assert "markercluster" not in html
    blob = re.search(r'bm\.unpack\(\{.*?\}, "([A-Za-z0-9+/=]+)"\)', html).group(1)
    raw = base64.b64decode(blob)
    assert raw[:2] == b"\x1f\x8b"  # gzip
    assert external_resources(html) == []


def test_small_map_keeps_the_json_table():
    html = page(draw())
    assert "var P = bm.events =" in html and "bm.unpack(" not in html


def test_online_map_pins_every_cdn_file_with_sri(webgl_from_4):
    for html in (
        page(draw()),
        page(draw(synthetic_events(30))),
    ):
        links = re.findall(r"<(?:script|link)\b[^>]*(?:src|href)=\"https?://[^>]*>", html)
        assert len(links) >= 6
        by_url = {assets.url(a.name): a.name for a in assets.ASSETS}
        for tag in links:
            url = re.search(r'(?:src|href)="([^"]+)"', tag).group(1)
            sri = re.search(r'integrity="sha384-([^"]+)"', tag).group(1)
            local = assets.path(by_url[url]).read_bytes()
            assert base64.b64decode(sri) == hashlib.sha384(local).digest(), url
            assert 'crossorigin="anonymous"' in tag
    assert "glify-browser.js" in html  # the WebGL map's extra script is pinned too


def test_sri_follows_the_bytes_of_the_pinned_file():
    data = assets.path("glify_js").read_bytes()
    assert (
        hashlib.sha256(data).hexdigest()
        == assets.checksums()["leaflet.glify-3.3.1/dist/glify-browser.js"]
    )
    assert (
        assets.integrity("glify_js")
        == "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()
    )


def _event_screen_points(page_) -> list:
    return page_.evaluate(
        """() => { var P = bm.events, out = [];
        for (var i = 0; i < P.lat.length; i++) {
          var p = bm.map.latLngToContainerPoint([P.lat[i], P.lon[i]]);
          out.push([i, p.x, p.y, bm.events.text.title[1][bm.events.text.title[0][i]], P.day[i]]);
        } return out; }"""
    )


def _gap(hex_: str, rgb: tuple) -> int:
    return sum(abs(int(hex_[k : k + 2], 16) - c) for k, c in zip((1, 3, 5), rgb, strict=True))


def _inside(point, size) -> bool:
    return 60 < point[1] < size["width"] - 300 and 80 < point[2] < size["height"] - 120


@pytest.mark.browser
@pytest.mark.slow
def test_click_on_a_webgl_point_opens_its_popup(webgl_from_4, tmp_path):
    path = save_map(draw(offline=True), tmp_path / "webgl.html")
    with browser_page(offline=True) as page_:
        open_map(page_, path)
        assert page_.evaluate("bm.webgl.gl instanceof WebGL2RenderingContext")
        assert page_.evaluate("document.querySelectorAll('path.bm-event').length") == 0
        assert page_.evaluate("document.querySelectorAll('canvas.bm-webgl').length") == 1
        seen = 0
        size = page_.viewport_size
        for i, _x, _y, title, _day in _event_screen_points(page_):
            # an open popup may cover the next point, and opening one pans the map
            page_.evaluate("bm.map.closePopup()")
            _, x, y, _, _ = _event_screen_points(page_)[i]
            if not _inside((i, x, y), size) or not title:
                continue
            page_.mouse.click(x, y)
            page_.wait_for_timeout(150)
            popup = page_.locator(".leaflet-popup-content").last.inner_text()
            assert popup.splitlines()[0] == title, (title, popup)
            assert "Fatalities" in popup
            seen += 1
        assert seen >= 2
        assert page_.page_errors == [] and page_.console_errors == []


@pytest.mark.browser
@pytest.mark.slow
def test_webgl_popups_give_each_strike_its_incursion(webgl_from_4, tmp_path):
    want = sorted(analyze(layers.events(), THEATRE)["incursion_km"].dropna().round(1))
    path = save_map(draw(offline=True), tmp_path / "strikes.html")
    with browser_page(offline=True) as page_:
        open_map(page_, path)
        got = page_.evaluate(
            r"""() => {
              var P = bm.events, out = [], none = 0;
              for (var i = 0; i < P.incursion_km.length; i++) {
                var m = bm.popup(i).match(/Incursion<\/th><td>([0-9.]+) km inside [A-Z]{3}/);
                if (isNaN(P.incursion_km[i])) { none += m ? 0 : 1; continue; }
                out.push(m ? parseFloat(m[1]) : -1);
              }
              return {depths: out, none: none, rows: P.incursion_km.length};
            }"""
        )
    assert want and sorted(got["depths"]) == want
    assert got["none"] == got["rows"] - len(want)  # no Incursion row for any other event


@pytest.mark.browser
@pytest.mark.slow
def test_webgl_points_are_drawn_in_attacker_colours(webgl_from_4, tmp_path):
    path = save_map(draw(offline=True), tmp_path / "webgl.html")
    checked = 0
    with browser_page(offline=True) as page_:
        open_map(page_, path)
        palette = page_.evaluate("bm.events.colours")
        for i, _x, _y, _title, _day in _event_screen_points(page_):
            page_.evaluate(
                f"bm.map.setView([bm.events.lat[{i}], bm.events.lon[{i}]], 10, {{animate: false}})"
            )
            page_.wait_for_timeout(300)
            centre = page_.evaluate("[bm.map.getSize().x / 2, bm.map.getSize().y / 2]")
            if page_.evaluate(f"bm.pickEvent(bm.map.containerPointToLatLng({centre}))") != i:
                continue  # another event on top
            png = tmp_path / f"shot{i}.png"
            page_.screenshot(path=str(png))
            want = page_.evaluate(f"bm.events.colours[bm.events.colour[{i}]]")
            got = Image.open(png).convert("RGB").getpixel((round(centre[0]), round(centre[1])))
            assert min(palette, key=lambda h, got=got: _gap(h, got)) == want, (i, got, want)
            checked += 1
    assert checked >= 3


@pytest.mark.browser
@pytest.mark.slow
def test_day_slider_filters_webgl_points_without_reupload(webgl_from_4, tmp_path):
    path = save_map(draw(offline=True), tmp_path / "webgl.html")
    with browser_page(offline=True) as page_:
        open_map(page_, path)
        page_.evaluate(
            """() => { var gl = bm.webgl.gl, up = gl.bufferData.bind(gl);
            window.uploads = 0;
            gl.bufferData = function () { window.uploads++; up.apply(null, arguments); }; }"""
        )
        points = [p for p in _event_screen_points(page_) if _inside(p, page_.viewport_size)]
        page_.evaluate("bm.showDay(0)")
        page_.wait_for_timeout(200)
        on_day_0 = page_.evaluate("Array.from(bm.events.day).filter(d => d <= 0).length")
        assert page_.evaluate("bm.visible") == on_day_0 < len(layers.events())
        for i, x, y, _title, day in points:
            picked = page_.evaluate(f"bm.pickEvent(bm.map.containerPointToLatLng([{x}, {y}]))")
            assert (picked >= 0) == (day <= 0), (i, day, picked)
        page_.evaluate("bm.showDay(bm.events.days.length - 1)")
        assert page_.evaluate("bm.visible") == len(layers.events())
        assert page_.evaluate("window.uploads") == 0
        assert page_.page_errors == []


@pytest.mark.browser
@pytest.mark.slow
def test_injection_payloads_stay_inert_in_the_webgl_popups(webgl_from_4, tmp_path):
    events = hostile_events()
    events.loc[0, "location"] = '<img src=x onerror="window.pwned=1">'
    events["admin1"] = PAYLOADS[3]
    path = save_map(draw(events, title="<b>x</b>", offline=True), tmp_path / "hostile.html")
    texts = []
    with browser_page(offline=True) as page_:
        open_map(page_, path)
        for i in range(len(events)):
            page_.evaluate(f"bm.openEventPopup({i})")
            page_.wait_for_timeout(100)
            texts.append(page_.locator(".leaflet-popup-content").last.inner_text())
        assert page_.evaluate("window.pwned") is None
        assert page_.page_errors == []
        assert page_.evaluate("document.querySelectorAll('.leaflet-popup-content img').length") == 0
    shown = "\n".join(texts)
    for payload in PAYLOADS:
        assert payload in shown, payload
    assert '<img src=x onerror="window.pwned=1">' in shown
    assert f"Stated province\t{PAYLOADS[3]}" in shown  # the input's admin1, untouched


def test_popup_rows_use_computed_attacker_and_province():
    analyzed = analyze(layers.events(), THEATRE)
    payload = features.event_payload(
        analyzed, pair_label="IRN-PAK", names=THEATRE.names, countries=THEATRE.countries
    )
    fields = dict(payload["fields"])
    assert fields["attacker"] == "Attacker" and fields["admin1"] == "Stated province"
    codes, table = payload["text"]["attacker"]
    shown = [table[c] for c in codes]
    expected = [
        "" if pd.isna(a) else f"{THEATRE.names.get(a, a)} ({b})"
        for a, b in zip(analyzed["attacker"], analyzed["attacker_basis"], strict=True)
    ]
    assert shown == expected
    codes, table = payload["text"]["province"]
    assert [table[c] for c in codes] == analyzed["province"].fillna("").tolist()


def test_colours_follow_the_computed_attacker_not_actor1():
    analyzed = analyze(layers.events(), THEATRE)
    analyzed["actor1"] = "Someone else entirely"
    codes, rows = features.attacker_legend(analyzed, THEATRE.names, THEATRE.countries)
    labels = [rows[c][0] for c in codes]
    for label, attacker in zip(labels, analyzed["attacker"], strict=True):
        if pd.isna(attacker):
            assert label == features.NO_ATTACKER
        else:
            assert label.startswith(THEATRE.names.get(attacker, attacker))


def test_readme_large_map_screenshot_is_committed():
    assert Path(__file__).parents[1].joinpath("docs", "map-1m.png").stat().st_size > 50_000


def _cdn_from_disk(tamper: str | None):
    """Route handler: pinned CDN files from layers/assets (CORS like jsDelivr), one altered."""
    by_url = {assets.url(a.name): a.name for a in assets.ASSETS}

    def route(r):
        name = by_url.get(r.request.url)
        if r.request.url.startswith("file:"):
            return r.continue_()
        if name is None:
            return r.abort()
        body = assets.path(name).read_bytes() + (b"\n/* x */" if name == tamper else b"")
        kind = "text/javascript" if name.endswith("_js") else "text/css"
        return r.fulfill(body=body, content_type=kind, headers={"Access-Control-Allow-Origin": "*"})

    return route


@pytest.mark.browser
@pytest.mark.slow
def test_browser_runs_cdn_files_only_with_their_pinned_bytes(tmp_path):
    path = save_map(draw(), tmp_path / "online.html")
    with browser_page(offline=False) as page_:
        page_.context.route("**/*", _cdn_from_disk(None))
        open_map(page_, path)
        assert page_.evaluate("L.version") == "1.9.4"
    with browser_page(offline=False) as page_:
        page_.context.route("**/*", _cdn_from_disk("leaflet_js"))
        page_.goto(path.resolve().as_uri())
        page_.wait_for_timeout(1500)
        assert page_.evaluate("typeof window.L") == "undefined"  # refused: digest differs
        assert any("integrity" in e for e in page_.console_errors), page_.console_errors
