"""Pages that load only pinned files: inlined (offline) or checked by SRI (online).

:func:`inline_assets` replaces each ``<script src>`` and stylesheet ``<link>``
that points at a pinned asset (:mod:`geo.mapping.assets`) with the file's
content, and the images those stylesheets use with ``data:`` URIs. Any other
external script or stylesheet left in the page is an error, so an offline map
never silently depends on the network. Tiles stay optional: they are a layer
the reader may switch on.

:func:`add_integrity` does the same for online pages: every link to a pinned
asset on the CDN gets ``integrity="sha384-..."`` (:func:`geo.mapping.assets.integrity`)
and ``crossorigin="anonymous"``, so a browser runs only the exact bytes of the
pinned npm file; any other external script or stylesheet is an error.
"""

from __future__ import annotations

import base64
import functools
import mimetypes
import re
import uuid
from pathlib import Path

from branca.element import Figure

from geo.errors import SourceError
from geo.mapping import assets

__all__ = [
    "OfflineFigure",
    "OnlineFigure",
    "add_integrity",
    "external_resources",
    "inline_assets",
]

_SCRIPT = re.compile(r'<script src="(?P<url>[^"]+)"></script>')
_LINK = re.compile(r'<link rel="stylesheet" href="(?P<url>[^"]+)"/>')
_CSS_URL = re.compile(r"url\((?P<q>['\"]?)(?P<ref>[^)'\"]+)(?P=q)\)")
_EXTERNAL = re.compile(
    r"<script\b[^>]*\bsrc=\"(?P<s>[^\"]+)\"|<link\b[^>]*\bhref=\"(?P<h>[^\"]+)\"", re.IGNORECASE
)


@functools.cache
def _by_url() -> dict[str, str]:
    return {assets.url(a.name): a.name for a in assets.ASSETS}


def _data_uri(path: Path) -> str:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


@functools.cache
def _inline_css(name: str) -> str:
    path = assets.path(name)
    css = path.read_text(encoding="utf-8")

    def embed(match: re.Match) -> str:
        ref = match.group("ref")
        if ref.startswith(("data:", "#")):
            return match.group(0)
        target = (path.parent / ref).resolve()
        if not target.is_file():
            raise SourceError(f"{path.name} refers to {ref}, which layers/assets does not hold")
        return f'url("{_data_uri(target)}")'

    return _CSS_URL.sub(embed, css)


@functools.cache
def _inline_js(name: str) -> str:
    # "</script" inside a script element would end it early; in JavaScript
    # source "<\/" means the same as "</".
    return assets.path(name).read_text(encoding="utf-8").replace("</script", "<\\/script")


def external_resources(html: str) -> list[str]:
    """Addresses of scripts and stylesheets a page would fetch.

    Parameters
    ----------
    html : str
        A rendered page.

    Returns
    -------
    list of str

    Examples
    --------
    >>> external_resources('<script src="https://x/a.js"></script><p>no</p>')
    ['https://x/a.js']
    """
    return [m.group("s") or m.group("h") for m in _EXTERNAL.finditer(html)]


def inline_assets(html: str) -> str:
    """Replace links to pinned assets with their content.

    Parameters
    ----------
    html : str
        A rendered page.

    Returns
    -------
    str
        The same page with no external script or stylesheet.

    Raises
    ------
    SourceError
        When the page links a script or stylesheet that is not a pinned asset.
    """
    known = _by_url()

    def script(match: re.Match) -> str:
        name = known.get(match.group("url"))
        return (
            match.group(0)
            if name is None
            else f"<script>/* {name} */\n{_inline_js(name)}\n</script>"
        )

    def link(match: re.Match) -> str:
        name = known.get(match.group("url"))
        return (
            match.group(0)
            if name is None
            else f"<style>/* {name} */\n{_inline_css(name)}\n</style>"
        )

    out = _LINK.sub(link, _SCRIPT.sub(script, html))
    left = external_resources(out)
    if left:
        raise SourceError(
            f"offline map still links {', '.join(left)}; pin it in layers/ASSETS.toml"
        )
    return out


def add_integrity(html: str) -> str:
    """Give every link to a pinned asset its SRI hash and ``crossorigin``.

    Parameters
    ----------
    html : str
        A rendered page that links its assets on the CDN.

    Returns
    -------
    str

    Raises
    ------
    SourceError
        When the page links a script or stylesheet that is not a pinned asset.
    """
    known = _by_url()
    left = [u for u in external_resources(html) if u not in known]
    if left:
        raise SourceError(f"map links {', '.join(left)}; pin it in layers/ASSETS.toml")

    def checked(match: re.Match, tag: str) -> str:
        url = match.group("url")
        sri = f'integrity="{assets.integrity(known[url])}" crossorigin="anonymous"'
        if tag == "script":
            return f'<script src="{url}" {sri}></script>'
        return f'<link rel="stylesheet" href="{url}" {sri}/>'

    html = _SCRIPT.sub(lambda m: checked(m, "script"), html)
    return _LINK.sub(lambda m: checked(m, "link"), html)


class _PinnedFigure(Figure):
    """A Figure that can carry large script literals past templating and link checks.

    branca compiles the rendered page again as a Jinja template, and the link
    checks scan it with regular expressions: both cost seconds on tens of
    megabytes. :meth:`attach` hands out a short token instead, replaced by
    the text only once the page is otherwise final.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._attachments: dict[str, str] = {}

    def attach(self, literal: str) -> str:
        """Return a token (a JavaScript string literal) that the page will hold as ``literal``."""
        token = f'"@bm-attachment-{len(self._attachments)}-{uuid.uuid4().hex}"'
        self._attachments[token] = literal
        return token

    def _finish(self, html: str) -> str:
        for token, literal in self._attachments.items():
            html = html.replace(token, literal, 1)
        return html


class OnlineFigure(_PinnedFigure):
    """A branca Figure whose links to pinned assets carry SRI hashes."""

    def render(self, **kwargs) -> str:  # noqa: D102
        return self._finish(add_integrity(super().render(**kwargs)))


class OfflineFigure(_PinnedFigure):
    """A branca Figure whose rendered page has every asset inlined."""

    def render(self, **kwargs) -> str:  # noqa: D102
        return self._finish(inline_assets(super().render(**kwargs)))
