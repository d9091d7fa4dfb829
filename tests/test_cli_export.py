from __future__ import annotations

import sqlite3
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

from geo.cli.main import cli
from geo.export.gpkg import LAYER_NAMES
from geo.export.metadata import read_provenance


def _layers(path: Path) -> list[str]:
    return [name for name, _ in pyogrio.list_layers(path)]


@pytest.mark.slow
def test_export_writes_every_layer(runner, tmp_path):
    out = tmp_path / "results.gpkg"
    result = runner.invoke(cli, ["export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert _layers(out) == [*LAYER_NAMES, "layer_styles"]
    assert "priogrid:" in result.stderr and f"wrote {out}" in result.stderr
    assert result.stdout == ""


def test_export_refuses_an_existing_file_in_one_line(runner, tmp_path):
    out = tmp_path / "results.gpkg"
    out.write_bytes(b"keep me")
    result = runner.invoke(cli, ["export", "--out", str(out), "--layers", "borders"])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {out} exists; add --overwrite to replace it"
    assert out.read_bytes() == b"keep me"
    result = runner.invoke(cli, ["export", "--out", str(out), "--layers", "borders", "--overwrite"])
    assert result.exit_code == 0, result.output
    assert _layers(out) == ["borders", "layer_styles"]


def test_update_adds_and_replaces_named_layers(runner, tmp_path):
    out = tmp_path / "results.gpkg"
    assert (
        runner.invoke(cli, ["export", "-q", "--out", str(out), "--layers", "events"]).exit_code == 0
    )
    result = runner.invoke(
        cli,
        ["export", "--out", str(out), "--update", "--layers", "zones,borders", "--pair", "AFG-IRN"],
    )
    assert result.exit_code == 0, result.output
    assert set(_layers(out)) == {"events", "zones", "borders", "layer_styles"}
    con = sqlite3.connect(out)
    sides = {s for (s,) in con.execute("SELECT DISTINCT side FROM zones")}
    events_pair = {s for (s,) in con.execute("SELECT DISTINCT side FROM events")}
    con.close()
    assert sides == {"AFG", "IRN"}
    assert "IRN" in events_pair  # events still measured against IRN-PAK from the first run
    assert [d["border_pair"] for d in read_provenance(out)] == ["IRN-PAK", "AFG-IRN"]


def test_usage_errors_exit_2_without_traceback(runner, tmp_path):
    out = tmp_path / "r.gpkg"
    cases = [
        (["--layers", "events,rivers"], "unknown layer(s) rivers; choose from events"),
        (["--update", "--layers", "zones"], "does not exist; update needs a GeoPackage"),
        (["--update", "--overwrite"], "Invalid value for '--update': choose either"),
        (["--format", "fgb", "--update"], "fgb contradicts the name r.gpkg"),
        (["--pair", "PAK-SYR"], "PAK and SYR share no embedded border"),
    ]
    for args, message in cases:
        result = runner.invoke(cli, ["export", "--out", str(out), *args])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.output
    assert not out.exists()
    result = runner.invoke(cli, ["export", "--out", str(tmp_path / "r.fgb"), "--update"])
    assert result.exit_code == 2 and "--update works on GeoPackages" in result.stderr
    result = runner.invoke(
        cli, ["export", "--out", str(tmp_path / "r.geojson"), "--layers", "zones"]
    )
    assert result.exit_code == 2 and "writes the events layer only" in result.stderr


def test_event_file_errors_name_the_file(runner, tmp_path):
    bad = tmp_path / "events.csv"
    bad.write_text("event_id,latitude,longitude\nA,91,62\n")
    result = runner.invoke(
        cli, ["export", "--out", str(tmp_path / "r.gpkg"), "--events", str(bad), "--strict"]
    )
    assert result.exit_code == 2
    assert str(bad) in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("name", "fmt"), [("e.parquet", None), ("e.fgb", None), ("e.json", "geojson")]
)
def test_events_alone_by_suffix_or_format(runner, tmp_path, name, fmt):
    out = tmp_path / name
    args = ["export", "--out", str(out)] + (["--format", fmt] if fmt else [])
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    back = gpd.read_parquet(out) if name.endswith("parquet") else gpd.read_file(out)
    assert len(back) == 6 and "border_distance_km" in back


def test_user_events_are_exported(runner, tmp_path):
    src = tmp_path / "mine.csv"
    src.write_text(
        "event_id,event_date,latitude,longitude,fatalities\n"
        "X1,2024-02-01,27.37,62.33,3\nX2,2024-02-02,26.96,64.09,0\n"
    )
    out = tmp_path / "mine.gpkg"
    result = runner.invoke(
        cli, ["export", "--out", str(out), "--events", str(src), "--layers", "events,priogrid"]
    )
    assert result.exit_code == 0, result.output
    con = sqlite3.connect(out)
    rows = con.execute(
        "SELECT event_id, event_date, fatalities FROM events ORDER BY fid"
    ).fetchall()
    cell = con.execute("SELECT events, fatalities FROM priogrid WHERE gid = 168965").fetchall()
    con.close()
    assert rows == [("X1", "2024-02-01", 3), ("X2", "2024-02-02", 0)]
    assert cell == [(1, 3)]
    doc = read_provenance(out)[0]
    assert doc["layers"]["events"]["source"] == f"user file {src}"


def test_unwritable_folder_is_one_line(runner):
    result = runner.invoke(cli, ["export", "--out", "/proc/nope/x.gpkg", "--layers", "borders"])
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output


def test_export_to_a_users_line_with_its_zones(runner, tmp_path):
    line = tmp_path / "line.geojson"
    line.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
        '"geometry": {"type": "LineString", "coordinates": [[61, 26], [61, 28]]}}]}'
    )
    out = tmp_path / "line.gpkg"
    args = ["export", "-q", "--out", str(out), "--border", str(line), "--zones", "20,40"]
    result = runner.invoke(cli, [*args, "--layers", "events,zones"])
    assert result.exit_code == 0, result.output
    con = sqlite3.connect(out)
    zones = set(con.execute("SELECT side, zone_max_km FROM zones"))
    sides = {s for (s,) in con.execute("SELECT DISTINCT side FROM events")}
    con.close()
    assert zones == {("left", 20.0), ("left", 40.0), ("right", 20.0), ("right", 40.0)}
    assert sides <= {"left", "right", None}
    doc = read_provenance(out)[0]
    assert doc["border_pair"] == "line.geojson"
    assert doc["command_line"].startswith("bordermap")


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("e.shp", [], "Invalid value for '--out': e.shp: Shapefiles are not written"),
        ("e.csv", [], "Invalid value for '--out': e.csv: CSV holds no geometry"),
        ("e.txt", [], "Invalid value for '--out': e.txt: unknown suffix '.txt'"),
        (
            "e.gpkg",
            ["--format", "geojson"],
            "Invalid value for '--format': geojson contradicts the name e.gpkg",
        ),
        (
            "e.fgb",
            ["--format", "parquet"],
            "Invalid value for '--format': parquet contradicts the name e.fgb",
        ),
    ],
)
def test_the_format_follows_the_file(runner, tmp_path, name, args, message):
    out = tmp_path / name
    result = runner.invoke(cli, ["export", "-q", "--out", str(out), *args])
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"Error: {message}"), line
    assert list(tmp_path.iterdir()) == []


