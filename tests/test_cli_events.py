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
            "field": "lat",  # the file's own column
            "message": data["problems"]["swapped_coordinates"]["rows"][0]["message"],
        }
    ]
    assert data["problems"]["bad_fatalities"]["rows"][0]["row"] == 5


def test_check_clean_exit_0(runner, tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text("id,lat,lon\na,27.37,62.33\n")
    result = runner.invoke(cli, ["events", "check", str(path)])
    assert result.exit_code == 0
    assert "1 row read, 1 kept, 0 rejected" in result.output


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


def test_check_takes_the_reading_options(runner, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("code,when,lat,lon\nk,16/01/2024,27.37,62.33\n")
    args = ["events", "check", str(path), "--id-col", "code", "--date-col", "when"]
    assert runner.invoke(cli, args).exit_code == 1
    result = runner.invoke(cli, [*args, "--dayfirst"])
    assert result.exit_code == 0, result.output
    assert "1 row read, 1 kept, 0 rejected" in result.output


def test_check_of_a_file_with_no_rows_exits_1(runner, tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("id,lat,lon\n")
    result = runner.invoke(cli, ["events", "check", str(path)])
    assert result.exit_code == 1
    assert "0 rows read, 0 kept, 0 rejected" in result.output


def test_check_shifted_first_row(runner, tmp_path):
    path = tmp_path / "shift.csv"
    path.write_text(
        "event_id,event_date,latitude,longitude,fatalities\n"
        "A1,2024-01-18,27.3707,62.3342,5,EXTRA\n"
        "A2,2024-01-18,27.3707,62.3342,5\nA3,2024-01-18,27.3707,62.3342,5\n"
    )
    result = runner.invoke(cli, ["events", "check", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith(f"{path}: 3 rows read, 2 kept, 1 rejected (1 extra_fields)")


def test_check_reports_progress_per_chunk(tmp_path):
    from geo.io.options import ReadOptions
    from geo.io.report import check_file

    path = tmp_path / "five.csv"
    path.write_text("id,lat,lon\n" + "".join(f"e{i},27.37,62.33\n" for i in range(5)))
    seen = []
    report = check_file(path, ReadOptions(chunksize=2), on_chunk=lambda *a: seen.append(a))
    assert [rows for rows, _ in seen] == [2, 4, 5] and report["rows"] == 5
    read = [done for _, done in seen]  # bytes read: growing, the whole file at the end
    assert read == sorted(read) and read[-1] == path.stat().st_size
