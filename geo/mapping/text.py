"""Data text made safe for the page: HTML-escaped, and inert to Jinja.

branca renders every element's ``html`` and ``script`` macro, then compiles
the *output* again as a Jinja template before writing the page. Text from
data that contains ``{{ }}`` or ``{% %}`` would therefore be evaluated on the
machine that renders the map (folium issue 1640). :func:`html_text` escapes
HTML with :func:`markupsafe.escape` and writes braces as character
references, which a browser shows as ``{`` and ``}`` and Jinja ignores. All
text from data passes through it, whether it ends in markup or, through
``|tojson``, in a script that hands it to Leaflet as HTML.

Examples
--------
>>> str(html_text("<b>{{ 7*7 }}</b>"))
'&lt;b&gt;&#123;&#123; 7*7 &#125;&#125;&lt;/b&gt;'
>>> str(html_text(None))
''
"""

from __future__ import annotations

import json

from markupsafe import Markup, escape

__all__ = ["html_text", "script_json"]


def html_text(value: object) -> Markup:
    """HTML-escape ``value`` (None gives ``''``) and neutralise template braces.

    Parameters
    ----------
    value : object
        Any value; it is shown as its ``str``.

    Returns
    -------
    markupsafe.Markup
        Safe to place in markup, or in a string handed to ``innerHTML``.
    """
    if value is None:
        return Markup("")
    text = str(escape(value))
    return Markup(text.replace("{", "&#123;").replace("}", "&#125;"))


def script_json(value: object) -> Markup:
    r"""Compact JSON for a ``<script>``: ``<``, ``>``, ``&`` and ``'`` as ``\u`` escapes.

    Like Jinja's ``|tojson`` without the spaces, which matter for large tables.
    Strings in ``value`` must already have passed :func:`html_text`.

    Parameters
    ----------
    value : object
        JSON-serialisable; NaN is refused.

    Returns
    -------
    markupsafe.Markup

    Examples
    --------
    >>> print(script_json({"a": ["</script>", 1.5, None]}))
    {"a":["\u003c/script\u003e",1.5,null]}
    """
    text = json.dumps(value, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(char, code)
    return Markup(text)
