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
    # 45.4 km, but anywhere in 20-70 km: the interval spans two bands
    assert "IRN" in saravan and "Sistan and Baluchestan" in saravan and "spans bands" in saravan
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


@pytest.mark.parametrize("fmt", ["json", "geojson"])
def test_json_outputs_are_strict_json_with_null_for_an_open_zone(runner, fmt, tmp_path):
    # the last zone has no upper edge (inf): strict parsers refuse Infinity
    far = tmp_path / "far.csv"
    far.write_text("id,lat,lon\nfar,35.7,51.4\nnear,27.37,62.33\n")
    out = tmp_path / f"a.{fmt}"
    result = runner.invoke(cli, ["analyze", "--events", str(far), "--out", str(out)])
    assert result.exit_code == 0, result.output

    def refuse(name):
        raise ValueError(f"not JSON: {name}")

    doc = json.loads(out.read_text(), parse_constant=refuse)
    rows = doc if fmt == "json" else [f["properties"] for f in doc["features"]]
    assert [r["zone_max_km"] for r in rows if r["id"] == "far"] == [None]


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
    assert zones["BM0001"] == ">200 km" and zones["BM0006"] == "50-200 km"  # 344-394, 74-124
    assert zones["BM0005"] == "spans bands"  # 20-70 km


def test_missing_events_file_is_one_line(runner, tmp_path):
    result = runner.invoke(cli, ["analyze", "--events", str(tmp_path / "none.csv")])
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: {tmp_path / 'none.csv'}: no such file"


def test_parquet_out_is_geoparquet_with_the_csv_values(runner, tmp_path):
    import pyarrow.parquet as pq

    from geo.io.stream import EventStream

    pq_out, csv_out = tmp_path / "a.parquet", tmp_path / "a.csv"
    assert runner.invoke(cli, ["analyze", "--out", str(pq_out)]).exit_code == 0
    assert runner.invoke(cli, ["analyze", "--out", str(csv_out)]).exit_code == 0
    frame = gpd.read_parquet(pq_out)
    table = pd.read_csv(csv_out)
    seed = EventStream(None).read_all()
    assert frame.crs.to_epsg() == 4326 and len(frame) == len(table) == len(seed)
    assert frame.geometry.x.tolist() == pytest.approx(seed.geometry.x.tolist())
    assert frame["event_id"].tolist() == table["event_id"].tolist()
    for col in ("border_distance_km", "nearest_lat", "bearing_to_border_deg"):
        got, want = frame[col].to_numpy(), table[col].to_numpy()
        assert got == pytest.approx(want, abs=1e-6, nan_ok=True)
    geo_meta = json.loads(pq.read_metadata(pq_out).metadata[b"geo"])
    column = geo_meta["columns"]["geometry"]
    assert geo_meta["version"].startswith("1.1") and column["encoding"] == "WKB"
    assert column["geometry_types"] == ["Point"]
    west, south, east, north = column["bbox"]
    assert (west, east) == (seed.geometry.x.min(), seed.geometry.x.max())
    assert (south, north) == (seed.geometry.y.min(), seed.geometry.y.max())
    assert column["covering"]["bbox"]["xmin"] == ["bbox", "xmin"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "csv", "--out", "x.parquet"], "contradicts"),
        (["--format", "json", "--out", "x.csv"], "contradicts"),
        (["--format", "parquet"], "add --out"),
    ],
)
def test_format_contradicting_the_extension_is_a_usage_error(runner, tmp_path, args, message):
    args = [str(tmp_path / a) if a.startswith("x.") else a for a in args]
    result = runner.invoke(cli, ["analyze", *args])
    assert result.exit_code == 2 and message in result.output
    assert not list(tmp_path.iterdir())


def test_extension_decides_the_format_and_a_matching_format_is_fine(runner, tmp_path):
    out = tmp_path / "a.json"
    assert runner.invoke(cli, ["analyze", "--out", str(out)]).exit_code == 0
    assert len(json.loads(out.read_text())) == 6
    same = runner.invoke(cli, ["analyze", "-f", "csv", "--out", str(tmp_path / "b.csv")])
    assert same.exit_code == 0 and (tmp_path / "b.csv").read_text().startswith('"row"')


def test_csv_floats_carry_no_binary_noise_and_keep_their_values(runner, tmp_path):
    from geo.proximity import analyze as analyze_events

    out = tmp_path / "a.csv"
    assert runner.invoke(cli, ["analyze", "--out", str(out)]).exit_code == 0
    header, *rows = out.read_text().splitlines()
    names = [n.strip('"') for n in header.split(",")]
    table = pd.read_csv(out)
    exact = analyze_events(__import__("geo").seed_events())
    digits = {"border_distance_km": 6, "nearest_lon": 7, "bearing_to_border_deg": 6}
    for col, most in digits.items():
        for row in rows:
            text = pd.read_csv(pd.io.common.StringIO(header + "\n" + row), dtype=str)[col].iloc[0]
            if isinstance(text, str):  # missing values read as NaN
                assert len(text.partition(".")[2]) <= most, (col, text)
        got, want = table[col].to_numpy(), exact[col].to_numpy(dtype=float)
        assert got == pytest.approx(want, abs=10.0**-most, nan_ok=True)
    assert "incursion_km" in names and table["incursion_km"].isna().any()


