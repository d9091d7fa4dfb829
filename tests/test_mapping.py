from __future__ import annotations

import hashlib
import json
import re
from html import unescape

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

import geo.layers as layers
import geo.style
from geo.errors import InputError, LayerError, OutputExistsError, ParameterError, SourceError
from geo.mapping import assets, features, render_map, save_map, strikes, style
from geo.mapping.offline import external_resources, inline_assets
from geo.mapping.text import html_text, script_json
from geo.proximity import analyze
from geo.theatre import Theatre

from .mapbrowser import synthetic_events

PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "`${alert(1)}` and backticks ``",
    "{{ 7*7 }}",
    "${alert(1)}",
    "</script><script>alert(2)</script>",
)
HOSTILE_COLUMN = "<img src=x onerror=alert('col')>"

IRN_PAK_KM = Theatre.from_pair("IRN-PAK").length_km


THEATRE = Theatre.from_pair()


def draw(events: gpd.GeoDataFrame | None = None, theatre: Theatre = THEATRE, **kwargs):
    """The map of ``events`` (the seed events by default): analyse once, then render."""
    events = layers.events() if events is None else events
    return render_map(analyze(events, theatre), theatre, **kwargs)


def page(m) -> str:
    return m.get_root().render()


def payload_of(html: str) -> dict:
    return json.loads(re.search(r"var P = bm.events = (\{.*?\});\n", html).group(1))


def hostile_events() -> gpd.GeoDataFrame:
    """Seed events with every text field replaced by an injection payload."""
    frame = layers.events()
    for i, column in enumerate(
        ("actor1", "actor2", "location", "notes", "source", "sub_event_type")
    ):
        frame[column] = [PAYLOADS[(i + j) % len(PAYLOADS)] for j in range(len(frame))]
    frame[HOSTILE_COLUMN] = PAYLOADS[1]
    return frame


@pytest.fixture(scope="module")
def seed_html() -> str:
    return page(draw())


@pytest.fixture(scope="module")
def offline_html() -> str:
    return page(draw(offline=True))


def test_default_map_has_every_layer_and_control(seed_html):
    for name in (
        "Countries",
        "Provinces",
        "Distance zones",
        f"IRN\\u2013PAK border ({IRN_PAK_KM:.0f} km)",
        "Events",
        "Location uncertainty",
        "Distance to border",
        "Cross-border strikes",
        "Named sites",
        "No tiles (vector basemap)",
    ):
        assert name in seed_html or name.replace("\\u2013", "\u2013") in seed_html, name
    for control in (
        "L.control.layers",
        "L.control.fullscreen",
        "L.Control.Measure",
        "L.Control.MiniMap",
        "bm-legend",
        "bm-slider",
        "L.control.scale",
    ):
        assert control in seed_html, control
    # the border tooltip carries its geodesic length
    assert f"{IRN_PAK_KM:.1f} km (geodesic, WGS84)" in seed_html
    for site in THEATRE.site_points:  # the theatre's sites, not a fixed IRN-PAK list
        assert f'"t": "{site}"' in seed_html


def test_online_map_links_only_pinned_assets(seed_html):
    links = external_resources(seed_html)
    pinned = {assets.url(a.name) for a in assets.ASSETS}
    assert links and set(links) <= pinned
    for dropped in ("jquery", "bootstrap", "font-awesome", "fontawesome", "awesome-markers"):
        assert dropped not in seed_html.lower()


def test_offline_map_is_self_contained(offline_html):
    assert external_resources(offline_html) == []
    assert re.search(r"https?://[^\"' ]+\.(js|css)\b", offline_html) is None
    # Leaflet itself and a plugin's stylesheet images are inlined
    assert "Leaflet 1.9.4" in offline_html
    assert "data:image/png;base64," in offline_html and "data:image/svg+xml;base64," in offline_html


def test_inline_assets_refuses_unknown_external_script():
    with pytest.raises(SourceError, match=r"still links https://example\.org/x\.js"):
        inline_assets('<script src="https://example.org/x.js"></script>')


def test_committed_assets_match_their_checksums():
    sums = (assets.ASSETS_DIR / "SHA256SUMS").read_text().splitlines()
    assert len(sums) >= len(assets.ASSETS)
    for line in sums:
        digest, rel = line.split("  ")
        data = (assets.ASSETS_DIR / rel).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, rel
    for asset in assets.ASSETS:
        assert assets.path(asset.name).is_file(), asset.name
    # every package ships its licence
    for pkg in assets.load_packages().values():
        assert (assets.ASSETS_DIR / pkg.local(pkg.licence_file)).is_file(), pkg.key


