"""One dask run for the CLI: read, check, analyse, summarise and write a folder.

:func:`run` reads event files (:func:`geo.dask.dataset.read_dataset`),
analyses them against a theatre (:func:`geo.dask.partitions.analyze`) and
writes a partitioned GeoParquet dataset and a rejects CSV atomically, in one
Dask computation; :class:`DatasetRun` says what it did. :func:`connect`
opens the cluster it runs on.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dask
import dask.dataframe as dd
import pandas as pd

from geo.dask.dataset import EventDataset, read_dataset
from geo.dask.partitions import analyze, order_summary, site_distances, summarize
from geo.dask.workers import active_client
from geo.errors import BordermapError
from geo.io.atomic import atomic_path, check_out
from geo.io.events import EventTable
from geo.io.options import ReadOptions
from geo.io.results import ProblemTally
from geo.theatre import Theatre, as_theatre

__all__ = ["DatasetRun", "connect", "run"]

#: Summaries every run computes, by their grouping columns.
SUMMARY_KEYS = (("zone", "side"), ("admin1_iso3", "admin1"))

_STATS_META = pd.DataFrame(
    {
        "rows": pd.Series(dtype="int64"),
        "kept": pd.Series(dtype="int64"),
        "rejected": pd.Series(dtype="int64"),
        "errors": pd.Series(dtype="str"),
        "warnings": pd.Series(dtype="str"),
    }
)


def _file_stats(table: EventTable, rejects_part: str | None) -> pd.DataFrame:
    """One row of counts per file; writes the file's rejects CSV when asked."""
    if rejects_part is not None:
        table.rejects.to_csv(rejects_part, index=False)
    tally = ProblemTally()
    tally.add(table.problems)
    return pd.DataFrame(
        {
            "rows": [int(table.rows_read)],
            "kept": [len(table.events)],
            "rejected": [len(table.rejects)],
            # JSON text: dask may turn object columns into Arrow strings
            "errors": [json.dumps(tally.rejected)],
            "warnings": [json.dumps(tally.warnings)],
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


def _counts(texts: pd.Series) -> Counter:
    """Sum the per-file JSON tallies of problem kinds."""
    return sum((Counter(json.loads(t)) for t in texts), Counter())


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
        The theatre's ``pair``.
    border_km : float
        The theatre's ``length_km``.
    workers : int
    partitions : list of str
        File names in ``out``.
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
        """Return the one-line ingest summary, worded as the local engine's.

        Examples
        --------
        >>> done = DatasetRun(
        ...     1, 3, 2, 1, Counter(bad_date=1), Counter(), {}, Path("out"), None, "IRN-PAK", 900.0
        ... )
        >>> done.summary_line("e.csv")
        'e.csv: 3 rows read, 2 kept, 1 rejected (1 bad_date); add --rejects PATH to keep them'
        """
        tally = ProblemTally()
        tally.rejected, tally.warnings = dict(self.errors), dict(self.warnings)
        text = tally.summary(source, self.rows, self.kept)
        if self.rejects is not None and self.rejected:
            text += f"; rejects in {self.rejects}"
        elif self.rejected:
            text += "; add --rejects PATH to keep them"
        return text


def _compute(
    data: EventDataset, analyzed, tmp: Path, parts_dir: Path | None
) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """Write the dataset to ``tmp`` and the rejects parts; return file stats and summaries."""
    write = analyzed.to_parquet(str(tmp), compute=False, write_index=False)
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
    summaries = [summarize(analyzed, keys) for keys in SUMMARY_KEYS]
    # one computation, so each file is read and analysed once for every output
    _, stats, *tables = dask.compute(write, stats, *summaries)
    return stats, tables


def _write(data: EventDataset, analyzed, out: Path, rejects: Path | None):
    """Compute everything into temporary folders, then move the outputs into place."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{uuid.uuid4().hex[:8]}"
    parts_dir = None
    try:
        if rejects is not None:
            parts_dir = rejects.parent / f".{rejects.name}.parts-{uuid.uuid4().hex[:8]}"
            parts_dir.mkdir(parents=True)
        stats, tables = _compute(data, analyzed, tmp, parts_dir)
        if rejects is not None:
            with atomic_path(rejects) as target:
                _merge_csv_parts(sorted(parts_dir.glob("part.*.csv")), target)
        _replace_dir(tmp, out)
    finally:
        for folder in (tmp, parts_dir):
            if folder is not None and folder.exists():
                shutil.rmtree(folder, ignore_errors=True)
    return stats, tables


def run(
    source: str | Path,
    out: str | Path,
    theatre: Theatre | str | None = None,
    *,
    options: ReadOptions | None = None,
    rejects: str | Path | None = None,
    overwrite: bool = False,
) -> DatasetRun:
    """Analyse event files on the current Dask scheduler and write a GeoParquet dataset.

    One Dask computation reads and checks each file, analyses it, writes it
    as ``out/part.<i>.parquet``, writes its rejects and feeds the summaries;
    the outputs appear only when everything succeeded.

    Parameters
    ----------
    source : str or path
        See :func:`geo.dask.dataset.expand_events`.
    out : path
        Folder of the output dataset; refused if it exists unless ``overwrite``.
    theatre : Theatre or str, optional
        The border, zones and sites (every event is measured to each site);
        the default theatre if None.
    options : ReadOptions, optional
        How to read each file, as for :func:`geo.io.events.read_events`.
    rejects : path, optional
        CSV of every rejected row with its reason.
    overwrite : bool
        Replace ``out`` and ``rejects``.

    Returns
    -------
    DatasetRun

    Raises
    ------
    OutputExistsError
        When ``out`` or ``rejects`` exists and ``overwrite`` is false.
    """
    out = Path(out)
    rejects = None if rejects is None else Path(rejects)
    for target in (out, rejects):
        check_out(target, overwrite)
    theatre = as_theatre(theatre)
    data = read_dataset(source, options)
    analyzed = site_distances(analyze(data.events, theatre), theatre.sites)
    stats, tables = _write(data, analyzed, out, rejects)
    client = active_client()
    return DatasetRun(
        files=len(data.files),
        rows=int(stats["rows"].sum()),
        kept=int(stats["kept"].sum()),
        rejected=int(stats["rejected"].sum()),
        errors=_counts(stats["errors"]),
        warnings=_counts(stats["warnings"]),
        summaries={
            k: order_summary(t, theatre.zones_km) for k, t in zip(SUMMARY_KEYS, tables, strict=True)
        },
        out=out,
        rejects=rejects,
        border_label=theatre.pair,
        border_km=theatre.length_km,
        workers=len(client.scheduler_info(n_workers=-1)["workers"]) if client is not None else 0,
        partitions=sorted(p.name for p in out.glob("*.parquet")),
    )


@contextlib.contextmanager
def connect(
    scheduler: str | None = None, *, workers: int | None = None, processes: bool = True
) -> Iterator[Any]:
    """Connect to ``scheduler``, or to a new LocalCluster on this machine.

    dask's ``distributed`` is imported here, not at the top, so that reading
    and analysing with the threaded scheduler never loads it.

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
