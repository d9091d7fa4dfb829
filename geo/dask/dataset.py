r"""Event files read into a lazy dask frame: one partition per file or per byte range.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dask
import dask.dataframe as dd
import dask_geopandas
import geopandas as gpd
import pyarrow as pa
import pyarrow.parquet as pq
from dask.base import tokenize
from dask.utils import parse_bytes

from geo.dask import split
from geo.dask.cluster import compute
from geo.dask.parts import Part, PartPlan, id_column, part_ids, read_part, resolve_duplicates
from geo.dask.workers import active_client, conform, relay
from geo.errors import InputError
from geo.io.events import EventTable, detect_format
from geo.io.layouts import known_names
from geo.io.options import ReadOptions
from geo.io.pipeline import ChunkReader, empty_chunk
from geo.io.text import sniff_text

__all__ = [
    "BLOCKSIZE",
    "SOURCE_COLUMN",
    "EventDataset",
    "blocksize_bytes",
    "expand_events",
    "plan_parts",
    "read_dataset",
]

#: Dask config key (env ``DASK_BORDERMAP__BLOCKSIZE``) and default of the bytes of a
#: delimited file per partition; larger files are cut at row boundaries.
BLOCKSIZE = ("bordermap.blocksize", "64MiB")


def blocksize_bytes(blocksize: int | str | None = None) -> int:
    """Bytes per partition: ``blocksize``, or the dask config ``bordermap.blocksize``.

    Examples
    --------
    >>> blocksize_bytes(), blocksize_bytes("8MiB"), blocksize_bytes(1000)
    (67108864, 8388608, 1000)
    """
    chosen = dask.config.get(BLOCKSIZE[0], BLOCKSIZE[1]) if blocksize is None else blocksize
    return max(1, int(parse_bytes(chosen)))


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


def _read_file(
    part: Part, label: str | None, options: ReadOptions, plan: PartPlan | None, column: str | None
) -> EventTable:
    """Read and check one part on a worker; name its file in a first column when asked."""
    with relay():
        table = read_part(part, options, plan, column)
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


def _first_reader(path: Path, options: ReadOptions) -> tuple[gpd.GeoDataFrame, str | None]:
    """Read the first rows of the first file: the events' schema and the id column."""
    with tempfile.TemporaryDirectory() as folder:
        sample = _sample_file(path, Path(folder))
        try:
            reader = ChunkReader(sample, ReadOptions.of(options, strict=False))
            raw, invalid = next(iter(reader.raw_chunks(options.chunksize)), (None, False))
            table = reader.process(empty_chunk(reader) if raw is None else raw, invalid)
        except InputError as exc:  # about the user's file, not the copy of its first rows
            if exc.path != str(sample):
                raise
            raise InputError(str(path), exc.row, exc.field, exc.problem) from None
        table.events.attrs["source"] = str(path)  # later errors name the user's file too
        return table.events, id_column(reader)


