"""Read the next chunk while the current one is analysed.

Reading a chunk (Arrow's parser, the checks) and analysing one (GeographicLib,
GEOS, the k-d tree) both spend most of their time in C code that releases
the GIL, so on two cores the two overlap: :func:`prefetch` runs the producer
of an iterable on a background thread, one item ahead (or ``depth`` items).

Errors raised while producing are raised again, with their traceback, where
the consumer asks for the next item. When the consumer stops early (an error,
a ``break``), the producer is told to stop and its generator is closed on its
own thread, so its ``finally`` blocks and context managers (an atomic rejects
file, an open event file) run as they would without the thread.
"""

from __future__ import annotations

import collections
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["map_ahead", "prefetch"]

T = TypeVar("T")
R = TypeVar("R")

_ITEM, _ERROR, _DONE = "item", "error", "done"
_POLL_S = 0.1


def prefetch(items: Iterable[T], depth: int = 1) -> Iterator[T]:
    """Yield the items of ``items``, producing up to ``depth`` ahead on a thread.

    Parameters
    ----------
    items : iterable
        Produced on a background thread (a generator is closed there too).
    depth : int
        Items produced ahead of the consumer (memory: ``depth`` + 1 items).

    Yields
    ------
    object
        The items, in order.

    Examples
    --------
    >>> list(prefetch(iter(range(5))))
    [0, 1, 2, 3, 4]
    >>> def failing():
    ...     yield 1
    ...     raise ValueError("bad row")
    >>> out = []
    >>> try:
    ...     for x in prefetch(failing()):
    ...         out.append(x)
    ... except ValueError as exc:
    ...     out.append(str(exc))
    >>> out
    [1, 'bad row']
    """
    slots: queue.Queue = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def offer(kind: str, value: object) -> bool:
        while not stop.is_set():
            try:
                slots.put((kind, value), timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        source = iter(items)
        try:
            for item in source:
                if not offer(_ITEM, item):
                    return
            offer(_DONE, None)
        except BaseException as exc:  # handed to the consumer as it is
            offer(_ERROR, exc)
        finally:
            close = getattr(source, "close", None)
            if stop.is_set() and close is not None:
                close()

    thread = threading.Thread(target=produce, name="bordermap-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = slots.get()
            if kind == _DONE:
                return
            if kind == _ERROR:
                raise value
            yield value
    finally:
        stop.set()
        thread.join()


def map_ahead(func: Callable[[T], R], items: Iterable[T], workers: int = 2) -> Iterator[R]:
    """Yield ``func(item)`` for each item, in order, computing up to ``workers`` at once.

    Each call runs on a worker thread, so the calls overlap where ``func``
    spends its time in C code that releases the GIL (the analysis of a chunk:
    GeographicLib, GEOS, the k-d tree, Arrow), and the consumer formats and
    writes one result while the next ones are computed. ``func`` must not
    depend on the order of the calls.

    Parameters
    ----------
    func : callable
    items : iterable
        Taken one at a time, as the workers free up (memory: ``workers``
        items in flight and one result held by the consumer).
    workers : int

    Yields
    ------
    object
        The results, in the order of ``items``. An error is raised where its
        item's result would have been yielded; the calls not yet started are
        cancelled.

    Examples
    --------
    >>> list(map_ahead(lambda x: x * x, range(6)))
    [0, 1, 4, 9, 16, 25]
    """
    if workers <= 1:
        yield from map(func, items)
        return
    with ThreadPoolExecutor(workers, thread_name_prefix="bordermap-analyse") as pool:
        pending: collections.deque = collections.deque()
        try:
            for item in items:
                pending.append(pool.submit(func, item))
                if len(pending) >= workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
