"""Headless Chromium for the map tests, the README screenshot and the benchmark."""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import layers
from geo.mapping import render_map, save_map
from geo.proximity import analyze
from geo.theatre import Theatre

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    return shutil.which("chromium") or CHROMIUM


@contextlib.contextmanager
def browser_page(*, offline: bool = True, width: int = 1280, height: int = 820) -> Iterator:
    """A fresh Chromium page; with ``offline``, every non-file request is aborted.

    The page gets ``console_errors``, ``page_errors`` and ``blocked`` lists.
    """
    # playwright is a test-only dependency: imported when a browser is wanted
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile,
            executable_path=chromium_path(),
            args=ARGS,
            headless=True,
            viewport={"width": width, "height": height},
        )
        try:
            page = context.new_page()
            page.console_errors, page.page_errors, page.blocked = [], [], []
            page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
            page.on("pageerror", lambda e: page.page_errors.append(str(e)))
            page.on(
                "dialog", lambda d: (page.page_errors.append(f"dialog: {d.message}"), d.dismiss())
            )
            if offline:

                def route(r):
                    if r.request.url.startswith(("file:", "data:", "blob:", "about:")):
                        return r.continue_()
                    page.blocked.append(r.request.url)
                    return r.abort()

                context.route("**/*", route)
            yield page
        finally:
            context.close()


def open_map(page, path: Path, timeout_ms: int = 30000) -> None:
    """Load a map file and wait until every layer is on the map (``bm.ready``)."""
    page.goto(Path(path).resolve().as_uri())
    page.wait_for_function("window.bm && window.bm.ready === true", timeout=timeout_ms)


def synthetic_events(n: int, seed: int = 5):
    """``n`` ACLED-like events scattered around the Iran-Pakistan border over 2024."""
    rng = np.random.default_rng(seed)
    lon = rng.uniform(58.0, 66.5, n)
    lat = rng.uniform(24.6, 31.0, n)
    attackers = np.array(["IRN", "PAK", "", "", ""], dtype=object)
    actors = np.array(
        [
            "Military Forces of Iran (IRGC)",
            "Military Forces of Pakistan",
            "Jaish al-Adl",
            "Baluch Liberation Army",
            "Unidentified Armed Group",
        ],
        dtype=object,
    )
    which = rng.integers(0, 5, n)
    frame = pd.DataFrame(
        {
            "event_id": [f"SY{i:06d}" for i in range(n)],
            "event_date": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 366, n), "D"),
            "event_type": "Explosions/Remote violence",
            "sub_event_type": rng.choice(
                ["Air/drone strike", "Remote explosive/landmine/IED", "Armed clash"], n
            ),
            "actor1": actors[which],
            "actor2": rng.choice(["Civilians", "Police Forces", ""], n),
            "attacker_iso3": attackers[which],
            "location": [f"Place {i % 5000}" for i in range(n)],
            "latitude": lat.round(5),
            "longitude": lon.round(5),
            "geo_precision": rng.integers(1, 4, n),
            "fatalities": rng.poisson(1.5, n),
            "source": rng.choice(["Dawn", "IRNA", "Reuters", "Balochistan Post"], n),
            "notes": [f"Synthetic event {i}." for i in range(n)],
        }
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


BORDER_POINTS_JS = """() => {
  var pts = [];
  bm.map.eachLayer(function (l) {
    var o = l.options || {};
    if (l.feature && o.pane === 'bm-border' && o.interactive !== false) {
      var ll = l.getLatLngs();
      var flat = Array.isArray(ll[0]) ? [].concat.apply([], ll) : ll;
      for (var i = 0; i < flat.length; i += Math.max(1, Math.floor(flat.length / 40))) {
        var p = bm.map.latLngToContainerPoint(flat[i]);
        pts.push([Math.round(p.x), Math.round(p.y)]);
      }
    }
  });
  return pts;
}"""


def screenshot_map(html: Path, png: Path, timeout_ms: int = 30000) -> list[tuple[int, int]]:
    """Open an offline map with the network blocked and save a screenshot.

    Returns the screen positions of points along the border (inside the view),
    so a caller can check that the border was really drawn there.
    """
    with browser_page(offline=True) as page:
        open_map(page, html, timeout_ms)
        page.wait_for_timeout(400)  # let the last frame paint
        points = page.evaluate(BORDER_POINTS_JS)
        size = page.viewport_size
        Path(png).parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(png))
        if page.console_errors or page.page_errors:
            raise RuntimeError(f"page errors: {page.console_errors + page.page_errors}")
    return [(x, y) for x, y in points if 3 <= x < size["width"] - 3 and 3 <= y < size["height"] - 3]


def write_readme_screenshot(png: Path) -> list[tuple[int, int]]:
    """Render the default offline map and screenshot it (``docs/map.png``)."""
    theatre = Theatre.from_pair()
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "bordermap.html"
        save_map(render_map(analyze(layers.events(), theatre), theatre, offline=True), html)
        return screenshot_map(html, png)


def write_large_screenshot(png: Path, n: int = 1_000_000) -> list[tuple[int, int]]:
    """Render ``n`` synthetic events offline (WebGL) and screenshot it (``docs/map-1m.png``)."""
    theatre = Theatre.from_pair()
    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "large.html"
        save_map(render_map(analyze(synthetic_events(n), theatre), theatre, offline=True), html)
        return screenshot_map(html, png, timeout_ms=300_000)


if __name__ == "__main__":
    # python tests/mapbrowser.py docs/map.png
    # python tests/mapbrowser.py docs/map-1m.png 1000000
    if len(sys.argv) > 2:
        points = write_large_screenshot(Path(sys.argv[1]), int(sys.argv[2]))
    else:
        points = write_readme_screenshot(Path(sys.argv[1]))
    print(f"{len(points)} border points in view")
