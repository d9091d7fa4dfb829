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
        "status": "'Saravan' is not in PAK; found in IRN, LAO",
        "candidates": [],
    }
    unknown = json.loads(runner.invoke(cli, ["geocode", "Qxzvrt Jklm", "-f", "json"]).output)
    assert unknown[0]["status"] == "not found in the embedded gazetteer"


def test_geocode_country_option(runner):
    result = runner.invoke(cli, ["geocode", "Saravan", "--country", "PAK"])
    assert result.exit_code == 1
    assert "'Saravan' is not in PAK; found in IRN" in result.output
    result = runner.invoke(cli, ["geocode", "Qxzvrt Jklm", "--country", "PAK"])
    assert result.exit_code == 1 and "not found in the embedded gazetteer" in result.output


def test_geocode_needs_a_name(runner):
    result = runner.invoke(cli, ["geocode"])
    assert result.exit_code == 2


def test_geocode_not_found_names_the_countries_that_have_the_name(runner):
    result = runner.invoke(cli, ["geocode", "Khash", "--country", "PAK"])
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if line.startswith("Khash"))
    assert line.endswith("'Khash' is not in PAK; found in IRN, AFG")
    data = json.loads(runner.invoke(cli, ["geocode", "Khash, Pakistan", "-f", "json"]).output)
    assert data[0]["status"] == "'Khash' is not in PAK; found in IRN, AFG"


def test_geocode_reads_urdu_and_persian(runner):
    result = runner.invoke(cli, ["geocode", "کوئٹہ", "زاهدان", "-f", "json"])
    assert result.exit_code == 0, result.output
    best = [entry["candidates"][0] for entry in json.loads(result.output)]
    assert [(b["name"], b["iso3"]) for b in best] == [("Quetta", "PAK"), ("Zahedan", "IRN")]
    assert best[0]["population"] > 100_000
