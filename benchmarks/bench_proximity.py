"""Proximity benchmark: whole ``bordermap analyze`` processes beside the naive geopandas pipeline.

Usage::

    .venv/bin/python benchmarks/bench_proximity.py [--events 1000000] [--repeat 3] [--dir D]
        [--stages]

It writes ``--events`` synthetic events as a CSV (id, longitude, latitude
over 58-68E, 24-31N around the Iran-Pakistan border), then times, in the same
run and alternating so background load falls on all alike, median of
``--repeat`` runs each, peak RSS from ``/usr/bin/time -v``:

- ``bordermap analyze --events in.csv --out o.csv`` (CSV in, CSV out);
- ``bordermap analyze --events in.csv --out o.parquet`` (CSV in, GeoParquet out);
- the naive geopandas pipeline as one process: ``read_csv``, ``points_from_xy``,
  ``to_crs`` (UTM 41N) and ``.distance`` to the border, ``sjoin`` with the
  provinces, ``to_csv`` (planar, no zones, no checks);
- GeoParquet throughput in process: write the analysed rows
  (:class:`geo.io.columnar.GeoParquetChunks`), read them back
  (``geo.io`` reader, and ``pyarrow.parquet.read_table`` as the floor).

``--stages`` adds an in-process run for each output format, timed stage by
stage (parse and checks, analysis and its parts, site distances, writing),
labelled as in-process kernel figures. Stages are timed by wrapping their
functions with wall clocks, not by a profiler, which sees only its own
thread while the kernels run on several (``BORDERMAP_THREADS`` sets how many).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import inspect
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

BORDERMAP = str(Path(sys.executable).with_name("bordermap"))
NAIVE = """
import sys, geopandas as gpd, pandas as pd
from geo import layers
src, out = sys.argv[1], sys.argv[2]
frame = pd.read_csv(src)
pts = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame.longitude, frame.latitude),
                       crs="EPSG:4326").to_crs("EPSG:32641")
