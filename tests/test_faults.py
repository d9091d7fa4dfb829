"""Faults a user meets: full disks, races between writers, kill -9, odd inputs, no network.

Real subprocesses of the CLI run here (tests/faults.py has the helpers);
kill -9 and concurrent runs are marked slow.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyogrio
import pytest

from geo.cli.main import cli
from tests import faults

EXISTS = "exists; add --overwrite to replace it"


def _only_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


# --- a full disk -------------------------------------------------------------------------

FULL_DISK_COMMANDS = {
    "export": (["export", "--layers", "borders"], "x.gpkg"),
    "analyze": (["analyze", "-f", "csv"], "x.csv"),
    "map": (["map", "--offline"], "x.html"),
    "raster": (["raster", "distance", "--res", "0.5"], "x.tif"),
    "plot": (["plot"], "x.png"),
}


@pytest.mark.parametrize("command", sorted(FULL_DISK_COMMANDS))
def test_a_full_tmpfs_is_one_line_and_leaves_nothing(runner, tmp_path, command):
    args, name = FULL_DISK_COMMANDS[command]
    with faults.tmpfs(tmp_path / "small", size="128k") as disk:
        faults.fill(disk)
        out = disk / name
        result = runner.invoke(cli, [*args, "--out", str(out), "--quiet"])
        assert result.exit_code == 1, result.output
        assert _only_line(result.stderr) == f"Error: {out}: No space left on device"
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]  # no partial, no temporary


def test_a_full_disk_while_replacing_keeps_the_old_file(runner, tmp_path):
    with faults.tmpfs(tmp_path / "small", size="256k") as disk:
        out = disk / "x.csv"
        out.write_text("old\n")
        faults.fill(disk)
        result = runner.invoke(cli, ["analyze", "-f", "csv", "-o", str(out), "--overwrite"])
        assert result.exit_code == 1 and "No space left on device" in result.stderr
        assert out.read_text() == "old\n"
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "x.csv"]


@pytest.mark.parametrize("overwrite", [False, True])
def test_an_injected_enospc_in_the_writer_is_one_line(runner, tmp_path, monkeypatch, overwrite):
    out = tmp_path / "x.gpkg"
    if overwrite:
        out.write_bytes(b"old")
    real_write = pyogrio.write_dataframe

    def full_disk(frame, path, *args, **kwargs):
        Path(path).write_bytes(b"SQLite format 3\0 half a file")
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(pyogrio, "write_dataframe", full_disk)
    args = ["export", "-q", "--layers", "borders", "-o", str(out)]
    result = runner.invoke(cli, args + (["--overwrite"] if overwrite else []))
    monkeypatch.setattr(pyogrio, "write_dataframe", real_write)
    assert result.exit_code == 1, result.output
    assert _only_line(result.stderr) == f"Error: {out}: No space left on device"
    assert [p.name for p in tmp_path.iterdir()] == (["x.gpkg"] if overwrite else [])
    assert not overwrite or out.read_bytes() == b"old"


# --- the overwrite rule holds at publication ---------------------------------------------


def _created_meanwhile(monkeypatch, module: str, name: str, out: Path) -> None:
    """Make ``module.name`` create ``out`` (as another process would) before doing its work."""
    import importlib

    target = importlib.import_module(module)
    real = getattr(target, name)

    def racing(*args, **kwargs):
        if not out.exists():
            out.write_text("theirs")
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, racing)


def test_export_never_replaces_a_file_created_during_the_run(runner, tmp_path, monkeypatch):
    out = tmp_path / "race.gpkg"
    _created_meanwhile(monkeypatch, "geo.export.gpkg", "build_layers", out)
    result = runner.invoke(cli, ["export", "-q", "--layers", "borders", "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert _only_line(result.stderr) == f"Error: {out} {EXISTS}"
    assert out.read_text() == "theirs" and [p.name for p in tmp_path.iterdir()] == [out.name]


def test_analyze_never_replaces_a_file_created_during_the_run(runner, tmp_path, monkeypatch):
    out = tmp_path / "race.csv"
    _created_meanwhile(monkeypatch, "geo.proximity", "analyze", out)
    result = runner.invoke(cli, ["analyze", "-q", "-f", "csv", "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert out.read_text() == "theirs"


# --- unreadable inputs never hang ---------------------------------------------------------

READERS = [
    ["analyze"],
    ["map", "--offline", "-o", "{tmp}/m.html"],
    ["export", "-o", "{tmp}/e.gpkg", "--layers", "events"],
    ["raster", "density", "-o", "{tmp}/d.tif"],
    ["plot", "-o", "{tmp}/p.png"],
    ["events", "check"],
]


def _special(kind: str, tmp_path: Path) -> str:
    if kind == "fifo":
        path = tmp_path / "events.csv"
        os.mkfifo(path)
        return str(path)
    if kind == "folder":
        path = tmp_path / "events"
        path.mkdir()
        return str(path)
    return "/dev/zero"


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero", "folder"])
@pytest.mark.parametrize("command", READERS, ids=lambda c: c[0])
def test_a_fifo_device_or_folder_as_events_is_one_line_never_a_hang(tmp_path, kind, command):
    source = _special(kind, tmp_path)
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    events = [source] if args[0] == "events" else ["--events", source]
    started = time.monotonic()
    result = faults.run([*args, *events], timeout=90)  # a hang fails here with TimeoutExpired
    assert time.monotonic() - started < 90
    assert result.returncode == 2, result.stderr
    assert _only_line(result.stderr).startswith(f"Error: {source}")
    assert not [p for p in tmp_path.iterdir() if p.name not in {"events", "events.csv"}]


# --- concurrent writers -------------------------------------------------------------------


@pytest.mark.slow
def test_four_exports_to_one_file_one_wins_the_others_refuse(tmp_path):
    out = tmp_path / "same.gpkg"
    args = ["export", "-q", "--layers", "events,borders", "-o", str(out)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: faults.run(args), range(4)))
    codes = sorted(r.returncode for r in results)
    assert codes == [0, 2, 2, 2], [r.stderr for r in results]
    for refused in (r for r in results if r.returncode):
        assert _only_line(refused.stderr) == f"Error: {out} {EXISTS}"
    assert faults.gpkg_ok(out)
    assert [p.name for p in tmp_path.iterdir()] == ["same.gpkg"]


@pytest.mark.slow
def test_four_simultaneous_updates_keep_every_layer(tmp_path):
    out = tmp_path / "shared.gpkg"
    assert faults.run(["export", "-q", "--layers", "borders", "-o", str(out)]).returncode == 0
    layers = ["events", "zones", "places", "sites"]

    def update(layer: str):
        return faults.run(["export", "-q", "--update", "--layers", layer, "-o", str(out)])

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(update, layers))
    assert [r.returncode for r in results] == [0, 0, 0, 0], [r.stderr for r in results]
    assert [p.name for p in tmp_path.iterdir()] == ["shared.gpkg"]  # no lock file, no .aux.xml
    assert faults.gpkg_ok(out)
    assert {name for name, _ in pyogrio.list_layers(out)} == {*layers, "borders", "layer_styles"}


# --- kill -9 while replacing --------------------------------------------------------------


def _complete(command: str, path: Path) -> bool:
    if command == "export":
        return faults.gpkg_ok(path)
    if command == "raster":
        return faults.tif_ok(path)
    if command == "map":
        return faults.html_ok(path)
    if command == "plot":
        return faults.png_ok(path)
    return faults.csv_ok(path)


def _hidden(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def _kill_while_writing(args: list[str], folder: Path, delay: float) -> bool:
    """Start ``bordermap args``; SIGKILL it ``delay`` s after its temporary appears.

    Returns whether the temporary was seen (the kill then hit the write).
    """
    before = set(_hidden(folder))  # temporaries earlier kills left: stale, not this run's
    proc = subprocess.Popen(
        [faults.BORDERMAP, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    seen = False
    while proc.poll() is None and not seen:
        seen = bool(set(_hidden(folder)) - before)
        time.sleep(0.005)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    return seen


@pytest.mark.slow
@pytest.mark.parametrize("command", sorted(faults.WRITERS))
def test_kill_9_while_replacing_leaves_the_old_or_a_complete_new_file(tmp_path, command):
    faults.needs(shutil.which("gdalinfo") is not None, "gdalinfo (gdal-bin)")
    base, suffix = faults.WRITERS[command]
    out = tmp_path / f"target{suffix}"
    first = faults.run([*base, "-q", "-o", str(out)])
    assert first.returncode == 0, first.stderr
    assert _complete(command, out)
    args = [*base, "-q", "-o", str(out), "--overwrite"]
    hits = 0
    # after the temporary appears: a fast writer (a small GeoTIFF) holds it a few ms only
    for delay in (0.0, 0.002, 0.005, 0.01, 0.02, 0.03, 0.1, 0.3, 1.0):
        hits += _kill_while_writing(args, tmp_path, delay)
        assert out.is_file() and _complete(command, out), (command, delay)
        visible = [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")]
        assert visible == [out.name], visible  # what SIGKILL leaves is hidden
    assert hits >= 3, f"only {hits} kills landed while {command} was writing"
    again = faults.run(args)
    assert again.returncode == 0, again.stderr
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # stale temporaries removed


# --- no network --------------------------------------------------------------------------


def _unshare_prefix() -> list[str] | None:
    if shutil.which("unshare") is None:
        return None
    prefix = ["unshare", "-n"] if os.geteuid() == 0 else ["unshare", "-rn"]
    ok = subprocess.run([*prefix, "true"], capture_output=True).returncode == 0
    return prefix if ok else None


_NO_SOCKETS = """
import socket

