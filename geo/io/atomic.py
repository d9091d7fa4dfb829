"""Atomic file output, and the one rule for replacing files.

:func:`check_out` is the only place that decides whether an existing file
may be replaced; :func:`atomic_path` applies it and writes through a
temporary file beside the target, renamed over it on success.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from geo.errors import OutputExistsError

__all__ = ["atomic_path", "atomic_text", "check_out"]


def check_out(target: Path | str | None, overwrite: bool) -> None:
    """Refuse to replace an existing ``target`` unless ``overwrite``.

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

    Examples
    --------
    >>> check_out(None, overwrite=False)
    >>> check_out(__file__, overwrite=False)
    Traceback (most recent call last):
    ...
    geo.errors.OutputExistsError: ... exists and overwrite is not set
    """
    if target is not None and Path(target).exists() and not overwrite:
        raise OutputExistsError(str(target))


def _about(exc: OSError, target: Path) -> OSError:
    """Restate an OS error as being about ``target`` (whose folder may be a file or missing)."""
    if exc.errno == errno.EEXIST or isinstance(exc, NotADirectoryError):
        return NotADirectoryError(errno.ENOTDIR, "its folder cannot be created", str(target))
    return type(exc)(exc.errno, exc.strerror, str(target))


@contextlib.contextmanager
def atomic_path(
    target: Path | str, *, suffix: str | None = None, overwrite: bool = True
) -> Iterator[Path]:
    """Yield a temporary path in ``target``'s folder; rename it over ``target`` on success.

    If the block raises (or the process is interrupted), the temporary file is
    removed and ``target`` is left exactly as it was.

    Parameters
    ----------
    target : path-like
        The file the caller means to write.
    suffix : str, optional
        Suffix of the temporary file (defaults to ``target``'s), for writers
        that choose a driver by extension.
    overwrite : bool
        Whether an existing ``target`` may be replaced (see :func:`check_out`).

    Yields
    ------
    pathlib.Path
        Where to write.

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
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=suffix or target.suffix or ".tmp", dir=target.parent
        )
    except OSError as exc:  # name the file the user asked for, not a temporary one
        raise _about(exc, target) from exc
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # writers such as GDAL refuse to open an existing empty file
    try:
        yield tmp
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except OSError as exc:
        raise _about(exc, target) from exc
    finally:
        if tmp.exists():
            tmp.unlink()


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
