"""Map benchmark: bordermap's map against geopandas ``.explore()`` on the same events.

Usage: python benchmarks/bench_map.py [--sizes 100000,1000000] [--repeat 3]
       [--explore-timeout 300] [--out benchmarks/results-A.md]

For each size, on one synthetic GeoDataFrame (ACLED-like columns around the
Iran-Pakistan border, tests/mapbrowser.py), in the same run:
- ``bordermap map --offline`` as a whole process on a CSV of the events
  (reading, analysis, rendering, writing), wall time;
- Python time to render and write the page from the analysed events;
- HTML size: bordermap as linked to the CDN (like explore's page) and offline
  (every asset inlined, the file the CLI wrote);
- "drawn" in headless Chromium: navigation start until the page reports
  ready (bordermap: ``bm.ready``, after the WebGL points' first frame;
  explore: the load event) and the main thread has run no long task
  (PerformanceObserver "longtask") for 1.5 s; the screen is then checked
  not to change over the next second;
- peak memory of the benchmark's Chromium processes, summed over the
  browser, renderer and GPU processes and sampled every 50 ms: resident set
  (RSS, counts shared libraries once per process) and unique set (USS).
With ``--browser-only DIR`` the pages kept by an earlier ``--keep DIR`` run
are loaded again (browser figures only).
  while the page loads and draws.
Both pages get Leaflet (and bordermap its pinned plugins) from layers/assets;
every other request is aborted, so no network is used. ``.explore()`` runs in
a child process with ``--explore-timeout`` seconds; a timeout is recorded.
Medians of ``--repeat`` browser loads.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from mapbrowser import browser_page, synthetic_events  # noqa: E402

from geo.mapping import assets, render_map, save_map  # noqa: E402
from geo.proximity import analyze  # noqa: E402
from geo.theatre import Theatre  # noqa: E402

READY_BORDERMAP = "window.bm && window.bm.ready === true"
QUIET_MS = 1500
LONGTASKS = """
window.__longtasks = [];
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) { window.__longtasks.push(e.startTime + e.duration); });
}).observe({type: 'longtask', buffered: true});
"""
_LOCAL = {assets.url(a.name): a.name for a in assets.ASSETS}


def _serve_locally(route) -> None:
    """Pinned assets and any Leaflet build come from layers/assets; the rest is aborted."""
    url = route.request.url
    if url.startswith(("file:", "data:", "blob:")):
        return route.continue_()
    name = _LOCAL.get(url)
    if name is None and url.endswith(("/leaflet.js", "/leaflet.css")):
        name = "leaflet_js" if url.endswith(".js") else "leaflet_css"
    if name is None:
        return route.abort()
    kind = "text/javascript" if name.endswith("_js") else "text/css"
    # the CDN answers CORS requests (crossorigin="anonymous" with SRI) like this
    headers = {"Access-Control-Allow-Origin": "*"}
    return route.fulfill(body=assets.path(name).read_bytes(), content_type=kind, headers=headers)


class MemorySampler(threading.Thread):
    """Peak resident memory of this run's Chromium processes, sampled until stopped."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak, self.peak_uss, self._done = 0, 0, threading.Event()

    def run(self) -> None:
        import psutil  # benchmark-only dependency

        me = psutil.Process()
        while not self._done.is_set():
            total = unique = 0
            # only this run's browser: a descendant of this process (through playwright)
            for p in me.children(recursive=True):
                try:
                    if "chrom" in p.name():
                        info = p.memory_full_info()
                        total, unique = total + info.rss, unique + info.uss
                except psutil.Error:
                    continue
            self.peak, self.peak_uss = max(self.peak, total), max(self.peak_uss, unique)
            time.sleep(0.05)

    def stop(self) -> tuple[int, int]:
        """Stop sampling; return the peaks of summed RSS and of summed USS, in bytes."""
        self._done.set()
        self.join()
        return self.peak, self.peak_uss


