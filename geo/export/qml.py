"""QGIS layer styles (QML) and matching SLD, built from small Python specs.

QGIS keeps a layer's default style in a GeoPackage table named
``layer_styles``; :mod:`geo.export.metadata` writes the documents built here into
it. The QML follows what QGIS 3.x itself writes (``renderer-v2`` with
``Option`` maps), trimmed to what the renderer needs; QGIS fills in defaults
for everything left out.

Examples
--------
>>> doc = qml_document(single(fill_symbol("0", fill=None, outline="#555555")))
>>> doc.startswith("<!DOCTYPE qgis")
True
>>> 'type="singleSymbol"' in doc
True
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from geo.errors import ParameterError

__all__ = [
    "Category",
    "Range",
    "Renderer",
    "Symbol",
    "categorized",
    "fill_symbol",
    "graduated",
    "line_symbol",
    "marker_symbol",
    "qml_document",
    "single",
    "sld_document",
]

QGIS_VERSION = "3.22.0"


def _rgba(colour: str | None, alpha: float = 1.0) -> str:
    """``#rrggbb`` to QGIS's ``r,g,b,a``; None is fully transparent.

    Examples
    --------
    >>> _rgba("#ff8000", 0.5)
    '255,128,0,128'
    >>> _rgba(None)
    '0,0,0,0'
    """
    if colour is None:
        return "0,0,0,0"
    text = colour.lstrip("#")
    if len(text) != 6 or not all(c in "0123456789abcdefABCDEF" for c in text):
        raise ParameterError("colour", f"{colour!r} is not #rrggbb")
    r, g, b = (int(text[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(alpha * 255)}"


def _options(parent: ET.Element, props: dict[str, str]) -> None:
    opt = ET.SubElement(parent, "Option", type="Map")
    for key in sorted(props):
        ET.SubElement(opt, "Option", name=key, value=str(props[key]), type="QString")


def _data_defined(parent: ET.Element, exprs: dict[str, str]) -> None:
    dd = ET.SubElement(parent, "data_defined_properties")
    root = ET.SubElement(dd, "Option", type="Map")
    ET.SubElement(root, "Option", name="name", value="", type="QString")
    props = ET.SubElement(root, "Option", name="properties", type="Map")
    for key, expr in exprs.items():
        prop = ET.SubElement(props, "Option", name=key, type="Map")
        ET.SubElement(prop, "Option", name="active", value="true", type="bool")
        ET.SubElement(prop, "Option", name="expression", value=expr, type="QString")
        ET.SubElement(prop, "Option", name="type", value="3", type="int")
    ET.SubElement(root, "Option", name="type", value="collection", type="QString")


@dataclass(frozen=True)
class Symbol:
    """One QGIS symbol: a kind (marker, line, fill), a symbol-layer class and its properties."""

    name: str
    kind: str
    layer_class: str
    props: dict[str, str]
    data_defined: dict[str, str] | None = None
    alpha: float = 1.0

    def renamed(self, name: str) -> Symbol:
        """Return the same symbol under another name (categories and ranges refer to names)."""
        return Symbol(name, self.kind, self.layer_class, self.props, self.data_defined, self.alpha)

    def element(self, tag: str = "symbol") -> ET.Element:
        """Build the ``<symbol>`` element QGIS reads."""
        sym = ET.Element(
            tag,
            type=self.kind,
            name=self.name,
            alpha=f"{self.alpha:g}",
            clip_to_extent="1",
            force_rhr="0",
        )
        layer = ET.SubElement(sym, "layer", {"class": self.layer_class}, enabled="1", locked="0")
        layer.set("pass", "0")
        _options(layer, self.props)
        _data_defined(layer, self.data_defined or {})
        return sym


def marker_symbol(
    name: str,
    colour: str,
    size_mm: float = 3.0,
    *,
    shape: str = "circle",
    outline: str = "#232323",
    size_expression: str | None = None,
    alpha: float = 1.0,
) -> Symbol:
    """Make a simple marker; ``size_expression`` makes its size data-defined.

    Examples
    --------
    >>> marker_symbol("0", "#e41a1c", 4).props["size"]
    '4'
    """
    props = {
        "name": shape,
        "color": _rgba(colour),
        "outline_color": _rgba(outline),
        "outline_style": "solid",
        "outline_width": "0.3",
        "outline_width_unit": "MM",
        "size": f"{size_mm:g}",
        "size_unit": "MM",
        "scale_method": "diameter",
    }
    dd = {"size": size_expression} if size_expression else None
    return Symbol(name, "marker", "SimpleMarker", props, dd, alpha)


def line_symbol(
    name: str, colour: str, width_mm: float = 0.5, *, style: str = "solid", alpha: float = 1.0
) -> Symbol:
    """Make a simple line ``width_mm`` wide; ``style`` is solid, dash or dot."""
    props = {
        "line_color": _rgba(colour),
        "line_width": f"{width_mm:g}",
        "line_width_unit": "MM",
        "line_style": style,
        "capstyle": "round",
        "joinstyle": "round",
    }
    return Symbol(name, "line", "SimpleLine", props, None, alpha)


def fill_symbol(
    name: str,
    fill: str | None,
    outline: str = "#232323",
    *,
    outline_mm: float = 0.26,
    outline_style: str = "solid",
    fill_alpha: float = 1.0,
) -> Symbol:
    """Make a simple polygon fill; ``fill=None`` draws the outline only."""
    props = {
        "color": _rgba(fill, fill_alpha),
        "style": "solid" if fill is not None else "no",
        "outline_color": _rgba(outline),
        "outline_style": outline_style,
        "outline_width": f"{outline_mm:g}",
        "outline_width_unit": "MM",
        "joinstyle": "bevel",
    }
    return Symbol(name, "fill", "SimpleFill", props)


@dataclass(frozen=True)
class Category:
    """A value of the categorized attribute, its legend label and symbol."""

    value: str
    label: str
    symbol: Symbol


@dataclass(frozen=True)
class Range:
    """A class of a graduated renderer: ``lower < value <= upper`` (first class inclusive)."""

    lower: float
    upper: float
    label: str
    symbol: Symbol


@dataclass(frozen=True)
class Renderer:
    """A renderer element together with the symbols an SLD needs."""

    kind: str
    element: ET.Element
    attr: str | None
    rules: tuple


def _renderer_element(kind: str, **attrs: str) -> ET.Element:
    """``<renderer-v2>`` of type ``kind``, with QGIS's defaults for levels, raster and order."""
    el = ET.Element("renderer-v2", type=kind, **attrs)
    for key in ("symbollevels", "forceraster", "enableorderby"):
        el.set(key, "0")
    return el