def _split_file(path: Path, options: ReadOptions, blocksize: int, index: int) -> list[Part]:
    """Cut one file into row-aligned byte ranges, or keep it whole."""
    whole = [Part(str(path), index)]
    size = path.stat().st_size
    if size <= blocksize or options.fmt not in (None, "acled", "ucdp", "csv"):
        return whole
    if detect_format(path) != "text":
        return whole
    text = sniff_text(path, known_names())
    if text.encoding not in ("utf-8-sig", "latin-1") or len(text.delimiter) != 1:
        return whole  # the byte scan needs single-byte quotes and newlines
    workers = max(1, _workers())
    count = -(-size // blocksize)
    count = -(-count // workers) * workers  # a multiple of the workers: no idle round
    header = 0 if text.header is None else split.header_end(path, text.delimiter)
    if header < 0:
        return whole

    def scan(blocks):
        tasks = [dask.delayed(split.scan_block)(str(path), a, b, text.delimiter) for a, b in blocks]
        return list(compute(*tasks))

    ranges = split.byte_ranges(
        path, text.delimiter, blocksize=-(-size // count), start=header, scan=scan
    )
    if not ranges or len(ranges) < 2:
        return whole
    return [Part(str(path), index, span, header, text) for span in ranges]


def _workers() -> int:
    client = active_client()
    if client is None:
        return 1
    return len(client.scheduler_info(n_workers=-1)["workers"])


def plan_parts(
    files: list[Path], options: ReadOptions, blocksize: int | str | None = None
) -> list[Part]:
    """Partitions of the input: large delimited files cut at row boundaries, others whole.

    Parameters
    ----------
    files : list of pathlib.Path
    options : ReadOptions
    blocksize : int or str, optional
        A delimited file larger than this is cut into ranges of about this
        many bytes (their number rounded up to a multiple of the workers);
        default :func:`blocksize_bytes`.

    Returns
    -------
    list of Part
        In file order, then byte order.
    """
    size = blocksize_bytes(blocksize)
    return [p for i, f in enumerate(files) for p in _split_file(f, options, size, i)]


@dataclass
class EventDataset:
    """Checked events of many files, lazily: the dask frame plus per-part tables.

    Attributes
    ----------
    events : dask_geopandas.GeoDataFrame
        Valid rows, one partition per part (a file or a byte range of one).
    tables : list of dask.delayed.Delayed
        Each part's :class:`geo.io.events.EventTable` (same graph keys as ``events``).
    files : list of pathlib.Path
    parts : list of Part
    """

    events: dask_geopandas.GeoDataFrame
    tables: list
    files: list[Path]
    parts: list[Part] = field(default_factory=list)


def read_dataset(
    source: str | Path,
    options: ReadOptions | None = None,
    *,
    blocksize: int | str | None = None,
    **changes: Any,
) -> EventDataset:
    """Read and check event files lazily; large delimited files become several partitions.

    Every part is checked on a worker by the local engine's reader, so rows
    are kept or rejected for the same reasons. A first, cheap pass counts
    each part's rows and hashes its ids, so ``row`` counts data rows within
    each file and an id seen earlier, in the same file or an earlier one, is
    rejected as ``duplicate_id``, exactly as the local engine does within a
    file. With more than one file, events and rejects start with a
    ``source_file`` column.

    Parameters
    ----------
    source : str or path
        See :func:`expand_events`.
    options : ReadOptions, optional
        How to read each file, as for :func:`geo.io.events.read_events`.
    blocksize : int or str, optional
        See :func:`plan_parts`.
    **changes
        Fields of ``options`` to change, such as ``strict=True``.

    Returns
    -------
    EventDataset
    """
    options = ReadOptions.of(options, **changes)
    files = expand_events(source)
    labels = _labels(source, files)
    sample, column = _first_reader(files[0], options)
    if labels[0] is not None:
        sample.insert(0, SOURCE_COLUMN, labels[0])
    meta = sample.iloc[:0]
    dtypes = meta.dtypes.to_dict()
    parts = plan_parts(files, options, blocksize)
    plans: list = [None] * len(parts)
    if len(parts) > 1:
        ids = [dask.delayed(part_ids, pure=True)(p, options, column) for p in parts]
        resolved = dask.delayed(resolve_duplicates, pure=True, nout=len(parts))(parts, ids)
        plans = list(resolved)
    read = dask.delayed(_read_file, pure=True)
    tables = []
    for part, plan in zip(parts, plans, strict=True):
        label = labels[part.file_index]
        key = f"bordermap-read-{tokenize(part, label, options, blocksize)}"
        tables.append(read(part, label, options, plan, column, dask_key_name=key))
    frames = [dask.delayed(_events_of, pure=True)(t, dtypes) for t in tables]
    frame = dd.from_delayed(frames, meta=meta, verify_meta=False)
    return EventDataset(events=frame, tables=tables, files=files, parts=parts)
