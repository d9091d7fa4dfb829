"""Rebuild ``layers/assets/``: the map's scripts and stylesheets from their pinned packages.

Run ``python -m tools.build_assets`` (or ``make layers``). Each package of
``layers/ASSETS.toml`` is fetched with ``npm pack`` and verified
(:func:`tools.sources.fetch`); only the listed files and the licence are
copied, under the paths :mod:`geo.mapping.assets` looks them up by, together
with ``SHA256SUMS``.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from geo.layers.sources import Pin
from geo.mapping.assets import ASSETS_DIR, load_packages
from tools.command import build_command
from tools.sources import fetch, read_member

__all__ = ["build", "extract_package", "main"]


def extract_package(pin: Pin, cache: Path, out_dir: Path) -> dict[str, str]:
    """Fetch one pinned package and copy its listed files and licence into ``out_dir``.

    Parameters
    ----------
    pin : geo.layers.sources.Pin
        A table of ``ASSETS.toml``: ``files``, ``licence_file`` and ``strip``.
    cache : pathlib.Path
        Folder for the tarball (a verified copy there is reused).
    out_dir : pathlib.Path
        Assets folder; each file goes to ``out_dir / pin.local(member)``.

    Returns
    -------
    dict of str to str
        SHA-256 of each written file, keyed by its path relative to ``out_dir``.

    Raises
    ------
    SourceError
        When the package cannot be fetched, differs from its pin, or lacks a file.
    """
    archive = fetch(pin, cache)
    sums = {}
    for member in (*pin.files, pin.licence_file):
        data = read_member(archive, member)
        rel = pin.local(member)
        (out_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (out_dir / rel).write_bytes(data)
        sums[rel] = hashlib.sha256(data).hexdigest()
    return sums


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

    Raises
    ------
    SourceError
        When a package cannot be fetched, differs from its pin, or lacks a listed file.
    """
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(cache) if cache is not None else Path(tmp) / "cache"
        staged = Path(tmp) / "assets"
        sums: dict[str, str] = {}
        for pin in load_packages().values():
            sums.update(extract_package(pin, cache, staged))
        lines = [f"{digest}  {rel}\n" for rel, digest in sorted(sums.items())]
        (staged / "SHA256SUMS").write_text("".join(lines), encoding="utf-8")
        out_dir = Path(out_dir)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        shutil.copytree(staged, out_dir)
    return dict(sorted(sums.items()))


@build_command(prog="python -m tools.build_assets", out=ASSETS_DIR, cache=None)
def main(out: Path, cache: Path | None) -> list[str]:
    """Fetch the pinned npm packages and rebuild the map assets in ``--out``.

    Run as ``python -m tools.build_assets [--out DIR] [--cache DIR]``; ``main(argv)``
    returns the exit status (2 when a package cannot be fetched or verified).
    """
    return [f"{len(build(out, cache))} files written to {out}"]


if __name__ == "__main__":
    raise SystemExit(main())