def single(symbol: Symbol) -> Renderer:
    """Build a single-symbol renderer."""
    el = _renderer_element("singleSymbol")
    symbols = ET.SubElement(el, "symbols")
    symbols.append(symbol.renamed("0").element())
    return Renderer("singleSymbol", el, None, ((None, "", symbol),))


def categorized(
    attr: str, categories: Sequence[Category], default: Category | None = None
) -> Renderer:
    """Build a renderer colouring features by the value of ``attr``.

    Parameters
    ----------
    attr : str
        Field name.
    categories : sequence of Category
        Value, label and symbol of each category.
    default : Category, optional
        The catch-all category (QGIS: empty value) for values not listed and NULL.

    Examples
    --------
    >>> r = categorized("side", [Category("IRN", "Iran", marker_symbol("a", "#ff0000"))])
    >>> r.kind, [c.get("value") for c in r.element.iter("category")]
    ('categorizedSymbol', ['IRN'])
    """
    cats = list(categories) + ([default] if default is not None else [])
    el = _renderer_element("categorizedSymbol", attr=attr)
    cat_el = ET.SubElement(el, "categories")
    symbols = ET.SubElement(el, "symbols")
    for i, cat in enumerate(cats):
        ET.SubElement(
            cat_el, "category", value=cat.value, label=cat.label, symbol=str(i), render="true"
        )
        symbols.append(cat.symbol.renamed(str(i)).element())
    el.append(cats[0].symbol.renamed("0").element("source-symbol"))
    rules = tuple((c.value, c.label, c.symbol) for c in cats)
    return Renderer("categorizedSymbol", el, attr, rules)


def graduated(attr: str, ranges: Sequence[Range], *, method: str = "GraduatedColor") -> Renderer:
    """Build a renderer grading features by numeric ``attr`` into ``ranges``.

    Parameters
    ----------
    attr : str
        Numeric field name.
    ranges : sequence of Range
        Classes in increasing order.
    method : {'GraduatedColor', 'GraduatedSize'}
        What the classes vary; QGIS shows it in the renderer dialog.

    Examples
    --------
    >>> r = graduated("fatalities", [Range(0, 1, "0-1", marker_symbol("a", "#000000"))])
    >>> r.element.get("graduatedMethod")
    'GraduatedColor'
    """
    if method not in ("GraduatedColor", "GraduatedSize"):
        raise ParameterError("method", f"{method!r}; expected GraduatedColor or GraduatedSize")
    el = _renderer_element("graduatedSymbol", attr=attr, graduatedMethod=method)
    rng_el = ET.SubElement(el, "ranges")
    symbols = ET.SubElement(el, "symbols")
    for i, rng in enumerate(ranges):
        ET.SubElement(
            rng_el,
            "range",
            lower=_num(rng.lower),
            upper=_num(rng.upper),
            label=rng.label,
            symbol=str(i),
            render="true",
        )
        symbols.append(rng.symbol.renamed(str(i)).element())
    el.append(ranges[0].symbol.renamed("0").element("source-symbol"))
    ET.SubElement(el, "mode", name="Custom")
    rules = tuple(((r.lower, r.upper), r.label, r.symbol) for r in ranges)
    return Renderer("graduatedSymbol", el, attr, rules)


def _num(value: float) -> str:
    return "1e+300" if math.isinf(value) else repr(float(value))


