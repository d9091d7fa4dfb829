"""Reaching a Dask cluster, and failing in one line when it cannot be reached or is lost.

- :func:`connect` checks a ``--scheduler`` address, asks it who it is within a
  connect timeout (a plain TCP or HTTP server never answers as a Dask
  scheduler), or starts a ``LocalCluster``; every failure is a
  :class:`ClusterError`;
- :func:`compute` runs a Dask computation on the active client and watches
  it: a lost scheduler, a cluster left without workers for 30 s
  (:data:`NO_WORKERS_S`), or a task that killed its workers
  (``allowed-failures`` retries) becomes a :class:`ClusterError`.

dask's ``distributed`` is imported inside the functions, so reading and
analysing with the threaded scheduler never loads it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Iterator
from typing import Any

import dask
from dask.utils import parse_timedelta

from geo.dask.workers import active_client
from geo.errors import BordermapError

__all__ = [
    "CONNECT_TIMEOUT",
    "NO_WORKERS_S",
    "ClusterError",
    "compute",
    "connect",
    "connect_timeout",
    "guard",
    "probe",
]

#: Dask config key (env ``DASK_BORDERMAP__CONNECT_TIMEOUT``) and its default.
CONNECT_TIMEOUT = ("bordermap.connect-timeout", "10s")

#: Dask config key (env ``DASK_BORDERMAP__NO_WORKERS``) and default of the seconds a
#: computation may wait with no worker before it is given up.
NO_WORKERS_S = ("bordermap.no-workers", "30s")

# first time limit to fetch one finished result (seconds), doubled on each retry
_FETCH_S = 2.0


class ClusterError(BordermapError):
    """The Dask cluster could not be reached, started, or was lost during a run.

    Examples
    --------
    >>> err = ClusterError("the Dask scheduler was lost")
    >>> str(err), err.exit_code
    ('the Dask scheduler was lost', 1)
    """

    exit_code = 1

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:160]


def _seconds(key: tuple[str, str]) -> float:
    return float(parse_timedelta(dask.config.get(key[0], key[1]), default="s"))


def connect_timeout() -> float:
    """Seconds to wait for a scheduler to answer (dask config ``bordermap.connect-timeout``).

    Returns
    -------
    float

    Examples
    --------
    >>> with dask.config.set({"bordermap.connect-timeout": "2s"}):
    ...     connect_timeout()
    2.0
    """
    return _seconds(CONNECT_TIMEOUT)


async def _identity(address: str, timeout: float) -> dict:
    from distributed.comm import connect as open_comm

    comm = await asyncio.wait_for(open_comm(address, timeout=timeout), timeout)
    try:
        await asyncio.wait_for(comm.write({"op": "identity", "reply": True}), timeout)
        return await asyncio.wait_for(comm.read(), timeout)
    finally:
        comm.abort()


def probe(address: str, timeout: float | None = None) -> dict:
    """Ask ``address`` for its identity; make sure a Dask scheduler answers.

    Parameters
    ----------
    address : str
        ``tcp://host:port`` (``host:port`` is read as TCP).
    timeout : float, optional
        Seconds for the connection and the answer together
        (default :func:`connect_timeout`).

    Returns
    -------
    dict
        The scheduler's identity.

    Raises
    ------
    ClusterError
        A malformed address (exit status 2), nothing answering in time, or
        a server that is not a Dask scheduler.
    """
    from distributed.comm.addressing import parse_address, parse_host_port

    timeout = connect_timeout() if timeout is None else timeout
    try:
        scheme, location = parse_address(address)
        if scheme in ("tcp", "tls"):
            parse_host_port(location)
    except (ValueError, TypeError) as exc:
        raise ClusterError(
            f"--scheduler {address!r} is not a Dask address such as tcp://10.0.0.5:8786 "
            f"({_short(exc)})",
            exit_code=2,
        ) from None
    where = f"the Dask scheduler at {address}"
    try:
        reply = asyncio.run(_identity(address, timeout))
    except (TimeoutError, OSError) as exc:
        raise ClusterError(
            f"cannot reach {where} within {timeout:g} s ({_short(exc)}); "
            f"is a Dask scheduler listening there?"
        ) from None
    except Exception as exc:  # the peer spoke something other than Dask's protocol
        raise ClusterError(f"{address} is not a Dask scheduler ({_short(exc)})") from None
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        raise ClusterError(f"{address} answered, but not as a Dask scheduler")
    return reply


@contextlib.contextmanager
def connect(
    scheduler: str | None = None, *, workers: int | None = None, processes: bool = True
) -> Iterator[Any]:
    """Connect to ``scheduler``, or to a new LocalCluster on this machine.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler, e.g. ``tcp://10.0.0.5:8786``; it is
        probed first (:func:`probe`), so a wrong address fails within the
        connect timeout.
    workers : int, optional
        LocalCluster workers (default: one per CPU this process may use),
        one thread each: the kernel runs one partition at a time per
        process, so parallelism comes from processes.
    processes : bool
        LocalCluster workers as processes (False: threads in this process).

    Yields
    ------
    distributed.Client
        Also the default client while the block runs.

    Raises
    ------
    ClusterError
        When the scheduler cannot be reached or the LocalCluster cannot start.
    """
    from distributed import Client, LocalCluster

    if scheduler is not None:
        timeout = connect_timeout()
        probe(scheduler, timeout)
        with _quiet_logs(), guard():
            try:
                client = Client(scheduler, timeout=timeout)
            except (OSError, TimeoutError) as exc:
                raise ClusterError(
                    f"cannot reach the Dask scheduler at {scheduler}: {_short(exc)}"
                ) from None
            with client:
                yield client
        return
    n = workers or len(os.sched_getaffinity(0))
    with _quiet_logs(), guard(), contextlib.ExitStack() as stack:
        try:
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=n,
                    threads_per_worker=1,
                    processes=processes,
                    dashboard_address=":0",
                    silence_logs=logging.CRITICAL,
                    # one worker process per core: the kernels inside stay on one thread
                    **({"env": {"BORDERMAP_THREADS": "1"}} if processes else {}),
                )
            )
            client = stack.enter_context(Client(cluster))
        except Exception as exc:  # any failure to start is the cluster's, not the data's
            raise ClusterError(f"cannot start a local Dask cluster: {_short(exc)}") from None
        yield client


def _workers(client) -> int:
    return len(client.scheduler_info(n_workers=-1)["workers"])


def _watch(client, futures: list, no_workers_s: float) -> None:
    """Wait for ``futures``; give up when the scheduler is lost or no worker is left."""
    from distributed import wait

    alone_since = None
    while True:
        try:
            wait(futures, timeout=1.0)
        except TimeoutError:
            pass
        if all(f.done() for f in futures) or any(f.status == "error" for f in futures):
            return
        if client.status not in ("running", "connecting"):
            raise ClusterError("the Dask scheduler was lost during the run")
        if _workers(client) == 0:
            alone_since = alone_since or time.monotonic()
            if time.monotonic() - alone_since > no_workers_s:
                raise ClusterError(
                    f"no Dask worker left for {no_workers_s:g} s: all workers were lost"
                )
        else:
            alone_since = None


def _gather(client, futures: list, no_workers_s: float) -> tuple:
    """Each future's result, watching again whenever one is lost with its worker.

    A result finished but held by a worker killed before it was fetched
    makes a plain ``client.gather`` wait forever for workers that never
    come; here each fetch has a time limit (doubled at each retry, so a large
    result still arrives) and the cluster is watched again in between.
    """
    results: dict[int, Any] = {}
    limit = _FETCH_S
    while True:
        _watch(client, futures, no_workers_s)
        try:
            for i, future in enumerate(futures):
                if i not in results:
                    results[i] = future.result(timeout=limit)
            return tuple(results[i] for i in range(len(futures)))
        except TimeoutError:
            if any(f.status == "error" for f in futures):
                raise  # the task's own TimeoutError
            limit = min(2 * limit, 60.0)


def _as_cluster_error(exc: BaseException) -> ClusterError | None:
    from distributed import KilledWorker
    from distributed.comm.core import CommClosedError

    if isinstance(exc, KilledWorker):
        return ClusterError(f"Dask workers died running a task ({_short(exc)}); nothing written")
    if isinstance(exc, CommClosedError | asyncio.CancelledError):
        return ClusterError(f"the Dask scheduler was lost during the run ({_short(exc)})")
    name = type(exc).__name__
    if name in ("FutureCancelledError", "CancelledError", "FuturesCancelledError"):
        if "connection-lost" in str(exc) or "lost the connection" in str(exc):
            return ClusterError("the Dask scheduler was lost during the run; nothing written")
        return ClusterError(f"the Dask computation was cancelled: {_short(exc)}")
    return None


@contextlib.contextmanager
def _quiet_logs() -> Iterator[None]:
    """Keep distributed's own error logs (tracebacks) off the user's terminal."""
    names = ["distributed"] + [
        name for name in list(logging.root.manager.loggerDict) if name.startswith("distributed.")
    ]
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


@contextlib.contextmanager
def guard() -> Iterator[None]:
    """Turn a lost scheduler, dead workers or a cancelled run into a :class:`ClusterError`.

    Other errors, such as an unwritable output (``OSError``), pass unchanged.

    Raises
    ------
    ClusterError
    """
    try:
        yield
    except BordermapError:
        raise
    except BaseException as exc:
        translated = _as_cluster_error(exc)
        if translated is None:
            raise
        raise translated from None


def compute(*collections: Any, no_workers_s: float | None = None) -> tuple:
    """Compute dask collections like :func:`dask.compute`, watching the cluster.

    On a distributed client, the futures are watched: a lost scheduler, no
    worker for ``no_workers_s`` seconds, or a task that killed its workers
    raises :class:`ClusterError` instead of a traceback or a hang. Without a
    client it is :func:`dask.compute`.

    Parameters
    ----------
    *collections
        Dask collections or delayed objects.
    no_workers_s : float, optional
        Seconds without any worker before giving up (default: dask config
        ``bordermap.no-workers``, 30 s).

    Returns
    -------
    tuple
        The computed values, in order.

    Raises
    ------
    ClusterError

    Examples
    --------
    >>> with dask.config.set(scheduler="sync"):
    ...     compute(dask.delayed(sum)([1, 2]))
    (3,)
    """
    client = active_client()
    if client is None:
        return dask.compute(*collections)
    if no_workers_s is None:
        no_workers_s = _seconds(NO_WORKERS_S)
    with guard():
        futures = client.compute(list(collections))
        try:
            return _gather(client, futures, no_workers_s)
        finally:
            with contextlib.suppress(Exception):
                client.cancel(futures)
