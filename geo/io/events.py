r"""Read and check event tables: ACLED, UCDP GED, plain CSV and vector files.

Every reader normalises to one ACLED-like schema (:data:`SCHEMA`) and keeps
the input's other columns. Each input row ends up either in
``EventTable.events`` or in ``EventTable.rejects`` with its reason; warnings
(a decimal comma, a point just across the stated border) keep the row.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "e.csv").write_text("id,lat,lon\na,27.37,62.33\nb,,\n")
>>> table = read_events(folder / "e.csv")
>>> len(table.events), table.rejects[["row", "reason"]].values.tolist()
(1, [[2, 'no coordinates and no location name']])
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.io.checks import EXCLUSIVE_ZONE_KM
from geo.io.options import FAR_KM, ReadOptions
from geo.io.pipeline import ChunkReader, detect_format, empty_chunk
from geo.io.results import EventTable

__all__ = [
    "PROBLEM_KINDS",
    "EventChunks",
    "EventTable",
    "detect_format",
    "iter_event_chunks",
    "read_events",
]


# kind -> (severity, what it means). Errors reject the row; warnings keep it.
PROBLEM_KINDS: dict[str, tuple[str, str]] = {
    "missing_coordinates": ("error", "no coordinates and no place name the gazetteer knows"),
    "bad_coordinates": ("error", "latitude or longitude is not a number, or only one is given"),
    "out_of_range": ("error", "latitude beyond +-90 or longitude beyond +-180"),
    "swapped_coordinates": ("error", "lat/lon swapped: the swap lies in the stated country"),
    "far_outside_country": ("error", f"more than {FAR_KM:g} km outside the stated country"),
    "duplicate_id": ("error", "event id seen before in the file"),
    "bad_date": ("error", "event date missing or not a date"),
    "bad_fatalities": ("error", "fatalities not a whole number >= 0"),
    "empty_fatalities": ("warning", "empty fatalities in ACLED or UCDP; counted as unknown"),
    "extra_fields": ("error", "more fields than the header"),
    "short_row": ("warning", "fewer fields than the header; the missing ones read as empty"),
    "merged_rows": ("error", "a stray quote joined the rows after it into one field"),
    "field_too_long": ("error", "a field longer than the limit MAX_FIELD_BYTES"),
    "country_mismatch": (
        "warning",
        f"point outside the stated country: on land within {FAR_KM:g} km, or at sea "
        f"within its {EXCLUSIVE_ZONE_KM / 1.852:.0f} nautical-mile zone",
    ),
    "admin1_mismatch": ("warning", "point outside the stated province"),
    "decimal_comma": ("warning", "decimal comma read as a decimal point"),
    "undecodable_bytes": ("warning", "bytes that are not UTF-8 (replaced or read as Latin-1)"),
    "bad_precision": ("warning", "precision code outside its range; treated as unknown"),
    "missing_id": ("warning", "empty event id; row-<n> used instead"),
    "placeholder_coordinates": ("error", "a placeholder point such as (0, 0), not a place"),
    "bad_attacker": ("warning", "attacker_iso3 not a country code or name; left empty"),
    "placed_by_name": ("warning", "coordinates filled from the location name (gazetteer)"),
}


class EventChunks:
    r"""The chunks of one event file, and how much of it has been read.

    Iterating yields what :func:`iter_event_chunks` yields; in between,
    :attr:`bytes_read` says how far the reader has got, for a progress bar.

    Parameters
    ----------
    path, options, **changes
        As for :func:`iter_event_chunks`.

    Attributes
    ----------
    size : int or None
        Bytes of ``path`` (None for a folder such as a Shapefile's).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "e.csv").write_text("id,lat,lon\na,27.37,62.33\n")
    >>> chunks = EventChunks(folder / "e.csv")
    >>> [len(t.events) for t in chunks], chunks.bytes_read == chunks.size
    ([1], True)
    """

    def __init__(self, path: str | Path, options: ReadOptions | None = None, **changes) -> None:
        self.path = Path(path)
        self.options = ReadOptions.of(options, **changes)
        self.size = self.path.stat().st_size if self.path.is_file() else None
        self._reader: ChunkReader | None = None

    @property
    def bytes_read(self) -> int | None:
        """Bytes of the file read so far (of :attr:`size`), or None when not known.

        Text counts the bytes parsed; GeoParquet and GDAL formats the share of
        rows read; a compressed file the share of its unpacked content.
        """
        fraction = None if self._reader is None else self._reader.fraction_read
        if fraction is None or self.size is None:
            return None
        return round(fraction * self.size)

    def __iter__(self) -> Iterator[EventTable]:
        """Yield one :class:`EventTable` per chunk (one empty table for a file without rows)."""
        reader = self._reader = ChunkReader(self.path, self.options)
        try:
            produced = False
            for raw, invalid in reader.raw_chunks(self.options.chunksize):
                table = reader.process(raw, invalid)
                produced = True
                table.notes = reader.final_notes()
                yield table
            if not produced:
                empty = reader.process(empty_chunk(reader), False)
                empty.notes = reader.final_notes()
                yield empty
        finally:
            reader.close()


def iter_event_chunks(
    path: str | Path, options: ReadOptions | None = None, **changes
) -> Iterator[EventTable]:
    """Read an event file chunk by chunk, in bounded memory.

    Duplicate ids are tracked across chunks (a 64-bit hash and the row
    number: 16 bytes per row); everything else is per chunk. Each chunk's
    ``notes`` hold the file-level notes so far. :class:`EventChunks` does the
    same and also says how much of the file has been read.

    Parameters
    ----------
    path : path-like
        ACLED or UCDP CSV, plain CSV, GeoJSON, GeoPackage, Shapefile,
        FlatGeobuf or GeoParquet; a delimited or vector file may come as
        ``.gz``, as the one data member of a ``.zip``, or as an ``.xlsx``
        workbook (see :mod:`geo.io.archives`).
    options : ReadOptions, optional
        Format, column names, strictness, chunk size (defaults: detect everything).
    **changes
        Fields of :class:`~geo.io.options.ReadOptions` to set, such as ``lat_col="lat"``.

    Yields
    ------
    EventTable
        One per chunk; ``rows_read`` counts that chunk's rows.

    Raises
    ------
    InputError
        When the file cannot be read, or on the first problem with ``strict``.
    """
    yield from EventChunks(path, options, **changes)


def read_events(path: str | Path, options: ReadOptions | None = None, **changes) -> EventTable:
    """Read a whole event file: valid events, rejects and every problem.

    Parameters
    ----------
    path, options, **changes
        As for :func:`iter_event_chunks`.

    Returns
    -------
    EventTable

    Raises
    ------
    InputError
        When the file cannot be read, or on the first problem with ``strict``.
    """
    parts = list(iter_event_chunks(path, options, **changes))
    events = pd.concat([p.events for p in parts], ignore_index=True)
    rejects = pd.concat([p.rejects for p in parts], ignore_index=True)
    problems = pd.concat(
        [p.problems for p in parts if len(p.problems)] or [parts[0].problems], ignore_index=True
    )
    return EventTable(
        events=gpd.GeoDataFrame(events, geometry="geometry", crs="EPSG:4326"),
        rejects=rejects,
        problems=problems,
        path=str(path),
        fmt=parts[0].fmt,
        rows_read=sum(p.rows_read for p in parts),
        notes=parts[-1].notes,
    )
