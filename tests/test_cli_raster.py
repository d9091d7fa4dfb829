from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rio_cogeo.cogeo import cog_validate

from geo.cli.main import cli
from geo.priogrid import gid


def test_distance_with_bounds_and_preview(runner, tmp_path):
    out, png = tmp_path / "d.tif", tmp_path / "d.png"
    result = runner.invoke(
        cli,
        [
            "raster",
            "--kind",
            "distance",
            "--res",
            "0.02",
            "--bounds",
            "61,26,63,28",
            "--out",
            str(out),
            "--preview",
            str(png),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "geodesic distance to IRN-PAK" in result.stderr
    assert cog_validate(str(out), strict=True)[0]
    with rasterio.open(out) as ds:
        assert tuple(round(v, 6) for v in ds.bounds) == (61.0, 26.0, 63.0, 28.0)
        assert (ds.width, ds.height) == (100, 100)
        values = ds.read(1)
        assert ds.tags()["COMMAND_LINE"].startswith("bordermap")
    assert 0 <= values.min() < 2 and values.max() > 50
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_full_theatre_at_default_resolution_has_overviews(runner, tmp_path):
    out = tmp_path / "d.tif"
    result = runner.invoke(cli, ["raster", "--kind", "distance", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    valid, errors, _ = cog_validate(str(out), strict=True)
    assert valid, errors
    with rasterio.open(out) as ds:
        assert ds.res == pytest.approx((0.01, 0.01))
        assert ds.overviews(1)


def test_density_and_priogrid(runner, tmp_path):
    dens = tmp_path / "k.tif"
    result = runner.invoke(
        cli,
        [
            "raster",
            "--kind",
            "density",
            "--bandwidth-km",
            "10",
            "--weight",
            "fatalities",
            "--res",
            "0.05",
            "--out",
            str(dens),
        ],
    )
    assert result.exit_code == 0, result.output
    with rasterio.open(dens) as ds:
        assert ds.units == ("fatalities/1000 km2",) and "bandwidth 10 km" in ds.descriptions[0]
    grid = tmp_path / "p.tif"
    result = runner.invoke(cli, ["raster", "--kind", "priogrid", "--out", str(grid)])
    assert result.exit_code == 0, result.output
    assert "PRIO-GRID cells, 6 events" in result.stderr
    with rasterio.open(grid) as ds:
        gids = ds.read(1)
        rows, cols = np.indices(gids.shape)
        lon, lat = ds.xy(rows.ravel(), cols.ravel())
    np.testing.assert_array_equal(gids.ravel(), gid(lon, lat))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "priogrid", "--res", "0.1"], "PRIO-GRID cells are 0.5 degrees"),
        (["--kind", "distance", "--bounds", "63,25,60,30"], "minx < maxx"),
        (["--kind", "distance", "--bounds", "60,25,63"], "four numbers"),
        (["--kind", "distance", "--res", "-1"], "--res"),
        (["--kind", "density", "--signed"], "--signed applies to --kind distance"),
        (["--kind", "distance", "--pair", "IRN-SYR"], "IRN and SYR share no embedded border"),
        (["--kind", "distance", "--res", "0.0001"], "too many"),
    ],
)
def test_usage_errors(runner, tmp_path, args, message):
    out = tmp_path / "x.tif"
    result = runner.invoke(cli, ["raster", *args, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_refuses_existing_output(runner, tmp_path):
    out = tmp_path / "x.tif"
    out.write_bytes(b"old")
    result = runner.invoke(cli, ["raster", "--kind", "priogrid", "--out", str(out)])
    assert result.exit_code == 2
    assert "exists; add --overwrite" in result.stderr
    assert out.read_bytes() == b"old"


def test_entry_point_runs_raster(tmp_path):
    exe = Path(sys.executable).with_name("bordermap")
    out = tmp_path / "p.tif"
    proc = subprocess.run(
        [str(exe), "raster", "--kind", "priogrid", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert cog_validate(str(out), strict=True)[0]
