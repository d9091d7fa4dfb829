from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pandas as pd
import pytest

from geo.cli.eventsio import event_options, load_events_for_cli
from geo.cli.main import BordermapGroup, cli

BAD = (
    "id,lat,lon,iso3,fatalities\n"
    "a,27.37,62.33,IRN,1\n"
    "b,62.33,27.37,IRN,0\n"
    "c,,,IRN,0\n"
    "a,27.0,62.5,IRN,0\n"
    "e,27.0,62.5,IRN,lots\n"
)


@pytest.fixture
def bad_csv(tmp_path) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text(BAD)
    return path


def test_check_table_groups_by_kind(runner, bad_csv):
    result = runner.invoke(cli, ["events", "check", str(bad_csv)])
    assert result.exit_code == 1
    out = result.output
    assert out.startswith(f"{bad_csv}: 5 rows read, 1 kept, 4 rejected")
    assert "swapped_coordinates: 1 (error, row rejected)" in out
    assert "duplicate_id: 1 (error, row rejected)" in out
    assert "missing_coordinates: 1" in out and "bad_fatalities: 1" in out
    line = next(x for x in out.splitlines() if "already at row 1" in x)
    assert line.split()[:3] == ["4", "a", "event_id"]


def test_check_json(runner, bad_csv):
    result = runner.invoke(cli, ["events", "check", str(bad_csv), "-f", "json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert (data["rows"], data["kept"], data["rejected"]) == (5, 1, 4)
    assert data["problems"]["swapped_coordinates"]["rows"] == [
        {
            "row": 2,
            "event_id": "b",
            "field": "latitude",
            "message": data["problems"]["swapped_coordinates"]["rows"][0]["message"],
        }
    ]
    assert data["problems"]["bad_fatalities"]["rows"][0]["row"] == 5


def test_check_clean_exit_0(runner, tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text("id,lat,lon\na,27.37,62.33\n")
    result = runner.invoke(cli, ["events", "check", str(path)])
    assert result.exit_code == 0
    assert "1 rows read, 1 kept, 0 rejected" in result.output


def test_check_unreadable_exit_2(runner, tmp_path):
    path = tmp_path / "bin.csv"
    path.write_bytes(b"\x00\x01\x02binary")
    result = runner.invoke(cli, ["events", "check", str(path)])
    assert result.exit_code == 2
    assert "binary content" in result.output
    assert "Traceback" not in result.output


def test_check_out_refuses_overwrite(runner, bad_csv, tmp_path):
    out = tmp_path / "report.json"
    out.write_text("old")
    result = runner.invoke(cli, ["events", "check", str(bad_csv), "-f", "json", "-o", str(out)])
    assert result.exit_code == 2 and out.read_text() == "old"
    result = runner.invoke(
        cli, ["events", "check", str(bad_csv), "-f", "json", "-o", str(out), "--overwrite"]
    )
    assert result.exit_code == 1 and json.loads(out.read_text())["rows"] == 5


# --- the shared glue, on a throwaway command ---------------------------------


@click.group(cls=BordermapGroup)
def tool():
    pass


@tool.command()
@event_options
@click.option("--overwrite", is_flag=True)
def show(**kwargs):
    events = load_events_for_cli(**kwargs)
    click.echo(",".join(events["event_id"]))


def test_glue_defaults_to_seed_events(runner):
    result = runner.invoke(tool, ["show"])
    assert result.exit_code == 0
    assert result.output.strip() == "BM0001,BM0002,BM0003,BM0004,BM0005,BM0006"


def test_glue_rejects_file_and_summary(runner, bad_csv, tmp_path):
    rejects = tmp_path / "rejects.csv"
    result = runner.invoke(tool, ["show", "--events", str(bad_csv), "--rejects", str(rejects)])
    assert result.exit_code == 0
    assert result.stdout.strip() == "a"
    assert "5 rows read, 1 kept, 4 rejected" in result.stderr
    assert f"rejects in {rejects}" in result.stderr
    table = pd.read_csv(rejects, dtype=str, keep_default_na=False)
    assert table["row"].tolist() == ["2", "3", "4", "5"]
    assert table.columns[:4].tolist() == ["row", "event_id", "kind", "reason"]
    # nothing silently dropped: kept + rejected == rows in the input
    assert 1 + len(table) == len(BAD.strip().splitlines()) - 1
    again = runner.invoke(tool, ["show", "--events", str(bad_csv), "--rejects", str(rejects)])
    assert again.exit_code == 2 and "--overwrite" in again.output


def test_glue_strict_one_line(runner, bad_csv):
    result = runner.invoke(tool, ["show", "--events", str(bad_csv), "--strict"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"Error: {bad_csv}: row 2, field 'latitude': swapped_coordinates: latitude and "
        "longitude look swapped: (lat 27.37, lon 62.33) lies in IRN, the given point does not"
    )


def test_glue_column_overrides_and_format(runner, tmp_path):
    path = tmp_path / "odd.txt"
    path.write_text("code;north;east\nk;27,37;62,33\n")
    result = runner.invoke(
        tool,
        [
            "show",
            "--events",
            str(path),
            "--lat-col",
            "north",
            "--lon-col",
            "east",
            "--id-col",
            "code",
            "--events-format",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "k"
    assert "2 decimal_comma" in result.stderr


def test_real_subprocess(bad_csv):
    exe = Path(sys.executable).with_name("bordermap")
    result = subprocess.run(
        [str(exe), "events", "check", str(bad_csv), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 1
    assert json.loads(result.stdout)["rejected"] == 4


def test_iter_events_for_cli_chunks_and_rejects(tmp_path, bad_csv, capsys):
    from geo.cli.eventsio import iter_events_for_cli

    rejects = tmp_path / "r.csv"
    chunks = list(iter_events_for_cli(bad_csv, rejects=rejects, chunksize=2))
    assert [len(c) for c in chunks] == [1, 0, 0]
    table = pd.read_csv(rejects, dtype=str)
    assert table["row"].tolist() == ["2", "3", "4", "5"]  # one header, rows from every chunk
    assert "5 rows read, 1 kept, 4 rejected" in capsys.readouterr().err


def test_rejects_not_written_when_reading_fails(runner, tmp_path):
    path = tmp_path / "bin.csv"
    path.write_bytes(b"\x00\x01")
    rejects = tmp_path / "r.csv"
    result = runner.invoke(tool, ["show", "--events", str(path), "--rejects", str(rejects)])
    assert result.exit_code == 2 and not rejects.exists()


def test_glue_prints_file_notes(runner, tmp_path):
    # file-level notes (encoding fallback, layer chosen) must reach the user
    path = tmp_path / "latin.csv"
    path.write_bytes("id,lat,lon,location\na,27.37,62.33,Caf\xe9\n".encode("latin-1"))
    result = runner.invoke(tool, ["show", "--events", str(path)])
    assert result.exit_code == 0
    assert "note: not UTF-8: decoded as Latin-1" in result.stderr
