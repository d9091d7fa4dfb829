"""Distributed benchmark: ``--engine dask`` on a LocalCluster against the local engine.

Usage: python benchmarks/bench_distributed.py [--sizes 1000000,10000000] [--fifty]
                                              [--workers 2] [--part-rows 500000]
                                              [--local-max 10000000] [--append] [--csv]

With ``--csv`` it times instead what a user runs on one large CSV, as whole
``bordermap`` processes, median of ``--repeat`` alternating runs
(:func:`main_csv`): ``analyze --engine dask`` on a LocalCluster (the file cut
into byte-range partitions) against ``analyze --format parquet`` (the local
engine); plus the fixed cost of a dask run (a one-row file) and the
scheduler's cost per task, for the projection to a multi-machine cluster.
``--append`` then writes ``benchmarks/results-C.md``.

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
        summarize(result, ("province_iso3", "province"))
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
    parser.add_argument("--csv", action="store_true", help="one large CSV, whole CLI processes")
    parser.add_argument("--large-repeat", type=int, default=None, help="runs at 10M+ (--csv)")
    args = parser.parse_args()
    if args.csv:
        main_csv(args)
        return
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


# --- one large CSV, whole processes (issue 15) -----------------------------------------

CSV_COLUMNS = [
    "event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1",
    "actor2", "country", "iso", "admin1", "location", "latitude", "longitude", "geo_precision",
    "source", "notes", "fatalities",
]  # fmt: skip


def write_csv(path: Path, n: int, seed: int = SEED, block: int = 500_000) -> None:
    """ACLED-like rows; 1 % of notes span lines (quoted), 0.1 % of ids repeat an earlier one."""
    rng = np.random.default_rng(seed)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(CSV_COLUMNS) + "\n")
        for start in range(0, n, block):
            m = min(block, n - start)
            ids = np.char.add("EV", np.arange(start, start + m).astype(str)).astype(object)
            again = rng.random(m) < 0.001
            ids[again] = np.char.add("EV", rng.integers(0, start + 1, again.sum()).astype(str))
            iran = rng.random(m) < 0.5
            notes = np.where(
                rng.random(m) < 0.01,
                'Shelling reported;\n"two" villages, per local sources',
                "Clashes near the border, with a comma",
            )
            frame = pd.DataFrame(
                {
                    "event_id_cnty": ids,
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
                    "latitude": np.where(
                        iran, rng.uniform(26.5, 30.0, m), rng.uniform(26.0, 29.5, m)
                    ).round(5),
                    "longitude": np.where(
                        iran, rng.uniform(58.0, 61.0, m), rng.uniform(64.0, 67.0, m)
                    ).round(5),
                    "geo_precision": rng.integers(1, 4, m),
                    "source": "synthetic",
                    "notes": notes,
                    "fatalities": rng.integers(0, 5, m),
                }
            )
            frame.to_csv(fh, header=False, index=False)


def timed(command: list[str], env: dict | None = None) -> dict:
    """Run a whole process under /usr/bin/time: wall seconds and its own peak RSS."""
    import os

    full = ["/usr/bin/time", "-f", "%e %M", *command]
    done = subprocess.run(full, capture_output=True, text=True, env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    wall, rss_kb = done.stderr.strip().splitlines()[-1].split()
    return {"seconds": float(wall), "peak_rss_mb": int(rss_kb) / 1024, "stdout": done.stdout}


def scheduler_cost(workers: int, tasks: int = 2000) -> float:
    """Seconds of scheduling per task: no-op tasks on a fresh LocalCluster."""
    import dask

    with geo.dask.connect(workers=workers):
        noop = [dask.delayed(int)(i) for i in range(tasks)]
        geo.dask.compute(*noop[:10])
        t0 = time.perf_counter()
        geo.dask.compute(*noop)
        return (time.perf_counter() - t0) / tasks


def _csv_size(n: int, args, tmp: Path, bordermap: str) -> dict:
    path = tmp / "events.csv"
    t0 = time.perf_counter()
    write_csv(path, n)
    gen = time.perf_counter() - t0
    dask_cmd = [bordermap, "analyze", "--engine", "dask", "--events", str(path), "--out",
                str(tmp / "dask_out"), "--rejects", str(tmp / "dask_rejects.csv"), "--sites", "",
                "--overwrite", "-q"]  # fmt: skip
    local_cmd = [bordermap, "analyze", "--events", str(path), "--format", "parquet", "--out",
                 str(tmp / "local.parquet"), "--rejects", str(tmp / "local_rejects.csv"),
                 "--sites", "", "--overwrite", "-q"]  # fmt: skip
    dask_runs, local_runs = [], []
    repeat = args.repeat if n < 10_000_000 or args.large_repeat is None else args.large_repeat
    for i in range(repeat):  # alternate, so background load hits both alike
        dask_runs.append(timed(dask_cmd))
        if n <= args.local_max:
            local_runs.append(timed(local_cmd))
        print(
            f"{n:,} events, run {i + 1}: dask {dask_runs[-1]['seconds']:.1f} s"
            + (f", local {local_runs[-1]['seconds']:.1f} s" if local_runs else ""),
            file=sys.stderr,
            flush=True,
        )
    report = dask_runs[-1]["stdout"]  # "wrote 4 GeoParquet partitions to ..."
    parts = int(report.split("wrote ")[1].split()[0].replace(",", ""))
    d, loc = median_run(dask_runs), median_run(local_runs) if local_runs else None
    return {
        "events": n,
        "bytes": path.stat().st_size,
        "partitions": parts,
        "generate_s": round(gen, 1),
        "dask_s": d["seconds"],
        "dask_all_s": d["all_seconds"],
        "dask_rss_mb": round(d["peak_rss_mb"]),
        "local_s": loc["seconds"] if loc else None,
        "local_all_s": loc["all_seconds"] if loc else None,
        "local_rss_mb": round(loc["peak_rss_mb"]) if loc else None,
    }


def main_csv(args) -> None:
    """Whole ``bordermap analyze`` processes on one CSV per size, both engines."""
    bordermap = str(Path(sys.executable).with_name("bordermap"))
    load = open("/proc/loadavg").read().split()[:3]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_csv_") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "one.csv").write_text("event_id,latitude,longitude\na,27.37,62.33\n")
        one = [bordermap, "analyze", "--engine", "dask", "--events", str(tmp / "one.csv"),
               "--out", str(tmp / "one_out"), "--sites", "", "-q", "--overwrite"]  # fmt: skip
        fixed = median_run([timed(one) for _ in range(3)])
        per_task = scheduler_cost(args.workers)
        for n in [int(s) for s in args.sizes.split(",")]:
            rows.append(_csv_size(n, args, tmp, bordermap))
            print(json.dumps(rows[-1]), flush=True)
            for leftover in ("events.csv", "dask_out", "local.parquet"):
                shutil.rmtree(tmp / leftover, ignore_errors=True)
                (tmp / leftover).unlink(missing_ok=True)
            load_after = open("/proc/loadavg").read().split()[:3]
            text = render_csv(rows, args, fixed["seconds"], per_task, load, load_after)
            if args.append:  # after every size, so a long run stopped early still records
                (HERE / "results-C.md").write_text(text, encoding="utf-8")
    print(text)


def render_csv(rows, args, fixed_s, per_task_s, load, load_after) -> str:
    """The RESULTS section: measured table, then the projection from measured costs."""
    cmd = "python benchmarks/bench_distributed.py " + " ".join(sys.argv[1:])
    out = [
        "## Dask (issue 15)",
        "",
        f"Command: `{cmd.replace(' --append', '').strip()}` ({time.strftime('%Y-%m-%d %H:%M')}, "
        f"{platform.machine()}, Python {platform.python_version()}, 2 vCPUs shared with other "
        f"work: load average {' '.join(load)} before, {' '.join(load_after)} after). Whole "
        f"`bordermap` processes, file in and file out, median of {args.repeat} alternating "
        "runs: `analyze --engine dask --events big.csv --out DIR --rejects r.csv` on a "
        f"LocalCluster of {args.workers} single-threaded workers (the CSV cut into byte-range "
        "partitions at row boundaries) against `analyze --events big.csv --format parquet "
        "--out x.parquet --rejects r.csv` (local engine). Synthetic ACLED layout, 17 columns, "
        "1 % of notes span lines, 0.1 % repeated ids (seed "
        f"{SEED}). RSS is the `bordermap` process's own (dask workers are separate processes).",
        "",
        "| events | CSV MB | partitions | dask s | dask rows/s | local s | local rows/s | "
        "local / dask | dask RSS MB | local RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        n, loc = r["events"], r["local_s"]
        local = ["-", "-", "-", "-"] if loc is None else [
            f"{loc:.1f}", f"{n / loc:,.0f}", f"{loc / r['dask_s']:.2f}", str(r["local_rss_mb"])
        ]  # fmt: skip
        out.append(
            f"| {n:,} | {r['bytes'] / 1e6:,.0f} | {r['partitions']} | {r['dask_s']:.1f} "
            f"| {n / r['dask_s']:,.0f} | {local[0]} | {local[1]} | {local[2]} | "
            f"{r['dask_rss_mb']} | {local[3]} |"
        )
    out.append("")
    for r in rows:
        out.append(f"- {r['events']:,} events, every run in s: dask {r['dask_all_s']}"
                   + (f", local {r['local_all_s']}" if r["local_s"] else ""))  # fmt: skip
    out += _projection(rows, args.workers, fixed_s, per_task_s)
    return "\n".join(out) + "\n"


def _projection(rows, workers, fixed_s, per_task_s) -> list[str]:
    big = max(rows, key=lambda r: r["events"])
    per_part = (big["dask_s"] - fixed_s) * workers / big["partitions"]
    rate = big["events"] / ((big["dask_s"] - fixed_s) * workers)  # rows/s per worker
    with_local = [r for r in rows if r["local_s"]]
    biggest_local = max(with_local, key=lambda r: r["events"]) if with_local else None
    local_rate = biggest_local["events"] / biggest_local["local_s"] if with_local else None
    rows_per_part = big["events"] / big["partitions"]
    lines = [
        "",
        f"Measured here: a dask run's fixed cost (process start, LocalCluster start and stop, "
        f"a one-row file) {fixed_s:.1f} s; scheduler cost {per_task_s * 1e3:.2f} ms per task "
        f"(2,000 no-op tasks); per partition of {rows_per_part:,.0f} rows "
        f"{per_part:.1f} s of one worker, i.e. {rate:,.0f} rows/s per worker"
        + (f"; the local engine {local_rate:,.0f} rows/s." if local_rate else "."),
        "",
        "Projection, T(W) = fixed + rows / (W x per-worker rate) + tasks x scheduler cost "
        "(about 8 tasks per partition; storage assumed to keep up):",
        "",
        "| rows | local engine | W=2 | W=8 | W=32 | W=128 |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for n in (10_000_000, 100_000_000, 1_000_000_000):
        tasks = 8 * n / rows_per_part
        cells = [fixed_s + n / (w * rate) + tasks * per_task_s for w in (2, 8, 32, 128)]
        loc = f"{n / local_rate:,.0f} s" if local_rate else "-"
        lines.append(f"| {n:,} | {loc} | " + " | ".join(f"{c:,.0f} s" for c in cells) + " |")
    if local_rate:
        # W workers beat one local process when fixed + n/(W r) < n / local_rate
        need = [
            (n, n / rate / (n / local_rate - fixed_s - 8 * n / rows_per_part * per_task_s))
            for n in (1_000_000, 10_000_000)
        ]
        lines += [""] + [
            f"- At {n:,} rows the cluster beats the local engine from W > {w:.1f} workers."
            for n, w in need
            if w > 0
        ]
    return lines


if __name__ == "__main__":
    main()
