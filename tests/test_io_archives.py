"""Event files inside containers (geo/io/archives.py): gzip, zip, xlsx, and what is not a file."""

from __future__ import annotations

import gzip
import os
import zipfile

import pytest

from geo.errors import InputError
from geo.io.archives import Source
from geo.io.events import read_events
from geo.io.limits import MAX_COMPRESSION_RATIO

ROWS = "id,event_date,lat,lon\na,2024-01-16,27.3707,62.3342\nb,2024-01-18,26.9644,64.0902\n"


def test_gzip_is_read(tmp_path):
    path = tmp_path / "e.csv.gz"
    path.write_bytes(gzip.compress(ROWS.encode()))
    table = read_events(path)
    assert table.events["event_id"].tolist() == ["a", "b"]


def test_zip_single_member_is_read_and_readme_ignored(tmp_path):
    path = tmp_path / "acled.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("export/acled.csv", ROWS)
        zf.writestr("README.txt", "terms of use")
    table = read_events(path)
    assert table.events["event_id"].tolist() == ["a", "b"]
    assert any("acled.csv" in note for note in table.notes)


def test_zip_with_two_tables_lists_them(tmp_path):
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.csv", ROWS)
        zf.writestr("b.csv", ROWS)
    with pytest.raises(InputError, match=r"two.zip: 2 data members.*a.csv, b.csv"):
        read_events(path)


def test_errors_inside_a_zip_name_the_zip_and_member(tmp_path):
    path = tmp_path / "bad.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("e.csv", 'id,lat,lon\na,"27.37,62.33\n')
    with pytest.raises(InputError, match=r"bad.zip:e.csv"):
        read_events(path)


def test_zip_bomb_refused_naming_the_limit(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("big.csv", "w", force_zip64=True) as fh:
            fh.write(b"id,lat,lon\n")
            for _ in range(80):
                fh.write(b"0" * (1 << 20))
    assert 80 << 20 > MAX_COMPRESSION_RATIO * path.stat().st_size
    with pytest.raises(InputError, match="MAX_COMPRESSION_RATIO"):
        read_events(path)


def test_xlsx_is_read_with_excel_dates(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    import datetime as dt

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "events"
    sheet.append(["id", "event_date", "lat", "lon", "fatalities"])
    sheet.append(["a", dt.datetime(2024, 1, 16), 27.3707, 62.3342, 5])
    sheet.append(["b", "16/01/2024", 26.9644, 64.0902, 0])
    path = tmp_path / "e.xlsx"
    book.save(path)
    table = read_events(path, dayfirst=True)
    assert table.events["event_id"].tolist() == ["a", "b"]
    assert table.events["fatalities"].tolist() == [5, 0]
    assert table.events["event_date"].dt.day.tolist() == [16, 16]


@pytest.mark.parametrize("kind", ["fifo", "device", "directory", "missing"])
def test_what_is_not_a_file_is_refused_at_once(tmp_path, kind):
    path = tmp_path / "x"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path = "/dev/zero"
    elif kind == "directory":
        path.mkdir()
    with pytest.raises(InputError, match=str(path)):
        read_events(path)


def test_source_removes_what_it_unpacked(tmp_path):
    path = tmp_path / "e.csv.gz"
    path.write_bytes(gzip.compress(ROWS.encode()))
    source = Source(path)
    unpacked = source.path
    assert unpacked.exists() and unpacked != path
    source.close()
    assert not unpacked.exists()
