"""Distributed benchmark: ``--engine dask`` on a LocalCluster against the local engine.

Usage: python benchmarks/bench_distributed.py [--sizes 1000000,10000000] [--fifty]
                                              [--workers 2] [--part-rows 500000]
                                              [--local-max 10000000] [--append]

For each size it writes a synthetic partitioned GeoParquet dataset (seeded,
``--part-rows`` events per file, in a temporary folder deleted afterwards)
and times, in the same run:

- dask: :func:`geo.dask.run` (read and check every file on a worker,
  proximity analysis, summaries by zone/side and province, GeoParquet
  dataset written) on a ``LocalCluster`` of ``--workers`` single-threaded
  worker processes; a sampler polls every worker's RSS every 0.25 s;
- local: the local engine's path on the same files in one fresh process,
  file after file: ``geo.io.events.read_events``, ``geo.proximity.analyze``,
  ``to_parquet``, ``geo.proximity.summarize`` (sizes up to ``--local-max``).

It prints wall time, events/s, peak RSS per worker, the ratio local/dask, and
the per-worker throughput used to extrapolate to 10^9 events; ``--append``
adds the table to benchmarks/RESULTS.md. ``--fifty`` adds 50M events.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

import geo.dask  # lazy: dask loads on first use, so the --local-only child never loads it
from geo.io.events import read_events
from geo.proximity import analyze, summarize
from geo.theatre import Theatre

HERE = Path(__file__).resolve().parent
SEED = 20240118


def write_dataset(folder: Path, n: int, part_rows: int, seed: int = SEED) -> list[Path]:
    """Synthetic events over the IRN-PAK-AFG theatre, one GeoParquet file per part."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    files = []
    for i, start in enumerate(range(0, n, part_rows)):
        m = min(part_rows, n - start)
        lon = rng.uniform(57.0, 68.0, m)
        lat = rng.uniform(24.0, 32.0, m)
        frame = gpd.GeoDataFrame(
            {
                "event_id": np.char.add("E", np.arange(start, start + m).astype(str)),
                "event_date": pd.Timestamp("2024-01-01")
                + pd.to_timedelta(rng.integers(0, 366, m), unit="D"),
                "fatalities": rng.integers(0, 5, m),
                "geo_precision": rng.integers(1, 4, m),
            },
            geometry=gpd.points_from_xy(lon, lat),
            crs="EPSG:4326",
        )
        path = folder / f"part.{i:05d}.parquet"
        frame.to_parquet(path)
        files.append(path)
    return files


def run_local(folder: Path, out: Path) -> dict:
    """The local engine, file after file, in this process (called in a child)."""
    theatre = Theatre.from_pair(sites=())
    out.mkdir()
    t0 = time.perf_counter()
    rows = kept = 0
    for path in sorted(folder.glob("*.parquet")):
        table = read_events(path)
        result = analyze(table.events, theatre)
        result.attrs.clear()
        result.to_parquet(out / path.name)
        summarize(result, ("zone", "side"))
        summarize(result, ("admin1_iso3", "admin1"))
        rows, kept = rows + table.rows_read, kept + len(result)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "rows": rows, "kept": kept, "peak_rss_mb": peak}


class WorkerMemory:
    """Poll each worker's RSS (psutil, via Client.run) and keep the peak."""

    def __init__(self, client, every: float = 0.25) -> None:
        self.client, self.every = client, every
        self.peak: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    @staticmethod
    def _rss() -> int:
        import psutil

        return psutil.Process().memory_info().rss

    def _poll(self) -> None:
        while not self._stop.is_set():
            try:
                for addr, rss in self.client.run(self._rss).items():
                    self.peak[addr] = max(self.peak.get(addr, 0.0), rss / 2**20)
            except Exception:  # a poll racing shutdown is not a result
                pass
            self._stop.wait(self.every)

    def __enter__(self) -> WorkerMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def run_dask(folder: Path, out: Path, workers: int) -> dict:
    """The dask engine on a LocalCluster of ``workers`` processes, with their peak RSS."""
    with geo.dask.connect(workers=workers) as client:
        client.run(lambda: __import__("geo.proximity"))  # warm imports, as a long-lived cluster is
        with WorkerMemory(client) as memory:
            t0 = time.perf_counter()
            result = geo.dask.run(folder, out, Theatre.from_pair(sites=()))
            seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "rows": result.rows,
        "kept": result.kept,
        "partitions": len(result.partitions),
        "peak_worker_rss_mb": sorted(round(v) for v in memory.peak.values()),
    }


