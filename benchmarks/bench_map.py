"""Map benchmark: bordermap's map against geopandas ``.explore()`` on the same events.

Usage: python benchmarks/bench_map.py [--sizes 1000,10000,100000] [--repeat 3] [--append]

For each size, on one synthetic GeoDataFrame (ACLED-like columns around the
Iran-Pakistan border, tests/mapbrowser.py), in the same run:
- Python time to build and write the page (bordermap: the theatre and the
  analysis included);
- HTML size: bordermap as linked to the CDN (like explore's page) and offline
  (every asset inlined);
- time to interactive in headless Chromium: from navigation start until the
  map object exists and every layer has been added (bordermap: ``bm.ready``,
  after chunked clustering finishes; explore: the load event, its layers are
  added synchronously). Both pages get Leaflet (and bordermap its pinned
  plugins) from layers/assets; every other request is aborted, so no network
  is used.
Medians of ``--repeat`` browser loads; ``--append`` adds the table to
benchmarks/RESULTS.md under "## Map (issue 5)".
"""

from __future__ import annotations

import argparse
import datetime
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from mapbrowser import browser_page, synthetic_events  # noqa: E402

from geo.mapping import assets, render_map, save_map  # noqa: E402
from geo.proximity import analyze  # noqa: E402
from geo.theatre import Theatre  # noqa: E402

TTI_BORDERMAP = "window.bm && window.bm.ready === true"


_LOCAL = {assets.url(a.name): a.name for a in assets.ASSETS}


def _serve_locally(route) -> None:
    """Pinned assets and any Leaflet build come from layers/assets; the rest is aborted."""
    url = route.request.url
    if url.startswith("file:"):
        return route.continue_()
    name = _LOCAL.get(url)
    if name is None and url.endswith(("/leaflet.js", "/leaflet.css")):
        name = "leaflet_js" if url.endswith(".js") else "leaflet_css"
    if name is None:
        return route.abort()
    kind = "text/javascript" if name.endswith("_js") else "text/css"
    return route.fulfill(body=assets.path(name).read_bytes(), content_type=kind)


def time_to_interactive(path: Path, ready_js: str | None, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        with browser_page(offline=False) as page:
            page.context.route("**/*", _serve_locally)
            page.goto(path.as_uri(), wait_until="load", timeout=180_000)
            if ready_js:
                page.wait_for_function(ready_js, timeout=180_000, polling=50)
                ms = page.evaluate("bm.readyAt")
            else:
                ms = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
            if not page.evaluate("typeof L === 'object'"):
                raise RuntimeError(f"{path.name}: Leaflet did not load")
            times.append(ms / 1000.0)
    return statistics.median(times)


def run(n: int, repeat: int, folder: Path) -> dict:
    events = synthetic_events(n)
    t0 = time.perf_counter()
    ours = folder / f"bordermap_{n}.html"
    theatre = Theatre.from_pair()
    analyzed = analyze(events, theatre)
    save_map(render_map(analyzed, theatre), ours)
    ours_s = time.perf_counter() - t0
    ours_offline = folder / f"bordermap_{n}_offline.html"
    save_map(render_map(analyzed, theatre, offline=True), ours_offline)
    t0 = time.perf_counter()
    theirs = folder / f"explore_{n}.html"
    events.explore().save(str(theirs))
    theirs_s = time.perf_counter() - t0
    row = {
        "n": n,
        "ours_build_s": ours_s,
        "explore_build_s": theirs_s,
        "ours_mb": ours.stat().st_size / 1e6,
        "ours_offline_mb": ours_offline.stat().st_size / 1e6,
        "explore_mb": theirs.stat().st_size / 1e6,
        "ours_tti_s": time_to_interactive(ours, TTI_BORDERMAP, repeat),
        "explore_tti_s": time_to_interactive(theirs, None, repeat),
    }
    row["size_ratio"] = row["ours_mb"] / row["explore_mb"]
    print(
        f"{n:>7,} events: bordermap {row['ours_mb']:.2f} MB "
        f"({row['ours_offline_mb']:.2f} offline), TTI {row['ours_tti_s']:.2f} s, "
        f"build {ours_s:.1f} s | explore {row['explore_mb']:.2f} MB, "
        f"TTI {row['explore_tti_s']:.2f} s, build {theirs_s:.1f} s | "
        f"size ratio {row['size_ratio']:.3f}",
        flush=True,
    )
    return row


def table(rows: list[dict], command: str, repeat: int) -> str:
    lines = [
        "## Map (issue 5)",
        "",
        f"Command: `{command}` ({datetime.date.today()}, {platform.machine()}, Python "
        f"{platform.python_version()}, headless Chromium, median of {repeat} page loads; "
        "synthetic ACLED-like events around the IRN-PAK border, the same GeoDataFrame for both)",
        "",
        "| events | bordermap HTML MB | offline MB | explore() HTML MB | size ratio | "
        "bordermap TTI s | explore() TTI s | bordermap build s | explore() build s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r['ours_mb']:.2f} | {r['ours_offline_mb']:.2f} "
            f"| {r['explore_mb']:.2f} "
            f"| {r['size_ratio']:.3f} | {r['ours_tti_s']:.2f} | {r['explore_tti_s']:.2f} "
            f"| {r['ours_build_s']:.1f} | {r['explore_build_s']:.1f} |"
        )
    lines += [
        "",
        "TTI (time to interactive): navigation start until the map exists and every layer "
        "has been added; for bordermap that includes chunked clustering of all events. Above "
        "1,000 events bordermap clusters the markers (heatmap layer available) and leaves out "
        "per-event uncertainty circles, distance lines and strike arrows; the build time "
        "includes the full proximity analysis. Targets at 100k: size ratio <= 0.2, TTI <= 5 s.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--append", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        rows = [run(n, args.repeat, Path(tmp)) for n in sizes]
    command = "python benchmarks/bench_map.py " + " ".join(sys.argv[1:])
    text = table(rows, command.strip(), args.repeat)
    print(text)
    if args.append:
        results = ROOT / "benchmarks" / "RESULTS.md"
        with open(results, "a", encoding="utf-8") as fh:
            fh.write("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
