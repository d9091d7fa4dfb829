"""The group's one error boundary: every command fails the same way, in one line."""

from __future__ import annotations

import pytest

from geo.cli.main import cli
from tests import faults

#: Every command that writes a file, with what it needs besides ``--out``.
WRITERS = [
    ["analyze", "-f", "csv"],
    ["map"],
    ["plot"],
    ["export"],
    ["raster", "distance", "--res", "0.5"],
    ["events", "check", "{events}"],
]


@pytest.fixture
def events(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("id,lat,lon\na,27.37,62.33\n")
    return path


@pytest.mark.parametrize("command", WRITERS, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize(
    "where", ["/proc/nope/{name}", "/proc/{name}", "{blocker}/{name}", "{blocker}/deeper/{name}"]
)
def test_an_unwritable_out_is_one_line_and_exit_1(runner, tmp_path, events, command, where):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    name = {"map": "m.html", "plot": "f.png", "export": "x.gpkg", "raster": "x.tif"}
    out = where.format(blocker=blocker, name=name.get(command[0], "x.csv"))
    args = [a.replace("{events}", str(events)) for a in command]
    quiet = [] if command[0] == "events" else ["--quiet"]  # events check prints no progress
    result = runner.invoke(cli, [*args, "--out", out, *quiet])
    assert result.exit_code == 1, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"Error: {out}: ") and "Traceback" not in result.output
    assert blocker.read_text() == "x"


def test_a_library_parameter_is_named_as_its_flag(runner, tmp_path):
    result = runner.invoke(
        cli, ["raster", "distance", "--res", "0.0001", "-o", str(tmp_path / "r.tif")]
    )
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("Error: Invalid value for '--res': ")
    assert "res:" not in result.stderr  # the library's own spelling stays inside


def test_an_existing_out_asks_for_overwrite(runner, tmp_path):
    out = tmp_path / "a.csv"
    out.write_text("old")
    result = runner.invoke(cli, ["analyze", "-f", "csv", "-o", str(out)])
    assert result.exit_code == 2 and out.read_text() == "old"
    assert result.stderr.strip() == f"Error: {out} exists; add --overwrite to replace it"


@pytest.mark.parametrize("command", WRITERS, ids=lambda c: " ".join(c[:2]))
def test_a_read_only_folder_is_one_line_and_exit_1(runner, tmp_path, events, command):
    with faults.tmpfs(tmp_path / "ro", readonly=True) as folder:
        name = {"map": "m.html", "plot": "f.png", "export": "x.gpkg", "raster": "x.tif"}
        out = folder / name.get(command[0], "x.csv")
        args = [a.replace("{events}", str(events)) for a in command]
        quiet = [] if command[0] == "events" else ["--quiet"]
        result = runner.invoke(cli, [*args, "--out", str(out), *quiet])
        assert result.exit_code == 1, result.output
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith(f"Error: {out}: ") and "Read-only file system" in line
        assert list(folder.iterdir()) == []


@pytest.mark.parametrize("command", WRITERS, ids=lambda c: " ".join(c[:2]))
def test_an_out_that_is_a_symlink_is_refused_by_every_command(runner, tmp_path, events, command):
    suffix = {"map": ".html", "plot": ".png", "export": ".gpkg", "raster": ".tif"}
    real = tmp_path / "real"
    real.write_text("keep")
    link = tmp_path / f"link{suffix.get(command[0], '.csv')}"
    link.symlink_to(real)
    args = [a.replace("{events}", str(events)) for a in command]
    result = runner.invoke(cli, [*args, "--out", str(link), "--overwrite"])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().startswith(f"Error: {link}: is a symbolic link")
    assert real.read_text() == "keep" and link.is_symlink()
