"""A small on-disk memo for what the embedded layers cost to derive.

Some shapes are the same on every run that asks for them: the distance zones
of an embedded border (geodesic buffers of a 900 km line clipped to two
high-resolution countries) take longer to build than the rest of a small
analysis. :func:`memoised` keeps such results in a cache folder, keyed by
what they are computed from:

- the arguments the caller names (any bytes or text);
- the SHA-256 manifest of the embedded layers, so a rebuilt ``layers/``
  never meets a stale entry;
- the bordermap version, the source of the modules the caller names, and
  the versions of Python and of the libraries whose objects are pickled, so
  a change of code never meets one either.

The folder is ``$BORDERMAP_CACHE_DIR``, else ``$XDG_CACHE_HOME/bordermap``,
else ``~/.cache/bordermap``. ``BORDERMAP_CACHE_DIR=off`` turns the cache off.
Entries are written atomically (temp file, then rename); an entry that
cannot be read, and a folder that cannot be written, are ignored: the value
is then computed as if there were no cache. Delete the folder at any time.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

__all__ = ["cache_dir", "memoised"]

T = TypeVar("T")

#: Environment variable naming the cache folder (``off`` disables the cache).
CACHE_ENV = "BORDERMAP_CACHE_DIR"
_OFF = {"off", "0", "no", "false", "none"}
#: Libraries whose versions are part of every key (their objects are pickled).
_LIBRARIES = ("numpy", "pandas", "shapely", "geopandas", "pyproj")


def cache_dir() -> Path | None:
    """Name the cache folder in use, or None when the cache is off.

    Returns
    -------
    pathlib.Path or None
    """
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return None if chosen.strip().lower() in _OFF or not chosen.strip() else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bordermap"


@functools.cache
def _layers_fingerprint() -> bytes:
    from geo.layers.store import MANIFEST, WORLD

    try:
        return hashlib.sha256((WORLD / MANIFEST).read_bytes()).digest()
    except OSError:
        return b"no manifest"


@functools.cache
def _code_fingerprint(modules: tuple[str, ...]) -> bytes:
    from geo import __version__

    digest = hashlib.sha256(__version__.encode())
    # a pickle is only as good as the libraries that read it back
    digest.update(sys.version.encode())
    for library in _LIBRARIES:
        digest.update(f"{library}={getattr(sys.modules.get(library), '__version__', '')}".encode())
    for name in modules:
        source = getattr(sys.modules.get(name), "__file__", None)
        try:
            digest.update(Path(source).read_bytes() if source else name.encode())
        except OSError:
            digest.update(name.encode())
    return digest.digest()


def _key(name: str, parts: Iterable[bytes | str], modules: tuple[str, ...]) -> str:
    digest = hashlib.sha256(name.encode())
    digest.update(_layers_fingerprint())
    digest.update(_code_fingerprint(modules))
    for part in parts:
        data = part.encode() if isinstance(part, str) else bytes(part)
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def _load(path: Path):
    try:
        with path.open("rb") as handle:
            return True, pickle.load(handle)
    except Exception:  # missing, truncated or from another Python: recompute
        return False, None


def _store(path: Path, value) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pkl")
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except Exception:  # a read-only or full disk: the cache is only an optimisation
        return


def memoised(
    name: str,
    parts: Iterable[bytes | str],
    compute: Callable[[], T],
    *,
    modules: tuple[str, ...] = (),
) -> T:
    """Return ``compute()``, from the cache folder when it was computed before.

    Parameters
    ----------
    name : str
        What is cached (a file name prefix, such as ``"zones"``).
    parts : iterable of bytes or str
        Everything the value depends on besides the embedded layers and the
        code, such as a border's WKB and the zone edges.
    compute : callable
        Builds the value (it must pickle).
    modules : tuple of str
        Modules whose source the value depends on (``"geo.zones"``); an edit
        to any of them makes a new key.

    Returns
    -------
    object
        The cached or freshly computed value.
    """
    folder = cache_dir()
    if folder is None:
        return compute()
    path = folder / f"{name}-{_key(name, parts, modules)[:40]}.pkl"
    found, value = _load(path)
    if found:
        return value
    value = compute()
    _store(path, value)
    return value
