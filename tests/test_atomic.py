"""Atomic output: publication without races, links, modes, names, signals, full disks, locks."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from geo.errors import BordermapError, InputError, OutputExistsError
from geo.io.atomic import (
    atomic_path,
    atomic_text,
    check_distinct_outputs,
    check_out,
    locked,
    remove_stale_temporaries,
)


def test_success_replaces_target(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target
        tmp.write_text("new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_failure_mid_write_leaves_target_untouched(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("precious")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash mid-write")
    assert target.read_text() == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_keyboard_interrupt_leaves_no_file(tmp_path):
    target = tmp_path / "new.gpkg"
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as tmp:
        tmp.write_bytes(b"partial")
        raise KeyboardInterrupt
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_written_file_is_world_readable_per_umask(tmp_path):
    target = tmp_path / "perm.txt"
    with atomic_path(target) as tmp:
        tmp.write_text("x")
    assert target.stat().st_mode & 0o044  # group/other read under the usual umask


# --- the overwrite rule at publication, links, modes, names -----------------------------


def test_a_file_created_during_the_write_is_never_replaced(tmp_path):
    target = tmp_path / "out.gpkg"
    with pytest.raises(OutputExistsError), atomic_path(target, overwrite=False) as tmp:
        tmp.write_text("mine")
        target.write_text("theirs")  # another process got there first
    assert target.read_text() == "theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["out.gpkg"]


def test_without_overwrite_a_new_file_is_published(tmp_path):
    target = tmp_path / "new.csv"
    with atomic_text(target) as handle:
        handle.write("a\n")
    assert target.read_text() == "a\n" and [p.name for p in tmp_path.iterdir()] == ["new.csv"]


def test_overwrite_keeps_the_mode_of_the_replaced_file(tmp_path):
    target = tmp_path / "secret.csv"
    target.write_text("old")
    target.chmod(0o600)
    with atomic_text(target, overwrite=True) as handle:
        handle.write("new")
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("overwrite", [False, True])
@pytest.mark.parametrize("dangling", [False, True])
def test_a_symlink_out_is_refused_and_nothing_is_written_through(tmp_path, overwrite, dangling):
    real = tmp_path / "real.csv"
    if not dangling:
        real.write_text("keep")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    with pytest.raises(InputError, match="symbolic link"), atomic_path(link, overwrite=overwrite):
        pytest.fail("the block must not run")
    assert link.is_symlink()
    assert real.read_text() == "keep" if not dangling else not real.exists()
    with pytest.raises(InputError, match="symbolic link"):
        check_out(link, overwrite=overwrite)


def test_a_name_at_the_length_limit_works(tmp_path):
    target = tmp_path / ("n" * 250 + ".csv")  # 254 characters: NAME_MAX is 255
    with atomic_path(target) as tmp:
        assert tmp.name.startswith(".") and len(tmp.name) <= len(target.name)
        tmp.write_text("x")
    assert target.read_text() == "x"


def test_temporaries_are_hidden_short_and_named_after_the_target(tmp_path):
    target = tmp_path / "a.tif"
    with atomic_path(target) as tmp:
        assert tmp.name.startswith(".a~") and tmp.suffix == ".tif"
        assert len(tmp.name) <= 48 and str(os.getpid()) in tmp.name
        tmp.write_text("x")


def test_stale_temporaries_of_dead_processes_are_removed_at_the_next_write(tmp_path):
    target = tmp_path / "out.gpkg"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    with atomic_path(target) as tmp:
        tmp.write_text("x")
        mine = tmp.name
    stale = tmp_path / mine.replace(str(os.getpid()), dead)
    stale.write_text("left by kill -9")
    (tmp_path / (stale.name + "-journal")).write_text("j")
    live = tmp_path / mine.replace(str(os.getpid()), "1")  # pid 1 is alive
    live.write_text("a writer still running")
    other = tmp_path / ".other~12345678.999999.gpkg"
    other.write_text("another target's")
    with atomic_path(target) as tmp:
        tmp.write_text("y")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([live.name, other.name, "out.gpkg"])
    assert remove_stale_temporaries(target) == []


def test_injected_enospc_is_reported_as_a_full_disk_naming_the_target(tmp_path):
    target = tmp_path / "full.gpkg"
    target.write_text("old")
    with pytest.raises(OSError) as caught, atomic_path(target) as tmp:
        tmp.write_text("half")
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp))
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == str(target)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["full.gpkg"]


def test_a_writer_saying_disk_full_in_its_own_words_is_enospc(tmp_path):
    target = tmp_path / "full.gpkg"
    with pytest.raises(OSError) as caught, atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("sqlite3_exec(INSERT ...) failed: database or disk is full")
    assert caught.value.errno == errno.ENOSPC and not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_other_writer_errors_pass_through(tmp_path):
    with pytest.raises(ValueError, match="bug"), atomic_path(tmp_path / "x.csv") as tmp:
        tmp.write_text("half")
        raise ValueError("bug")
    assert list(tmp_path.iterdir()) == []


def test_writer_sidecars_are_not_left_behind(tmp_path):
    target = tmp_path / "x.gpkg"
    with atomic_path(target) as tmp:
        tmp.write_text("x")
        (tmp_path / (tmp.name + ".aux.xml")).write_text("<PAMDataset/>")
    assert [p.name for p in tmp_path.iterdir()] == ["x.gpkg"]


_SIGNALLED = """
import sys, time
from geo.io.atomic import atomic_path
with atomic_path(sys.argv[1]) as tmp:
    tmp.write_text("partial")
    print(tmp, flush=True)
    time.sleep(60)
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_sigint_remove_the_temporary(tmp_path, signum):
    target = tmp_path / "out.gpkg"
    target.write_text("old")
    proc = subprocess.Popen(
        [sys.executable, "-c", _SIGNALLED, str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # as from a terminal: a runner started in the background inherits SIGINT ignored,
        # and bordermap rightly keeps an ignored signal ignored
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    tmp = proc.stdout.readline().strip()
    assert tmp and os.path.exists(tmp)
    proc.send_signal(signum)
    assert proc.wait(timeout=20) != 0
    assert not os.path.exists(tmp)
    assert [p.name for p in tmp_path.iterdir()] == ["out.gpkg"] and target.read_text() == "old"


@pytest.mark.parametrize(
    ("paths", "message"),
    [
        ({"out": "x.csv", "rejects": "./x.csv"}, "--out and --rejects name the same file x.csv"),
        ({"out": "a/../b.tif", "preview_png": "b.tif"}, "--out and --preview-png name the same"),
        ({"FILE": "e.csv", "out": "e.csv"}, "FILE and --out name the same file e.csv"),
    ],
)
def test_colliding_outputs_are_refused_in_one_line(tmp_path, monkeypatch, paths, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a").mkdir()
    with pytest.raises(BordermapError) as caught:
        check_distinct_outputs(**paths)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_outputs_through_a_symlinked_folder_collide(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    with pytest.raises(BordermapError, match="same file"):
        check_distinct_outputs(out=tmp_path / "real/x.csv", rejects=tmp_path / "alias/x.csv")
    check_distinct_outputs(out=tmp_path / "x.csv", rejects=tmp_path / "y.csv", map=None)


def test_locked_serialises_and_follows_a_replaced_file(tmp_path):
    target = tmp_path / "db.gpkg"
    target.write_text("0")
    seen = []

    def bump():
        with locked(target):
            value = int(target.read_text())
            time.sleep(0.05)  # a lost update would show here
            with atomic_text(target, overwrite=True) as handle:
                handle.write(str(value + 1))
            seen.append(value)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert target.read_text() == "4" and sorted(seen) == [0, 1, 2, 3]
