from __future__ import annotations

import re
from pathlib import Path

import matplotlib.image as mpimg
import pytest

from geo.cli.main import cli
from tests.acled_like import acled_rows, to_csv

EVENTS_CSV = """event_id,event_date,latitude,longitude,location,fatalities,attacker_iso3
T1,2024-01-20,26.35,61.95,Mand,3,IRN
T2,2024-01-21,26.00,63.05,Turbat,0,
T3,2024-01-22,95.00,63.05,Nowhere,0,
"""


def _size(path: Path) -> tuple[int, int]:
    height, width = mpimg.imread(path).shape[:2]
    return width, height


def test_plot_writes_a_png_of_the_requested_dpi(runner, tmp_path):
    out = tmp_path / "fig.png"
    result = runner.invoke(cli, ["plot", "--out", str(out), "--dpi", "40"])
    assert result.exit_code == 0, result.output
    assert _size(out) == (400, 336)  # 10 x 8.4 inches
    assert f"wrote {out}" in result.stderr and result.stdout == ""
    assert [p.name for p in tmp_path.iterdir()] == ["fig.png"]  # no temporary left behind


def test_plot_writes_svg_with_the_title(runner, tmp_path):
    out = tmp_path / "fig.svg"
    result = runner.invoke(cli, ["plot", "-q", "--out", str(out), "--title", "Strikes & drills"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    text = out.read_text()
    assert text.startswith("<?xml") and ">Strikes &amp; drills<" in text


def test_plot_refuses_an_existing_file_without_overwrite(runner, tmp_path):
    out = tmp_path / "fig.png"
    out.write_bytes(b"keep me")
    result = runner.invoke(cli, ["plot", "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {out} exists; add --overwrite to replace it"
    assert out.read_bytes() == b"keep me"
    result = runner.invoke(cli, ["plot", "-q", "--out", str(out), "--overwrite", "--dpi", "20"])
    assert result.exit_code == 0, result.output
    assert _size(out) == (200, 168)


def test_plot_rejects_other_formats_and_pairs_in_one_line(runner, tmp_path):
    result = runner.invoke(cli, ["plot", "--out", str(tmp_path / "fig.pdf")])
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("write a .png or .svg file, not '.pdf'")
    assert len(result.stderr.strip().splitlines()) == 1
    result = runner.invoke(cli, ["plot", "--out", str(tmp_path / "f.png"), "--dpi", "0"])
    assert result.exit_code == 2 and "--dpi" in result.stderr
    result = runner.invoke(cli, ["plot", "--out", str(tmp_path / "f.png"), "--pair", "IRN-SYR"])
    assert result.exit_code == 2
    assert "IRN-PAK" in result.stderr and "IRQ-SYR" in result.stderr
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_plot_reads_an_event_file_and_reports_rejects(runner, tmp_path):
    events = tmp_path / "events.csv"
    events.write_text(EVENTS_CSV)
    out = tmp_path / "fig.png"
    result = runner.invoke(cli, ["plot", "--events", str(events), "--out", str(out), "--dpi", "20"])
    assert result.exit_code == 0, result.output
    assert "3 rows read, 2 kept, 1 rejected" in result.stderr
    assert _size(out) == (200, 168)


@pytest.mark.slow
def test_plot_draws_another_pair_and_then_refuses_to_replace_it(runner, tmp_path):
    out = tmp_path / "fig.svg"
    result = runner.invoke(cli, ["plot", "--out", str(out), "--pair", "AFG-PAK"])
    assert result.exit_code == 0, result.output
    assert "Afghanistan\u2013Pakistan border" in out.read_text()
    again = runner.invoke(cli, ["plot", "--out", str(out)])
    assert again.exit_code == 2
    assert again.stderr.strip() == f"Error: {out} exists; add --overwrite to replace it"


def _svg_text(path: Path) -> str:
    """Every text of an SVG, lines joined by spaces (wrapping breaks only at spaces)."""
    return " ".join(" ".join(re.findall(r">([^<>]+)<", path.read_text())).split())


def test_plot_credits_the_users_file_and_its_sources_never_our_curation(runner, tmp_path):
    events = tmp_path / "acled_afpak.csv"
    events.write_bytes(to_csv(acled_rows(200)))
    out = tmp_path / "fig.svg"
    args = ["plot", "-q", "--events", str(events), "--pair", "AFG-PAK", "--out", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    text = _svg_text(out)
    assert "Events: acled_afpak.csv; reported by Dawn (50), Pajhwok Afghan News (50)" in text
    assert "curation" not in text
    assert "Attacker: Pakistan (state forces)" in text  # inferred from actor1, still a strike


@pytest.mark.slow
def test_plot_of_the_seed_events_credits_bordermap_curation(runner, tmp_path):
    out = tmp_path / "seed.svg"
    result = runner.invoke(cli, ["plot", "-q", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Events: bordermap curation of AP/Reuters reporting (CC BY 4.0)." in _svg_text(out)


def test_plot_takes_the_theatre_options_of_analyze(runner, tmp_path):
    line = tmp_path / "line.geojson"
    line.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
        '"geometry": {"type": "LineString", "coordinates": [[61, 26], [61.5, 27], [62, 28]]}}]}'
    )
    events = tmp_path / "events.csv"
    events.write_text(EVENTS_CSV)
    out = tmp_path / "line.svg"
    args = ["plot", "-q", "--events", str(events), "--border", str(line), "--out", str(out)]
    result = runner.invoke(cli, [*args, "--sites", "Saravan, Iran", "--zones", "20,40"])
    assert result.exit_code == 0, result.output
    text = _svg_text(out)
    assert "Events along the line.geojson border" in text
    assert "0-20 km from the border" in text and "20-40 km from the border" in text
    assert "Events: events.csv." in text  # no source column: the file is the credit
    # the site names are drawn as outlined paths, so prove --sites is read by a bad one
    bad = runner.invoke(cli, [*args, "--overwrite", "--sites", "Qqqzzzville"])
    assert bad.exit_code == 2 and "Qqqzzzville" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
