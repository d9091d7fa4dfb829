"""Distance raster benchmark: bordermap's geodesic surface vs GDAL's gdal_proximity.py.

Usage: python benchmarks/bench_raster.py [--res 0.01] [--repeat 3] [--append]
                                         [--figure docs/distance_vs_gdal.png]
       python benchmarks/bench_raster.py --density 5000,50000,200000 [--repeat 3]

Both compute distance to the IRN-PAK border on the same grid (the theatre at
``--res`` degrees):

- bordermap: ``geo.raster.surfaces.distance_km`` (exact WGS84 geodesic from each cell
  centre to the line), then the COG write;
- GDAL: the border burnt into the grid (all touched cells), then
  ``gdal_proximity.py -distunits GEO``, which measures planar distance in
  degrees between cell centres; converted to km at 111.32 km per degree, as
  a user of the tool would.

It reports median wall times, the accuracy of bordermap's surface against
GeographicLib brute force at sample cells, and how far GDAL's planar answer
departs from the geodesic one, by direction from the border. ``--append`` adds
the table to benchmarks/RESULTS.md under "## Rasters (issue 6)".

``--density N,N,...`` instead times whole ``bordermap raster density``
processes (start-up, reading the event file, the kernel density and the COG
write) on the default grid (the IRN-PAK theatre, 0.02 degree cells,
bandwidth 25 km), for synthetic event files of N rows: uniform random points
over the theatre's box, fixed seed, written as plain CSV before timing.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import rasterio
from rasterio.features import rasterize

from geo import layers
from geo.proximity import distance_to_line_km
from geo.raster.cog import Band, write_cog
from geo.raster.grid import Grid
from geo.raster.surfaces import distance_km
from geo.theatre import Theatre

KM_PER_DEG = 111.32
ROOT = Path(__file__).resolve().parent.parent


def _gdal_proximity() -> list[str]:
    for name in ("gdal_proximity.py", "gdal_proximity"):
        exe = shutil.which(name)
        if exe:
            return [exe]
    print("bench_raster: gdal_proximity.py not found (Debian gdal-bin); skipped", file=sys.stderr)
    sys.exit(0)


def _time(func, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def _exact_sample(values: np.ndarray, grid: Grid, line, n: int = 12) -> float:
    """Largest relative error of ``values`` against GeographicLib at n random cells."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_raster import exact_km

    rng = np.random.default_rng(0)
    lon, lat = grid.mesh()
    worst = 0.0
    for r, c in zip(rng.integers(0, grid.height, n), rng.integers(0, grid.width, n), strict=True):
        want = exact_km(lon[r, c], lat[r, c], line)
        worst = max(worst, abs(values[r, c] - want) / want)
    return worst


def _measure(gdal: list[str], grid: Grid, border, line, repeat: int):
    """Time bordermap's surface, its COG write and gdal_proximity on the same grid."""
    tmp = Path(tempfile.mkdtemp())
    try:
        t_ours, ours = _time(lambda: distance_km(grid, border), repeat)
        t_write, _ = _time(
            lambda: write_cog(tmp / "ours.tif", [Band(ours, "d", "km")], grid, overwrite=True),
            repeat,
        )
        burnt = rasterize(
            [line],
            out_shape=(grid.height, grid.width),
            transform=grid.transform,
            fill=0,
            default_value=1,
            all_touched=True,
            dtype="uint8",
        )
        profile = {
            "driver": "GTiff",
            "width": grid.width,
            "height": grid.height,
            "count": 1,
            "dtype": "uint8",
            "crs": "EPSG:4326",
            "transform": grid.transform,
        }
        with rasterio.open(tmp / "burnt.tif", "w", **profile) as ds:
            ds.write(burnt, 1)
        cmd = [
            *gdal,
            "-q",
            str(tmp / "burnt.tif"),
            str(tmp / "gdal.tif"),
            "-values",
            "1",
            "-distunits",
            "GEO",
            "-ot",
            "Float32",
        ]

        def run_gdal():
            (tmp / "gdal.tif").unlink(missing_ok=True)
            subprocess.run(cmd, check=True, capture_output=True)

        t_gdal, _ = _time(run_gdal, repeat)
        with rasterio.open(tmp / "gdal.tif") as ds:
            gdal_km = ds.read(1).astype("float64") * KM_PER_DEG
    finally:
        shutil.rmtree(tmp)
    return t_ours, ours, t_write, t_gdal, gdal_km


