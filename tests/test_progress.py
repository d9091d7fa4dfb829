"""The progress bar: drawn on terminals only, silenced by quiet."""

from __future__ import annotations

import io

import pytest

from geo.io import progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def no_delay(monkeypatch):
    monkeypatch.setattr(progress, "DELAY_S", 0.0)


def test_nothing_on_a_stream_that_is_not_a_terminal(no_delay):
    log = io.StringIO()
    with progress.Progress(1000, quiet=False, stream=log) as bar:
        bar.update(500, 250)
    assert log.getvalue() == "" and not bar.enabled


def test_quiet_draws_nothing_even_on_a_terminal(no_delay):
    term = _Terminal()
    with progress.Progress(1000, quiet=True, stream=term) as bar:
        bar.update(500, 250)
    assert term.getvalue() == ""


def test_terminal_shows_rows_rate_and_time_left_when_size_is_known(no_delay):
    term = _Terminal()
    with progress.Progress(4000, quiet=False, stream=term) as bar:
        bar.update(1000, 1000)
        bar.bar.refresh()
        shown = term.getvalue()
    assert "1.00k/~4.00k rows" in shown and "rows/s" in shown and "<" in shown
    assert "25%" in shown


def test_terminal_without_size_shows_rows_and_rate_only(no_delay):
    term = _Terminal()
    with progress.Progress(None, quiet=False, stream=term) as bar:
        bar.update(1500)
        bar.bar.refresh()
        shown = term.getvalue()
    assert "1.50k rows" in shown and "%" not in shown


def test_short_runs_show_nothing():
    term = _Terminal()
    with progress.Progress(1000, quiet=False, stream=term) as bar:
        bar.update(10, 10)
    assert term.getvalue() == ""
