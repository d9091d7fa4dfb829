r"""Event files read into a lazy dask frame, one partition per file.

Every file is checked on a worker by :func:`geo.io.events.read_events`, the
reader of the local engine, so valid rows become the dask frame and rejected
rows keep their reasons (:class:`EventDataset`).

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.csv").write_text("id,lat,lon\na,27.37,62.33\nb,,\n")
>>> data = read_dataset(folder / "a.csv")
>>> data.events.npartitions, len(data.events.compute(scheduler="sync"))
(1, 1)
"""

from __future__ import annotations

import glob
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dask
import dask.dataframe as dd
import dask_geopandas
import geopandas as gpd
import pyarrow as pa
import pyarrow.parquet as pq
from dask.base import tokenize

from geo.dask.workers import conform, relay
from geo.errors import InputError
from geo.io.events import EventTable, read_events
from geo.io.options import ReadOptions

__all__ = ["SOURCE_COLUMN", "EventDataset", "expand_events", "read_dataset"]

#: Column naming each row's file when more than one file is read.
SOURCE_COLUMN = "source_file"


def expand_events(source: str | Path) -> list[Path]:
    """Files behind ``source``: a file, a folder of Parquet files, or a glob.

    Parameters
    ----------
    source : str or path
        ``events.csv``, ``dataset/`` (every ``*.parquet`` below it, as
        written by ``to_parquet``, hidden and ``_`` files skipped) or
        ``"parts/*.csv"``.

    Returns
    -------
    list of pathlib.Path
        Sorted; each becomes one partition.

    Raises
    ------
    InputError
        When nothing matches.
    """
    text = str(source)
    path = Path(text)
    if path.is_dir():
        files = sorted(
            p
            for p in path.rglob("*.parquet")
            if not any(part.startswith((".", "_")) for part in p.relative_to(path).parts)
        )
    elif path.is_file():
        files = [path]
    else:
        files = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
    if not files:
        raise InputError(
            text,
            None,
            None,
            "no event files: not a file, a folder of *.parquet files, or a glob that matches any",
        )
    return files


def _read_file(path: str, label: str | None, options: ReadOptions) -> EventTable:
    """Read and check one file on a worker; name it in a first column when asked."""
    with relay():
        table = read_events(path, options)
    if label is not None:
        table.events.insert(0, SOURCE_COLUMN, label)
        table.rejects.insert(0, SOURCE_COLUMN, label)
    return table


def _events_of(table: EventTable, dtypes: dict[str, Any]) -> gpd.GeoDataFrame:
    return conform(table.events, dtypes)


def _sample_file(path: Path, folder: Path, rows: int = 64) -> Path:
    """Copy the first rows of an event file, in its format, to learn the output schema."""
    target = folder / f"sample{path.suffix}"
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic == b"PAR1":
        pf = pq.ParquetFile(path)
        batch = next(pf.iter_batches(batch_size=rows), None)
        schema = pf.schema_arrow
        table = pa.Table.from_batches([batch], schema=schema) if batch else schema.empty_table()
        pq.write_table(table, target)
        return target
    if path.suffix.lower() in (".csv", ".tsv", ".txt", ""):
        with open(path, "rb") as src, open(target, "wb") as dst:
            for i, line in enumerate(src):
                if i > rows:
                    break
                dst.write(line)
        return target
    return path  # other formats: read whole (they are rarely partitioned)


def _labels(source: str | Path, files: list[Path]) -> list[str | None]:
    """Name each file as its rows will in :data:`SOURCE_COLUMN`; None for a single file."""
    if len(files) == 1:
        return [None]
    base = Path(source) if Path(source).is_dir() else None
    return [str(f.relative_to(base)) if base is not None else str(f) for f in files]


@dataclass
class EventDataset:
    """Checked events of many files, lazily: the dask frame plus per-file tables.

    Attributes
    ----------
    events : dask_geopandas.GeoDataFrame
        Valid rows, one partition per file.
    tables : list of dask.delayed.Delayed
        Each file's :class:`geo.io.events.EventTable` (same graph keys as ``events``).
    files : list of pathlib.Path
    """

    events: dask_geopandas.GeoDataFrame
    tables: list
    files: list[Path]


def read_dataset(
    source: str | Path, options: ReadOptions | None = None, **changes: Any
) -> EventDataset:
    """Read and check event files lazily, one partition per file.

    Every file is checked on a worker by :func:`geo.io.events.read_events`,
    the reader of the local engine, so rows are kept or rejected for the same
    reasons; ``row`` counts data rows within each file and duplicate ids are
    looked for within each file, as the local engine does. With more than one
    file, events and rejects start with a ``source_file`` column.

    Parameters
    ----------
    source : str or path
        See :func:`expand_events`.
    options : ReadOptions, optional
        How to read each file, as for :func:`geo.io.events.read_events`.
    **changes
        Fields of ``options`` to change, such as ``strict=True``.

    Returns
    -------
    EventDataset
    """
    options = ReadOptions.of(options, **changes)
    files = expand_events(source)
    labels = _labels(source, files)
    with tempfile.TemporaryDirectory() as folder:
        sample_path = _sample_file(files[0], Path(folder))
        sample = read_events(sample_path, ReadOptions.of(options, strict=False)).events
    if labels[0] is not None:
        sample.insert(0, SOURCE_COLUMN, labels[0])
    meta = sample.iloc[:0]
    dtypes = meta.dtypes.to_dict()
    read = dask.delayed(_read_file, pure=True)
    tables = [
        read(str(f), label, options, dask_key_name=f"bordermap-read-{tokenize(f, label, options)}")
        for f, label in zip(files, labels, strict=True)
    ]
    parts = [dask.delayed(_events_of, pure=True)(t, dtypes) for t in tables]
    frame = dd.from_delayed(parts, meta=meta, verify_meta=False)
    return EventDataset(events=frame, tables=tables, files=files)
