from __future__ import annotations

from geo.cli.main import cli
from geo.mapping.offline import external_resources


def test_map_without_arguments_writes_the_default_file(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["map"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "maps" / "bordermap.html"
    html = out.read_text(encoding="utf-8")
    assert "Iran\u2013Pakistan border" in html and "bm-legend" in html
    assert "wrote map of 6 events to maps/bordermap.html" in result.stderr


def test_map_refuses_to_overwrite_without_flag(runner, tmp_path):
    out = tmp_path / "m.html"
    out.write_text("keep me")
    result = runner.invoke(cli, ["map", "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {out} exists; add --overwrite to replace it"
    assert out.read_text() == "keep me"
    result = runner.invoke(cli, ["map", "--out", str(out), "--overwrite", "--quiet"])
    assert result.exit_code == 0 and result.stderr == ""
    assert out.read_text().startswith("<!DOCTYPE html>")


def test_offline_map_has_no_external_scripts(runner, tmp_path):
    out = tmp_path / "offline.html"
    result = runner.invoke(cli, ["map", "--offline", "--out", str(out), "--title", "Test <map>"])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert external_resources(html) == []
    assert "Test &lt;map&gt;" in html
    assert "self-contained map" in result.stderr


def test_zones_and_pair_options(runner, tmp_path):
    out = tmp_path / "z.html"
    result = runner.invoke(cli, ["map", "--zones", "5,20", "--pair", "PAK-IRN", "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "0-5 km" in html and "5-20 km" in html
    assert "PAK\u2013IRN border" in html or "PAK\\u2013IRN border" in html


def test_bad_options_are_one_line_errors(runner, tmp_path):
    out = tmp_path / "x.html"
    result = runner.invoke(cli, ["map", "--zones", "10,abc", "-o", str(out)])
    assert result.exit_code == 2 and "Invalid value for '--zones'" in result.stderr
    result = runner.invoke(cli, ["map", "--pair", "PAK-SYR", "-o", str(out)])
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: PAK and SYR share no embedded border")
    # it names each country's real neighbours
    assert "AFG-PAK" in line and "IRN-PAK" in line and "IRQ-SYR" in line
    assert "Traceback" not in result.output and not out.exists()


def test_events_file_with_hostile_text(runner, tmp_path):
    events = tmp_path / "events.csv"
    events.write_text(
        "event_id,event_date,actor1,attacker_iso3,location,latitude,longitude,geo_precision,"
        "fatalities,notes\n"
        'X1,2024-01-20,<script>alert(1)</script>,PAK,"<img src=x onerror=alert(1)>",27.2,62.5,1,3,'
        '"{{ 7*7 }} ${alert(1)}"\n'
        "X2,2024-01-21,Militants,,Saravan,27.37,62.33,2,0,plain\n",
        encoding="utf-8",
    )
    out = tmp_path / "e.html"
    result = runner.invoke(cli, ["map", "--events", str(events), "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "\\u0026#123;\\u0026#123; 7*7 \\u0026#125;\\u0026#125;" in html
    assert "2 events" in html


def test_quiet_offline_map_prints_nothing(runner, tmp_path):
    out = tmp_path / "p.html"
    result = runner.invoke(cli, ["map", "--offline", "--quiet", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and result.stderr == ""
    assert external_resources(out.read_text(encoding="utf-8")) == []


def test_rejected_rows_go_to_the_rejects_file(runner, tmp_path):
    events = tmp_path / "events.csv"
    events.write_text(
        "event_id,event_date,latitude,longitude,fatalities\n"
        "A1,2024-01-20,27.2,62.5,1\n"
        "A2,2024-01-21,not-a-number,62.3,0\n",
        encoding="utf-8",
    )
    out, rejects = tmp_path / "r.html", tmp_path / "rejects.csv"
    args = ["map", "--events", str(events), "--rejects", str(rejects), "-o", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "A2" in rejects.read_text(encoding="utf-8")
    assert "1 event, 20 Jan 2024;" in out.read_text(encoding="utf-8")
    assert "wrote map of 1 events to" in result.stderr


def test_map_refuses_a_name_that_is_not_html(runner, tmp_path):
    for name in ("m.txt", "m.png", "m"):
        result = runner.invoke(cli, ["map", "-o", str(tmp_path / name)])
        assert result.exit_code == 2
        assert "write a .html file" in result.output
        assert not (tmp_path / name).exists()
    result = runner.invoke(cli, ["map", "-q", "-o", str(tmp_path / "m.HTM")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "m.HTM").read_text().lstrip().lower().startswith("<!doctype html")


def test_map_of_a_border_whose_view_touches_an_outline(runner, tmp_path):
    # RUS-UKR's view box touches outlines: clipping gave GeometryCollections (a crash)
    out = tmp_path / "ru.html"
    result = runner.invoke(cli, ["map", "-q", "--pair", "RUS-UKR", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Ukraine" in out.read_text()
