"""prefetch: the next chunk produced on a thread, errors and early stops handled."""

from __future__ import annotations

import threading
import time

import pytest

from geo.io.prefetch import map_ahead, prefetch


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


def test_map_ahead_keeps_order_and_overlaps_the_calls():
    running, most = [], []
    lock = threading.Lock()

    def slow(i):
        with lock:
            running.append(i)
            most.append(len(running))
        time.sleep(0.05 if i % 2 else 0.01)  # odd items finish last: order must still hold
        with lock:
            running.remove(i)
        return i * 10, threading.current_thread().name

    out = list(map_ahead(slow, range(8), workers=2))
    assert [v for v, _ in out] == [i * 10 for i in range(8)]
    assert {name.startswith("bordermap-analyse") for _, name in out} == {True}
    assert max(most) == 2  # two at once, never more


def test_map_ahead_raises_at_the_failing_item_and_cancels_the_rest():
    started = []

    def work(i):
        started.append(i)
        if i == 2:
            raise ValueError("bad chunk")
        time.sleep(0.01)
        return i

    got = []
    with pytest.raises(ValueError, match="bad chunk"):
        for value in map_ahead(work, range(50), workers=2):
            got.append(value)
    assert got == [0, 1]
    assert len(started) <= 5  # the items after the failure were not all started


def test_map_ahead_with_one_worker_is_plain_map():
    assert list(map_ahead(lambda x: x + 1, iter(range(4)), workers=1)) == [1, 2, 3, 4]
