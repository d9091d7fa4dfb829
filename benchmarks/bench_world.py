"""World benchmark: ``analyze --pair nearest`` beside a single pair, on the same events.

Writes ``N`` synthetic events spread over the world's land (points sampled
inside country polygons, each country in proportion to its box area, kept
only where the point is inside), then times whole ``bordermap analyze``
processes, median of ``--repeat`` runs, with peak memory from
``/usr/bin/time -v``. The index of every border is built inside each
``nearest`` process (it is cached per process only), so its build counts.

Usage::

    .venv/bin/python benchmarks/bench_world.py --events 1000000 --pair RUS-UKR
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from geo import layers

BORDERMAP = str(Path(sys.executable).with_name("bordermap"))


def world_events(n: int, seed: int = 13) -> pd.DataFrame:
    """``n`` synthetic events on land: id, date, latitude, longitude, country (ISO3)."""
    rng = np.random.default_rng(seed)
    outlines = layers.countries()
    polys = outlines.geometry.to_numpy()
    # land area, roughly: square degrees shrunk by the cosine of the latitude
    lat = shapely.get_y(shapely.centroid(polys))
    area = shapely.area(polys) * np.cos(np.radians(lat))
    share = rng.multinomial(n, area / area.sum())
    rows = []
    for code, poly, want in zip(outlines["iso3"], polys, share, strict=True):
        if want == 0:
            continue
        shapely.prepare(poly)
        got = np.empty((0, 2))
        for w, s, e, nn in _boxes(poly):
            while len(got) < want:
                x = rng.uniform(w, e, 4 * want + 16)
                y = rng.uniform(s, nn, 4 * want + 16)
                inside = shapely.contains_xy(poly, x, y)
                got = np.vstack([got, np.column_stack([x[inside], y[inside]])])
        got = got[:want]
        rows.append(pd.DataFrame({"longitude": got[:, 0], "latitude": got[:, 1], "iso3": code}))
    frame = pd.concat(rows, ignore_index=True).sample(frac=1.0, random_state=seed)
    frame.insert(0, "event_id", [f"W{i:07d}" for i in range(len(frame))])
    frame.insert(1, "event_date", "2024-01-01")
    frame["fatalities"] = 0
    return frame


def _boxes(poly) -> list[tuple[float, float, float, float]]:
    """The box of the polygon's largest part: a country across 180° is sampled where it is."""
    parts = shapely.get_parts(poly)
    return [tuple(parts[int(np.argmax(shapely.area(parts)))].bounds)]


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one process."""
    start = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    return wall, rss_kb / 1024.0


def main() -> None:
    """Write the events, time both commands, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--pair", default="IRN-PAK")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument(
        "--only", choices=("both", "nearest", "pair"), default="both", help="Commands to time."
    )
    parser.add_argument("--out-ext", choices=("csv", "parquet"), default="csv")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench_world_"))
    folder.mkdir(parents=True, exist_ok=True)
    events = folder / "world.csv"
    if not events.exists():
        world_events(args.events).to_csv(events, index=False)
    print(f"events: {events} ({sum(1 for _ in events.open()) - 1:,} rows)")
    print("| command | median s | runs s | peak MB |\n|---|---|---|---|")
    commands = (("nearest", "nearest"), ("one pair", args.pair))
    for label, pair in commands:
        if args.only != "both" and (label == "nearest") != (args.only == "nearest"):
            continue
        out = folder / f"o.{args.out_ext}"  # the extension sets the format
        cmd = [BORDERMAP, "analyze", "--pair", pair, "--events", str(events), "--quiet"]
        cmd += ["--out", str(out), "--overwrite"]
        try:
            times = [run(cmd) for _ in range(args.repeat)]
        except SystemExit as exc:
            print(f"| {label} | failed: {str(exc).splitlines()[-1]} | | |")
            continue
        walls = [t for t, _ in times]
        peak = max(m for _, m in times)
        runs = ", ".join(f"{t:.1f}" for t in walls)
        print(
            f"| `{' '.join(cmd[1:])}` ({label}) | {statistics.median(walls):.1f} | {runs} "
            f"| {peak:,.0f} |"
        )


if __name__ == "__main__":
    main()
