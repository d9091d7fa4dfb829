"""Atomic file output, and the one rule for replacing files.

:func:`check_out` is the only place that decides whether an existing file
may be replaced; :func:`atomic_path` applies it and writes through a hidden
temporary file beside the target, published on success:

- without ``overwrite`` the temporary file is published with an exclusive
  operation (a hard link, else ``renameat2(RENAME_NOREPLACE)``), so a file
  that appeared at the target during the run is never replaced;
- with ``overwrite`` it is renamed over the target, keeping the replaced
  file's mode (and owner, where allowed);
- an ``--out`` that is a symbolic link is refused: nothing is written
  through a link, and no link is replaced;
- the temporary file is removed on failure, SIGTERM and SIGINT, and the
  temporaries a killed run left behind (their process is gone) are removed
  at the next write to the same target.

:func:`locked` serialises read-modify-write updates of one file, and
:func:`check_distinct_outputs` refuses two outputs that name the same file.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import hashlib
import os
import re
import shutil
import signal
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from geo.errors import BordermapError, InputError, OutputExistsError

__all__ = [
    "atomic_path",
    "atomic_text",
    "check_distinct_outputs",
    "check_folder_writable",
    "check_out",
    "locked",
    "pid_alive",
    "remove_stale_temporaries",
    "signals_raise",
]

#: Files a writer may leave beside its output (GDAL's PAM, SQLite's journals).
SIDECARS = (".aux.xml", "-journal", "-wal", "-shm")
#: Below this many free bytes in the output's folder, a failed write is reported as a full disk.
_FULL_DISK_BYTES = 1 << 20
_DISK_FULL_WORDS = ("no space left on device", "disk is full", "disk full")
_RENAME_NOREPLACE = 1
_AT_FDCWD = -100


def check_out(target: Path | str | None, overwrite: bool) -> None:
    """Refuse to replace an existing ``target`` unless ``overwrite``; refuse any symlink.

    Parameters
    ----------
    target : path-like or None
        The file about to be written; None (standard output) always passes.
    overwrite : bool
        Whether an existing file may be replaced.

    Raises
    ------
    OutputExistsError
        When ``target`` exists and ``overwrite`` is false.
    InputError
        When ``target`` is a symbolic link (even a dangling one): bordermap
        neither writes through a link nor replaces it.

    Examples
    --------
    >>> check_out(None, overwrite=False)
    >>> check_out(__file__, overwrite=False)
    Traceback (most recent call last):
    ...
    geo.errors.OutputExistsError: ... exists and overwrite is not set
    """
    if target is None:
        return
    if str(target) == "-":  # never a file named "-": only some --out take it for stdout
        raise InputError(
            "-", None, None, "means standard output, which this output cannot be: name a file"
        )
    target = Path(target)
    if target.is_symlink():
        raise InputError(
            str(target),
            None,
            None,
            "is a symbolic link; give the real path (links are never written through)",
        )
    if target.exists() and not overwrite:
        raise OutputExistsError(str(target))


def check_distinct_outputs(**named_paths: Path | str | None) -> None:
    """Refuse two outputs that name the same file (one would silently replace the other).

    Parameters
    ----------
    **named_paths : path-like or None
        Each output by its option name (``out=..., rejects=...``), or by an
        argument's metavar in capitals (``FILE=...``); None is skipped.

    Raises
    ------
    BordermapError
        Naming both options and the file, in one line.

    Examples
    --------
    >>> check_distinct_outputs(out="a.csv", rejects="b.csv", preview=None)
    >>> check_distinct_outputs(out="x.csv", rejects="./x.csv")
    Traceback (most recent call last):
    ...
    geo.errors.BordermapError: --out and --rejects name the same file x.csv
    """
    seen: dict[str, tuple[str, Path | str]] = {}
    for name, path in named_paths.items():
        if path is None:
            continue
        key = os.path.realpath(os.path.abspath(path))
        flag = name if name.isupper() else "--" + name.replace("_", "-")
        if key in seen:
            first, first_path = seen[key]
            raise BordermapError(f"{first} and {flag} name the same file {first_path}")
        seen[key] = (flag, path)


def _tag(target: Path) -> str:
    """Return the short hash that names ``target``'s temporaries."""
    return hashlib.sha1(target.name.encode("utf-8", "surrogateescape")).hexdigest()[:8]


