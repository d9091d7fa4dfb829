"""Every JavaScript and CSS file the map loads, pinned, and where to find it.

Packages are pinned by name, version and tarball SHA-256 in
``layers/ASSETS.toml`` (read by :func:`geo.layers.sources.load_pins`, the same
loader as the layer sources). ``make layers`` (``python -m tools.build_assets``,
build-time code outside the installed package) copies the listed files and the
licences into ``layers/assets/``, together with ``SHA256SUMS``. Online maps
link the same files from the jsDelivr mirror of npm; offline maps inline the
local copies (:mod:`geo.mapping.offline`), whose checksums :func:`checksums`
reads.

Examples
--------
>>> url("leaflet_js")
'https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js'
>>> path("leaflet_css").name
'leaflet.css'
>>> links("fullscreen_js", "fullscreen_css")[0][0]
'fullscreen_js'
>>> len(checksums()["leaflet-1.9.4/leaflet.js"])
64
>>> integrity("leaflet_js")[:7]
'sha384-'
"""

from __future__ import annotations

import base64
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from geo.errors import LayerError
from geo.layers import LAYERS_DIR
from geo.layers.sources import ASSETS_TOML, Pin, load_pins

__all__ = [
    "ASSETS",
    "ASSETS_DIR",
    "ASSETS_TOML",
    "SHA256SUMS",
    "Asset",
    "checksums",
    "integrity",
    "links",
    "load_packages",
    "path",
    "url",
]

ASSETS_DIR = LAYERS_DIR / "assets"
SHA256SUMS = ASSETS_DIR / "SHA256SUMS"
CDN = "https://cdn.jsdelivr.net/npm"


@dataclass(frozen=True)
class Asset:
    """A JS or CSS file loaded by the map: which package, which file, which kind."""

    name: str
    package: str
    member: str
    kind: str


ASSETS: tuple[Asset, ...] = (
    Asset("leaflet_js", "leaflet", "package/dist/leaflet.js", "js"),
    Asset("leaflet_css", "leaflet", "package/dist/leaflet.css", "css"),
    Asset("markercluster_js", "markercluster", "package/dist/leaflet.markercluster.js", "js"),
    Asset("markercluster_css", "markercluster", "package/dist/MarkerCluster.css", "css"),
    Asset(
        "markercluster_default_css",
        "markercluster",
        "package/dist/MarkerCluster.Default.css",
        "css",
    ),
    Asset("heat_js", "heat", "package/dist/leaflet-heat.js", "js"),
    Asset("fullscreen_js", "fullscreen", "package/Control.FullScreen.js", "js"),
    Asset("fullscreen_css", "fullscreen", "package/Control.FullScreen.css", "css"),
    Asset("measure_js", "measure", "package/dist/leaflet-measure.min.js", "js"),
    Asset("measure_css", "measure", "package/dist/leaflet-measure.css", "css"),
    Asset("minimap_js", "minimap", "package/dist/Control.MiniMap.min.js", "js"),
    Asset("minimap_css", "minimap", "package/dist/Control.MiniMap.min.css", "css"),
    Asset("glify_js", "glify", "package/dist/glify-browser.js", "js"),
)
_BY_NAME = {a.name: a for a in ASSETS}


def load_packages(toml_path: Path = ASSETS_TOML) -> dict[str, Pin]:
    """Read the pinned packages of the map.

    Parameters
    ----------
    toml_path : pathlib.Path
        ``layers/ASSETS.toml``.

    Returns
    -------
    dict of str to Pin
    """
    return load_pins(toml_path)


def _asset(name: str) -> tuple[Asset, Pin]:
    if name not in _BY_NAME:
        raise LayerError(f"unknown map asset {name!r}; known: {', '.join(sorted(_BY_NAME))}")
    asset = _BY_NAME[name]
    return asset, load_packages()[asset.package]


def url(name: str) -> str:
    """CDN address of a named asset: the npm file as mirrored by jsDelivr."""
    asset, pkg = _asset(name)
    return f"{CDN}/{pkg.spec}/{asset.member.removeprefix('package/')}"


def path(name: str) -> Path:
    """Local copy of a named asset inside ``layers/assets``."""
    asset, pkg = _asset(name)
    return ASSETS_DIR / pkg.local(asset.member)


@functools.cache
def integrity(name: str) -> str:
    """Subresource Integrity value of a named asset: ``sha384-`` and the base64 digest.

    jsDelivr serves npm files byte for byte, so the digest of the local copy
    (verified against the pinned tarball by ``make layers``) is the digest of
    the file the CDN sends. Browsers refuse a script or stylesheet whose bytes
    differ.

    Parameters
    ----------
    name : str
        One of :data:`ASSETS`.

    Returns
    -------
    str
        For an ``integrity`` attribute.
    """
    digest = hashlib.sha384(path(name).read_bytes()).digest()
    return f"sha384-{base64.b64encode(digest).decode('ascii')}"


def links(*names: str) -> list[tuple[str, str]]:
    """``(name, url)`` pairs, the shape of folium's ``default_js``/``default_css``."""
    return [(n, url(n)) for n in names]


def checksums(sums: Path = SHA256SUMS) -> dict[str, str]:
    """SHA-256 of every committed asset file, as ``make layers`` wrote them.

    Parameters
    ----------
    sums : pathlib.Path
        ``layers/assets/SHA256SUMS`` (``sha256sum`` format).

    Returns
    -------
    dict of str to str
        Hex digest keyed by the path relative to ``layers/assets``.
    """
    lines = Path(sums).read_text(encoding="utf-8").splitlines()
    return {rel: digest for digest, _, rel in (line.partition("  ") for line in lines if line)}