def _table(args, grid: Grid, line, ours: np.ndarray, gdal_km: np.ndarray, times) -> str:
    """The results as Markdown: times, then agreement with exact geodesics."""
    t_ours, t_write, t_gdal = times
    worst = _exact_sample(ours, grid, line)
    far = ours > 10
    rel = (gdal_km[far] - ours[far]) / ours[far]
    # direction from the border: compare cells due east/west with cells due north/south
    lon, lat = grid.mesh()
    _, nearest_lon, nearest_lat, _ = distance_to_line_km(lon.ravel(), lat.ravel(), line)
    dx = np.abs(lon.ravel() - nearest_lon) * np.cos(np.radians(lat.ravel()))
    dy = np.abs(lat.ravel() - nearest_lat)
    ew = (dx > 3 * dy).reshape(ours.shape) & far
    ns = (dy > 3 * dx).reshape(ours.shape) & far
    rel_ew = (gdal_km[ew] - ours[ew]) / ours[ew]
    rel_ns = (gdal_km[ns] - ours[ns]) / ours[ns]
    abs_diff = np.abs(gdal_km - ours)

    lines = [
        f"Grid: IRN-PAK theatre {grid.bounds}, {args.res:g} degree cells, "
        f"{grid.width} x {grid.height} = {grid.width * grid.height:,} cells; "
        f"median of {args.repeat} runs on this 2-core machine.",
        "",
        "| method | time (s) | distance model |",
        "|---|---:|---|",
        f"| bordermap `distance_km` | {t_ours:.2f} | exact WGS84 geodesic from each cell centre |",
        f"| bordermap COG write | {t_write:.2f} | DEFLATE, 256 px tiles, overviews |",
        f"| `gdal_proximity.py -distunits GEO` | {t_gdal:.2f} | planar, in degrees, "
        "from the nearest burnt cell centre |",
        "",
        "| agreement | value |",
        "|---|---:|",
        f"| bordermap vs GeographicLib brute force, worst of 12 random cells | {worst:.1e} |",
        f"| GDAL x 111.32 km/deg vs geodesic, median abs difference | "
        f"{np.median(abs_diff):.2f} km |",
        f"| same, 95th percentile / max | {np.percentile(abs_diff, 95):.2f} / "
        f"{abs_diff.max():.2f} km |",
        f"| GDAL relative error, cells > 10 km away: median / 5th / 95th pct | "
        f"{np.median(rel):+.1%} / {np.percentile(rel, 5):+.1%} / {np.percentile(rel, 95):+.1%} |",
        f"| same, cells due east or west of their nearest border point | "
        f"{np.median(rel_ew):+.1%} |",
        f"| same, cells due north or south of it | {np.median(rel_ns):+.1%} |",
        "",
        "GDAL's answer is planar in degrees: a degree of longitude here is only "
        f"{KM_PER_DEG * np.cos(np.radians(27.5)):.1f} km (cos 27.5 deg), so east-west "
        "distances come out too long, while north-south ones are close; it also "
        "measures to the centre of the nearest burnt cell, not to the line.",
    ]
    return "\n".join(lines)


def _event_file(path: Path, n: int, bounds) -> Path:
    """Write ``n`` synthetic events, uniform over ``bounds``, as a plain CSV."""
    rng = np.random.default_rng(n)
    w, s, e, north = bounds
    lat = rng.uniform(s, north, n).round(4)
    lon = rng.uniform(w, e, n).round(4)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("event_id,event_date,latitude,longitude,fatalities\n")
        for i in range(n):
            fh.write(f"S{i},2024-01-{1 + i % 28:02d},{lat[i]},{lon[i]},{i % 7}\n")
    return path


