from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
    assert by_name["provinces"]["features"] > 100
    assert set(by_name["borders"]["lengths_km"]) == {
        "AFG-IRN",
        "AFG-PAK",
        "IRN-IRQ",
        "IRN-PAK",
        "IRQ-SYR",
    }


def test_version_entry_point_as_subprocess():
    exe = Path(sys.executable).with_name("bordermap")
    proc = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0
    assert proc.stdout.startswith("bordermap, version ")


def test_unknown_command_is_a_usage_error(runner):
    result = runner.invoke(cli, ["no-such-command"])
    assert result.exit_code == 2
