"""What every dask task of bordermap shares: the kernel guard, error relay and broadcasting.

- :func:`relay` runs one call of the core on a worker: one at a time per
  process, and a :class:`~geo.errors.BordermapError` carried back intact;
- :func:`broadcast` ships a small object (a layer, the theatre) to the
  workers once, never once per partition;
- :func:`conform`, :func:`text_columns` and :func:`points_meta` keep every
  partition's dtypes equal to the lazy frame's ``meta``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import dask
import dask_geopandas
import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import BordermapError

__all__ = [
    "RelayedError",
    "active_client",
    "broadcast",
    "conform",
    "points_meta",
    "relay",
    "text_columns",
]


class RelayedError(BordermapError):
    """A :class:`~geo.errors.BordermapError` raised on a worker, carried back intact.

    Not every error class rebuilds from its message when unpickled; this one
    keeps the message and the exit code across processes.

    Examples
    --------
    >>> err = RelayedError("events.csv: row 2: bad date", 2)
    >>> str(err), err.exit_code
    ('events.csv: row 2: bad date', 2)
    """

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message, exit_code)
        self.exit_code = exit_code

    def __str__(self) -> str:
        return str(self.args[0])


# Two threads of one process running the kernel at once once crashed the
# interpreter (malloc corruption under dask's threaded scheduler). The likely
# cause, GEOS prepared polygons shared between threads, is now locked in
# geo.proximity and the crash no longer reproduces; this guard stays anyway.
# Worker processes with one thread each, as connect() starts, never contend.
_KERNEL_LOCK = threading.Lock()


@contextlib.contextmanager
def relay() -> Iterator[None]:
    """Run one kernel call: serialised per process, errors made picklable.

    Raises
    ------
    RelayedError
        In place of any :class:`~geo.errors.BordermapError` the block raises.
    """
    try:
        with _KERNEL_LOCK:
            yield
    except RelayedError:
        raise
    except BordermapError as exc:
        raise RelayedError(str(exc), exc.exit_code) from None


def active_client():
    """Return the distributed client in use, or None (threaded or synchronous scheduler).

    Returns
    -------
    distributed.Client or None
    """
    try:
        from distributed import default_client
    except ImportError:  # pragma: no cover - distributed is part of the dask extra
        return None
    try:
        client = default_client()
    except ValueError:
        return None
    # a client exists, but the caller may have chosen another scheduler for now
    return client if dask.base.get_scheduler() == client.get else None


def broadcast(obj: Any) -> Any:
    """Make a small object available to every task once, not once per partition.

    Under a distributed client the object is scattered to every worker up
    front (``broadcast=True``) and tasks refer to it by key. Without one it
    becomes a single ``dask.delayed`` key that all partitions depend on.

    Parameters
    ----------
    obj : object
        A small, picklable value (a layer GeoDataFrame, a theatre).

    Returns
    -------
    distributed.Future or dask.delayed.Delayed
        Pass it to ``map_partitions`` as a positional argument.
    """
    client = active_client()
    if client is not None:
        return client.scatter(obj, broadcast=True, hash=True)
    return dask.delayed(obj)


def points_meta(events: dask_geopandas.GeoDataFrame) -> gpd.GeoDataFrame:
    """Build a small stand-in for a partition, with points near the IRN-PAK border.

    Parameters
    ----------
    events : dask_geopandas.GeoDataFrame

    Returns
    -------
    geopandas.GeoDataFrame
        ``events``' non-empty meta with real points in EPSG:4326.
    """
    fake = events._meta_nonempty.copy()
    n = len(fake)
    geoms = gpd.points_from_xy(np.linspace(61.0, 62.5, n), np.linspace(27.0, 26.0, n))
    return fake.set_geometry(gpd.GeoSeries(geoms, index=fake.index, crs="EPSG:4326"))


def conform(frame: pd.DataFrame, dtypes: dict[str, Any]) -> pd.DataFrame:
    """Cast columns whose dtype differs from ``meta`` (e.g. all-None object vs str).

    Parameters
    ----------
    frame : pandas.DataFrame
        One computed partition; its ``attrs`` are dropped.
    dtypes : dict
        Column to dtype, from the lazy frame's ``meta``.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> conform(pd.DataFrame({"n": [1, 2]}), {"n": "float64"})["n"].dtype.name
    'float64'
    """
    frame.attrs.clear()
    wrong = {c: t for c, t in dtypes.items() if c in frame and frame[c].dtype != t}
    return frame.astype(wrong) if wrong else frame


def text_columns(meta: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Object columns (None or text, such as ``incursion_border``) as ``str``.

    Arrow cannot type an object column from an empty frame, and a partition
    where such a column is all None must still match the others.

    Parameters
    ----------
    meta : geopandas.GeoDataFrame

    Returns
    -------
    geopandas.GeoDataFrame
        A copy without ``attrs``.
    """
    meta = meta.copy()
    meta.attrs.clear()
    for col in meta.columns:
        if col != meta.geometry.name and meta[col].dtype == object:
            meta[col] = meta[col].astype("str")
    return meta