def median_run(runs: list[dict]) -> dict:
    """The run with the median wall time (the middle one of an odd count)."""
    ordered = sorted(runs, key=lambda r: r["seconds"])
    out = dict(ordered[(len(ordered) - 1) // 2])
    out["all_seconds"] = [round(r["seconds"], 1) for r in runs]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--fifty", action="store_true", help="also 50,000,000 events")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--part-rows", type=int, default=500_000)
    parser.add_argument("--local-max", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs per engine; medians")
    parser.add_argument("--append", action="store_true")
    parser.add_argument("--local-only", nargs=2, metavar=("DATASET", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.local_only:
        print(json.dumps(run_local(Path(args.local_only[0]), Path(args.local_only[1]))))
        return
    sizes = [int(s) for s in args.sizes.split(",")] + ([50_000_000] if args.fifty else [])
    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="bench_distributed_") as tmp:
            folder = Path(tmp) / "events"
            part_rows = min(args.part_rows, max(n // (2 * args.workers), 1))
            t0 = time.perf_counter()
            write_dataset(folder, n, part_rows)
            gen = time.perf_counter() - t0
            dask_runs, local_runs = [], []
            for i in range(args.repeat):  # alternate, so background load hits both alike
                shutil.rmtree(Path(tmp) / "dask_out", ignore_errors=True)
                shutil.rmtree(Path(tmp) / "local_out", ignore_errors=True)
                dask_runs.append(run_dask(folder, Path(tmp) / "dask_out", args.workers))
                if n <= args.local_max:
                    done = subprocess.run(
                        [
                            sys.executable,
                            __file__,
                            "--local-only",
                            str(folder),
                            str(Path(tmp) / "local_out"),
                        ],
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                    local_runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
                print(
                    f"{n:,} events, run {i + 1}: dask {dask_runs[-1]['seconds']:.1f} s"
                    + (f", local {local_runs[-1]['seconds']:.1f} s" if local_runs else ""),
                    file=sys.stderr,
                    flush=True,
                )
            dask_res = median_run(dask_runs)
            local = median_run(local_runs) if local_runs else None
            assert dask_res["kept"] == n and (local is None or local["kept"] == n)
            row = {
                "events": n,
                "partitions": dask_res["partitions"],
                "generate_s": round(gen, 1),
                "dask_s": round(dask_res["seconds"], 1),
                "dask_events_per_s": round(n / dask_res["seconds"]),
                "per_worker_events_per_s": round(n / dask_res["seconds"] / args.workers),
                "peak_worker_rss_mb": dask_res["peak_worker_rss_mb"],
                "local_s": round(local["seconds"], 1) if local else None,
                "local_events_per_s": round(n / local["seconds"]) if local else None,
                "local_peak_rss_mb": round(local["peak_rss_mb"]) if local else None,
                "speedup": round(local["seconds"] / dask_res["seconds"], 2) if local else None,
                "dask_all_s": dask_res["all_seconds"],
                "local_all_s": local["all_seconds"] if local else None,
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    table = render(rows, args)
    print(table)
    if args.append:
        with open(HERE / "RESULTS.md", "a", encoding="utf-8") as fh:
            fh.write("\n" + table)


def render(rows: list[dict], args) -> str:
    cmd = "python benchmarks/bench_distributed.py " + " ".join(sys.argv[1:])
    lines = [
        "## Distributed engine (issue 9)",
        "",
        f"Command: `{cmd.replace(' --append', '').strip()}` ({time.strftime('%Y-%m-%d')}, "
        f"{platform.machine()}, Python {platform.python_version()}, 2 shared cores; medians of "
        f"{args.repeat} alternating runs per engine and size). LocalCluster: {args.workers} worker "
        f"processes x 1 thread; synthetic GeoParquet, up to {args.part_rows:,} events per "
        f"file (seed {SEED}). "
        "Both engines do the same work: read and check every file, proximity analysis, "
        "summaries by zone/side and province, GeoParquet out.",
        "",
        "| events | partitions | dask s | dask events/s | per worker events/s | peak RSS per "
        "worker MB | local s | local events/s | local peak RSS MB | local / dask |",
        "|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in rows:

        def fmt(v, spec=","):
            return "-" if v is None else format(v, spec)

        lines.append(
            f"| {r['events']:,} | {r['partitions']} | {r['dask_s']} | {r['dask_events_per_s']:,} | "
            f"{r['per_worker_events_per_s']:,} | {' / '.join(map(str, r['peak_worker_rss_mb']))} | "
            f"{fmt(r['local_s'], '')} | {fmt(r['local_events_per_s'])} | "
            f"{fmt(r['local_peak_rss_mb'])} | {fmt(r['speedup'], '')} |"
        )
    lines.append("")
    for r in rows:
        runs = f"dask {r['dask_all_s']}" + (f", local {r['local_all_s']}" if r["local_s"] else "")
        lines.append(f"- {r['events']:,} events, every run in s: {runs}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