def _drawn_ms(page, ready_js: str | None) -> float:
    """Milliseconds from navigation start until ready and QUIET_MS without long tasks."""
    if ready_js:
        page.wait_for_function(ready_js, timeout=600_000, polling=50)
        ready = page.evaluate("bm.readyAt")
    else:
        page.wait_for_load_state("load", timeout=600_000)
        ready = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    while True:
        last = page.evaluate("Math.max(0, ...window.__longtasks)")
        now = page.evaluate("performance.now()")
        if now - max(ready, last) >= QUIET_MS:
            return max(ready, last)
        page.wait_for_timeout(QUIET_MS - (now - max(ready, last)) + 50)


def _screen_is_still(page) -> bool:
    first = hashlib.sha256(page.screenshot()).digest()
    page.wait_for_timeout(1000)
    return first == hashlib.sha256(page.screenshot()).digest()


def browser_load(path: Path, ready_js: str | None, repeat: int) -> dict:
    """Median drawn time (s), peak Chromium memory (MB), and whether the screen was still."""
    times, peaks, uss, still = [], [], [], True
    for _ in range(repeat):
        sampler = MemorySampler()
        sampler.start()
        with browser_page(offline=False) as page:
            page.context.route("**/*", _serve_locally)
            page.add_init_script(LONGTASKS)
            page.goto(path.as_uri(), wait_until="commit", timeout=600_000)
            times.append(_drawn_ms(page, ready_js) / 1000.0)
            rss, unique = sampler.stop()
            peaks.append(rss / 1e6)
            uss.append(unique / 1e6)
            still = still and _screen_is_still(page)
            if not page.evaluate("typeof L === 'object'"):
                raise RuntimeError(f"{path.name}: Leaflet did not load")
    return {
        "drawn_s": statistics.median(times),
        "peak_mb": max(peaks),
        "peak_uss_mb": max(uss),
        "still": still,
    }


def _cli_map(csv: Path, out: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [
            str(ROOT / ".venv/bin/bordermap"),
            "map",
            "--events",
            str(csv),
            "-o",
            str(out),
            "--offline",
            "-q",
        ],
        check=True,
    )
    return time.perf_counter() - t0