def _density(sizes: list[int], repeat: int) -> str:
    """Median wall time of whole `bordermap raster density` processes, as Markdown."""
    exe = Path(sys.executable).with_name("bordermap")
    bounds = Theatre.from_pair("IRN-PAK").bounds
    grid = Grid.covering(bounds, 0.02)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            events = _event_file(Path(folder) / f"events{n}.csv", n, bounds)
            out = Path(folder) / "density.tif"
            cmd = [str(exe), "raster", "density", "--events", str(events), "-o", str(out), "-q"]

            def run(cmd=cmd, out=out):
                out.unlink(missing_ok=True)
                subprocess.run(cmd, check=True)

            t, _ = _time(run, repeat)
            rows.append(f"| {n:,} | {t:.1f} |")
    head = [
        f"Default grid: IRN-PAK theatre {grid.bounds}, 0.02 degree cells, "
        f"{grid.width} x {grid.height} = {grid.width * grid.height:,} cells, bandwidth 25 km; "
        f"median of {repeat} whole processes on this 2-core machine (shared).",
        "",
        "| events | `bordermap raster density` (s) |",
        "|---:|---:|",
    ]
    return "\n".join(head + rows)


def main() -> None:
    """Run the benchmark and print (or append) the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--res", type=float, default=0.01)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--append", action="store_true")
    parser.add_argument("--figure", type=Path, default=None)
    parser.add_argument("--density", default=None, metavar="N,N,...")
    args = parser.parse_args()
    if args.density:
        print(_density([int(n) for n in args.density.split(",")], args.repeat))
        return

    gdal = _gdal_proximity()
    border = layers.border("IRN-PAK")
    line = border.geometry.iloc[0]
    grid = Grid.covering(Theatre.from_pair("IRN-PAK").bounds, args.res)
    t_ours, ours, t_write, t_gdal, gdal_km = _measure(gdal, grid, border, line, args.repeat)
    text = _table(args, grid, line, ours, gdal_km, (t_ours, t_write, t_gdal))
    print(text)
    if args.figure:
        _figure(args.figure, grid, ours, gdal_km)
    if args.append:
        results = ROOT / "benchmarks" / "RESULTS.md"
        head = "" if results.exists() else "# Benchmark results\n"
        cmd_line = "python benchmarks/bench_raster.py " + " ".join(sys.argv[1:])
        with open(results, "a", encoding="utf-8") as fh:
            fh.write(f"{head}\n## Rasters (issue 6)\n\nCommand: `{cmd_line.strip()}`\n\n{text}\n")


def _figure(path: Path, grid: Grid, ours: np.ndarray, gdal_km: np.ndarray) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    extent = (grid.west, grid.east, grid.south, grid.north)
    fig, axes = plt.subplots(1, 2, figsize=(10, 6), dpi=100)
    im = axes[0].imshow(ours, extent=extent, cmap="magma_r")
    axes[0].set_title("bordermap: geodesic km", fontsize=9)
    fig.colorbar(im, ax=axes[0], shrink=0.7, label="km")
    diff = np.where(ours > 1, 100 * (gdal_km - ours) / np.maximum(ours, 1e-9), np.nan)
    im = axes[1].imshow(diff, extent=extent, cmap="RdBu_r", vmin=-15, vmax=15)
    axes[1].set_title("gdal_proximity (planar degrees x 111.32) minus geodesic, %", fontsize=9)
    fig.colorbar(im, ax=axes[1], shrink=0.7, label="%")
    for ax in axes:
        layers.border("IRN-PAK").plot(ax=ax, color="#00a0b0", linewidth=1)
        ax.set_aspect(1 / np.cos(np.radians((grid.south + grid.north) / 2)))
    fig.tight_layout()
    fig.savefig(path)


if __name__ == "__main__":
    main()