border = layers.border("IRN-PAK").to_crs("EPSG:32641").geometry.iloc[0]
provs = layers.provinces(["IRN", "PAK", "AFG"]).to_crs("EPSG:32641")
pts["border_distance_km"] = pts.distance(border) / 1000.0
joined = gpd.sjoin(pts, provs[["name_en", "geometry"]], how="left", predicate="within")
joined.drop(columns="geometry").to_csv(out, index=False)
"""
# Functions whose wall time makes up a stage of the in-process run: (module, attribute).
# Only the outermost call on the calling thread counts; the kernels' own threads
# run inside these calls, so their work is in the wall time and never counted twice.
_STAGES = {
    "parse and checks (reader)": ("geo.io.stream", "EventStream.__iter__"),
    "analysis, all (geo.proximity.analyze)": ("geo.proximity", "analyze"),
    "  nearest border point (k-d tree, exact geodesic)": ("geo.nearest", "PairIndex.nearest"),
    "  containment (side, province, offshore)": ("geo.proximity", "place_events"),
    "site distances": ("geo.proximity", "site_distances"),
    "writing (AnalysisWriter.add and close)": ("geo.io.tables", "AnalysisWriter.add"),
    "  waiting for the last chunk and the footer (AnalysisWriter.close)": (
        "geo.io.tables",
        "AnalysisWriter.close",
    ),
}


def write_events(path: Path, n: int, seed: int = 0) -> None:
    """``n`` events as ``id,longitude,latitude`` (the issue's synthetic file)."""
    rng = np.random.default_rng(seed)
    lon = rng.uniform(58.0, 68.0, n)
    lat = rng.uniform(24.0, 31.0, n)
    ids = np.char.add("E", np.arange(n).astype(str))
    with path.open("w") as handle:
        handle.write("id,longitude,latitude\n")
        np.savetxt(
            handle, np.column_stack([ids, lon.round(5), lat.round(5)]), fmt="%s", delimiter=","
        )


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one process."""
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    return wall, rss_kb / 1024.0


def processes(src: Path, folder: Path, repeat: int) -> dict[str, list[tuple[float, float]]]:
    """Time each command ``repeat`` times, alternating between them."""
    commands = {
        "bordermap analyze, CSV in, CSV out": [
            BORDERMAP, "analyze", "--events", str(src), "--out", str(folder / "o.csv"),
            "--overwrite", "--quiet",
        ],
        "bordermap analyze, CSV in, GeoParquet out": [
            BORDERMAP, "analyze", "--events", str(src), "--out", str(folder / "o.parquet"),
            "--overwrite", "--quiet",
        ],
        "naive geopandas pipeline, CSV in, CSV out": [
            sys.executable, "-c", NAIVE, str(src), str(folder / "naive.csv"),
        ],
    }  # fmt: skip
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
    for _ in range(repeat):
        for label, cmd in commands.items():
            times[label].append(run(cmd))
    return times


def parquet_rates(src: Path, folder: Path) -> dict[str, float]:
    """Rows/s writing and reading GeoParquet of the analysed rows, in process."""
    import pyarrow.parquet as pq

    from geo.io.columnar import GeoParquetChunks, arrow_table
    from geo.io.events import iter_event_chunks
    from geo.io.stream import EventStream
    from geo.proximity import analyze

    analyzed = analyze(EventStream(src).read_all(), "IRN-PAK")
    n = len(analyzed)
    target = folder / "rates.parquet"
    start = time.perf_counter()
    with target.open("wb") as sink:
        writer = GeoParquetChunks(sink, analyzed.crs)
        writer.write(arrow_table(analyzed), analyzed.geometry.array)
        writer.close()
    wrote = time.perf_counter() - start
    start = time.perf_counter()
    read = sum(len(t.events) for t in iter_event_chunks(target))
    ours = time.perf_counter() - start
    start = time.perf_counter()
    floor = pq.read_table(target).num_rows
    arrow = time.perf_counter() - start
    assert read == floor == n
    return {
        "write GeoParquet (geo.io.columnar)": n / wrote,
        "read GeoParquet (geo.io reader, with checks)": n / ours,
        "read GeoParquet (pyarrow.parquet.read_table, floor)": n / arrow,
    }


def _timed(func, label: str, totals: dict[str, float], busy: threading.local):
    """``func`` adding its wall time to ``totals[label]`` (outermost calls on one thread)."""

    def count(start: float) -> None:
        totals[label] += time.perf_counter() - start

    if inspect.isgeneratorfunction(func):

        def gen(*args, **kwargs):
            items = func(*args, **kwargs)
            while True:
                start = time.perf_counter()
                try:
                    item = next(items)
                except StopIteration:
                    count(start)
                    return
                count(start)
                yield item

        return functools.wraps(func)(gen)

    def call(*args, **kwargs):
        if getattr(busy, label, False):
            return func(*args, **kwargs)
        setattr(busy, label, True)
        start = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            count(start)
            setattr(busy, label, False)

    return functools.wraps(func)(call)


def stages(src: Path, folder: Path, fmt: str = "csv") -> dict[str, float]:
    """Wall seconds per stage of one in-process ``analyze`` run (timers, not a profiler).

    A profiler sees only the thread it runs on, and the kernels run on threads.
    """
    from geo.cli.main import cli

    totals = dict.fromkeys(_STAGES, 0.0)
    busy = threading.local()
    saved = []
    for label, (module, attribute) in _STAGES.items():
        owner = importlib.import_module(module)
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        original = owner.__dict__[name] if path else getattr(owner, name)
        saved.append((owner, name, original))
        setattr(owner, name, _timed(original, label, totals, busy))
    args = ["analyze", "--events", str(src), "--out", str(folder / f"p.{fmt}"), "--overwrite"]
    try:
        start = time.perf_counter()
        cli.main([*args, "--quiet"], standalone_mode=False)
        total = time.perf_counter() - start
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)
    totals["writing (AnalysisWriter.add and close)"] += totals[
        "  waiting for the last chunk and the footer (AnalysisWriter.close)"
    ]
    return {f"whole command, {fmt} out (in process)": total, **totals}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--stages", action="store_true", help="Add in-process stage timings.")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench_proximity_"))
    folder.mkdir(parents=True, exist_ok=True)
    src = folder / f"events_{args.events}.csv"
    if not src.exists():
        write_events(src, args.events)
    print(f"events: {src} ({args.events:,} rows); load average {Path('/proc/loadavg').read_text()}")
    times = processes(src, folder, args.repeat)
    naive = statistics.median(t for t, _ in times["naive geopandas pipeline, CSV in, CSV out"])
    print("| command (whole process) | median s | runs s | events/s | peak MB | naive / this |")
    print("|---|---:|---|---:|---:|---:|")
    for label, runs in times.items():
        walls = [t for t, _ in runs]
        med = statistics.median(walls)
        print(
            f"| {label} | {med:.2f} | {', '.join(f'{t:.2f}' for t in walls)} | "
            f"{args.events / med:,.0f} | {max(m for _, m in runs):,.0f} | {naive / med:.1f}x |"
        )
    print("\n| GeoParquet, in process | rows/s |\n|---|---:|")
    for label, rate in parquet_rates(src, folder).items():
        print(f"| {label} | {rate:,.0f} |")
    if args.stages:
        for fmt in ("csv", "parquet"):
            print(f"\n| stage, {fmt} out (in process, one timed run) | s |\n|---|---:|")
            for label, seconds in stages(src, folder, fmt).items():
                print(f"| {label} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
