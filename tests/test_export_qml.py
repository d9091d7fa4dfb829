"""QML and SLD documents of geo.export.qml, read back with xml.etree."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.errors import ParameterError
from geo.export import qml
from geo.export.styles import fatality_size_expression

SLD = {"se": "http://www.opengis.net/se", "ogc": "http://www.opengis.net/ogc"}


def _qml(renderer) -> ET.Element:
    doc = qml.qml_document(renderer)
    head, body = doc.split("\n", 1)
    assert head.startswith("<!DOCTYPE qgis")
    return ET.fromstring(body)


def _options(el: ET.Element) -> dict[str, str]:
    return {o.get("name"): o.get("value") for o in el.iter("Option") if o.get("value") is not None}


@given(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255), st.floats(0, 1))
def test_rgba_round_trips_through_hex(r, g, b, alpha):
    colour = f"#{r:02x}{g:02x}{b:02x}"
    rgba = qml._rgba(colour, alpha)
    assert rgba.split(",")[:3] == [str(r), str(g), str(b)]
    back, a = qml._hex(rgba)
    assert back == colour
    assert a == pytest.approx(alpha, abs=0.5 / 255 + 1e-12)
    assert qml._rgba(colour.upper(), alpha) == rgba


@pytest.mark.parametrize("bad", ["red", "#12345", "#1234567", "#gg0000", ""])
def test_rgba_refuses_what_is_not_rrggbb(bad):
    with pytest.raises(ParameterError, match="not #rrggbb") as err:
        qml._rgba(bad)
    assert err.value.param == "colour"
    assert qml._rgba(None) == "0,0,0,0"


def test_single_symbol_document():
    root = _qml(qml.single(qml.line_symbol("x", "#1d1d1d", 1.2, style="dash")))
    assert root.tag == "qgis" and root.get("styleCategories") == "Symbology"
    renderer = root.find("renderer-v2")
    assert renderer.get("type") == "singleSymbol"
    symbol = renderer.find("symbols/symbol")
    assert (symbol.get("type"), symbol.get("name")) == ("line", "0")  # renamed for QGIS
    layer = symbol.find("layer")
    assert layer.get("class") == "SimpleLine"
    opts = _options(layer)
    assert opts["line_color"] == "29,29,29,255"
    assert (opts["line_width"], opts["line_style"]) == ("1.2", "dash")
    assert root.find("layerOpacity").text == "1"


def test_categorized_document_has_categories_colours_and_a_data_defined_size():
    size = fatality_size_expression()
    cats = [
        qml.Category(
            "IRN", "attacked by IRN", qml.marker_symbol("IRN", "#d62728", size_expression=size)
        ),
        qml.Category(
            "PAK", "attacked by PAK", qml.marker_symbol("PAK", "#1668b0", size_expression=size)
        ),
    ]
    other = qml.Category("", "none", qml.marker_symbol("other", "#7f7f7f", size_expression=size))
    renderer = _qml(qml.categorized("attacker_iso3", cats, other)).find("renderer-v2")
    assert (renderer.get("type"), renderer.get("attr")) == ("categorizedSymbol", "attacker_iso3")
    categories = renderer.findall("categories/category")
    assert [(c.get("value"), c.get("symbol")) for c in categories] == [
        ("IRN", "0"),
        ("PAK", "1"),
        ("", "2"),
    ]
    symbols = {s.get("name"): s for s in renderer.findall("symbols/symbol")}
    colours = [_options(symbols[c.get("symbol")].find("layer"))["color"] for c in categories]
    assert colours == ["214,39,40,255", "22,104,176,255", "127,127,127,255"]
    for symbol in symbols.values():
        props = symbol.find("layer/data_defined_properties")
        size_prop = next(o for o in props.iter("Option") if o.get("name") == "size")
        found = {o.get("name"): o.get("value") for o in size_prop}
        assert found == {"active": "true", "expression": size, "type": "3"}
    assert renderer.find("source-symbol").get("type") == "marker"


def test_size_expression_covers_every_fatality_class():
    expr = fatality_size_expression("deaths")
    assert expr.startswith('CASE WHEN coalesce("deaths", 0) >= 100 THEN 10')
    assert expr.endswith("ELSE 2.5 END")
    whens = [part.split(" THEN")[0] for part in expr.split("WHEN ")[1:]]
    assert whens == [f'coalesce("deaths", 0) >= {n}' for n in (100, 25, 5, 1)]


def test_graduated_document_and_sld_filters():
    ranges = [
        qml.Range(0, 10, "0-10 km", qml.fill_symbol("a", "#4a3b78", fill_alpha=0.5)),
        qml.Range(10, float("inf"), ">10 km", qml.fill_symbol("b", None, "#000000")),
    ]
    r = qml.graduated("zone_max_km", ranges)
    renderer = _qml(r).find("renderer-v2")
    assert renderer.get("graduatedMethod") == "GraduatedColor"
    bounds = [(x.get("lower"), x.get("upper")) for x in renderer.iter("range")]
    assert bounds == [("0.0", "10.0"), ("10.0", "1e+300")]
    fills = [_options(s.find("layer")) for s in renderer.findall("symbols/symbol")]
    assert [(f["color"], f["style"]) for f in fills] == [
        ("74,59,120,128", "solid"),
        ("0,0,0,0", "no"),
    ]

    sld = ET.fromstring(qml.sld_document("zones", r))
    rules = sld.findall(".//se:Rule", SLD)
    assert [rule.find("se:Name", SLD).text for rule in rules] == ["0-10 km", ">10 km"]
    upper = rules[0].find(".//ogc:PropertyIsLessThanOrEqualTo/ogc:Literal", SLD).text
    assert float(upper) == 10.0
    fill = rules[0].find(".//se:Fill/se:SvgParameter[@name='fill']", SLD).text
    assert fill == "#4a3b78"
    assert rules[1].find(".//se:Fill", SLD) is None  # outline only

    with pytest.raises(ParameterError, match="GraduatedColor or GraduatedSize"):
        qml.graduated("x", ranges, method="Graduated")


def test_sld_of_a_categorized_renderer_filters_by_value():
    cats = [qml.Category("IRN", "Iran", qml.marker_symbol("a", "#d62728", 3))]
    sld = ET.fromstring(qml.sld_document("events", qml.categorized("side", cats)))
    rule = sld.find(".//se:Rule", SLD)
    assert rule.find(".//ogc:PropertyIsEqualTo/ogc:PropertyName", SLD).text == "side"
    assert rule.find(".//ogc:PropertyIsEqualTo/ogc:Literal", SLD).text == "IRN"
    assert rule.find(".//se:WellKnownName", SLD).text == "circle"
    assert rule.find(".//se:Size", SLD).text == "11"  # 3 mm at 3.78 px per mm
