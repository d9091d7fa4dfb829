"""Helpers for the fault tests: run the real CLI, mount small file systems, check outputs."""

from __future__ import annotations

import contextlib
import csv
import html.parser
import io
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ON_CI = os.environ.get("CI") == "true"
BORDERMAP = str(Path(sys.executable).with_name("bordermap"))

#: Each writing command with a small, quick job and the suffix of its --out.
WRITERS = {
    "export": (["export", "--layers", "events,borders,zones"], ".gpkg"),
    "map": (["map", "--offline"], ".html"),
    "analyze": (["analyze", "-f", "csv"], ".csv"),
    "raster": (["raster", "distance", "--res", "0.25"], ".tif"),
    "plot": (["plot"], ".png"),
}


def run(args: list[str], *, timeout: float = 240, prefix: list[str] | None = None, **kw):
    """Run ``bordermap args`` in a subprocess; return the CompletedProcess."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [*(prefix or []), BORDERMAP, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        **kw,
    )


def needs(tool_ok: bool, what: str) -> None:
    """Skip when ``what`` is unavailable, unless on CI where it must be there."""
    if not tool_ok:  # on CI a missing tool fails the test; elsewhere it skips it
        (pytest.fail if ON_CI else pytest.skip)(f"{what} is needed on CI, unavailable here")


@contextlib.contextmanager
def tmpfs(where: Path, *, size: str = "256k", readonly: bool = False) -> Iterator[Path]:
    """Mount a small tmpfs at ``where`` (root only), or skip."""
    where.mkdir(parents=True, exist_ok=True)
    opts = f"size={size}" + (",ro" if readonly else "")
    mounted = (
        shutil.which("mount") is not None
        and os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(where)], capture_output=True
        ).returncode
        == 0
    )
    needs(mounted, "mounting a tmpfs (root)")  # CI runs as root: there it must work
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(folder: Path) -> None:
    """Write into ``folder`` until its file system is full."""
    with open(folder / "filler", "wb", buffering=0) as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 4096)


def gpkg_ok(path: Path) -> bool:
    """A complete GeoPackage: SQLite integrity, and at least one layer registered."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
            if con.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                return False
            return con.execute("SELECT count(*) FROM gpkg_contents").fetchone()[0] > 0
    except sqlite3.DatabaseError:
        return False


def tif_ok(path: Path) -> bool:
    """A complete GeoTIFF: ``gdalinfo -checksum`` reads every block without error."""
    out = subprocess.run(
        ["gdalinfo", "-checksum", str(path)], capture_output=True, text=True, timeout=120
    )
    return out.returncode == 0 and "ERROR" not in out.stderr and "Checksum=" in out.stdout


class _Closing(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.closed_html = False

    def handle_endtag(self, tag: str) -> None:
        self.closed_html |= tag == "html"


def html_ok(path: Path) -> bool:
    """A complete page: it parses and reaches ``</html>``."""
    parser = _Closing()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser.closed_html


def csv_ok(path: Path) -> bool:
    """A complete CSV from ``analyze``: an event_id header, equal-width rows, a final newline."""
    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    return (
        text.endswith("\n")
        and len(rows) > 1
        and "event_id" in rows[0]
        and all(len(row) == len(rows[0]) for row in rows)
    )


def png_ok(path: Path) -> bool:
    """A complete PNG: the signature and the IEND chunk at the end."""
    data = path.read_bytes()
    return data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82")
