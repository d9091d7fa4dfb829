"""Ingest benchmark: stream a large event CSV through the reader and checks.

Usage: python benchmarks/bench_ingest.py [--rows 10000000] [--chunksize 200000]
                                         [--repeat 1] [--no-analyze] [--append]

It writes a synthetic ACLED-like CSV (in a temporary folder, deleted at the
end; 0.1 % of rows carry defects), then, each in a fresh child process so
peak RSS is that run's alone:

- stream: ``geo.io.events.iter_event_chunks`` (parse, checks, duplicate ids,
  country and province containment) chunk by chunk, counting kept + rejected;
- stream+analyze: the same, with ``geo.proximity.analyze`` on every chunk
  (skipped if that module is missing or with ``--no-analyze``);
- baseline: naive ``pandas.read_csv`` of the whole file (no checks at all).

It prints the median wall time of each, peak RSS, the ratios, and with
``--append`` adds the table to benchmarks/RESULTS.md under "## Ingest (issue 7)".
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
COLUMNS = [
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "country",
    "iso",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
]


def write_csv(path: Path, rows: int, block: int = 500_000, seed: int = 0) -> None:
    """ACLED-like rows in the theatre, written block by block (bounded memory)."""
    rng = np.random.default_rng(seed)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(COLUMNS) + "\n")
        for start in range(0, rows, block):
            n = min(block, rows - start)
            iran = rng.random(n) < 0.5
            lat = np.where(iran, rng.uniform(26.5, 30.0, n), rng.uniform(26.0, 29.5, n))
            lon = np.where(iran, rng.uniform(58.0, 61.0, n), rng.uniform(64.0, 67.0, n))
            frame = pd.DataFrame(
                {
                    "event_id_cnty": [f"EV{i}" for i in range(start, start + n)],
                    "event_date": "2024-01-18",
                    "time_precision": "1",
                    "event_type": "Explosions/Remote violence",
                    "sub_event_type": "Air/drone strike",
                    "actor1": "Military Forces",
                    "actor2": "Rebels",
                    "country": np.where(iran, "Iran", "Pakistan"),
                    "iso": np.where(iran, "364", "586"),
                    "admin1": np.where(iran, "Sistan and Baluchestan", "Balochistan"),
                    "location": "Somewhere",
                    "latitude": lat.round(5),
                    "longitude": lon.round(5),
                    "geo_precision": rng.integers(1, 4, n),
                    "source": "synthetic",
                    "notes": "benchmark row, with a comma",
                    "fatalities": rng.integers(0, 5, n).astype(str),
                }
            )
            bad = rng.random(n) < 0.001
            frame.loc[bad, "fatalities"] = "unknown"
            frame.to_csv(fh, header=False, index=False)


def child_stream(path: str, chunksize: int, with_analyze: bool) -> dict:
    from geo.io.events import iter_event_chunks

    analyze = None
    if with_analyze:
        from geo.proximity import analyze
    t0 = time.perf_counter()
    rows = kept = rejected = 0
    for table in iter_event_chunks(path, chunksize=chunksize):
        rows += table.rows_read
        kept += len(table.events)
        rejected += len(table.rejects)
        if analyze is not None and len(table.events):
            analyze(table.events)
    wall = time.perf_counter() - t0
    return {
        "wall_s": wall,
        "rows": rows,
        "kept": kept,
        "rejected": rejected,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def child_baseline(path: str) -> dict:
    t0 = time.perf_counter()
    frame = pd.read_csv(path)
    wall = time.perf_counter() - t0
    return {
        "wall_s": wall,
        "rows": len(frame),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_child(mode: str, path: Path, chunksize: int) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        mode,
        "--path",
        str(path),
        "--chunksize",
        str(chunksize),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def has_proximity() -> bool:
    try:
        from geo.proximity import analyze  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--chunksize", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-analyze", action="store_true")
    parser.add_argument("--append", action="store_true", help="Append to benchmarks/RESULTS.md")
    parser.add_argument("--child", choices=["stream", "analyze", "baseline"])
    parser.add_argument("--path")
    args = parser.parse_args()

    if args.child:
        if args.child == "baseline":
            result = child_baseline(args.path)
        else:
            result = child_stream(args.path, args.chunksize, args.child == "analyze")
        print(json.dumps(result))
        return

    modes = ["stream", "baseline"]
    if not args.no_analyze and has_proximity():
        modes.insert(1, "analyze")
    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as folder:
        path = Path(folder) / "events.csv"
        t0 = time.perf_counter()
        write_csv(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        print(
            f"wrote {args.rows:,} rows, {size_mb:,.0f} MB in {time.perf_counter() - t0:.1f} s",
            file=sys.stderr,
        )
        results: dict[str, list[dict]] = {m: [] for m in modes}
        for _ in range(args.repeat):
            for mode in modes:
                results[mode].append(run_child(mode, path, args.chunksize))
                print(mode, results[mode][-1], file=sys.stderr)
    summary = {}
    for mode, runs in results.items():
        summary[mode] = {
            "median_s": statistics.median(r["wall_s"] for r in runs),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "rows": runs[0]["rows"],
            "kept": runs[0].get("kept"),
            "rejected": runs[0].get("rejected"),
        }
    base = summary["baseline"]
    lines = [
        "| run | rows | kept + rejected | median wall s | rows/s | peak RSS MB | time vs baseline "
        "| RSS vs baseline |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    labels = {
        "stream": "iter_event_chunks + checks",
        "analyze": "+ geo.proximity.analyze",
        "baseline": "pandas.read_csv whole file (no checks)",
    }
    for mode, s in summary.items():
        accounted = "-" if s["kept"] is None else f"{s['kept']:,} + {s['rejected']:,}"
        lines.append(
            f"| {labels[mode]} | {s['rows']:,} | {accounted} | {s['median_s']:.1f} | "
            f"{s['rows'] / s['median_s']:,.0f} | {s['peak_rss_mb']:,.0f} | "
            f"{s['median_s'] / base['median_s']:.2f} | "
            f"{s['peak_rss_mb'] / base['peak_rss_mb']:.2f} |"
        )
    command = (
        f"python benchmarks/bench_ingest.py --rows {args.rows} --chunksize {args.chunksize}"
        f" --repeat {args.repeat}{' --no-analyze' if args.no_analyze else ''}"
    )
    text = "\n".join(lines)
    print(text)
    if args.append:
        import geo

        machine = (
            f"{platform.machine()}, Python {platform.python_version()}, bordermap {geo.__version__}"
        )
        block = (
            f"\n## Ingest (issue 7)\n\nCommand: `{command}` ({size_mb:,.0f} MB CSV, "
            f"{time.strftime('%Y-%m-%d', time.gmtime())}, {machine}, median of {args.repeat}, "
            "each run in a fresh process; 0.1 % of rows have non-numeric fatalities and are "
            "rejected)\n\n" + text + "\n"
        )
        results_md = HERE / "RESULTS.md"
        with open(results_md, "a", encoding="utf-8") as fh:
            fh.write(block)


if __name__ == "__main__":
    main()