def test_unknown_asset_name_lists_the_known_ones():
    with pytest.raises(LayerError, match=r"known: .*leaflet_js"):
        assets.url("jquery")


def test_event_payload_for_seed_events():
    analyzed = analyze(layers.events(), THEATRE)
    payload = features.event_payload(
        analyzed, pair_label="IRN\u2013PAK", countries=THEATRE.countries
    )
    assert payload["days"] == ["2024-01-03", "2024-01-15", "2024-01-16", "2024-01-18"]
    assert payload["day"] == [0, 1, 1, 2, 3, 3]
    saravan = payload["text"]["title"][1].index("Saravan")
    i = payload["text"]["title"][0].index(saravan)
    assert payload["distance_km"][i] == pytest.approx(45.4, abs=0.05)
    # strikes only: Erbil (across IRN-IRQ), Panjgur and Saravan (across IRN-PAK)
    assert payload["incursion_km"] == {"1": 96.8, "3": 77.0, str(i): 45.4}
    codes, table = payload["uncertainty_km"]
    assert table[codes[i]] == 25.0 and table[codes[2]] == 100.0  # Idlib: province level
    assert payload["fatalities"] == [95, 4, 0, 2, 9, 0]
    # Pakistan's and Iran's strikes keep the theatre's colours
    legend = dict(payload["legend"])
    assert legend["IRN (state forces)"] == geo.style.PAIR_COLOURS[0]
    assert legend["PAK (state forces)"] == geo.style.PAIR_COLOURS[1]
    assert style.radius_px([95])[0] == 22.0  # Kerman, 95 dead: capped


def test_strike_arrows_go_from_attacker_side_to_target():
    analyzed = analyze(layers.events(), THEATRE)
    countries = layers.countries().set_index("iso3").geometry
    names = {"IRN": "Iran", "PAK": "Pakistan"}
    arrows = strikes.strike_arrows(analyzed, ("IRN", "PAK"), names, countries.to_dict())
    labels = [a["label"] for a in arrows]
    assert labels == ["Iran strike<br>77 km into Pakistan", "Pakistan strike<br>45 km into Iran"]
    assert [a["colour"] for a in arrows] == list(geo.style.PAIR_COLOURS)
    targets = analyzed.set_index("event_id").geometry
    for arrow, attacker, event in zip(arrows, ("IRN", "PAK"), ("BM0004", "BM0005"), strict=True):
        start = shapely.Point(arrow["path"][0][1], arrow["path"][0][0])
        assert countries[attacker].contains(start)
        end = arrow["head"]["at"]
        target = targets[event]
        assert abs(end[0] - target.y) < 0.2 and abs(end[1] - target.x) < 0.2
    # a strike located to +-25 km, 45 km in, is sure; moved 10 km in, it might be on
    # either side of the border, and its arrow says how well it is located
    near = analyzed.copy()
    saravan = near["event_id"] == "BM0005"
    near.loc[saravan, "incursion_km"] = 10.0
    labels = [a["label"] for a in strikes.strike_arrows(near, ("IRN", "PAK"), names)]
    assert labels[1] == "Pakistan strike<br>10 km into Iran<br>(location \u00b125 km)"
    assert labels[0] == "Iran strike<br>77 km into Pakistan"


def test_hostile_text_is_escaped_everywhere():
    html = page(draw(hostile_events(), title="<b>bold</b> {{ 7*7 }}"))
    # no payload survives as markup: inside scripts < and > are \u003c / \u003e
    # (and HTML-escaped before that), in the page body they are entities
    body_and_scripts = re.sub(r"<script>/\*.*?</script>", "", html, flags=re.S)
    for raw in ("<script>alert", "<img src=x", "onerror=alert(1)>", "</script><script>alert(2)"):
        assert raw not in body_and_scripts, raw
    assert "&amp;lt;img src=x onerror=alert(1)&amp;gt;" not in html  # escaped once, not twice
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in html
    # braces become character references: shown literally, never run by Jinja
    assert "&lt;b&gt;bold&lt;/b&gt; &#123;&#123; 7*7 &#125;&#125;" in html
    assert "{{ 7*7 }}" not in html and "{{" not in body_and_scripts
    assert re.search(r'class="bm-title">(.*?)<small>', html).group(1) == (
        "&lt;b&gt;bold&lt;/b&gt; &#123;&#123; 7*7 &#125;&#125;"
    )
    # the hostile column name is a popup label, escaped
    assert "\\u0026lt;img src=x onerror=alert(\\u0026#39;col\\u0026#39;)\\u0026gt;" in html


