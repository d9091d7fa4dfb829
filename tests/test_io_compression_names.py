"""Compression promised by a file's name: held, or a one-line error naming the file."""

from __future__ import annotations

import bz2
import gzip

import pytest

from geo.cli.main import cli

ROWS = b"event_id_cnty,event_date,latitude,longitude,country\nX1,2024-01-16,26.9,64.1,Pakistan\n"


def test_a_gz_name_without_gzip_inside_names_the_file(runner, tmp_path):
    path = tmp_path / "events.csv.gz"
    path.write_bytes(ROWS)
    result = runner.invoke(cli, ["analyze", "--events", str(path)])
    assert result.exit_code != 0
    assert str(path) in result.output and "not gzip-compressed" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("suffix", "pack"), [(".bz2", bz2.compress), (".zst", lambda b: b)])
def test_other_compressions_are_refused_by_name(runner, tmp_path, suffix, pack):
    path = tmp_path / f"events.csv{suffix}"
    path.write_bytes(pack(ROWS))
    result = runner.invoke(cli, ["events", "check", str(path)])
    assert result.exit_code != 0
    assert f"{path}: {suffix} files are not read" in result.output


def test_gzip_under_another_compressions_name_is_read_as_gzip(runner, tmp_path):
    path = tmp_path / "events.csv.bz2.gz"
    path.write_bytes(gzip.compress(ROWS))
    result = runner.invoke(cli, ["analyze", "-q", "-f", "csv", "--events", str(path)])
    assert result.exit_code == 0, result.output
    assert "X1" in result.output and "Balochistan" in result.output