def test_a_name_without_suffix_takes_the_format(runner, tmp_path):
    out = tmp_path / "events_out"
    result = runner.invoke(cli, ["export", "-q", "--out", str(out), "--format", "fgb"])
    assert result.exit_code == 0, result.output
    assert pyogrio.read_info(out)["driver"] == "FlatGeobuf"


def test_out_and_rejects_naming_one_file_are_refused(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["export", "-o", "x.geojson", "--rejects", "./x.geojson"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: --out and --rejects name the same file x.geojson"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_update_without_layers_rewrites_all_and_leaves_no_sidecar(runner, tmp_path):
    out = tmp_path / "all.gpkg"
    assert runner.invoke(cli, ["export", "-q", "--out", str(out)]).exit_code == 0
    out.chmod(0o600)
    result = runner.invoke(cli, ["export", "-q", "--out", str(out), "--update"])
    assert result.exit_code == 0, result.output
    assert _layers(out) == [*LAYER_NAMES, "layer_styles"] or set(_layers(out)) == {
        *LAYER_NAMES,
        "layer_styles",
    }
    assert [p.name for p in tmp_path.iterdir()] == ["all.gpkg"]  # no .aux.xml, no temporary
    assert out.stat().st_mode & 0o777 == 0o600
    con = sqlite3.connect(out)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    styled = {t for (t,) in con.execute("SELECT DISTINCT f_table_name FROM layer_styles")}
    con.close()
    assert set(LAYER_NAMES) <= styled
    assert len(read_provenance(out)) == 2


def test_an_out_that_is_a_symlink_is_refused(runner, tmp_path):
    real = tmp_path / "real.gpkg"
    real.write_bytes(b"keep")
    link = tmp_path / "link.gpkg"
    link.symlink_to(real)
    result = runner.invoke(
        cli, ["export", "-q", "-o", str(link), "--overwrite", "--layers", "borders"]
    )
    assert result.exit_code == 2
    message = "is a symbolic link; give the real path (links are never written through)"
    assert result.stderr.strip() == f"Error: {link}: {message}"
    assert link.is_symlink() and real.read_bytes() == b"keep"


def test_export_to_a_bare_name_is_a_quiet_geopackage(runner, tmp_path):
    out = tmp_path / "bare"
    result = runner.invoke(cli, ["export", "-o", str(out), "--layers", "events,zones"])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output.lower()
    assert out.read_bytes()[:16] == b"SQLite format 3\x00"
    assert set(pyogrio.list_layers(out)[:, 0]) >= {"events", "zones"}
