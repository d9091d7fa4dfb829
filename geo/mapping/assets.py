"""Every JavaScript and CSS file the map loads, pinned, and the step that builds them.

Packages are pinned by name, version and tarball SHA-256 in
``layers/ASSETS.toml``. ``python -m geo.mapping.assets build`` (run by
``make layers``) fetches each one with ``npm pack``, verifies it, and copies
only the listed files and the licence into ``layers/assets/``, together with
``SHA256SUMS``. Online maps link the same files from the jsDelivr mirror of
npm; offline maps inline the local copies (:mod:`geo.mapping.offline`).

Examples
--------
>>> url("leaflet_js")
'https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist/leaflet.js'
>>> path("leaflet_css").name
'leaflet.css'
>>> links("fullscreen_js", "fullscreen_css")[0][0]
'fullscreen_js'
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import shutil
import sys
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from geo.errors import LayerError, SourceError
from geo.layers import LAYERS_DIR
from geo.layers.sources import fetch_npm

__all__ = [
    "ASSETS",
    "ASSETS_DIR",
    "ASSETS_TOML",
    "Asset",
    "Package",
    "build",
    "links",
    "load_packages",
    "main",
    "path",
    "url",
]

ASSETS_TOML = LAYERS_DIR / "ASSETS.toml"
ASSETS_DIR = LAYERS_DIR / "assets"
CDN = "https://cdn.jsdelivr.net/npm"


@dataclass(frozen=True)
class Package:
    """One pinned npm package and the files the map takes from it."""

    key: str
    registry: str
    package: str
    version: str
    sha256: str
    licence: str
    licence_file: str
    strip: str
    files: tuple[str, ...]

    @property
    def spec(self) -> str:
        """Return ``name@version``."""
        return f"{self.package}@{self.version}"

    @property
    def folder(self) -> str:
        """Return the folder under ``layers/assets`` holding this package's files."""
        return f"{self.package}-{self.version}"

    def local(self, member: str) -> str:
        """Map a tarball member to its path relative to ``layers/assets``."""
        if member == self.licence_file:
            return f"{self.folder}/{Path(member).name}"
        if not member.startswith(self.strip):
            raise SourceError(f"{self.key}: {member} does not start with {self.strip}")
        return f"{self.folder}/{member[len(self.strip) :]}"


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
)
_BY_NAME = {a.name: a for a in ASSETS}


@functools.cache
def load_packages(toml_path: Path = ASSETS_TOML) -> dict[str, Package]:
    """Read the pinned packages.

    Parameters
    ----------
    toml_path : pathlib.Path
        ``layers/ASSETS.toml``.

    Returns
    -------
    dict of str to Package
    """
    with open(toml_path, "rb") as fh:
        table = tomllib.load(fh)
    return {
        key: Package(key=key, **{**fields, "files": tuple(fields["files"])})
        for key, fields in table.items()
    }


def _asset(name: str) -> tuple[Asset, Package]:
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


def links(*names: str) -> list[tuple[str, str]]:
    """``(name, url)`` pairs, the shape of folium's ``default_js``/``default_css``."""
    return [(n, url(n)) for n in names]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build(out_dir: Path = ASSETS_DIR, cache: Path | None = None) -> dict[str, str]:
    """Fetch, verify and extract every pinned asset package into ``out_dir``.

    The folder is replaced as a whole, so files no longer listed disappear.

    Parameters
    ----------
    out_dir : pathlib.Path
        Target folder, ``layers/assets`` by default.
    cache : pathlib.Path, optional
        Folder for the tarballs; a temporary one by default.

    Returns
    -------
    dict of str to str
        SHA-256 of every written file, keyed by its path relative to ``out_dir``
        (also written to ``out_dir/SHA256SUMS``).
    """
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(cache) if cache is not None else Path(tmp) / "cache"
        cache.mkdir(parents=True, exist_ok=True)
        staged = Path(tmp) / "assets"
        sums: dict[str, str] = {}
        for pkg in load_packages().values():
            with tarfile.open(fetch_npm(pkg.spec, pkg.sha256, cache, key=pkg.key), "r:gz") as tar:
                for member in (*pkg.files, pkg.licence_file):
                    fh = tar.extractfile(member)
                    if fh is None:
                        raise SourceError(f"{pkg.key}: {pkg.spec} has no file {member}")
                    data = fh.read()
                    rel = pkg.local(member)
                    (staged / rel).parent.mkdir(parents=True, exist_ok=True)
                    (staged / rel).write_bytes(data)
                    sums[rel] = _sha256(data)
        lines = [f"{digest}  {rel}\n" for rel, digest in sorted(sums.items())]
        (staged / "SHA256SUMS").write_text("".join(lines), encoding="utf-8")
        out_dir = Path(out_dir)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        shutil.copytree(staged, out_dir)
    return dict(sorted(sums.items()))


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m geo.mapping.assets build [--out DIR] [--cache DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m geo.mapping.assets", description=__doc__)
    parser.add_argument("command", choices=["build"])
    parser.add_argument("--out", type=Path, default=ASSETS_DIR)
    parser.add_argument("--cache", type=Path, default=None)
    args = parser.parse_args(argv)
    try:
        sums = build(args.out, args.cache)
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{len(sums)} files written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
