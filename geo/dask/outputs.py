"""The output folder and the rejects file of a dask run: complete or absent.

- :func:`temp_dir` names hidden folders beside a target, with the process id;
  :func:`remove_stale` removes those a killed earlier run left behind;
- :func:`replace_dir` publishes a finished folder (never over a folder that
  appeared during the run, unless ``overwrite``);
- :func:`merge_csv_parts` joins per-partition rejects into one CSV;
- :func:`geo.io.atomic.signals_raise` turns SIGTERM into an exception while a run writes,
  so its temporaries are removed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import uuid
from pathlib import Path

import pandas as pd

from geo.errors import OutputExistsError
from geo.io.atomic import pid_alive

__all__ = [
    "merge_csv_parts",
    "remove_stale",
    "replace_dir",
    "temp_dir",
]


def merge_csv_parts(parts: list[Path], target: Path) -> None:
    """Concatenate per-partition CSVs (each with a header) into one, in bounded memory."""
    columns: list[str] = []
    for part in parts:
        for col in pd.read_csv(part, nrows=0, dtype=str).columns:
            if col not in columns:
                columns.append(col)
    with open(target, "w", encoding="utf-8", newline="") as out:
        pd.DataFrame(columns=columns).to_csv(out, index=False)
        for part in parts:
            frame = pd.read_csv(part, dtype=str, keep_default_na=False)
            if list(frame.columns) != columns:
                frame = frame.reindex(columns=columns, fill_value="")
            frame.to_csv(out, index=False, header=False)


def replace_dir(tmp: Path, target: Path, overwrite: bool) -> None:
    """Move a finished folder to ``target``; an old ``target`` only with ``overwrite``.

    Without ``overwrite`` the rename itself refuses a ``target`` that appeared
    during the run (a non-empty folder or a file), so nothing is replaced.
    """
    if not overwrite:
        try:
            os.rename(tmp, target)
        except OSError as exc:
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
                raise OutputExistsError(str(target)) from None
            raise
        return
    old = None
    if target.exists():
        old = temp_dir(target, "old")
        os.replace(target, old)
    os.replace(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink()


def temp_dir(target: Path, kind: str) -> Path:
    """Name a hidden folder beside ``target``, with this process's id for later cleanup."""
    return target.parent / f".{target.name}.{kind}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


_TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.(?:tmp|parts|old)-(?P<pid>\d+)-[0-9a-f]{8}$")


def remove_stale(target: Path) -> list[Path]:
    """Remove the temporary folders a killed earlier run left beside ``target``.

    Parameters
    ----------
    target : pathlib.Path
        An output folder or the rejects file.

    Returns
    -------
    list of pathlib.Path
        What was removed (only folders of processes that no longer exist).
    """
    removed = []
    with contextlib.suppress(OSError):
        for path in target.parent.iterdir():
            found = _TEMP_NAME.match(path.name)
            if found and found["name"] == target.name and not pid_alive(int(found["pid"])):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed
