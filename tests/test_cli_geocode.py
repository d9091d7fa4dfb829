from __future__ import annotations

import json

from geo.cli.main import cli


def test_geocode_table(runner):
    result = runner.invoke(cli, ["geocode", "Saravan", "Koh-e-Sabz", "Baluchistan"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:4] == ["query", "name", "lat", "lon"]
    saravan = next(line for line in lines if line.startswith("Saravan"))
    assert "27.3707" in saravan and "62.3342" in saravan and "Sistan and Baluchestan" in saravan
    province = next(line for line in lines if line.startswith("Baluchistan"))
    assert "province" in province and " 3 " in province and "100.0" in province


def test_geocode_json_and_not_found(runner):
    result = runner.invoke(cli, ["geocode", "Sarawan", "Saravan, Pakistan", "-f", "json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data[0]["status"] == "found"
    best = data[0]["candidates"][0]
    assert best["name"] == "Saravan" and best["iso3"] == "IRN" and best["precision"] == 1
    assert data[1] == {
        "query": "Saravan, Pakistan",
        "status": "not found in the embedded gazetteer",
        "candidates": [],
    }


def test_geocode_country_option(runner):
    result = runner.invoke(cli, ["geocode", "Saravan", "--country", "PAK"])
    assert result.exit_code == 1
    assert "not found in the embedded gazetteer" in result.output


def test_geocode_needs_a_name(runner):
    result = runner.invoke(cli, ["geocode"])
    assert result.exit_code == 2
