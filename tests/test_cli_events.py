from __future__ import annotations

import json

from geo.cli.main import cli


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
