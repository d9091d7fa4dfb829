"""Small-file benchmark: how long a user waits for each command on the seed events.

Usage: python benchmarks/bench_startup.py [--repeat 5] [--out results-startup.md]

Every figure is a whole ``bordermap`` process, started as a user starts it
(the installed console script), file in and file out, timed from fork to
exit; the median of ``--repeat`` runs after one warm-up run (so the operating
system's file cache and bordermap's derived-shape cache, ``geo.cache``, are
warm, as they are for a user's second command), and beside it one first run
with an empty derived-shape cache. The timed processes write and use Python's
bytecode cache as Python does by default (``PYTHONDONTWRITEBYTECODE`` is
cleared for them). Beside
them, in the same run, the floor every Python geospatial tool pays: a bare
interpreter, and ``import geopandas``.

Goals (issue 14): ``--help`` <= 0.3 s, ``analyze`` <= 1 s, ``map`` <= 2 s,
``plot`` and ``export`` <= 3 s each.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BORDERMAP = str(BIN / "bordermap")

GOALS = {"--help": 0.3, "analyze": 1.0, "map": 2.0, "plot": 3.0, "export": 3.0}


def commands(folder: Path) -> dict[str, list[str]]:
    """The timed command lines, each writing into ``folder``."""
    over = ["--overwrite", "-q", "--out"]
    return {
        "python -c pass (floor)": [sys.executable, "-c", "pass"],
        "python -c 'import geopandas' (floor)": [sys.executable, "-c", "import geopandas"],
        "--help": [BORDERMAP, "--help"],
        "analyze": [BORDERMAP, "analyze", *over, str(folder / "a.csv")],
        "map": [BORDERMAP, "map", "--offline", *over, str(folder / "m.html")],
        "plot": [BORDERMAP, "plot", *over, str(folder / "p.png")],
        "export": [BORDERMAP, "export", *over, str(folder / "e.gpkg")],
    }


def time_once(argv: list[str], env: dict[str, str] | None = None) -> float:
    """Wall time of one process, start to exit; fails loudly if the command fails."""
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, check=False, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode()[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None, help="write the Markdown table here")
    args = parser.parse_args()
    rows = []
    # Python writes bytecode caches by default; a shell that sets
    # PYTHONDONTWRITEBYTECODE (as this development sandbox does) would make every
    # run recompile bordermap's modules, which no user's second run does
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as tmp:
        for name, argv in commands(Path(tmp)).items():
            # the first run on a machine: an empty derived-shape cache (geo.cache)
            cold_dir = tempfile.mkdtemp(dir=tmp, prefix="cache-")
            cold = time_once(argv, {**os.environ, "BORDERMAP_CACHE_DIR": cold_dir})
            time_once(argv)  # warm-up
            times = [time_once(argv) for _ in range(args.repeat)]
            goal = GOALS.get(name)
            median = statistics.median(times)
            verdict = "" if goal is None else ("met" if median <= goal else "MISSED")
            rows.append((name, median, min(times), max(times), cold, goal, verdict))
            print(f"{name:40s} median {median:6.2f} s  ({min(times):.2f}-{max(times):.2f})")
    load = os.getloadavg()[0]
    lines = [
        f"Measured on {platform.node()} ({os.cpu_count()} cores), load average {load:.1f} "
        f"at the end, median of {args.repeat} runs after a warm-up.",
        "",
        "| command | median s | min s | max s | first run, empty cache s | goal s | |",
        "|---|---|---|---|---|---|---|",
        *(
            f"| `{n}` | {m:.2f} | {lo:.2f} | {hi:.2f} | {c:.2f} | {'' if g is None else g} | {v} |"
            for n, m, lo, hi, c, g, v in rows
        ),
        "",
        "Reproduce: `.venv/bin/python benchmarks/bench_startup.py --repeat 5`",
    ]
    text = "\n".join(lines) + "\n"
    if args.out:
        args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
