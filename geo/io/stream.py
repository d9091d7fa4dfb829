"""Events of one source, chunk by chunk, with their rejects written as they come.

:class:`EventStream` is what every command reads: the embedded seed events
when no file is given, otherwise the file's valid events in chunks of bounded
size. Rejected rows go to an optional CSV (atomically, once the stream is
exhausted) and the counts to :meth:`EventStream.summary`.

Examples
--------
>>> stream = EventStream(None)
>>> len(stream.read_all())
6
>>> stream.summary()
'seed events: 6 rows read, 6 kept, 0 rejected'
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.errors import InputError
from geo.io.atomic import atomic_path, check_out
from geo.io.events import EventChunks, read_events
from geo.io.options import ReadOptions
from geo.io.results import NoEventsError, ProblemTally
from geo.layers import LAYERS_DIR

__all__ = ["EventStream"]


class EventStream:
    """Valid events of a file (or the seed events), chunk by chunk.

    Parameters
    ----------
    path : path-like or None
        Event file; None for the embedded seed events.
    options : ReadOptions, optional
        How to read it.
    rejects : path-like, optional
        CSV that receives every rejected row with its reason.
    overwrite : bool
        Replace an existing ``rejects`` file.

    Attributes
    ----------
    rows, kept : int
        Rows read and kept so far.
    bytes_read : int or None
        Bytes of the file read so far, for a progress bar's time left (None
        when not known, as for the seed events).
    notes : list of str
        File-level notes (encoding, layout, unchecked codes).
    """

    def __init__(
        self,
        path: str | Path | None,
        options: ReadOptions | None = None,
        *,
        rejects: str | Path | None = None,
        overwrite: bool = False,
    ) -> None:
        self.path = None if path is None else Path(path)
        self.options = options or ReadOptions()
        self.rejects = None if rejects is None else Path(rejects)
        self.overwrite = overwrite
        self.rows = self.kept = 0
        self.bytes_read: int | None = None
        self.notes: list[str] = []
        self.tally = ProblemTally()
        # the rejects file, read to the end but held back until the caller's work
        # succeeds (see :meth:`publishing`)
        self._held: contextlib.ExitStack | None = None
        self._holding = False
        if self.path is not None and not self.path.exists():
            raise InputError(str(self.path), None, None, "no such file")
        check_out(self.rejects, overwrite)

    @property
    def label(self) -> str:
        """The file's name as given, or ``"seed events"``."""
        return "seed events" if self.path is None else str(self.path)

    def __iter__(self) -> Iterator[gpd.GeoDataFrame]:
        """Yield valid events chunk by chunk; write the rejects when the last chunk is read.

        Raises
        ------
        NoEventsError
            After the last chunk (and the rejects file), when no event was kept.
        """
        if self.path is None:
            table = read_events(LAYERS_DIR / "events.csv")
            self.rows, self.kept = table.rows_read, len(table.events)
            yield table.events
            return
        with contextlib.ExitStack() as stack:
            tmp = (
                None
                if self.rejects is None
                else stack.enter_context(atomic_path(self.rejects, overwrite=self.overwrite))
            )
            header = True
            chunks = EventChunks(self.path, self.options)
            for table in chunks:
                self.bytes_read = chunks.bytes_read
                self.rows += table.rows_read
                self.kept += len(table.events)
                self.tally.add(table.problems)
                self.notes = list(table.notes)
                if tmp is not None and (header or len(table.rejects)):
                    table.rejects.to_csv(
                        tmp, mode="w" if header else "a", header=header, index=False
                    )
                    header = False
                yield table.events
            if self._holding and self.kept:
                self._held = stack.pop_all()  # published or discarded by publishing()
        if self.kept == 0:
            raise NoEventsError(self.summary(), self.tally.first_error)

    @contextlib.contextmanager
    def publishing(self) -> Iterator[EventStream]:
        """Hold the rejects file back until the block ends; publish it only if the block succeeds.

        Chunks are read ahead on a thread, so the last one (and the rejects
        file) may be done before the analysis of an earlier one fails: inside
        this block a failed command leaves no rejects file behind, and an
        existing one (``overwrite``) as it was. A file with no event kept
        still gets its rejects, before :class:`NoEventsError`.

        Examples
        --------
        >>> stream = EventStream(None)
        >>> with stream.publishing():
        ...     rows = sum(len(chunk) for chunk in stream)
        >>> rows
        6
        """
        self._holding = True
        try:
            yield self
        except BaseException as exc:
            held, self._held = self._held, None
            if held is not None:  # the temporary file is removed, the target left alone
                held.__exit__(type(exc), exc, exc.__traceback__)
            raise
        else:
            held, self._held = self._held, None
            if held is not None:
                held.close()
        finally:
            self._holding = False

    def read_all(self) -> gpd.GeoDataFrame:
        """Every valid event as one GeoDataFrame (EPSG:4326)."""
        parts = list(self)
        if len(parts) == 1:
            return parts[0]
        frame = pd.concat(parts, ignore_index=True)
        return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")

    def summary(self) -> str:
        """One line: rows read, kept and rejected by kind, and where the rejects went."""
        line = self.tally.summary(self.label, self.rows, self.kept)
        if self.rows > self.kept:
            if self.rejects is not None:
                line += f"; rejects in {self.rejects}"
            else:
                line += "; add --rejects PATH to keep them"
        return line
