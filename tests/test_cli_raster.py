from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from rio_cogeo.cogeo import cog_validate

from geo.cli.main import cli
from geo.raster.priogrid import gid


def test_distance_with_bounds_and_preview(runner, tmp_path):
    out, png = tmp_path / "d.tif", tmp_path / "d.png"
    result = runner.invoke(
        cli,
        [
            "raster",
            "distance",
            "--res",
            "0.02",
            "--bounds",
            "61,26,63,28",
            "--out",
            str(out),
            "--preview",
            str(png),
            "--zones",
            "5,15",
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


@pytest.mark.slow
def test_full_theatre_at_default_resolution_has_overviews(runner, tmp_path):
    out = tmp_path / "d.tif"
    result = runner.invoke(cli, ["raster", "distance", "--out", str(out), "-q"])
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
    result = runner.invoke(cli, ["raster", "priogrid", "--out", str(grid)])
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
        (["priogrid", "--res", "0.1"], "No such option '--res'"),  # cells are 0.5 degrees
        (["distance", "--bounds", "63,25,60,30"], "minx < maxx"),
        (["distance", "--bounds", "60,25,63"], "four numbers"),
        (["distance", "--res", "-1"], "--res"),
        (["density", "--signed"], "No such option '--signed'"),
        (["distance", "--events", "x.csv"], "No such option '--events'"),
        (["distance", "--pair", "IRN-SYR"], "IRN and SYR share no embedded border"),
        (["distance", "--res", "0.0001"], "Invalid value for '--res'"),
        (["distance", "--res", "0.0001"], "too many"),
        (["density", "--weight", "deaths"], "'deaths' is not one of"),
        (["--kind", "distance"], "No such option '--kind'"),
        (["distance", "--zones", "ten"], "--zones"),
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
    for kind in ("distance", "density", "priogrid"):
        result = runner.invoke(cli, ["raster", kind, "--out", str(out)])
        assert result.exit_code == 2, kind
        assert result.stderr.strip() == f"Error: {out} exists; add --overwrite to replace it"
        assert out.read_bytes() == b"old"


def test_unwritable_folder_is_one_line(runner):
    result = runner.invoke(cli, ["raster", "distance", "--res", "0.1", "--out", "/proc/nope/x.tif"])
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output


def test_preview_is_refused_before_any_work(runner, tmp_path):
    out, png = tmp_path / "d.tif", tmp_path / "d.png"
    png.write_bytes(b"old picture")
    args = ["raster", "distance", "--res", "0.1", "--out", str(out), "--preview", str(png)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert f"{png} exists; add --overwrite" in result.stderr
    assert not out.exists() and png.read_bytes() == b"old picture"


def test_signed_distance_to_a_users_line_names_the_flag(runner, tmp_path):
    line = tmp_path / "line.geojson"
    meridian = shapely.LineString([(61, 26), (61, 28)])
    gpd.GeoDataFrame(geometry=[meridian], crs="EPSG:4326").to_file(line)
    out = tmp_path / "m.tif"
    base = ["raster", "distance", "--border", str(line), "--res", "0.1", "--out", str(out)]
    result = runner.invoke(cli, [*base, "--signed"])
    assert result.exit_code == 2
    assert "Invalid value for '--signed'" in result.stderr
    result = runner.invoke(cli, [*base, "--bounds", "60,26,62,28"])
    assert result.exit_code == 0, result.output
    assert "geodesic distance to line.geojson" in result.stderr
    with rasterio.open(out) as ds:
        assert ds.tags()["BORDER_PAIR"] == "line.geojson"


def _one_line_error(result, status: int) -> str:
    assert result.exit_code == status, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def test_a_png_out_is_a_real_png_and_leaves_no_geotiff(runner, tmp_path):
    out = tmp_path / "density.png"
    result = runner.invoke(cli, ["raster", "density", "--res", "0.1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["density.png"]
    tif = tmp_path / "d.tiff"
    result = runner.invoke(cli, ["raster", "distance", "--res", "0.2", "-f", "cog", "-o", str(tif)])
    assert result.exit_code == 0, result.output
    with rasterio.open(tif) as ds:
        assert ds.driver == "GTiff"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--out", "{tmp}/x.jpg"],
            "Invalid value for '--out': {tmp}/x.jpg: write .tif, .tiff or .png",
        ),
        (["--out", "{tmp}/x"], "not a name without a suffix"),
        (
            ["--out", "{tmp}/x.tif", "--format", "png"],
            "Invalid value for '--format': png writes .png",
        ),
        (["--out", "{tmp}/x.png", "-f", "cog"], "cog writes .tif or .tiff, but the file is"),
        (["--out", "{tmp}/x.png", "--preview", "{tmp}/y.png"], "a preview needs a .tif"),
        (["--out", "{tmp}/x.tif", "--preview", "{tmp}/y.jpg"], "a preview is a .png file"),
        (["--out", "{tmp}/x.tif", "--rejects", "{tmp}/x.tif"], "--out and --rejects name the same"),
    ],
)
def test_the_format_follows_the_file_or_is_refused_in_one_line(runner, tmp_path, args, message):
    args = [a.format(tmp=tmp_path) for a in args]
    result = runner.invoke(cli, ["raster", "density", "--res", "0.1", *args])
    line = _one_line_error(result, 2)
    assert message.format(tmp=tmp_path) in line
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("bad", ["/proc/x.png", "/proc/nope/x.png"])
def test_an_unwritable_preview_is_refused_before_the_geotiff_is_written(runner, tmp_path, bad):
    out = tmp_path / "d.tif"
    result = runner.invoke(
        cli, ["raster", "distance", "--res", "0.1", "--out", str(out), "--preview", bad]
    )
    line = _one_line_error(result, 1)
    assert line.startswith(f"Error: {bad}: ")  # the OS reason, as from every command
    assert list(tmp_path.iterdir()) == []


def test_library_writers_never_write_a_geotiff_under_another_name(tmp_path):
    from geo.errors import ParameterError
    from geo.layers import events
    from geo.raster.writers import density_raster

    with pytest.raises(ParameterError, match=r"written to \.tif or \.tiff") as bad:
        density_raster(tmp_path / "d.png", events(), res=0.1)
    assert bad.value.param == "out"
    assert list(tmp_path.iterdir()) == []


def test_density_names_the_events_outside_the_grid(runner, tmp_path):
    events = tmp_path / "e.csv"
    events.write_text(
        "event_id,event_date,latitude,longitude,fatalities\n"
        "A,2024-01-10,27.37,62.33,1\n"
        "B,2024-01-10,19.62,37.30,1\n"  # Port Sudan: far outside the IRN-PAK grid
    )
    out = tmp_path / "d.tif"
    result = runner.invoke(cli, ["raster", "density", "--events", str(events), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 of 2 events lie outside the grid" in result.output
    assert "kernel density of 1 events" in result.output