@pytest.mark.slow
def test_many_events_cluster_with_heatmap():
    events = synthetic_events(style.CLUSTER_ABOVE + 1)
    html = page(draw(events))
    assert "L.markerClusterGroup" in html and "L.heatLayer" in html
    assert assets.url("markercluster_js") in html and assets.url("heat_js") in html
    assert "Location uncertainty" not in html  # per-event shapes are left out at scale
    small = page(draw(events.head(50)))
    assert "L.markerClusterGroup" not in small and "L.heatLayer" not in small


def test_theatre_zones_change_the_bands():
    html = page(draw(theatre=Theatre.from_pair(zones_km=(20, 60))))
    assert "0-20 km" in html and "20-60 km" in html and "10-25 km" not in html


def test_bad_inputs_raise_bordermap_errors():
    with pytest.raises(LayerError, match="share no embedded border"):
        Theatre.from_pair("PAK-SYR")
    naive = gpd.GeoDataFrame({"a": [1]}, geometry=gpd.points_from_xy([61], [27]))
    with pytest.raises(InputError, match="no CRS"):
        draw(naive)
    # raw events, or events measured against another border, are not a map's input
    with pytest.raises(ParameterError, match=r"^analyzed: expected the output of geo\.proximity"):
        render_map(layers.events(), THEATRE)
    other = Theatre.from_pair("PAK-IRN")
    with pytest.raises(ParameterError, match="measured against PAK-IRN, not the theatre's IRN-PAK"):
        render_map(analyze(layers.events(), other), THEATRE)
    with pytest.raises(ParameterError, match=r"^theatre: expected a geo\.theatre\.Theatre"):
        render_map(analyze(layers.events(), THEATRE), "IRN-PAK")


@pytest.mark.parametrize("pair", ["IRN-PAK", "PAK-IRN"])
def test_map_attacker_colours_are_the_theatres_palette(pair):
    theatre = Theatre.from_pair(pair)
    html = page(draw(theatre=theatre))
    payload = payload_of(html)
    expected = geo.style.attacker_colours([], theatre.countries)
    assert expected[theatre.countries[0]] != expected[theatre.countries[1]]
    attackers = layers.events()["attacker_iso3"].tolist()
    for code in theatre.countries:
        # every event of that state is drawn in its colour, as in the figure and QGIS
        drawn = {
            payload["colours"][payload["colour"][i]] for i, a in enumerate(attackers) if a == code
        }
        assert drawn == {expected[code]}, (pair, code)
        label = re.escape(str(html_text(f"{theatre.names[code]} (state forces)")))
        assert re.search(f'background:{expected[code]}"></i>{label}</div>', html), (pair, code)


def test_attackers_beyond_the_palette_share_the_other_row_and_uncoded_ones_theirs():
    many = [f"X{i:02d}" for i in range(len(geo.style.PALETTE) + 3)]
    # each listed attacker once more than the next, so the palette takes the first ones
    attackers = [a for i, a in enumerate(many) for _ in range(len(many) - i)]
    frame = pd.DataFrame({"attacker": [*attackers, None, " ", "PAK"]})
    codes, rows = features.attacker_legend(frame, {"PAK": "Pakistan"}, ("IRN", "PAK"))
    labels = [label for label, _ in rows]
    drawn = dict(zip(frame["attacker"].fillna("<none>"), (labels[c] for c in codes), strict=False))
    assert labels[0] == "Pakistan (state forces)" and drawn["PAK"] == labels[0]
    assert [drawn[a] for a in many[: len(geo.style.PALETTE)]] == many[: len(geo.style.PALETTE)]
    other = geo.style.other_attackers_label(3)
    assert {drawn[a] for a in many[len(geo.style.PALETTE) :]} == {other}
    assert drawn["<none>"] == drawn[" "] == features.NO_ATTACKER
    assert labels[-2:] == [other, features.NO_ATTACKER]
    # the two greys differ: "other attackers" is not "no attacker"
    assert rows[-1][1] != rows[-2][1]


