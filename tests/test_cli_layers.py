from __future__ import annotations

import json

import pytest

from geo.cli.main import cli


def test_layers_table_lists_every_layer_and_border_length(runner):
    result = runner.invoke(cli, ["layers"])
    assert result.exit_code == 0, result.output
    for name in ("countries", "borders", "provinces", "places", "events", "ODbL-1.0"):
        assert name in result.output
    line = next(x for x in result.output.splitlines() if x.startswith("IRN-PAK"))
    assert float(line.split()[1]) == pytest.approx(944, rel=0.03)
    assert "959" in result.output


def test_layers_json_is_machine_readable(runner):
    result = runner.invoke(cli, ["layers", "--format", "json"])
    assert result.exit_code == 0
    doc = json.loads(result.output)
    by_name = {r["layer"]: r for r in doc["layers"]}
    assert by_name["provinces"]["features"] > 3000
    assert by_name["countries"]["features"] == 250
    assert {"AFG-IRN", "AFG-PAK", "IRN-IRQ", "IRN-PAK", "IRQ-SYR", "SDN-TCD"} <= set(
        by_name["borders"]["lengths_km"]
    )
    assert len(doc["borders"]) == by_name["borders"]["features"]


@pytest.mark.parametrize("country", ["SDN", "Sudan", "sdn"])
def test_layers_country_lists_only_its_borders(runner, country):
    result = runner.invoke(cli, ["layers", "--country", country, "--format", "json"])
    assert result.exit_code == 0, result.output
    pairs = {r["pair"] for r in json.loads(result.output)["borders"]}
    assert "SDN-TCD" in pairs and "EGY-SDN" in pairs
    assert all("SDN" in p.split("-") for p in pairs)


def test_layers_unknown_country_is_one_error_line(runner):
    result = runner.invoke(cli, ["layers", "--country", "Atlantis"])
    assert result.exit_code != 0
    assert "unknown country code(s) Atlantis" in result.output


def test_layers_build_subcommand_is_gone(runner):
    # the build is `make layers` (tools/, outside the wheel), not a CLI command
    result = runner.invoke(cli, ["layers", "build"])
    assert result.exit_code == 2
    assert "build" in result.output
    assert "make layers" in runner.invoke(cli, ["layers", "--help"]).output


def test_unknown_command_is_a_usage_error(runner):
    result = runner.invoke(cli, ["no-such-command"])
    assert result.exit_code == 2
