"""The proximity analysis on dask-geopandas, for event sets larger than memory.

Nothing here measures anything: every partition goes through
:func:`geo.proximity.analyze`, the engine the local CLI uses, inside
``map_partitions``. This module only arranges the work:

- :func:`analyze` maps that kernel over a ``dask_geopandas.GeoDataFrame``
  and returns one, lazily, with its ``meta``;
- :func:`broadcast` ships the border and province layers to the workers
  once (``Client.scatter(..., broadcast=True)`` under a distributed client, a
  single ``dask.delayed`` graph key otherwise), never once per partition;
- :func:`summarize` counts events and fatalities per group with a Dask
  groupby over per-partition tables;
- :func:`read_events` checks every input file with :func:`geo.events.read_events`
  on a worker (one partition per file), so valid rows become the dask frame
  and rejected rows keep their reasons;
- :func:`run` does all of that for the CLI and writes a partitioned GeoParquet
  dataset (and a rejects CSV) atomically.

Examples
--------
>>> import dask_geopandas, geo
>>> events = dask_geopandas.from_geopandas(geo.seed_events(), npartitions=2)
>>> lazy = geo.analyze(events)
>>> type(lazy).__name__, "border_distance_km" in lazy.columns
('GeoDataFrame', True)
>>> local = geo.analyze(geo.seed_events())["border_distance_km"]
>>> bool((lazy.compute(scheduler="sync")["border_distance_km"] == local).all())
True
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import threading
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dask
import dask.dataframe as dd
import dask_geopandas
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from dask.base import tokenize

from geo import layers, proximity
from geo.errors import BordermapError, InputError, OutputExistsError
from geo.zones import DEFAULT_ZONES_KM, parse_zones, zone_labels

__all__ = [
    "DatasetRun",
    "EventDataset",
    "RelayedError",
    "analyze",
    "broadcast",
    "connect",
    "expand_events",
    "read_events",
    "run",
    "site_distances",
    "summarize",
]

SOURCE_COLUMN = "source_file"
_SUMMARY_KEYS = (("zone", "side"), ("admin1_iso3", "admin1"))


class RelayedError(BordermapError):
    """A :class:`~geo.errors.BordermapError` raised on a worker, carried back intact.

    ``InputError`` takes four constructor arguments, so it does not survive
    pickling between processes; this class keeps its message and exit code.
    """

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message, exit_code)
        self.exit_code = exit_code

    def __str__(self) -> str:
        return str(self.args[0])


# Two threads of one process running the kernel at once once crashed the
# interpreter (malloc corruption under dask's threaded scheduler). The likely
# cause, GEOS prepared polygons shared between threads, is now locked in
# geo.proximity and the crash no longer reproduces; this guard stays anyway.
# Worker processes with one thread each, as connect() starts, never contend.
_KERNEL_LOCK = threading.Lock()


@contextlib.contextmanager
def _relay() -> Iterator[None]:
    """Run one kernel call: serialised per process, errors made picklable."""
    try:
        with _KERNEL_LOCK:
            yield
    except RelayedError:
        raise
    except BordermapError as exc:
        raise RelayedError(str(exc), exc.exit_code) from None


def _client():
    """Return the active distributed client, or None (threaded or synchronous scheduler)."""
    try:
        from distributed import default_client
    except ImportError:  # pragma: no cover - distributed is part of the dask extra
        return None
    try:
        client = default_client()
    except ValueError:
        return None
    # a client exists, but the caller may have chosen another scheduler for now
    return client if dask.base.get_scheduler() == client.get else None


def broadcast(obj: Any) -> Any:
    """Make a small object available to every task once, not once per partition.

    Under a distributed client the object is scattered to every worker up
    front (``broadcast=True``) and tasks refer to it by key. Without one it
    becomes a single ``dask.delayed`` key that all partitions depend on.

    Parameters
    ----------
    obj : object
        A small, picklable value (a layer GeoDataFrame).

    Returns
    -------
    distributed.Future or dask.delayed.Delayed
        Pass it to ``map_partitions`` as a positional argument.
    """
    client = _client()
    if client is not None:
        return client.scatter(obj, broadcast=True, hash=True)
    return dask.delayed(obj)


def _points_meta(events: dask_geopandas.GeoDataFrame) -> gpd.GeoDataFrame:
    """Build a small stand-in for a partition, with points near the IRN-PAK border."""
    fake = events._meta_nonempty.copy()
    n = len(fake)
    geoms = gpd.points_from_xy(np.linspace(61.0, 62.5, n), np.linspace(27.0, 26.0, n))
    return fake.set_geometry(gpd.GeoSeries(geoms, index=fake.index, crs="EPSG:4326"))


def _conform(frame: pd.DataFrame, dtypes: dict[str, Any]) -> pd.DataFrame:
    """Cast columns whose dtype differs from ``meta`` (e.g. all-None object vs str)."""
    frame.attrs.clear()
    wrong = {c: t for c, t in dtypes.items() if c in frame and frame[c].dtype != t}
    return frame.astype(wrong) if wrong else frame


def _text_columns(meta: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Object columns (None or text, such as ``incursion_border``) as ``str``.

    Arrow cannot type an object column from an empty frame, and a partition
    where such a column is all None must still match the others.
    """
    meta = meta.copy()
    meta.attrs.clear()
    for col in meta.columns:
        if col != meta.geometry.name and meta[col].dtype == object:
            meta[col] = meta[col].astype("str")
    return meta