def test_user_line_theatre_has_no_state_colours():
    line = gpd.GeoDataFrame(geometry=[THEATRE.line], crs=4326)
    theatre = Theatre.from_border(line, name="my line", zones_km=(25,))
    html = page(draw(theatre=theatre))
    assert "my line border" in html and "0-25 km" in html
    assert "state forces" not in html and "Cross-border strikes" not in html


@pytest.mark.slow
def test_save_map_is_atomic_and_refuses_to_overwrite(tmp_path):
    out = tmp_path / "sub" / "m.html"
    m = draw(layers.events().head(2))
    save_map(m, out)
    first = out.read_text()
    assert first.startswith("<!DOCTYPE html>")
    with pytest.raises(OutputExistsError):
        save_map(m, out)
    save_map(draw(offline=True), out, overwrite=True)
    assert external_resources(out.read_text()) == []
    assert [p.name for p in out.parent.iterdir()] == ["m.html"]


def test_undated_events_still_render():
    events = layers.events()
    events["event_date"] = pd.NaT
    payload = payload_of(page(draw(events)))
    assert payload["size"] == list(style.RADIUS_PX)
    assert payload["days"] == [] and set(payload["day"]) == {-1}


def test_events_without_a_date_column_still_render():
    # to_datetime(None) gives NaT, not None: the labels and the subtitle must not use it
    events = layers.events().drop(columns=["event_date"])
    html = page(draw(events))
    assert "6 events; distances geodesic (WGS84)" in html


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_html_text_is_inert_and_reversible(text):
    out = str(html_text(text))
    assert not set(out) & set("<>\"'{}")
    assert unescape(out) == text


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.none() | st.integers() | st.text(), lambda c: st.lists(c, max_size=4)))
def test_script_json_cannot_close_a_script(value):
    out = str(script_json(value))
    assert "<" not in out and ">" not in out
    assert json.loads(out) == value


def test_a_deep_strikes_arrow_starts_near_the_border_and_ends_near_its_target():
    import math

    from geo.mapping.strikes import _curve, _start

    # a strike 430 km into Ukraine (Kherson) from the nearest RUS-UKR border point
    target, nearest = (32.61, 46.64), (38.2, 47.1)
    start = _start(*nearest, *target, None)
    path, _head = _curve(start, *target)
    k = math.cos(math.radians(target[1]))

    def km(a, b):
        return 111.2 * math.hypot((a[0] - b[0]) * k, a[1] - b[1])

    assert km(start, nearest) <= 112  # at most ~110 km beyond the border
    end = (path[-1][1], path[-1][0])
    assert 5 <= km(end, target) <= 15  # stops just short of the target's marker


def test_a_frame_of_coordinates_maps_as_its_points_do():
    """The CLI maps events read without point geometry: the same page, points or columns."""
    events = synthetic_events(300, seed=3)
    columns = pd.DataFrame(events.drop(columns="geometry"))
    columns["longitude"], columns["latitude"] = events.geometry.x, events.geometry.y
    from_points = page(render_map(analyze(events, THEATRE), THEATRE))
    from_columns = page(render_map(analyze(columns, THEATRE), THEATRE))
    a, b = payload_of(from_points), payload_of(from_columns)
    assert a["lat"] == b["lat"] and a["lon"] == b["lon"] and len(a["lat"]) == 300
    assert a["text"] == b["text"] and a["incursion_km"] == b["incursion_km"]
    # the lines to the nearest border point start at the events either way
    assert from_points.count("LineString") == from_columns.count("LineString") > 0
    with pytest.raises(ParameterError, match="analyze"):
        render_map(analyze(columns, THEATRE).drop(columns=["longitude"]), THEATRE)


def test_size_key_ends_where_markers_stop_growing(seed_html):
    """The legend's last toll reads "50+": a marker of 50 dead is as big as one of 500."""
    sizes = re.search(r'<div class="sizes">(.*?)</div>', seed_html, re.S).group(1)
    labels = re.findall(r"</i>([^<]+)</span>", sizes)
    assert [label.strip() for label in labels] == ["0", "10", "50+"]
    top = style.radius_px([500])[0]
    assert style.radius_px([style.SIZE_SAMPLES[-1]])[0] == pytest.approx(top, abs=0.5)
    assert style.radius_px([style.SIZE_SAMPLES[-2]])[0] < top - 5
