"""The map in a real browser: headless Chromium with every network request blocked."""

from __future__ import annotations

import pytest
from PIL import Image

import geo.layers as layers
from geo.mapping import save_map, style
from geo.style import BACKGROUND, NO_ATTACKER_LABEL

from .mapbrowser import browser_page, open_map, synthetic_events, write_readme_screenshot
from .test_mapping import IRN_PAK_KM, PAYLOADS, draw, hostile_events

# every test starts Chromium; those over 3 s are also marked slow
pytestmark = pytest.mark.browser

EVENT_COUNT = "document.querySelectorAll('path.bm-event').length"


@pytest.fixture(scope="module")
def seed_map(tmp_path_factory):
    path = tmp_path_factory.mktemp("maps") / "seed.html"
    save_map(draw(offline=True), path)
    return path


@pytest.fixture(scope="module")
def hostile_map(tmp_path_factory):
    path = tmp_path_factory.mktemp("maps") / "hostile.html"
    events = hostile_events()
    events.loc[0, "location"] = '<img src=x onerror="window.pwned=1">'
    save_map(draw(events, title="<script>window.pwned=2</script>", offline=True), path)
    return path


@pytest.mark.slow
def test_offline_map_loads_with_no_network(seed_map):
    with browser_page(offline=True) as page:
        open_map(page, seed_map)
        assert page.evaluate("typeof window.L") == "object"
        assert page.evaluate("L.version") == "1.9.4"
        names = page.evaluate(
            "Array.from(document.querySelectorAll('.leaflet-control-layers label span'))"
            ".map(s => s.textContent.trim())"
        )
        for name in (
            "Countries",
            "Provinces",
            "Distance zones",
            f"IRN\u2013PAK border ({IRN_PAK_KM:.0f} km)",
            "Events",
            "Location uncertainty",
            "Distance to border",
            "Cross-border strikes",
            "Named sites",
            "No tiles (vector basemap)",
        ):
            assert name in names, (name, names)
        assert page.evaluate(EVENT_COUNT) == 6
        for control in (
            ".bm-legend",
            ".bm-slider",
            ".leaflet-control-scale",
            ".leaflet-control-measure",
            ".leaflet-control-minimap",
            ".leaflet-control-zoom-fullscreen",
        ):
            assert page.locator(control).count() == 1, control
        assert page.console_errors == [] and page.page_errors == []
        assert page.blocked == []  # nothing even tried the network


def _click_event(page, location: str) -> str:
    point = page.evaluate(
        """(name) => {
          var P = bm.events, t = P.text.title;
          var m = bm.markers.find(m => t[1][t[0][m.bmIndex]] === name);
          var p = bm.map.latLngToContainerPoint(m.getLatLng());
          var box = bm.map.getContainer().getBoundingClientRect();
          return [box.left + p.x, box.top + p.y];
        }""",
        location,
    )
    page.mouse.click(*point)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    return popup.inner_text()


def test_clicking_an_event_opens_its_popup(seed_map):
    with browser_page(offline=True) as page:
        open_map(page, seed_map)
        text = _click_event(page, "Saravan")
        for expected in (
            "Saravan",
            "2024-01-18",
            "Military Forces of Pakistan",
            "Air/drone strike",
            "Fatalities\t9",
            "Sistan and Baluchestan, IRN",
            "45.4 km (location \u00b1 25 km)",
            # 45.4 km ± 25 km lies in no single band: the zone names its span
            "Zone\tspans bands (10\u2013100 km)",
            "Attacker\tPakistan (stated)",
            "45.4 km inside IRN",
            "Operation Marg Bar Sarmachar",
        ):
            assert expected in text, (expected, text)
        assert page.console_errors == [] and page.page_errors == []


@pytest.mark.slow
@pytest.mark.slow
def test_an_unknown_toll_reads_unknown_not_zero(tmp_path):
    events = layers.events()
    events["fatalities"] = events["fatalities"].astype("Float64")
    events.loc[events["location"] == "Saravan", "fatalities"] = None
    path = tmp_path / "unknown.html"
    save_map(draw(events, offline=True), path)
    with browser_page(offline=True) as page:
        open_map(page, path)
        assert "Fatalities\tunknown" in _click_event(page, "Saravan")  # known: 9, above


