"""The shared options of geo/cli/options.py, on a throwaway command and directly."""

from __future__ import annotations

import json

import click
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.cli.main import BordermapGroup, cli
from geo.cli.options import (
    dumps_json,
    event_options,
    load_events,
    parse_bounds,
    parse_zones_option,
    split_list,
)
from geo.io.options import ReadOptions
from geo.io.stream import EventStream
from tests.conftest import BAD


@click.group(cls=BordermapGroup)
def tool():
    pass


@tool.command()
@event_options
@click.option("--overwrite", is_flag=True)
def show(events, read_options, rejects, overwrite):
    frame = load_events(events, read_options, rejects, overwrite=overwrite, quiet=False)
    click.echo(",".join(frame["event_id"]))


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
        f"Error: {bad_csv}: row 2, field 'lat': swapped_coordinates: latitude and "
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


def test_event_stream_chunks_and_rejects(tmp_path, bad_csv):
    rejects = tmp_path / "r.csv"
    stream = EventStream(bad_csv, ReadOptions(chunksize=2), rejects=rejects)
    chunks = list(stream)
    assert [len(c) for c in chunks] == [1, 0, 0]
    table = pd.read_csv(rejects, dtype=str)
    assert table["row"].tolist() == ["2", "3", "4", "5"]  # one header, rows from every chunk
    assert "5 rows read, 1 kept, 4 rejected" in stream.summary()


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
    assert "note: not UTF-8: decoded as cp1252 (Windows Latin-1" in result.stderr


def test_every_row_rejected_exits_1_after_writing_rejects(runner, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("id,event_date,lat,lon\na,16/01/2024,27.37,62.33\nb,17/01/2024,27.37,62.33\n")
    rejects = tmp_path / "r.csv"
    result = runner.invoke(tool, ["show", "--events", str(path), "--rejects", str(rejects)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert "2 rows read, 0 kept, 2 rejected (2 bad_date)" in lines[0]
    assert "no events remain" in lines[0] and "--dayfirst" in lines[0]
    assert pd.read_csv(rejects)["row"].tolist() == [1, 2]
    fixed = runner.invoke(tool, ["show", "--events", str(path), "--dayfirst"])
    assert fixed.exit_code == 0 and fixed.stdout.strip() == "a,b"


def test_quiet_keeps_the_rejected_count(runner, bad_csv, tmp_path):
    @tool.command("quiet-show")
    @event_options
    def quiet_show(events, read_options, rejects):
        load_events(events, read_options, rejects, overwrite=False, quiet=True)

    result = runner.invoke(tool, ["quiet-show", "--events", str(bad_csv)])
    assert result.exit_code == 0
    assert "5 rows read, 1 kept, 4 rejected" in result.stderr
    ok = tmp_path / "ok.csv"
    ok.write_text("id,lat,lon\na,27.37,62.33\n")
    assert runner.invoke(tool, ["quiet-show", "--events", str(ok)]).stderr == ""


def test_glue_new_column_and_date_options(runner, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("uid,when,y,x,dead\nu1,01/16/2024,27.37,62.33,3\n")
    result = runner.invoke(
        tool,
        [
            *("show", "--events", str(path), "--date-col", "when", "--date-format", "%m/%d/%Y"),
            *("--fatalities-col", "dead", "--country-col", "uid"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "u1"
    bad = runner.invoke(tool, ["show", "--events", str(path), "--date-format", "mdy"])
    assert bad.exit_code == 2 and "strptime" in bad.output


# --- the option parsers ------------------------------------------------------


@given(st.lists(st.text(alphabet="abcXYZ -_", min_size=0, max_size=8), max_size=6))
def test_split_list_keeps_every_non_blank_item_in_order(items):
    joined = ",".join(items)
    parsed = split_list(None, None, joined)
    expected = tuple(i.strip() for i in items if i.strip())
    assert parsed == (expected or None)


def test_split_list_merges_repeated_options():
    assert split_list(None, None, ("events, zones", "priogrid")) == ("events", "zones", "priogrid")


@given(
    st.floats(-180, 179, allow_nan=False),
    st.floats(-90, 89, allow_nan=False),
    st.floats(0.001, 50, allow_nan=False),
    st.floats(0.001, 50, allow_nan=False),
)
def test_parse_bounds_round_trips_valid_boxes(w, s, dx, dy):
    e, n = min(w + dx, 180.0), min(s + dy, 90.0)
    if not (w < e and s < n):
        return
    assert parse_bounds(None, None, f"{w!r},{s!r},{e!r},{n!r}") == (w, s, e, n)


@pytest.mark.parametrize(
    "text", ["1,2,3", "a,b,c,d", "10,20,5,30", "0,0,0,0", "nan,0,1,1", "-181,0,1,1", "0,-91,1,1"]
)
def test_parse_bounds_rejects_bad_boxes(text):
    with pytest.raises(click.BadParameter):
        parse_bounds(None, None, text)


@given(st.lists(st.floats(0.5, 2000, allow_nan=False), min_size=1, max_size=6))
def test_parse_zones_option_sorts_unique_edges(edges):
    parsed = parse_zones_option(None, None, ",".join(repr(e) for e in edges))
    assert parsed == tuple(sorted(set(edges)))


@pytest.mark.parametrize("text", ["", "abc", "0,10", "-5", "10,9000", "inf"])
def test_parse_zones_option_rejects_bad_edges(text):
    with pytest.raises(click.BadParameter):
        parse_zones_option(None, None, text)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
        max_leaves=10,
    )
)
def test_dumps_json_is_always_valid_json_with_nan_as_null(value):
    def refuse(constant):
        raise AssertionError(f"non-JSON constant {constant}")

    json.loads(dumps_json(value), parse_constant=refuse)


def test_border_given_a_table_is_one_line(tmp_path):
    from geo.cli.options import build_theatre
    from geo.errors import InputError

    path = tmp_path / "border.csv"
    path.write_text("id,lat,lon\na,27.37,62.33\n")
    with pytest.raises(InputError) as info:
        build_theatre("IRN-PAK", border_path=path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)
    assert "no lines or polygons" in str(info.value)


@pytest.mark.parametrize(
    "command",
    [["map", "--offline"], ["plot"], ["export"], ["raster", "distance", "--res", "0.1"]],
    ids=["map", "plot", "export", "raster"],
)
def test_every_view_takes_the_theatre_options_of_analyze(runner, tmp_path, command):
    # a user's line, other zones and a qualified site, as `bordermap analyze` takes them
    line = tmp_path / "line.geojson"
    line.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
        '"geometry":{"type":"LineString","coordinates":[[61.0,29.5],[62.5,27.0],[61.6,25.2]]}}]}'
    )
    suffix = {"map": ".html", "plot": ".png", "export": ".gpkg", "raster": ".tif"}[command[0]]
    out = tmp_path / f"out{suffix}"
    args = [*command, "--border", str(line), "--zones", "5,20", "--sites", "Khash, Iran"]
    result = runner.invoke(cli, [*args, "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0
    bad = runner.invoke(
        cli, [*command, "--sites", "Qxzvrt Jklm", "-o", str(tmp_path / ("x" + suffix))]
    )
    assert bad.exit_code != 0 and "Qxzvrt Jklm" in bad.output
    assert not (tmp_path / ("x" + suffix)).exists()
