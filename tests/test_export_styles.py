"""Default QGIS styles take their colours from geo.style, like the map and the figure."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import layers
from geo.export.gpkg import LAYER_NAMES, build_layers
from geo.export.styles import default_styles
from geo.proximity import analyze
from geo.style import (
    BORDER_COLOUR,
    COUNTRY_FILL,
    PAIR_COLOURS,
    attacker_colours,
    zone_ramp,
)
from geo.theatre import Theatre

THEATRE = Theatre.from_pair("IRN-PAK")


def _hex(rgba: str) -> str:
    r, g, b, _ = (int(v) for v in rgba.split(","))
    return f"#{r:02x}{g:02x}{b:02x}"


def _renderer(qml: str) -> ET.Element:
    return ET.fromstring(qml.split("\n", 1)[1]).find("renderer-v2")


def _category_colours(qml: str) -> dict[str, str]:
    renderer = _renderer(qml)
    symbols = {s.get("name"): s for s in renderer.findall("symbols/symbol")}
    out = {}
    for cat in renderer.iter("category"):
        layer = symbols[cat.get("symbol")].find("layer")
        colour = next(o.get("value") for o in layer.iter("Option") if o.get("name") == "color")
        out[cat.get("value")] = _hex(colour)
    return out


@pytest.fixture(scope="module")
def frames() -> dict[str, gpd.GeoDataFrame]:
    return build_layers(analyze(layers.events(), THEATRE), THEATRE)


@pytest.fixture(scope="module")
def rows(frames):
    return default_styles(frames, THEATRE)


def test_one_default_style_per_layer(rows):
    defaults = [r.table for r in rows if r.default]
    assert defaults == list(LAYER_NAMES)
    assert [r.name for r in rows if not r.default] == ["bordermap: events by fatalities"]
    assert all(
        r.qml.startswith("<!DOCTYPE qgis") and "StyledLayerDescriptor" in r.sld for r in rows
    )


def test_attacker_colours_are_the_palette_of_geo_style(rows, frames):
    events = next(r for r in rows if r.table == "events" and r.default)
    got = _category_colours(events.qml)
    codes = frames["events"]["attacker_iso3"].dropna()
    assert got == attacker_colours(codes, THEATRE.countries)
    assert got["PAK"] == PAIR_COLOURS[1] == "#1668b0"  # Pakistan blue, as on the map
    assert got["IRN"] == PAIR_COLOURS[0]


def test_other_attackers_and_a_reversed_pair():
    frame = pd.DataFrame({"attacker_iso3": ["PAK", "USA", None, "", "AFG", "IRN"]})
    reversed_pair = Theatre.from_pair("PAK-IRN")
    (row, _alt) = default_styles({"events": frame}, reversed_pair)
    got = _category_colours(row.qml)
    assert got == attacker_colours(["PAK", "USA", "AFG", "IRN"], ("PAK", "IRN"))
    assert list(got) == ["PAK", "IRN", "AFG", "USA", ""]  # the pair first, others sorted
    assert got["PAK"] == PAIR_COLOURS[0]


def test_borders_countries_and_zones_use_geo_style(rows, frames):
    by_table = {r.table: r for r in rows if r.default}
    border = _renderer(by_table["borders"].qml)
    line = next(o.get("value") for o in border.iter("Option") if o.get("name") == "line_color")
    assert _hex(line) == BORDER_COLOUR

    countries = _category_colours(by_table["countries"].qml)
    assert countries == {
        "IRN": COUNTRY_FILL["pair"],
        "PAK": COUNTRY_FILL["pair"],
        "": COUNTRY_FILL["other"],
    }

    zones = _renderer(by_table["zones"].qml)
    fills = [
        _hex(next(o.get("value") for o in s.iter("Option") if o.get("name") == "color"))
        for s in zones.findall("symbols/symbol")
    ]
    n = frames["zones"]["zone_max_km"].nunique()
    assert fills == zone_ramp(n)


def test_zones_without_data_follow_the_theatres_edges():
    theatre = Theatre.from_pair("IRN-PAK", zones_km=(5, 20, 80))
    (row,) = default_styles({"zones": gpd.GeoDataFrame(geometry=[], crs=4326)}, theatre)
    ranges = _renderer(row.qml).findall("ranges/range")
    assert [(float(r.get("upper")), r.get("label")) for r in ranges] == [
        (5.0, "0-5 km"),
        (20.0, "5-20 km"),
        (80.0, "20-80 km"),
    ]


def test_a_users_line_has_no_pair_colours():
    line = gpd.GeoDataFrame(
        geometry=[shapely.LineString([(61.0, 26.0), (61.0, 28.0)])], crs="EPSG:4326"
    )
    theatre = Theatre.from_border(line, name="meridian")
    frame = pd.DataFrame({"attacker_iso3": ["PAK", "IRN"], "iso3": ["PAK", "IRN"]})
    rows = default_styles({"events": frame, "countries": frame}, theatre)
    got = _category_colours(rows[0].qml)
    assert got == attacker_colours(["PAK", "IRN"], ())
    countries = _renderer(next(r for r in rows if r.table == "countries").qml)
    assert countries.get("type") == "singleSymbol"


def test_an_attackers_colour_does_not_depend_on_who_else_is_there():
    import zlib

    from geo.style import PALETTE, attacker_colours

    def slot(code):
        return zlib.crc32(code.encode()) % len(PALETTE)

    alone = attacker_colours(["RUS"])["RUS"]
    codes = ["ISR", "USA", "AZE", "ARM", "TUR", "IRN", "SDN", "TCD", "COD", "RWA"]
    apart = [c for c in codes if slot(c) != slot("RUS")]
    for i in range(len(apart) - 2):
        others = apart[i : i + 3]
        colours = attacker_colours(["RUS", *others])
        if len({slot(c) for c in others}) == len(others):  # no two share a slot
            assert colours["RUS"] == alone
        assert len({colours[c] for c in ["RUS", *others]}) == len(others) + 1  # all distinct
    assert alone in PALETTE


def test_the_geopackage_events_are_styled_by_the_computed_attacker():
    from geo.export.styles import _attacker_categories

    # an ACLED-like frame has no attacker_iso3: the attacker comes from actor names
    frame = pd.DataFrame({"attacker": ["RUS", "UKR", None], "attacker_basis": "inferred"})
    cats, other = _attacker_categories(frame, ("RUS", "UKR"))
    assert [c.value for c in cats] == ["RUS", "UKR"] and other.value == ""


def test_map_legend_geopackage_style_and_figure_share_each_attackers_colour():
    from geo.export.styles import _attacker_categories
    from geo.mapping.features import attacker_legend
    from geo.style import OTHER_COLOUR, frame_colours

    # nine attackers of different frequencies, more than the palette holds
    codes = ["RUS"] * 9 + ["BLR"] * 8 + ["ISR"] * 7 + ["IRN"] * 6 + ["TUR"] * 5
    codes += ["SDN"] * 4 + ["TCD"] * 3 + ["KHM"] * 2 + ["THA"] + ["UKR"] * 2 + [None] * 3
    frame = pd.DataFrame({"attacker": codes})
    pair = ("RUS", "UKR")
    expected = frame_colours(frame["attacker"], pair)
    event_rows, rows = attacker_legend(frame, {}, pair)
    on_map = {
        c: rows[r][1]
        for c, r in zip(frame["attacker"], event_rows, strict=True)
        if isinstance(c, str)
    }
    cats, _other = _attacker_categories(frame, pair)
    in_gpkg = {c.value: c.symbol.props["color"] for c in cats}  # "r,g,b,a"

    def rgba(hex_colour):
        return ",".join(str(int(hex_colour[i : i + 2], 16)) for i in (1, 3, 5)) + ",255"

    for code, colour in on_map.items():
        assert colour == expected[code], code
        assert in_gpkg[code] == rgba(colour), code
    named = [c for c in on_map if on_map[c] != OTHER_COLOUR]
    assert len({on_map[c] for c in named}) == len(named)  # no two named attackers share one
    # and each its name: the map's legend row, in the map's order; the rarer ones, which
    # share the map's "Other attackers" row, say so
    names = {"RUS": "Russia", "UKR": "Ukraine", "BLR": "Belarus"}
    _codes, rows = attacker_legend(frame, names, pair)
    cats, _other = _attacker_categories(frame, pair, names)
    labels = [c.label for c in cats]
    assert labels[:3] == ["Russia (state forces)", "Ukraine (state forces)", "Belarus"]
    assert labels[: len(named)] == [label for label, _ in rows[: len(named)]]
    rare = [c for c in cats if on_map[c.value] == OTHER_COLOUR]
    assert rare and all(c.label == f"Other attackers: {c.value}" for c in rare)
