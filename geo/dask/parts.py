"""Partitions of event files, and duplicate ids found across all of them.

A :class:`Part` is a whole file, or the rows of one byte range of a large
delimited file (:mod:`geo.dask.split`). Each part is read on a worker by the
local engine's reader (:class:`geo.io.pipeline.ChunkReader`), with two
things only the whole dataset knows, found first by a cheap pass:

- where its rows start in its file, so ``row``, ``row-<n>`` ids and every
  message number rows as the local engine does (:func:`part_ids` counts them);
- which of its ids were seen in an earlier part or file
  (:func:`resolve_duplicates`); the reader is told of them before it starts,
  so its own rule applies unchanged: the first occurrence is kept, every
  later one is rejected as ``duplicate_id`` naming the first row.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.dask.split import copy_part
from geo.errors import InputError
from geo.io.atomic import pid_alive
from geo.io.idhash import hash_ids
from geo.io.options import ReadOptions
from geo.io.pipeline import ChunkReader, empty_chunk
from geo.io.results import EventTable
from geo.io.text import TextLayout

__all__ = [
    "Part",
    "PartIds",
    "PartPlan",
    "id_column",
    "part_ids",
    "read_part",
    "resolve_duplicates",
]


@dataclass(frozen=True)
class Part:
    """One partition: a whole file, or a byte range of its rows.

    Attributes
    ----------
    path : str
        The file.
    file_index : int
        Position of the file among the inputs (duplicates across files are
        looked for in that order).
    span : tuple of int, optional
        ``[start, stop)`` bytes of rows; None for the whole file.
    header : int
        Bytes of the header row, copied before a span.
    text : TextLayout, optional
        How the whole file was sniffed; a span is read the same way.
    """

    path: str
    file_index: int = 0
    span: tuple[int, int] | None = None
    header: int = 0
    text: TextLayout | None = None


@dataclass
class PartIds:
    """Ids of one part, hashed: what :func:`resolve_duplicates` needs.

    Attributes
    ----------
    rows : int
        Data rows of the part.
    hashes : numpy.ndarray
        64-bit hashes of the non-empty ids.
    local : numpy.ndarray
        1-based row within the part of each hash.
    empty : numpy.ndarray
        1-based rows within the part whose id is empty (they become ``row-<n>``).
    """

    rows: int
    hashes: np.ndarray
    local: np.ndarray
    empty: np.ndarray


@dataclass
class PartPlan:
    """What one part needs from the others before it is read.

    Attributes
    ----------
    offset : int
        Data rows of the same file before this part.
    seeds : pandas.DataFrame
        ``local`` (1-based row in the part) and ``first_row`` (row of the
        first occurrence, in its file) of each id first seen before this part.
    """

    offset: int
    seeds: pd.DataFrame


_COPY_PREFIX = "bordermap-part-"


def _remove_stale_copies() -> None:
    """Remove part copies that a killed worker left in the temporary folder."""
    base = Path(tempfile.gettempdir())
    with contextlib.suppress(OSError):
        for path in base.glob(f"{_COPY_PREFIX}*-*"):
            pid = path.name[len(_COPY_PREFIX) :].split("-")[0]
            if pid.isdigit() and not pid_alive(int(pid)):
                shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def _part_file(part: Part) -> Iterator[str]:
    """Yield a path holding the part as a standalone file (the header, then its rows).

    An :class:`~geo.errors.InputError` raised while it is read names the
    user's file, not the temporary copy.
    """
    if part.span is None:
        yield part.path
        return
    _remove_stale_copies()
    with tempfile.TemporaryDirectory(prefix=f"{_COPY_PREFIX}{os.getpid()}-") as folder:
        target = os.path.join(folder, "part" + Path(part.path).suffix)
        copy_part(part.path, part.header, part.span[0], part.span[1], target)
        try:
            yield target
        except InputError as exc:
            if exc.path != target:
                raise
            raise InputError(part.path, exc.row, exc.field, exc.problem) from None


def _reader(part: Part, path: str, options: ReadOptions) -> ChunkReader:
    reader = ChunkReader(path, options)
    if part.text is not None and part.span is not None:
        reader.text = part.text  # a range is decoded as the whole file was
        reader.notes = list(part.text.notes)
    return reader


def id_column(reader: ChunkReader) -> str | None:
    """Return the input column the reader takes event ids from, once it has read a chunk."""
    mapping = reader.mapping or {}
    return mapping.get("event_id") or ("id" if reader.layout == "ucdp" else None)


def _ids(raw: pd.DataFrame, column: str | None) -> np.ndarray:
    """Ids as the reader normalises them: stripped text, "" when empty."""
    if column is None or column not in raw.columns:
        return np.full(len(raw), "", dtype=object)
    return raw[column].astype("string").str.strip().fillna("").to_numpy(dtype=object)


def _hash(ids: np.ndarray) -> np.ndarray:
    return hash_ids(ids)


def part_ids(part: Part, options: ReadOptions, column: str | None) -> PartIds:
    """Count a part's rows and hash its ids (parsing only; no check runs).

    Parameters
    ----------
    part : Part
    options : ReadOptions
    column : str or None
        The id column (:func:`id_column` of a reader of the first file).

    Returns
    -------
    PartIds
    """
    hashes, local, empty, rows = [], [], [], 0
    with _part_file(part) as path:
        reader = _reader(part, path, options)
        for raw, _ in reader.raw_chunks(options.chunksize):
            ids = _ids(raw, column)
            at = raw["row"].to_numpy(dtype="int64")
            filled = ids != ""
            hashes.append(_hash(ids[filled]))
            local.append(at[filled])
            empty.append(at[~filled])
            rows += len(raw)
    join = lambda a, t: np.concatenate(a) if a else np.zeros(0, t)  # noqa: E731
    return PartIds(rows, join(hashes, "uint64"), join(local, "int64"), join(empty, "int64"))


def resolve_duplicates(parts: list[Part], ids: list[PartIds]) -> list[PartPlan]:
    """Find, for every part, where its rows start and which of its ids came earlier.

    Parameters
    ----------
    parts : list of Part
        In file order, then byte order.
    ids : list of PartIds
        Same order.

    Returns
    -------
    list of PartPlan

    Examples
    --------
    >>> h = _hash(np.array(["a", "b"], dtype=object))
    >>> one = PartIds(2, h, np.array([1, 2]), np.zeros(0, "int64"))
    >>> two = PartIds(1, h[1:], np.array([1]), np.zeros(0, "int64"))
    >>> plans = resolve_duplicates([Part("f", 0, (0, 9)), Part("f", 0, (9, 20))], [one, two])
    >>> plans[1].offset, plans[1].seeds.to_dict("list")
    (2, {'local': [1], 'first_row': [2]})
    """
    offsets, order_start, seen_rows = [], [], {}
    total = 0
    for part, found in zip(parts, ids, strict=True):
        offsets.append(seen_rows.get(part.file_index, 0))
        seen_rows[part.file_index] = offsets[-1] + found.rows
        order_start.append(total)
        total += found.rows
    hashes, locals_ = [], []
    for k, found in enumerate(ids):
        empty_ids = np.array([f"row-{r + offsets[k]}" for r in found.empty], dtype=object)
        h, local = found.hashes, found.local
        if len(empty_ids):  # no copy of the part's arrays when every row has an id
            h = np.concatenate([h, _hash(empty_ids)])
            local = np.concatenate([local, found.empty])
        hashes.append(h)  # 64-bit unsigned, as hash_ids gives them
        locals_.append(local)
    # only the repeated hashes get a row of details: with 50M ids a frame of every id
    # took 6 GB of one worker; the hashes alone are 8 bytes each
    every = np.concatenate(hashes) if hashes else np.zeros(0, np.uint64)
    ordered = np.sort(every)
    twice = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    del ordered, every
    frames = []
    for k, (h, local) in enumerate(zip(hashes, locals_, strict=True)):
        mine = np.flatnonzero(pd.Series(h).isin(twice).to_numpy())
        frames.append(
            pd.DataFrame(
                {
                    "h": h[mine],
                    "part": k,
                    "local": local[mine],
                    "order": order_start[k] + local[mine],
                    "row": offsets[k] + local[mine],
                }
            )
        )
    columns = ["h", "part", "local", "order", "row"]
    repeated = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    repeated = repeated.sort_values(["h", "order"], kind="stable")
    first = repeated.groupby("h", sort=False).first()
    later = repeated.join(first[["part", "row"]].add_suffix("_first"), on="h")
    later = later[later["part"] != later["part_first"]]
    later = later.drop_duplicates(["part", "h"])  # one seed per id and part
    plans = []
    for k in range(len(parts)):
        mine = later[later["part"] == k]
        seeds = pd.DataFrame(
            {
                "local": mine["local"].to_numpy(dtype="int64"),
                "first_row": mine["row_first"].to_numpy(dtype="int64"),
            }
        )
        plans.append(PartPlan(offsets[k], seeds))
    return plans


def _seed(reader: ChunkReader, raw: pd.DataFrame, plan: PartPlan, column: str | None) -> None:
    """Tell the reader of the ids in this chunk that an earlier part already holds."""
    local = raw["row"].to_numpy(dtype="int64")
    seeds = plan.seeds[plan.seeds["local"].isin(local)]
    if seeds.empty:
        return
    where = np.searchsorted(local, seeds["local"].to_numpy())
    ids = _ids(raw.iloc[where], column)
    empty = ids == ""
    ids[empty] = [f"row-{r + plan.offset}" for r in seeds["local"].to_numpy()[empty]]
    reader.seen.check(pd.Series(ids), pd.Series(seeds["first_row"].to_numpy()))


def read_part(
    part: Part, options: ReadOptions, plan: PartPlan | None, column: str | None
) -> EventTable:
    """Read and check one part with the local engine's reader, rows numbered in the file.

    Parameters
    ----------
    part : Part
    options : ReadOptions
    plan : PartPlan, optional
        From :func:`resolve_duplicates` (None: a single part, nothing to add).
    column : str or None
        The id column, for the seeds.

    Returns
    -------
    EventTable
        As :func:`geo.io.events.read_events` gives for the same rows.
    """
    plan = plan or PartPlan(0, pd.DataFrame({"local": [], "first_row": []}, dtype="int64"))
    tables = []
    with _part_file(part) as path:
        reader = _reader(part, path, options)
        for raw, invalid in reader.raw_chunks(options.chunksize):
            _seed(reader, raw, plan, column)
            raw["row"] = raw["row"].to_numpy(dtype="int64") + plan.offset
            tables.append(reader.process(raw, invalid))
        if not tables:
            tables.append(reader.process(empty_chunk(reader), False))
    notes = reader.final_notes()
    return EventTable(
        events=gpd.GeoDataFrame(
            pd.concat([t.events for t in tables], ignore_index=True),
            geometry="geometry",
            crs="EPSG:4326",
        ),
        rejects=pd.concat([t.rejects for t in tables], ignore_index=True),
        problems=pd.concat(
            [t.problems for t in tables if len(t.problems)] or [tables[0].problems],
            ignore_index=True,
        ),
        path=part.path,
        fmt=tables[0].fmt,
        rows_read=sum(t.rows_read for t in tables),
        notes=notes,
    )
