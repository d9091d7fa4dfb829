"""A progress bar on stderr for long runs: rows read, rows per second, time left.

:class:`Progress` draws with tqdm only when it is wanted: on a terminal,
not ``quiet``, and only once a run has lasted :data:`DELAY_S` seconds, so
short runs and logs (stderr not a terminal) see nothing at all. The time
left is shown when the input's size is known and the reader reports how many
bytes it has consumed: the total rows are then estimated from the bytes per
row so far.

Examples
--------
>>> import io
>>> with Progress(total_bytes=1000, quiet=False, stream=io.StringIO()) as bar:
...     bar.update(rows=500, bytes_read=250)
>>> bar.enabled, bar.rows
(False, 500)
"""

from __future__ import annotations

import sys
from typing import TextIO

__all__ = ["DELAY_S", "Progress", "wanted"]

#: Seconds a run lasts before the bar appears.
DELAY_S = 2.0
_FORMAT = (
    "{desc}{percentage:3.0f}%|{bar}| {n_fmt}/~{total_fmt} rows [{elapsed}<{remaining}, {rate_fmt}]"
)
_FORMAT_OPEN = "{desc}{n_fmt} rows [{elapsed}, {rate_fmt}]"


def wanted(stream: TextIO, quiet: bool) -> bool:
    """Whether to draw a bar on ``stream``: a terminal, and not ``quiet``.

    Examples
    --------
    >>> import io
    >>> wanted(io.StringIO(), quiet=False)
    False
    """
    isatty = getattr(stream, "isatty", None)
    return not quiet and callable(isatty) and bool(isatty())


class Progress:
    """Rows read so far, drawn on ``stream`` when :func:`wanted`.

    Parameters
    ----------
    total_bytes : int or None
        Size of the input, when known (a file; not a pipe or the seed events).
    quiet : bool
        ``--quiet``: draw nothing.
    stream : text stream, optional
        Where to draw (standard error by default).
    label : str
        Shown before the bar.
    """

    def __init__(
        self,
        total_bytes: int | None,
        *,
        quiet: bool,
        stream: TextIO | None = None,
        label: str = "analyse",
    ) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.total_bytes = total_bytes
        self.enabled = wanted(self.stream, quiet)
        self.rows = 0
        self.bar = None
        if self.enabled:
            from tqdm import tqdm  # loads only for terminals

            self.bar = tqdm(
                desc=f"{label}: ",
                file=self.stream,
                unit=" rows",
                unit_scale=True,
                delay=DELAY_S,
                mininterval=0.5,
                bar_format=_FORMAT_OPEN,
                leave=False,
            )

    def update(self, rows: int, bytes_read: int | None = None) -> None:
        """Record that ``rows`` rows in all have been read (``bytes_read`` bytes of input)."""
        step, self.rows = rows - self.rows, rows
        if self.bar is None:
            return
        if self.total_bytes and bytes_read:
            estimate = max(rows, round(rows * self.total_bytes / bytes_read))
            self.bar.total = estimate
            self.bar.bar_format = _FORMAT
        self.bar.update(step)

    def close(self) -> None:
        """Remove the bar (the closing summary line is printed by the caller)."""
        if self.bar is not None:
            self.bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