def _explore(events, out: Path, timeout: float) -> float | None:
    """Seconds for ``events.explore().save(out)`` in a child process; None on timeout."""
    data = out.with_suffix(".parquet")
    events.to_parquet(data)
    code = "import geopandas, sys; geopandas.read_parquet(sys.argv[1]).explore().save(sys.argv[2])"
    t0 = time.perf_counter()
    try:
        subprocess.run(
            [sys.executable, "-c", code, str(data), str(out)], check=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return None
    return time.perf_counter() - t0


def run(n: int, repeat: int, folder: Path, explore_timeout: float) -> dict:
    events = synthetic_events(n)
    csv = folder / f"events_{n}.csv"
    events.drop(columns="geometry").to_csv(csv, index=False)
    offline = folder / f"bordermap_{n}_offline.html"
    row = {"n": n, "cli_s": _cli_map(csv, offline)}
    theatre = Theatre.from_pair()
    analyzed = analyze(events, theatre)
    ours = folder / f"bordermap_{n}.html"
    t0 = time.perf_counter()
    save_map(render_map(analyzed, theatre), ours)
    row["render_s"] = time.perf_counter() - t0
    row["ours_mb"] = ours.stat().st_size / 1e6
    row["offline_mb"] = offline.stat().st_size / 1e6
    row.update({f"ours_{k}": v for k, v in browser_load(offline, READY_BORDERMAP, repeat).items()})
    theirs = folder / f"explore_{n}.html"
    row["explore_build_s"] = _explore(events, theirs, explore_timeout)
    if row["explore_build_s"] is not None:
        row["explore_mb"] = theirs.stat().st_size / 1e6
        loaded = browser_load(theirs, None, repeat)
        row.update({f"explore_{k}": v for k, v in loaded.items()})
    print(row, flush=True)
    return row


def browser_only(n: int, repeat: int, folder: Path) -> dict:
    """Browser figures of the pages an earlier ``--keep`` run left in ``folder``."""
    row = {"n": n}
    for prefix, name, ready in (
        ("ours", f"bordermap_{n}_offline.html", READY_BORDERMAP),
        ("explore", f"explore_{n}.html", None),
    ):
        page = folder / name
        if page.exists():
            row[f"{prefix}_mb"] = page.stat().st_size / 1e6
            row.update({f"{prefix}_{k}": v for k, v in browser_load(page, ready, repeat).items()})
    print(row, flush=True)
    return row


def browser_table(rows: list[dict], command: str, repeat: int) -> str:
    lines = [
        "### Browser figures, memory as RSS and USS",
        "",
        f"Command: `{command}` (the pages of the run above; median of {repeat} loads)",
        "",
        "| events | page | MB | drawn s | peak RSS MB | peak USS MB | screen still |",
        "|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        for prefix, label in (("ours", "bordermap --offline"), ("explore", "explore()")):
            if f"{prefix}_mb" in r:
                lines.append(
                    f"| {r['n']:,} | {label} | {r[prefix + '_mb']:.1f} "
                    f"| {r[prefix + '_drawn_s']:.2f} | {r[prefix + '_peak_mb']:.0f} "
                    f"| {r[prefix + '_peak_uss_mb']:.0f} | {r[prefix + '_still']} |"
                )
    lines += [
        "",
        "RSS sums count every shared library once per Chromium process (browser, renderer, "
        "GPU, utility); USS counts only memory unique to each process.",
        "",
    ]
    return "\n".join(lines)


def _cell(row: dict, key: str, fmt: str) -> str:
    value = row.get(key)
    return "did not finish" if value is None else format(value, fmt)


def table(rows: list[dict], command: str, repeat: int, timeout: float) -> str:
    lines = [
        "## Map (issue 16)",
        "",
        f"Command: `{command}` ({datetime.date.today()}, {platform.machine()}, Python "
        f"{platform.python_version()}, headless Chromium with software WebGL (SwiftShader), "
        f"median of {repeat} page loads, 2 shared cores; synthetic ACLED-like events around "
        "the IRN-PAK border, the same GeoDataFrame for both)",
        "",
        "| events | offline HTML MB | CDN-linked MB | drawn s | peak Chromium MB | "
        "`bordermap map` process s | render+write s | explore() MB | explore() drawn s | "
        "explore() peak MB | explore() build s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r['offline_mb']:.2f} | {r['ours_mb']:.2f} | {r['ours_drawn_s']:.2f} "
            f"| {r['ours_peak_mb']:.0f} | {r['cli_s']:.1f} | {r['render_s']:.1f} "
            f"| {_cell(r, 'explore_mb', '.1f')} | {_cell(r, 'explore_drawn_s', '.2f')} "
            f"| {_cell(r, 'explore_peak_mb', '.0f')} | {_cell(r, 'explore_build_s', '.1f')} |"
        )
    lines += [
        "",
        "Drawn: navigation start until the page is ready (bordermap: the WebGL points' first "
        "frame) and the main thread has had no long task for 1.5 s; every screen was then "
        "unchanged for 1 s: " + ", ".join(str(r["ours_still"]) for r in rows) + ". "
        f"explore() runs in a child process given {timeout:.0f} s ('did not finish': killed). "
        "The `bordermap map` process time includes reading the CSV and the full proximity "
        "analysis; render+write is the map alone from analysed events. Goals: 100k <= 5 MB, "
        "drawn <= 1.5 s; 1M <= 30 MB, drawn <= 3 s, peak <= 1 GB, process <= 10 s.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--explore-timeout", type=float, default=300.0)
    parser.add_argument("--out", type=Path, default=None, help="Append the table to this file.")
    parser.add_argument("--keep", type=Path, default=None, help="Keep the pages in this folder.")
    parser.add_argument("--browser-only", type=Path, default=None, help="Reload kept pages.")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    command = "python benchmarks/bench_map.py " + " ".join(sys.argv[1:])
    if args.browser_only:
        rows = [browser_only(n, args.repeat, args.browser_only) for n in sizes]
        text = browser_table(rows, command.strip(), args.repeat)
        print(text)
        if args.out:
            with open(args.out, "a", encoding="utf-8") as fh:
                fh.write("\n" + text)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        rows = [run(n, args.repeat, folder, args.explore_timeout) for n in sizes]
    text = table(rows, command.strip(), args.repeat, args.explore_timeout)
    print(text)
    if args.out:
        with open(args.out, "a", encoding="utf-8") as fh:
            fh.write("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
