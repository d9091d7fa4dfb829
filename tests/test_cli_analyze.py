"""`bordermap analyze` through CliRunner."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from shapely import LineString

from geo.cli.main import cli
from geo.theatre import Theatre


def test_no_arguments_prints_the_seed_table(runner):
    result = runner.invoke(cli, ["analyze"])
    assert result.exit_code == 0, result.output
    out = result.output
    km = Theatre.from_pair("IRN-PAK").length_km
    assert out.startswith(f"Border IRN-PAK: {km:.1f} km") and 950 < km < 970
    saravan = next(line for line in out.splitlines() if "Saravan" in line and "BM0005" in line)
    assert "IRN" in saravan and "Sistan and Baluchestan" in saravan and "25-50 km" in saravan
    assert "Strike and counter-strike" in out and "BM0004" in out
    assert "Events and fatalities by zone and side" in out


@pytest.mark.parametrize("fmt", ["csv", "json", "geojson"])
def test_machine_formats_hold_one_row_per_event(runner, fmt, tmp_path):
    out = tmp_path / f"a.{fmt}"
    result = runner.invoke(cli, ["analyze", "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    if fmt == "csv":
        table = pd.read_csv(out)
    elif fmt == "json":
        table = pd.DataFrame(json.loads(out.read_text()))
    else:
        table = gpd.read_file(out)
        assert table.crs.to_epsg() == 4326
    assert len(table) == 6
    for col in (
        "border_distance_km",
        "border_distance_min_km",
        "border_distance_max_km",
        "nearest_lon",
        "nearest_lat",
        "bearing_to_border_deg",
        "side",
        "admin1",
        "zone",
        "incursion_km",
        "dist_chabahar_km",
    ):
        assert col in table.columns, col
    saravan = table[table["event_id"] == "BM0005"].iloc[0]
    assert saravan["border_distance_km"] == pytest.approx(45, abs=3)


def test_refuses_to_overwrite_without_flag(runner, tmp_path):
    out = tmp_path / "a.csv"
    out.write_text("keep me")
    result = runner.invoke(cli, ["analyze", "-f", "csv", "-o", str(out)])
    assert result.exit_code == 2
    assert "exists; add --overwrite" in result.output
    assert out.read_text() == "keep me"
    again = runner.invoke(cli, ["analyze", "-f", "csv", "-o", str(out), "--overwrite"])
    assert again.exit_code == 0
    assert "event_id" in out.read_text().splitlines()[0]


def test_plain_csv_with_extra_columns(runner, tmp_path):
    src = tmp_path / "ev.csv"
    src.write_text("id,lat,lon,my_note\nA,27.37,62.33,near Saravan\nB,26.96,64.09,Panjgur\n")
    result = runner.invoke(cli, ["analyze", "--events", str(src), "-f", "csv"])
    assert result.exit_code == 0, result.output
    lines = [x for x in result.output.splitlines() if x and not x.startswith(str(src))]
    table = pd.read_csv(pd.io.common.StringIO("\n".join(lines)))
    assert table["my_note"].tolist() == ["near Saravan", "Panjgur"]
    assert table["side"].tolist() == ["IRN", "PAK"]


def test_custom_border_file_gives_left_and_right(runner, tmp_path):
    path = tmp_path / "line.geojson"
    gpd.GeoDataFrame(geometry=[LineString([(62.0, 25.0), (62.0, 30.0)])], crs=4326).to_file(path)
    result = runner.invoke(cli, ["analyze", "--border", str(path), "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["event_id"]: r for r in json.loads(result.output)}
    assert rows["BM0005"]["side"] == "right"  # Saravan (62.33E) is east of a north-going line
    assert rows["BM0006"]["side"] == "left"  # Chabahar (60.6E) is west


def test_bad_border_file_is_one_line_error(runner, tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text("{not json")
    result = runner.invoke(cli, ["analyze", "--border", str(path)])
    assert result.exit_code == 2
    assert "broken.geojson" in result.output
    assert "Traceback" not in result.output


def test_unknown_pair_names_the_known_ones(runner):
    result = runner.invoke(cli, ["analyze", "--pair", "PAK-SYR"])
    assert result.exit_code == 2
    assert "IRN-PAK" in result.output and "AFG-PAK" in result.output


def test_bad_zones_option(runner):
    result = runner.invoke(cli, ["analyze", "--zones", "10,ten"])
    assert result.exit_code == 2 and "--zones" in result.output


def test_zones_option_changes_bands(runner):
    result = runner.invoke(cli, ["analyze", "--zones", "50,200", "-f", "json"])
    zones = {r["event_id"]: r["zone"] for r in json.loads(result.output)}
    assert zones["BM0005"] == "0-50 km" and zones["BM0001"] == ">200 km"


def test_missing_events_file_is_one_line(runner, tmp_path):
    result = runner.invoke(cli, ["analyze", "--events", str(tmp_path / "none.csv")])
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {tmp_path / 'none.csv'}: no such file"
