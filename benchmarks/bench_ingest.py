"""Ingest benchmark (issue 15): ``bordermap events check`` of an ACLED-layout CSV, as users run it.

Usage: python benchmarks/bench_ingest.py [--rows N] [--repeat 3] [--parquet] [--out results.md]

It writes a synthetic export in the current ACLED layout (31 columns,
realistic ``notes`` text, points inside the stated provinces, 0.1 % of rows
with a defect), then times, each as a fresh process, median of ``--repeat``:

- ``bordermap events check FILE -f json -o report.json``: the whole CLI, every check;
- anchors in the same run: ``pyarrow.csv.read_csv`` of the file (the parse
  floor), ``pandas.read_csv``, and a naive geopandas pipeline (read_csv,
  ``points_from_xy``, ``sjoin`` with the provinces, ``to_crs`` plus ``.distance``
  to the border);
- with ``--parquet``, the same events as bordermap's own GeoParquet (the valid
  rows as read, written chunk by chunk with :mod:`geo.io.columnar`) through
  ``bordermap events check``, beside ``pyarrow.parquet.read_table`` of that file
  (the read floor; the goal of issue 15 is 2M rows/s).

It prints a Markdown table with wall time, rows/s, peak RSS (of the process
and its children) and the ratio of each anchor to the CLI.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
NOTES = (
    "On 18 January 2024, unidentified gunmen attacked a checkpoint near the town, killing two "
    "soldiers and injuring three others; the attackers fled towards the border.",
    "On 16 January 2024, Iranian forces carried out missile and drone strikes on alleged Jaish "
    "al-Adl positions in Panjgur district. 2 children were reportedly killed.",
    "Around 17 January 2024 (month of), a protest was held in the city against the strikes; "
    "no injuries were reported. [size=around 200]",
)


def write_acled(path: Path, rows: int, block: int = 250_000, seed: int = 0) -> None:
    """ACLED rows in Sistan and Baluchestan and Balochistan, written block by block."""
    from geo.io.layouts import ACLED_CURRENT

    rng = np.random.default_rng(seed)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(ACLED_CURRENT) + "\n")
        for start in range(0, rows, block):
            n = min(block, rows - start)
            iran = rng.random(n) < 0.5
            frame = pd.DataFrame({c: "" for c in ACLED_CURRENT}, index=range(n))
            frame["event_id_cnty"] = [f"EV{i}" for i in range(start, start + n)]
            frame["event_date"] = "2024-01-18"
            frame["year"] = "2024"
            frame["time_precision"] = "1"
            frame["disorder_type"] = "Political violence"
            frame["event_type"] = "Explosions/Remote violence"
            frame["sub_event_type"] = "Air/drone strike"
            frame["actor1"] = np.where(
                iran, "Military Forces of Pakistan (2018-)", "Military Forces of Iran (1989-)"
            )
            frame["inter1"], frame["inter2"], frame["interaction"] = "1", "7", "17"
            frame["actor2"] = "Civilians"
            frame["iso"] = np.where(iran, "364", "586")
            frame["region"] = "Middle East"
            frame["country"] = np.where(iran, "Iran", "Pakistan")
            frame["admin1"] = np.where(iran, "Sistan and Baluchestan", "Balochistan")
            frame["admin2"] = "Panjgur"
            frame["location"] = "Somewhere"
            frame["latitude"] = np.where(
                iran, rng.uniform(27.0, 29.5, n), rng.uniform(26.5, 29.0, n)
            ).round(4)
            frame["longitude"] = np.where(
                iran, rng.uniform(60.5, 61.5, n), rng.uniform(64.5, 66.5, n)
            ).round(4)
            frame["geo_precision"] = rng.integers(1, 4, n)
            frame["source"] = "Dawn; Reuters"
            frame["source_scale"] = "National-International"
            frame["notes"] = np.array(NOTES)[rng.integers(0, len(NOTES), n)]
            fatalities = rng.integers(0, 5, n).astype(str)
            fatalities[rng.random(n) < 0.001] = "unknown"
            frame["fatalities"] = fatalities
            frame["timestamp"] = "1706000000"
            frame.to_csv(fh, header=False, index=False)


def write_geoparquet(src: Path, dest: Path) -> int:
    """Write the valid events of ``src`` as GeoParquet, one row group per chunk; return rows."""
    from geo.io.columnar import GeoParquetChunks, arrow_table
    from geo.io.stream import EventStream

    rows = 0
    with dest.open("wb") as sink:
        writer = None
        for chunk in EventStream(src):
            writer = writer or GeoParquetChunks(sink, chunk.crs)
            writer.write(arrow_table(chunk), chunk.geometry.array)
            rows += len(chunk)
        writer.close()
    return rows


def anchor(kind: str, path: str) -> dict:
    """Run one anchor in this process; return rows."""
    if kind == "pyarrow":
        import pyarrow.csv as pacsv

        return {"rows": pacsv.read_csv(path).num_rows}
    if kind == "parquet":
        import pyarrow.parquet as pq

        return {"rows": pq.read_table(path).num_rows}
    if kind == "pandas":
        return {"rows": len(pd.read_csv(path))}
    import geopandas as gpd

    from geo import layers

    frame = pd.read_csv(path)
    points = gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]), crs=4326
    )
    provinces = layers.provinces(countries=["IRN", "PAK"])[["adm1_code", "geometry"]]
    joined = gpd.sjoin(points, provinces, how="left", predicate="within")
    border = layers.border("IRN", "PAK")
    utm = joined.to_crs(32641)
    utm["border_distance_km"] = utm.distance(border.to_crs(32641).geometry.iloc[0]) / 1000
    return {"rows": len(utm)}


def timed(cmd: list[str]) -> dict:
    """Wall time and peak RSS (``/usr/bin/time``) of one child process."""
    t0 = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr[-2000:]}")
    peak_kb = int(done.stderr.strip().splitlines()[-1])
    return {"wall_s": wall, "peak_rss_mb": peak_kb / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="Write the table here too.")
    parser.add_argument("--anchor", choices=["pyarrow", "pandas", "geopandas", "parquet"])
    parser.add_argument(
        "--parquet", action="store_true", help="Also time GeoParquet in (events check, floor)."
    )
    parser.add_argument("--path")
    args = parser.parse_args()
    if args.anchor:
        print(json.dumps(anchor(args.anchor, args.path)))
        return
    bordermap = shutil.which("bordermap") or str(Path(sys.executable).with_name("bordermap"))
    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as folder:
        path = Path(folder) / "acled.csv"
        write_acled(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        report = Path(folder) / "report.json"
        runs = {
            "bordermap events check (CLI, every check)": [
                bordermap,
                "events",
                "check",
                str(path),
                "-f",
                "json",
                "-o",
                str(report),
                "--overwrite",
            ],
            "pyarrow.csv.read_csv (parse floor)": [
                sys.executable,
                __file__,
                "--anchor",
                "pyarrow",
                "--path",
                str(path),
            ],
            "pandas.read_csv": [
                sys.executable,
                __file__,
                "--anchor",
                "pandas",
                "--path",
                str(path),
            ],
            "naive geopandas (read, sjoin, to_crs + distance)": [
                sys.executable,
                __file__,
                "--anchor",
                "geopandas",
                "--path",
                str(path),
            ],
        }
        kept = 0
        if args.parquet:
            geoparquet = Path(folder) / "events.parquet"
            kept = write_geoparquet(path, geoparquet)
            print(
                f"GeoParquet: {kept:,} rows, {geoparquet.stat().st_size / 1e6:,.0f} MB",
                file=sys.stderr,
            )
            runs["bordermap events check, GeoParquet in (every check)"] = [
                bordermap,
                "events",
                "check",
                str(geoparquet),
                "-f",
                "json",
                "-o",
                str(Path(folder) / "report-parquet.json"),
                "--overwrite",
            ]
            runs["pyarrow.parquet.read_table (GeoParquet read floor)"] = [
                sys.executable,
                __file__,
                "--anchor",
                "parquet",
                "--path",
                str(geoparquet),
            ]
        counted = {name: kept if "GeoParquet" in name else args.rows for name in runs}
        results: dict[str, list[dict]] = {name: [] for name in runs}
        for _ in range(args.repeat):
            for name, cmd in runs.items():
                results[name].append(timed(cmd))
                print(name, f"{results[name][-1]['wall_s']:.1f} s", file=sys.stderr)
        checked = json.loads(report.read_text())
    ours = statistics.median(r["wall_s"] for r in results[next(iter(runs))])
    lines = [
        f"{args.rows:,} rows, {size_mb:,.0f} MB; kept {checked['kept']:,}, rejected "
        f"{checked['rejected']:,}; median of {args.repeat}",
        "",
        "| run | median wall s | rows/s | peak RSS MB | its time / CLI time |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, rs in results.items():
        wall = statistics.median(r["wall_s"] for r in rs)
        peak = max(r["peak_rss_mb"] for r in rs)
        rate = counted[name] / wall
        lines.append(f"| {name} | {wall:.1f} | {rate:,.0f} | {peak:,.0f} | {wall / ours:.2f} |")
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