def _analyze_part(part, border, provinces, pair, zones_km, dtypes):
    with _relay():
        out = proximity.analyze(part, border, pair=pair, zones_km=zones_km, provinces=provinces)
    return _conform(out, dtypes)


def analyze(
    events: dask_geopandas.GeoDataFrame,
    border: gpd.GeoDataFrame | None = None,
    *,
    pair: str = "IRN-PAK",
    zones_km: Sequence[float] = DEFAULT_ZONES_KM,
    provinces: gpd.GeoDataFrame | None = None,
) -> dask_geopandas.GeoDataFrame:
    """Lazy :func:`geo.proximity.analyze` of every partition of a dask frame.

    Parameters
    ----------
    events : dask_geopandas.GeoDataFrame
        Points with a CRS (EPSG:4326 or one that transforms to it).
    border, pair, zones_km, provinces
        As for :func:`geo.proximity.analyze`. ``border`` (when given) and the
        provinces (the embedded layer by default) are broadcast to the
        workers once; the embedded pair's line is read on each worker from
        its installed package.

    Returns
    -------
    dask_geopandas.GeoDataFrame
        Same partitions, rows and index, plus :data:`geo.proximity.ANALYSIS_COLUMNS`.

    Raises
    ------
    InputError
        No CRS, bad zones, or an unknown pair, before anything is computed.
    """
    if events.crs is None:
        raise InputError("events", None, "geometry", "has no CRS; set EPSG:4326")
    if not events.crs.equals("EPSG:4326"):
        events = events.to_crs("EPSG:4326")
    zones_km = parse_zones(list(zones_km))
    provs = provinces if provinces is not None else layers.provinces()
    # running the kernel on two fake rows gives the exact output schema
    sample = proximity.analyze(
        _points_meta(events), border, pair=pair, zones_km=zones_km, provinces=provs
    )
    meta = _text_columns(sample.iloc[:0])
    dtypes = meta.dtypes.to_dict()
    shared_border = broadcast(border) if border is not None else None
    return events.map_partitions(
        _analyze_part,
        shared_border,
        broadcast(provs),
        pair,
        zones_km,
        dtypes,
        meta=meta,
        align_dataframes=False,
    )


def _sites_part(part, names, dtypes):
    with _relay():
        near = proximity.site_distances(part, names)
    out = part.copy()
    out[near.columns] = near
    return _conform(out, dtypes)


