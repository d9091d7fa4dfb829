"""Small pinned packages for offline tests of the build code in ``tools/``."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from geo.layers.sources import Pin
from tools.sources import sha256_file

__all__ = ["package_file", "pin_for"]


def package_file(tmp_path: Path, files: dict[str, bytes]) -> tuple[Path, Path, str]:
    """Write a ``.tgz`` package into ``tmp_path/cache``: (cache, archive, its SHA-256)."""
    cache = tmp_path / "cache"
    cache.mkdir()
    archive = cache / "demo-1.0.0.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return cache, archive, sha256_file(archive)


def pin_for(sha256: str, **fields) -> Pin:
    """A pin of the npm package ``demo@1.0.0`` with the given SHA-256."""
    return Pin(
        key="demo",
        registry="npm",
        package="demo",
        version="1.0.0",
        sha256=sha256,
        licence="MIT",
        **fields,
    )
