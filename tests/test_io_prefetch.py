"""prefetch: the next chunk produced on a thread, errors and early stops handled."""

from __future__ import annotations

import threading
import time

import pytest

from geo.io.prefetch import prefetch


def test_items_come_in_order_and_are_produced_on_another_thread():
    threads = []

    def source():
        for i in range(20):
            threads.append(threading.current_thread().name)
            yield i

    assert list(prefetch(source(), depth=2)) == list(range(20))
    assert set(threads) == {"bordermap-prefetch"}


def test_the_producer_runs_ahead_while_the_consumer_works():
    produced = []

    def source():
        for i in range(3):
            produced.append(i)
            yield i

    items = prefetch(source())
    assert next(items) == 0
    deadline = time.monotonic() + 5
    while len(produced) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert produced[:2] == [0, 1]  # item 1 is ready before the consumer asks
    assert list(items) == [1, 2]


def test_an_error_reaches_the_consumer_with_its_type_after_the_good_items():
    def source():
        yield "a"
        raise KeyError("row 7")

    got = []
    with pytest.raises(KeyError, match="row 7"):
        for item in prefetch(source()):
            got.append(item)
    assert got == ["a"]


def test_stopping_early_closes_the_generator_on_its_thread():
    closed = threading.Event()

    def source():
        try:
            yield from range(1000)
        finally:
            closed.set()

    for item in prefetch(source()):
        if item == 2:
            break
    assert closed.wait(5)


def test_an_error_in_the_consumer_still_closes_the_producer():
    closed = threading.Event()

    def source():
        try:
            yield from range(100)
        finally:
            closed.set()

    with pytest.raises(RuntimeError):
        for _ in prefetch(source()):
            raise RuntimeError("analysis failed")
    assert closed.wait(5)