def _temp_name(target: Path, suffix: str, attempt: int) -> str:
    """Name a hidden temporary for ``target``: never much longer than ``target``'s own name.

    ``.{start of the stem}~{hash}.{pid}[-n]{suffix}``; the stem is cut so a
    name at the file system's limit still fits, with a writer's sidecar (``.aux.xml``).
    """
    tail = f"~{_tag(target)}.{os.getpid()}{f'-{attempt}' if attempt else ''}{suffix}"
    room = max(len(target.name), 48) - 1 - len(tail) - max(map(len, SIDECARS))  # sidecars fit
    return "." + target.stem[: max(room, 0)] + tail


def pid_alive(pid: int) -> bool:
    """Tell whether a process with this id exists (it may belong to another user)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(path: Path) -> None:
    """Remove a temporary file (or folder) and any sidecar a writer left beside it."""
    for victim in (path, *(path.with_name(path.name + s) for s in SIDECARS)):
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            if victim.is_dir() and not victim.is_symlink():
                shutil.rmtree(victim, ignore_errors=True)
            else:
                victim.unlink()


def remove_stale_temporaries(target: Path | str) -> list[Path]:
    """Remove temporaries of ``target`` whose writing process no longer exists.

    Parameters
    ----------
    target : path-like
        The output whose folder is searched.

    Returns
    -------
    list of pathlib.Path
        The temporaries removed.
    """
    target = Path(target)
    pattern = re.compile(rf"^\..*~{_tag(target)}\.(\d+)(-\d+)?([.-].*)?$")
    removed = []
    try:
        names = os.listdir(target.parent)
    except OSError:
        return removed
    for name in names:
        match = pattern.match(name)
        if match and int(match.group(1)) != os.getpid() and not pid_alive(int(match.group(1))):
            _remove(target.parent / name)
            removed.append(target.parent / name)
    return removed


def _about(exc: OSError, target: Path) -> OSError:
    """Restate an OS error as being about ``target`` (whose folder may be a file or missing)."""
    if exc.errno == errno.EEXIST or isinstance(exc, NotADirectoryError):
        return NotADirectoryError(errno.ENOTDIR, "its folder cannot be created", str(target))
    return type(exc)(exc.errno, exc.strerror, str(target))


def _disk_full(exc: BaseException, folder: Path) -> bool:
    """Tell whether a writer's failure (GDAL, SQLite, Arrow...) was a full disk."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    if any(word in str(exc).lower() for word in _DISK_FULL_WORDS):
        return True
    try:
        fs = os.statvfs(folder)
    except OSError:
        return False
    return fs.f_bavail * fs.f_frsize < _FULL_DISK_BYTES


@contextlib.contextmanager
def signals_raise() -> Iterator[None]:
    """Turn SIGTERM and SIGINT into exceptions for a while, so temporaries are cleaned up."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(128 + signum)

    previous = {}
    for signum in (signal.SIGTERM, signal.SIGINT):
        if signal.getsignal(signum) is not signal.SIG_IGN:
            previous[signum] = signal.signal(signum, stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _renameat2_noreplace(src: Path, dst: Path) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if not hasattr(libc, "renameat2"):
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    status = libc.renameat2(
        _AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), _RENAME_NOREPLACE
    )
    if status != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(dst))


def _publish_new(tmp: Path, target: Path) -> None:
    """Move ``tmp`` to ``target`` only if nothing is there, without a race."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise
    except OSError as exc:  # no hard links here (or tmp is a folder): an exclusive rename
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        _renameat2_noreplace(tmp, target)
        return
    os.unlink(tmp)


def _set_mode(tmp: Path, target: Path) -> None:
    """Give ``tmp`` the mode (and owner) of the file it replaces, or the umask's default."""
    try:
        old = os.stat(target)
    except (FileNotFoundError, NotADirectoryError):
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, (0o777 if tmp.is_dir() else 0o666) & ~umask)
        return
    with contextlib.suppress(PermissionError):
        if (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
            os.chown(tmp, old.st_uid, old.st_gid)
    os.chmod(tmp, stat.S_IMODE(old.st_mode))


def _flush(tmp: Path) -> None:
    """Make the new file's bytes durable before it replaces anything."""
    if tmp.is_file():
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())


def _publish(tmp: Path, target: Path, overwrite: bool) -> None:
    _remove_sidecars_of(tmp)
    _flush(tmp)
    _set_mode(tmp, target)
    if not overwrite:
        try:
            _publish_new(tmp, target)
        except FileExistsError:  # it appeared during the run: the same refusal as before it
            raise OutputExistsError(str(target)) from None
        return
    os.replace(tmp, target)