def qml_document(renderer: Renderer, *, opacity: float = 1.0) -> str:
    """Build a complete QML document holding ``renderer`` (symbology only).

    Parameters
    ----------
    renderer : Renderer
        From :func:`single`, :func:`categorized` or :func:`graduated`.
    opacity : float
        Layer opacity, 0 to 1.

    Returns
    -------
    str
    """
    root = ET.Element("qgis", version=QGIS_VERSION, styleCategories="Symbology")
    root.append(renderer.element)
    ET.SubElement(root, "layerOpacity").text = f"{opacity:g}"
    ET.SubElement(root, "blendMode").text = "0"
    ET.SubElement(root, "featureBlendMode").text = "0"
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


_SLD_NS = {
    "xmlns": "http://www.opengis.net/sld",
    "xmlns:ogc": "http://www.opengis.net/ogc",
    "xmlns:se": "http://www.opengis.net/se",
    "xmlns:xlink": "http://www.w3.org/1999/xlink",
    "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "version": "1.1.0",
    "xsi:schemaLocation": (
        "http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd"
    ),
}


def _hex(rgba: str) -> tuple[str, float]:
    r, g, b, a = (int(v) for v in rgba.split(","))
    return f"#{r:02x}{g:02x}{b:02x}", a / 255


def _sld_param(parent: ET.Element, tag: str, name: str, value: str) -> None:
    ET.SubElement(parent, f"se:{tag}", name=name).text = value


def _sld_symbolizer(rule: ET.Element, sym: Symbol) -> None:
    p = sym.props
    if sym.kind == "marker":
        el = ET.SubElement(ET.SubElement(rule, "se:PointSymbolizer"), "se:Graphic")
        mark = ET.SubElement(el, "se:Mark")
        ET.SubElement(mark, "se:WellKnownName").text = p["name"]
        fill_hex, fill_a = _hex(p["color"])
        fill = ET.SubElement(mark, "se:Fill")
        _sld_param(fill, "SvgParameter", "fill", fill_hex)
        stroke = ET.SubElement(mark, "se:Stroke")
        _sld_param(stroke, "SvgParameter", "stroke", _hex(p["outline_color"])[0])
        ET.SubElement(el, "se:Size").text = f"{float(p['size']) * 3.78:.0f}"
    elif sym.kind == "line":
        stroke = ET.SubElement(ET.SubElement(rule, "se:LineSymbolizer"), "se:Stroke")
        _sld_param(stroke, "SvgParameter", "stroke", _hex(p["line_color"])[0])
        _sld_param(stroke, "SvgParameter", "stroke-width", f"{float(p['line_width']) * 3.78:.1f}")
    else:
        poly = ET.SubElement(rule, "se:PolygonSymbolizer")
        if p["style"] != "no":
            fill_hex, fill_a = _hex(p["color"])
            fill = ET.SubElement(poly, "se:Fill")
            _sld_param(fill, "SvgParameter", "fill", fill_hex)
            _sld_param(fill, "SvgParameter", "fill-opacity", f"{fill_a:.2f}")
        stroke = ET.SubElement(poly, "se:Stroke")
        _sld_param(stroke, "SvgParameter", "stroke", _hex(p["outline_color"])[0])
        width = f"{float(p['outline_width']) * 3.78:.1f}"
        _sld_param(stroke, "SvgParameter", "stroke-width", width)


def sld_document(layer: str, renderer: Renderer) -> str:
    """Render ``renderer`` as SLD 1.1 for tools that do not read QML.

    Data-defined sizes are not carried over; each rule keeps its base symbol.

    Examples
    --------
    >>> sld = sld_document("borders", single(line_symbol("0", "#000000", 1.2)))
    >>> "LineSymbolizer" in sld
    True
    """
    root = ET.Element("StyledLayerDescriptor", _SLD_NS)
    named = ET.SubElement(root, "NamedLayer")
    ET.SubElement(named, "se:Name").text = layer
    style = ET.SubElement(ET.SubElement(named, "UserStyle"), "se:FeatureTypeStyle")
    for key, label, sym in renderer.rules:
        rule = ET.SubElement(style, "se:Rule")
        ET.SubElement(rule, "se:Name").text = label or layer
        if renderer.kind == "categorizedSymbol" and key:
            flt = ET.SubElement(ET.SubElement(rule, "ogc:Filter"), "ogc:PropertyIsEqualTo")
            ET.SubElement(flt, "ogc:PropertyName").text = renderer.attr
            ET.SubElement(flt, "ogc:Literal").text = key
        elif renderer.kind == "graduatedSymbol":
            lower, upper = key
            both = ET.SubElement(ET.SubElement(rule, "ogc:Filter"), "ogc:And")
            low = ET.SubElement(both, "ogc:PropertyIsGreaterThanOrEqualTo")
            ET.SubElement(low, "ogc:PropertyName").text = renderer.attr
            ET.SubElement(low, "ogc:Literal").text = _num(lower)
            up = ET.SubElement(both, "ogc:PropertyIsLessThanOrEqualTo")
            ET.SubElement(up, "ogc:PropertyName").text = renderer.attr
            ET.SubElement(up, "ogc:Literal").text = _num(upper)
        _sld_symbolizer(rule, sym)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