def _refuse(*args, **kwargs):
    raise OSError("network use attempted under the no-network test")

socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
"""


@pytest.mark.slow
@pytest.mark.parametrize("command", sorted(faults.WRITERS))
def test_every_command_works_without_a_network(tmp_path, command, monkeypatch):
    prefix = _unshare_prefix()
    if prefix is None:  # no network namespace here: refuse every socket inside Python instead
        hook = tmp_path / "hook"
        hook.mkdir()
        (hook / "sitecustomize.py").write_text(_NO_SOCKETS)
        monkeypatch.setenv("PYTHONPATH", str(hook))
    base, suffix = faults.WRITERS[command]
    out = tmp_path / f"offline{suffix}"
    result = faults.run([*base, "-q", "-o", str(out)], prefix=prefix)
    assert result.returncode == 0, result.stderr
    assert out.is_file() and out.stat().st_size > 0


@pytest.mark.slow
def test_the_socket_refusal_hook_does_refuse(tmp_path):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(_NO_SOCKETS)
    probe = "import socket; socket.create_connection(('127.0.0.1', 9))"
    env = {**os.environ, "PYTHONPATH": str(hook)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert done.returncode != 0 and "no-network test" in done.stderr


def test_reading_a_bordermap_geopackage_leaves_no_aux_xml(runner, tmp_path):
    out = tmp_path / "e.gpkg"
    assert runner.invoke(cli, ["export", "-q", "--layers", "events", "-o", str(out)]).exit_code == 0
    env = {k: v for k, v in os.environ.items() if k != "GDAL_PAM_ENABLED"}  # as a user's shell
    checked = subprocess.run(
        [faults.BORDERMAP, "events", "check", str(out)], capture_output=True, text=True, env=env
    )
    assert checked.returncode == 0, checked.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["e.gpkg"]