def _remove_sidecars_of(tmp: Path) -> None:
    for sidecar in SIDECARS:
        with contextlib.suppress(FileNotFoundError):
            tmp.with_name(tmp.name + sidecar).unlink()


def _reserve(target: Path, suffix: str) -> Path:
    """Choose a free temporary name beside ``target`` (left absent: GDAL refuses empty files)."""
    for attempt in range(100):
        tmp = target.with_name(_temp_name(target, suffix, attempt))
        try:
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        os.unlink(tmp)
        return tmp
    raise OSError(errno.EEXIST, "no free temporary name", str(target))  # pragma: no cover


@contextlib.contextmanager
def atomic_path(
    target: Path | str, *, suffix: str | None = None, overwrite: bool = True
) -> Iterator[Path]:
    """Yield a temporary path in ``target``'s folder; publish it as ``target`` on success.

    If the block raises, or the process gets SIGTERM or SIGINT, the temporary
    file is removed and ``target`` is left exactly as it was. Without
    ``overwrite`` the rule is checked again at publication, atomically: a file
    created at ``target`` meanwhile is kept and the write is refused.

    Parameters
    ----------
    target : path-like
        The file the caller means to write (not a symbolic link).
    suffix : str, optional
        Suffix of the temporary file (defaults to ``target``'s), for writers
        that choose a driver by extension.
    overwrite : bool
        Whether an existing ``target`` may be replaced (see :func:`check_out`).

    Yields
    ------
    pathlib.Path
        Where to write.

    Raises
    ------
    OutputExistsError
        If ``target`` exists (or appears during the write) and ``overwrite`` is false.
    OSError
        Naming ``target``: an unwritable folder, a full disk (``ENOSPC``, also
        when the writer reported it in its own words).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(folder / "a.txt") as tmp:
    ...     _ = tmp.write_text("done")
    >>> (folder / "a.txt").read_text()
    'done'
    """
    target = Path(target)
    check_out(target, overwrite)
    suffix = suffix or target.suffix or ".tmp"
    if len(suffix) > 16 or os.sep in suffix:
        suffix = ".tmp"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(target)
        tmp = _reserve(target, suffix)
    except OSError as exc:  # name the file the user asked for, not a temporary one
        raise _about(exc, target) from exc
    with signals_raise():
        try:
            yield tmp
            _publish(tmp, target, overwrite)
        except BordermapError:
            raise
        except BaseException as exc:
            if isinstance(exc, Exception) and _disk_full(exc, target.parent):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target)) from exc
            if isinstance(exc, OSError):
                raise _about(exc, target) from exc
            raise
        finally:
            _remove(tmp)


@contextlib.contextmanager
def locked(target: Path | str) -> Iterator[None]:
    """Hold an exclusive lock on the existing file ``target`` (for read-modify-write).

    The lock is taken on the file itself, so no lock file is left behind;
    once granted it is checked to still be on the file at ``target`` (a
    previous holder may have replaced it), else it is taken again.

    Parameters
    ----------
    target : path-like
        An existing file.

    Yields
    ------
    None
        While no other :func:`locked` block on the same file runs.
    """
    target = Path(target)
    while True:
        fd = os.open(target, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if os.fstat(fd).st_ino == os.stat(target).st_ino:
                yield
                return
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_text(target: Path | str, *, overwrite: bool = False) -> Iterator[TextIO]:
    """Open a text file (UTF-8, no newline translation) that appears at ``target`` on success.

    Parameters
    ----------
    target : path-like
        The file to write.
    overwrite : bool
        Whether an existing ``target`` may be replaced.

    Yields
    ------
    file object
        Open for writing text.
    """
    with (
        atomic_path(target, overwrite=overwrite) as tmp,
        open(tmp, "w", encoding="utf-8", newline="") as handle,
    ):
        yield handle


def check_folder_writable(target: Path | str) -> None:
    """Create and remove a probe file where ``target`` would go; raise the OS's refusal.

    Lets a command refuse an unwritable output before its slow part, with the
    same :class:`OSError` the write itself would raise.

    Parameters
    ----------
    target : path-like
        The output; missing folders above it count as created by the writer.

    Raises
    ------
    OSError
        With ``target`` as its filename.
    """
    target = Path(target)
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # the writer creates the missing folders below this one
    if not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "its folder is not a folder", str(target))
    probe = folder / f".{os.getpid()}.bordermap-probe"
    try:
        fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as exc:
        raise type(exc)(exc.errno, exc.strerror, str(target)) from exc
    os.close(fd)
    with contextlib.suppress(FileNotFoundError):
        probe.unlink()
