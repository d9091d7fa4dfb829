"""Proximity benchmark: full analysis of synthetic events vs the naive geopandas baseline.

Usage: python benchmarks/bench_proximity.py [--sizes 10000,100000,1000000] [--repeat 3]

For each size it times, in the same run:
- bordermap: geo.proximity.analyze (exact geodesic distance, nearest point,
  bearing, side, province, zone, precision interval);
- baseline: what a geopandas user writes: to_crs(UTM 41N), .distance() to the
  border, and sjoin with the provinces (planar, not geodesic).
It prints medians, the ratio, peak RSS of a fresh child process for bordermap
at each size, and the baseline's error against the exact distance.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import subprocess
import sys
import time

import geopandas as gpd
import numpy as np

from geo import layers
from geo.proximity import analyze

UTM41N = "EPSG:32641"


def synthetic_events(n: int, seed: int = 0) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    lon = rng.uniform(57.0, 68.0, n)
    lat = rng.uniform(24.0, 32.0, n)
    return gpd.GeoDataFrame(
        {
            "event_id": np.arange(n),
            "geo_precision": rng.integers(1, 3, n),
            "fatalities": rng.integers(0, 5, n),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


def baseline(events: gpd.GeoDataFrame):
    border = layers.border("IRN-PAK").to_crs(UTM41N).geometry.iloc[0]
    provs = layers.provinces(["IRN", "PAK", "AFG"]).to_crs(UTM41N)
    pts = events.to_crs(UTM41N)
    dist = pts.distance(border) / 1000.0
    joined = gpd.sjoin(pts, provs[["name_en", "geometry"]], how="left", predicate="within")
    return dist.to_numpy(), joined


def max_error_m(events: gpd.GeoDataFrame, exact_km: np.ndarray, sample: int = 12) -> float:
    """Worst error of a sample against a GeographicLib brute force over nearby edges."""
    from geographiclib.geodesic import Geodesic
    from scipy.optimize import minimize_scalar

    geod = Geodesic.WGS84
    coords = np.asarray(layers.border("IRN-PAK").geometry.iloc[0].coords)
    rng = np.random.default_rng(5)
    worst = 0.0
    for i in rng.choice(len(events), size=sample, replace=False):
        px, py = events.geometry.x.iloc[i], events.geometry.y.iloc[i]
        best = np.inf
        for (x1, y1), (x2, y2) in itertools.pairwise(coords):
            if geod.Inverse(py, px, y1, x1)["s12"] / 1000 > exact_km[i] + 2:
                continue
            edge = geod.InverseLine(y1, x1, y2, x2)

            def dist(s, edge=edge, px=px, py=py):
                pos = edge.Position(s)
                return geod.Inverse(py, px, pos["lat2"], pos["lon2"])["s12"]

            fit = minimize_scalar(
                dist, bounds=(0, edge.s13), method="bounded", options={"xatol": 1e-4}
            )
            best = min(best, fit.fun, dist(0), dist(edge.s13))
        worst = max(worst, abs(best - exact_km[i] * 1000))
    return worst


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def peak_rss_mb(n: int) -> float:
    code = (
        "import resource,sys; sys.path.insert(0,'benchmarks');"
        "from bench_proximity import synthetic_events; from geo.proximity import analyze;"
        f"analyze(synthetic_events({n}));"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    analyze(synthetic_events(1000))  # warm caches: layers, border index
    baseline(synthetic_events(1000))
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        events = synthetic_events(n)
        ours = median_time(lambda ev=events: analyze(ev), args.repeat)
        theirs = median_time(lambda ev=events: baseline(ev), args.repeat)
        exact = analyze(events)["border_distance_km"].to_numpy()
        planar = baseline(events)[0]
        rel = np.abs(planar - exact) / np.maximum(exact, 1e-9)
        rows.append(
            {
                "events": n,
                "bordermap_s": round(ours, 3),
                "baseline_s": round(theirs, 3),
                "speedup": round(theirs / ours, 2),
                "events_per_s": round(n / ours),
                "peak_rss_mb": round(peak_rss_mb(n), 1),
                "baseline_median_rel_err_pct": round(100 * float(np.median(rel)), 3),
                "baseline_max_abs_err_km": round(float(np.max(np.abs(planar - exact))), 3),
                "bordermap_max_err_m": max_error_m(events, exact),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    print(
        "\n| events | bordermap s | baseline s | speed-up | events/s | peak RSS MB | "
        "bordermap max error m (12 sampled) | baseline median error % | baseline max error km |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['events']:,} | {r['bordermap_s']} | {r['baseline_s']} | {r['speedup']}x | "
            f"{r['events_per_s']:,} | {r['peak_rss_mb']} | {r['bordermap_max_err_m']:.1e} | "
            f"{r['baseline_median_rel_err_pct']} | {r['baseline_max_abs_err_km']} |"
        )


if __name__ == "__main__":
    main()