def test_time_slider_plays_day_by_day(seed_map):
    set_day = """(i) => { var s = document.querySelector('.bm-slider input');
                   s.value = i; s.dispatchEvent(new Event('input')); }"""
    # labels fade out over 200 ms before they leave the page
    strikes = """new Promise(done => setTimeout(
                   () => done(document.querySelectorAll('.bm-strike').length), 300))"""
    label = ".bm-slider .bm-day"
    with browser_page(offline=True) as page:
        open_map(page, seed_map)
        assert page.evaluate(EVENT_COUNT) == 6 and page.evaluate(strikes) == 2
        page.evaluate(set_day, 0)
        assert page.evaluate(EVENT_COUNT) == 1  # Kerman, 3 January
        assert page.inner_text(label) == "Events to 2024-01-03 (1)"
        page.evaluate(set_day, 1)
        assert page.evaluate(EVENT_COUNT) == 3 and page.evaluate(strikes) == 0  # Erbil, Idlib
        page.evaluate(set_day, 2)
        assert page.evaluate(EVENT_COUNT) == 4 and page.evaluate(strikes) == 1  # Panjgur
        page.evaluate(set_day, 3)
        assert page.evaluate(EVENT_COUNT) == 6 and page.evaluate(strikes) == 2  # Saravan
        assert page.inner_text(label) == "All events to 2024-01-18 (6)"
        page.click(".bm-slider button")  # play restarts from the first day
        assert page.evaluate("document.querySelector('.bm-slider input').value") == "0"
        page.wait_for_function(
            "document.querySelector('.bm-slider input').value === '1'", timeout=5000
        )
        assert page.evaluate(EVENT_COUNT) == 3
        assert page.console_errors == [] and page.page_errors == []


@pytest.mark.slow
def test_injection_payloads_stay_inert_and_show_literally(hostile_map):
    with browser_page(offline=True) as page:
        open_map(page, hostile_map)
        page.wait_for_timeout(300)
        texts = []
        for i in range(6):
            page.evaluate(f"bm.openPopup(bm.markers[{i}])")
            page.wait_for_timeout(350)  # the previous popup fades out
            texts.append(page.locator(".leaflet-popup-content").last.inner_text())
        page.hover(".bm-legend")
        legend = page.inner_text(".bm-legend")
        title = page.inner_text(".bm-title")
        assert page.evaluate("window.pwned") is None
        assert page.page_errors == []  # no alert() dialog, no script error
        assert (
            page.evaluate(
                "document.querySelectorAll('.leaflet-popup-content img,"
                " .leaflet-popup-content script,"
                " .bm-legend img, .bm-title script, .leaflet-tooltip img').length"
            )
            == 0
        )
        shown = "\n".join(texts)
        for payload in PAYLOADS:
            assert payload in shown, payload
        assert '<img src=x onerror="window.pwned=1">' in shown
        assert "<img src=x onerror=alert('col')>" in shown  # the hostile column name
        assert title.startswith("<script>window.pwned=2</script>")
        # the legend names attackers (the computed ISO3), never the hostile actor1
        assert NO_ATTACKER_LABEL in legend and PAYLOADS[0] not in legend


@pytest.mark.slow
def test_screenshot_shows_the_border(tmp_path):
    png = tmp_path / "map.png"
    points = write_readme_screenshot(png)
    assert len(points) >= 10
    image = Image.open(png).convert("RGB")
    background = tuple(int(BACKGROUND[i : i + 2], 16) for i in (1, 3, 5))
    dark = 0
    for x, y in points:
        window = [
            image.getpixel((x + dx, y + dy)) for dx in (-2, -1, 0, 1, 2) for dy in (-2, -1, 0, 1, 2)
        ]
        assert any(p != background for p in window)
        dark += any(sum(p) < 200 for p in window)  # the near-black border line
    assert dark >= 0.8 * len(points)
    colours = image.getcolors(maxcolors=1 << 20)
    assert len(colours) > 50  # not a blank page


@pytest.mark.slow
def test_tiles_blocked_vector_geography_remains(seed_map):
    with browser_page(offline=True) as page:
        open_map(page, seed_map)
        page.hover(".leaflet-control-layers")
        page.get_by_text("Map tiles (Esri gray canvas)").click()
        page.wait_for_timeout(800)
        assert any("arcgisonline" in url for url in page.blocked)
        assert (
            page.evaluate("document.querySelectorAll('.leaflet-bm-countries-pane path').length")
            >= 5
        )
        assert page.evaluate(EVENT_COUNT) == 6
        assert page.page_errors == []


@pytest.mark.slow
def test_many_events_cluster_and_stay_usable(tmp_path):
    path = tmp_path / "many.html"
    save_map(draw(synthetic_events(style.CLUSTER_ABOVE * 2), offline=True), path)
    with browser_page(offline=True) as page:
        open_map(page, path)
        assert page.evaluate("bm.visible") == style.CLUSTER_ABOVE * 2
        assert page.locator(".marker-cluster").count() > 10
        assert page.evaluate("typeof L.heatLayer") == "function"
        assert page.console_errors == [] and page.page_errors == []
    assert len(layers.events()) == 6  # the seed layer is untouched