def site_distances(
    analyzed: dask_geopandas.GeoDataFrame, sites: Sequence[str]
) -> dask_geopandas.GeoDataFrame:
    """Add one ``dist_<site>_km`` column per gazetteer site.

    Each partition goes through :func:`geo.proximity.site_distances`.

    Parameters
    ----------
    analyzed : dask_geopandas.GeoDataFrame
    sites : sequence of str
        Gazetteer names; an unknown name raises here, before computing.

    Returns
    -------
    dask_geopandas.GeoDataFrame
    """
    names = [s for s in sites if s]
    if not names:
        return analyzed
    meta = _text_columns(_sites_part(_points_meta(analyzed), names, {}).iloc[:0])
    return analyzed.map_partitions(
        _sites_part, names, meta.dtypes.to_dict(), meta=meta, align_dataframes=False
    )


def _partial_summary(part: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    table = proximity.summarize(part, keys)
    for key in keys:
        table[key] = table[key].astype(object).where(table[key].notna(), None)
    return table


def summarize(analyzed: dd.DataFrame, by: str | Sequence[str] = ("zone", "side")) -> dd.DataFrame:
    """Events and fatalities per group, aggregated by Dask across partitions.

    Each partition is reduced by :func:`geo.proximity.summarize`; a Dask
    groupby-sum (a tree reduction) combines those small tables, so no node
    ever holds more than a few partial tables.

    Parameters
    ----------
    analyzed : dask.dataframe.DataFrame
        Output of :func:`analyze`.
    by : str or sequence of str
        Grouping columns.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy; the grouping columns, ``events`` and ``fatalities``. Compute it
        and pass it to :func:`order_summary` for the local engine's row order.
    """
    keys = [by] if isinstance(by, str) else list(by)
    missing = [k for k in keys if k not in analyzed.columns]
    if missing:
        raise InputError(
            "summary", None, missing[0], f"no such column; have {list(analyzed.columns)}"
        )
    meta = pd.DataFrame(
        {
            **{k: pd.Series(dtype=object) for k in keys},
            "events": pd.Series(dtype="int64"),
            "fatalities": pd.Series(dtype="int64"),
        }
    )
    parts = analyzed.map_partitions(_partial_summary, keys, meta=meta, align_dataframes=False)
    grouped = parts.groupby(keys, dropna=False, sort=False)[["events", "fatalities"]].sum()
    return grouped.reset_index()


def order_summary(
    table: pd.DataFrame, zones_km: Sequence[float] = DEFAULT_ZONES_KM
) -> pd.DataFrame:
    """Sort a computed summary as the local engine does (zones innermost first).

    Examples
    --------
    >>> t = pd.DataFrame({"zone": [">100 km", "0-10 km"], "events": [1, 2]})
    >>> order_summary(t)["zone"].tolist()
    ['0-10 km', '>100 km']
    """
    table = table.copy()
    keys = [c for c in table.columns if c not in ("events", "fatalities")]
    if "zone" in table:
        table["zone"] = pd.Categorical(
            table["zone"], categories=zone_labels(zones_km), ordered=True
        )
    return table.sort_values(keys, na_position="last", kind="stable").reset_index(drop=True)


# --- reading event files, one partition per file ---------------------------------


def expand_events(source: str | Path) -> list[Path]:
    """Files behind ``--events``: a file, a folder of Parquet files, or a glob.

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


@dataclass
class _ReadOptions:
    fmt: str | None = None
    lat_col: str | None = None
    lon_col: str | None = None
    id_col: str | None = None
    strict: bool = False


def _read_file(path: str, label: str | None, opts: _ReadOptions):
    from geo.events import read_events as read_one

    with _relay():
        table = read_one(
            path,
            fmt=opts.fmt,
            lat_col=opts.lat_col,
            lon_col=opts.lon_col,
            id_col=opts.id_col,
            strict=opts.strict,
        )
    if label is not None:
        table.events.insert(0, SOURCE_COLUMN, label)
        table.rejects.insert(0, SOURCE_COLUMN, label)
    return table


def _events_of(table, dtypes: dict[str, Any]) -> gpd.GeoDataFrame:
    return _conform(table.events, dtypes)


def _sample_file(path: Path, folder: Path, rows: int = 64) -> Path:
    """Copy the first rows of an event file, in its format, to learn the output schema."""
    target = folder / f"sample{path.suffix}"
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic == b"PAR1":
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)
        batch = next(pf.iter_batches(batch_size=rows), None)
        schema = pf.schema_arrow
        import pyarrow as pa

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


@dataclass
class EventDataset:
    """Checked events of many files, lazily: the dask frame plus per-file tables.

    Attributes
    ----------
    events : dask_geopandas.GeoDataFrame
        Valid rows, one partition per file.
    tables : list of dask.delayed.Delayed
        Each file's :class:`geo.events.EventTable` (same graph keys as ``events``).
    files : list of pathlib.Path
    """

    events: dask_geopandas.GeoDataFrame
    tables: list
    files: list[Path]


def read_events(
    source: str | Path,
    *,
    fmt: str | None = None,
    lat_col: str | None = None,
    lon_col: str | None = None,
    id_col: str | None = None,
    strict: bool = False,
) -> EventDataset:
    """Read and check event files lazily, one partition per file.

    Every file is checked on a worker by :func:`geo.events.read_events`,
    the reader of the local engine, so rows are kept or rejected for the same
    reasons; ``row`` counts data rows within each file and duplicate ids are
    looked for within each file, as the local engine does. With more than one
    file, events and rejects start with a ``source_file`` column.

    Parameters
    ----------
    source : str or path
        See :func:`expand_events`.
    fmt, lat_col, lon_col, id_col, strict
        As for :func:`geo.events.read_events`.

    Returns
    -------
    EventDataset
    """
    import tempfile

    from geo.events import read_events as read_one

    files = expand_events(source)
    opts = _ReadOptions(fmt, lat_col, lon_col, id_col, strict)
    base = Path(source) if Path(source).is_dir() else None
    labels = (
        [None] * len(files)
        if len(files) == 1
        else [str(f.relative_to(base)) if base is not None else str(f) for f in files]
    )
    with tempfile.TemporaryDirectory() as folder:
        sample = read_one(
            _sample_file(files[0], Path(folder)),
            fmt=fmt,
            lat_col=lat_col,
            lon_col=lon_col,
            id_col=id_col,
        ).events
    if labels[0] is not None:
        sample.insert(0, SOURCE_COLUMN, labels[0])
    meta = sample.iloc[:0]
    dtypes = meta.dtypes.to_dict()
    read = dask.delayed(_read_file, pure=True)
    tables = [
        read(str(f), label, opts, dask_key_name=f"bordermap-read-{tokenize(str(f), label, opts)}")
        for f, label in zip(files, labels, strict=True)
    ]
    parts = [dask.delayed(_events_of, pure=True)(t, dtypes) for t in tables]
    frame = dd.from_delayed(parts, meta=meta, verify_meta=False)
    return EventDataset(events=frame, tables=tables, files=files)


# --- the CLI run: read, check, analyse, summarise and write ----------------------


_STATS_META = pd.DataFrame(
    {
        "rows": pd.Series(dtype="int64"),
        "kept": pd.Series(dtype="int64"),
        "rejected": pd.Series(dtype="int64"),
        "errors": pd.Series(dtype="str"),
        "warnings": pd.Series(dtype="str"),
    }
)


def _file_stats(table, rejects_part: str | None) -> pd.DataFrame:
    """One row of counts per file; writes the file's rejects CSV when asked."""
    if rejects_part is not None:
        table.rejects.to_csv(rejects_part, index=False)
    problems = table.problems
    errors = problems[problems["severity"] == "error"].drop_duplicates("row")
    warnings = problems[problems["severity"] == "warning"]
    return pd.DataFrame(
        {
            "rows": [int(table.rows_read)],
            "kept": [len(table.events)],
            "rejected": [len(table.rejects)],
            # JSON text: dask may turn object columns into Arrow strings
            "errors": [json.dumps(Counter(errors["kind"].tolist()))],
            "warnings": [json.dumps(Counter(warnings["kind"].tolist()))],
        }
    )


def _merge_csv_parts(parts: list[Path], target: Path) -> None:
    """Concatenate per-partition CSVs (each with a header) into one, in bounded memory."""
    columns: list[str] = []
    for part in parts:
        for col in pd.read_csv(part, nrows=0, dtype=str).columns:
            if col not in columns:
                columns.append(col)
    with open(target, "w", encoding="utf-8", newline="") as out:
        pd.DataFrame(columns=columns).to_csv(out, index=False)
        for part in parts:
            frame = pd.read_csv(part, dtype=str, keep_default_na=False)
            if list(frame.columns) != columns:
                frame = frame.reindex(columns=columns, fill_value="")
            frame.to_csv(out, index=False, header=False)


def _replace_dir(tmp: Path, target: Path) -> None:
    """Move a finished folder over ``target``; an old ``target`` is removed after."""
    old = None
    if target.exists():
        old = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
        os.replace(target, old)
    os.replace(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink()


@dataclass
class DatasetRun:
    """What :func:`run` did: counts, summaries and where the outputs are.

    Attributes
    ----------
    files : int
        Input files (partitions).
    rows, kept, rejected : int
        Rows read; ``rows == kept + rejected``.
    errors, warnings : collections.Counter
        Rejected rows per problem kind; warnings per kind.
    summaries : dict
        Computed summaries keyed by their grouping columns.
    out : pathlib.Path
        The GeoParquet dataset.
    rejects : pathlib.Path or None
    border_label : str
    border_km : float
    workers : int
    """

    files: int
    rows: int
    kept: int
    rejected: int
    errors: Counter
    warnings: Counter
    summaries: dict[tuple[str, ...], pd.DataFrame]
    out: Path
    rejects: Path | None
    border_label: str
    border_km: float
    workers: int = 0
    partitions: list[str] = field(default_factory=list)

    def summary_line(self, source: str) -> str:
        """Return the one-line ingest summary, worded as the local engine's."""
        text = f"{source}: {self.rows} rows read, {self.kept} kept, {self.rejected} rejected"
        if self.rejected:
            text += " (" + ", ".join(f"{n} {k}" for k, n in self.errors.most_common()) + ")"
        if self.warnings:
            text += (
                f"; {sum(self.warnings.values())} warnings ("
                + ", ".join(f"{n} {k}" for k, n in self.warnings.most_common())
                + ")"
            )
        if self.rejects is not None and self.rejected:
            text += f"; rejects in {self.rejects}"
        elif self.rejected:
            text += "; add --rejects PATH to keep them"
        return text


def run(
    source: str | Path,
    out: Path,
    *,
    border: gpd.GeoDataFrame | None = None,
    border_label: str | None = None,
    pair: str = "IRN-PAK",
    zones_km: Sequence[float] = DEFAULT_ZONES_KM,
    sites: Sequence[str] = ("Chabahar", "Gwadar Port"),
    rejects: Path | None = None,
    overwrite: bool = False,
    fmt: str | None = None,
    lat_col: str | None = None,
    lon_col: str | None = None,
    id_col: str | None = None,
    strict: bool = False,
) -> DatasetRun:
    """Analyse event files on the current Dask scheduler and write a GeoParquet dataset.

    One Dask computation reads and checks each file, analyses it, writes it
    as ``out/part.<i>.parquet``, writes its rejects and feeds the summaries;
    the outputs appear only when everything succeeded.

    Parameters
    ----------
    source : str or path
        See :func:`expand_events`.
    out : pathlib.Path
        Folder of the output dataset; refused if it exists unless ``overwrite``.
    border, pair, zones_km
        As for :func:`geo.proximity.analyze`.
    border_label : str, optional
        Name of the border in the report (default: ``pair``).
    sites : sequence of str
        Gazetteer places to measure every event to.
    rejects : pathlib.Path, optional
        CSV of every rejected row with its reason.
    overwrite : bool
        Replace ``out`` and ``rejects``.
    fmt, lat_col, lon_col, id_col, strict
        As for :func:`geo.events.read_events`.

    Returns
    -------
    DatasetRun
    """
    from geo.geodesy import line_length_km

    for target in (out, rejects):
        if target is not None and target.exists() and not overwrite:
            raise OutputExistsError(str(target))
    zones_km = parse_zones(list(zones_km))
    if border is None:
        line = layers.border(pair).geometry.iloc[0]
    else:
        line = shapely.line_merge(shapely.union_all(border.to_crs("EPSG:4326").geometry))
    data = read_events(
        source, fmt=fmt, lat_col=lat_col, lon_col=lon_col, id_col=id_col, strict=strict
    )
    analyzed = analyze(data.events, border, pair=pair, zones_km=zones_km)
    analyzed = site_distances(analyzed, list(sites))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{uuid.uuid4().hex[:8]}"
    parts_dir = None
    try:
        write = analyzed.to_parquet(str(tmp), compute=False, write_index=False)
        if rejects is not None:
            parts_dir = rejects.parent / f".{rejects.name}.parts-{uuid.uuid4().hex[:8]}"
            parts_dir.mkdir(parents=True)
        stats = dd.from_delayed(
            [
                dask.delayed(_file_stats, pure=True)(
                    t, None if parts_dir is None else str(parts_dir / f"part.{i:05d}.csv")
                )
                for i, t in enumerate(data.tables)
            ],
            meta=_STATS_META,
            verify_meta=False,
        )
        summaries = [summarize(analyzed, keys) for keys in _SUMMARY_KEYS]
        # one computation, so each file is read and analysed once for every output
        _, stats, *tables = dask.compute(write, stats, *summaries)
        if rejects is not None:
            from geo.atomic import atomic_path

            with atomic_path(rejects) as target:
                _merge_csv_parts(sorted(parts_dir.glob("part.*.csv")), target)
        _replace_dir(tmp, out)
    finally:
        for folder in (tmp, parts_dir):
            if folder is not None and folder.exists():
                shutil.rmtree(folder, ignore_errors=True)
    totals = {k: int(stats[k].sum()) for k in ("rows", "kept", "rejected")}
    client = _client()
    return DatasetRun(
        files=len(data.files),
        rows=totals["rows"],
        kept=totals["kept"],
        rejected=totals["rejected"],
        errors=sum((Counter(json.loads(t)) for t in stats["errors"]), Counter()),
        warnings=sum((Counter(json.loads(t)) for t in stats["warnings"]), Counter()),
        summaries={
            k: order_summary(t, zones_km) for k, t in zip(_SUMMARY_KEYS, tables, strict=True)
        },
        out=out,
        rejects=rejects,
        border_label=border_label or pair,
        border_km=float(line_length_km(line)),
        workers=len(client.scheduler_info(n_workers=-1)["workers"]) if client is not None else 0,
        partitions=sorted(p.name for p in out.glob("*.parquet")),
    )


@contextlib.contextmanager
def connect(
    scheduler: str | None = None, *, workers: int | None = None, processes: bool = True
) -> Iterator[Any]:
    """Connect to ``scheduler``, or to a new LocalCluster on this machine.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler, e.g. ``tcp://10.0.0.5:8786``.
    workers : int, optional
        LocalCluster workers (default: one per CPU this process may use),
        one thread each: the kernel runs one partition at a time per
        process, so parallelism comes from processes.
    processes : bool
        LocalCluster workers as processes (False: threads in this process).

    Yields
    ------
    distributed.Client
        Also the default client while the block runs.

    Raises
    ------
    BordermapError
        When the scheduler cannot be reached.
    """
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise BordermapError(
                f"cannot reach the Dask scheduler at {scheduler}: "
                f"{' '.join(str(exc).split())[:160]}"
            ) from None
        with client:
            yield client
        return
    n = workers or len(os.sched_getaffinity(0))
    with (
        LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=":0",
            silence_logs=40,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client