def test_stderr_of_a_pipe_has_no_progress_only_the_summary(runner, tmp_path):
    src = tmp_path / "ev.csv"
    src.write_text("id,lat,lon\nA,27.37,62.33\nB,26.96,64.09\n")
    result = runner.invoke(cli, ["analyze", "--events", str(src), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 0
    assert "\r" not in result.output
    assert result.output.strip() == f"{src}: 2 rows read, 2 kept, 0 rejected"


@pytest.mark.parametrize("name", ["z.xyz", "z.png", "z.gpkg"])
def test_analyze_refuses_a_suffix_it_does_not_write(runner, tmp_path, name):
    result = runner.invoke(cli, ["analyze", "-o", str(tmp_path / name)])
    assert result.exit_code == 2
    assert "write a .csv, .json, .geojson, .parquet or .txt file" in result.output
    assert not (tmp_path / name).exists()


def test_analyze_writes_the_table_to_a_text_file_or_a_bare_name(runner, tmp_path):
    for name in ("z.txt", "z"):
        result = runner.invoke(cli, ["analyze", "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert "Border IRN-PAK" in (tmp_path / name).read_text()
    result = runner.invoke(cli, ["analyze", "-f", "csv", "-o", str(tmp_path / "c.txt")])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(tmp_path / "c.txt")["event_id"].notna().all()


def test_out_dash_writes_to_standard_output(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["analyze", "--format", "csv", "--out", "-"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert '"event_id"' in lines[0] and len(lines) == 7, lines[:2]
    assert not (tmp_path / "-").exists()


def test_a_dash_is_never_written_as_a_file(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["analyze", "--rejects", "-", "-q"])
    assert result.exit_code != 0 and "standard output" in result.output
    result = runner.invoke(cli, ["export", "--out", "-"])
    assert result.exit_code != 0 and "standard output" in result.output
    assert not (tmp_path / "-").exists()


def test_an_undated_event_shows_a_dash_in_the_table_not_nan(runner, tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("id,lat,lon,date\nA1,27.37,62.33,2024-01-18\nA2,26.96,64.09,\n")
    result = runner.invoke(cli, ["analyze", "--events", str(path)])
    assert result.exit_code == 0, result.output
    undated = next(line for line in result.output.splitlines() if line.lstrip().startswith("A2"))
    assert undated.split()[1] == "-" and "NaN" not in undated and "NaT" not in undated


def test_a_column_named_like_a_computed_one_is_refused_naming_the_file(runner, tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("id,lat,lon,zone\nA1,27.37,62.33,north\n")
    result = runner.invoke(cli, ["analyze", "--events", str(path)])
    assert result.exit_code != 0
    assert str(path) in result.output and "zone" in result.output
    assert "Traceback" not in result.output


def test_the_strike_pairs_section_shows_the_first_pairs_and_counts_the_rest():
    from geo.io.report import TABLE_ROWS, strike_pairs_text

    pairs = pd.DataFrame({"pair": range(TABLE_ROWS + 25), "distance_km": 12.345})
    lines = strike_pairs_text(pairs).splitlines()
    assert lines[:2] == ["", "Strike and counter-strike"]
    assert len(lines) == 2 + 1 + TABLE_ROWS + 1  # title, header, rows, the count
    assert lines[-1].startswith("... 25 more pairs") and "12.3" in lines[4]
    assert strike_pairs_text(pairs.head(3)).count("\n") == 2 + 1 + 3
    assert strike_pairs_text(pairs.head(0)) == ""


@pytest.mark.parametrize("command", ["analyze", "map", "export"])
def test_a_failed_run_leaves_no_rejects_file(runner, tmp_path, command):
    path = tmp_path / "mine.csv"
    # a rejected row (bad fatalities), and a column the analysis would overwrite
    path.write_text("id,lat,lon,fatalities,zone\nA1,27.37,62.33,1,n\nA2,27.0,62.5,lots,n\n")
    rejects = tmp_path / "rejects.csv"
    suffix = {"analyze": "csv", "map": "html", "export": "gpkg"}[command]
    events = ["--events", str(path)]
    result = runner.invoke(
        cli, [command, *events, "--out", str(tmp_path / f"o.{suffix}"), "--rejects", str(rejects)]
    )
    assert result.exit_code != 0 and "zone" in result.output
    assert not rejects.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["mine.csv"]  # no temporary file left


def test_rejects_are_written_when_the_run_succeeds(runner, tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("id,lat,lon,fatalities\nA1,27.37,62.33,1\nA2,27.0,62.5,lots\n")
    rejects = tmp_path / "rejects.csv"
    out = tmp_path / "o.csv"
    args = ["analyze", "--events", str(path), "--out", str(out), "--rejects", str(rejects)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert pd.read_csv(rejects)["event_id"].tolist() == ["A2"] and len(pd.read_csv(out)) == 1
