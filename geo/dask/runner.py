"""One dask run for the CLI: read, check, analyse, summarise and write a folder.

:func:`run` reads event files (:func:`geo.dask.dataset.read_dataset`),
analyses them against a theatre (:func:`geo.dask.partitions.analyze`) and
writes a partitioned GeoParquet dataset and a rejects CSV atomically, in one
Dask computation; :class:`DatasetRun` says what it did.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import dask
import dask.dataframe as dd
import pandas as pd

from geo import proximity
from geo.dask.cluster import compute
from geo.dask.dataset import EventDataset, read_dataset
from geo.dask.outputs import merge_csv_parts, remove_stale, replace_dir, temp_dir
from geo.dask.partitions import analyze, order_summary, site_distances, strike_rows, summarize
from geo.dask.workers import active_client
from geo.io.atomic import atomic_path, check_distinct_outputs, check_out, signals_raise
from geo.io.events import EventTable
from geo.io.options import ReadOptions
from geo.io.results import ProblemTally
from geo.theatre import Theatre, as_theatre

__all__ = ["DatasetRun", "run"]

#: Summaries every run computes, by their grouping columns.
SUMMARY_KEYS = (("zone", "side"), ("province_iso3", "province"))

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
    parts : int
        Partitions read (a large delimited file gives several).
    strike_pairs : pandas.DataFrame
        :func:`geo.proximity.strike_pairs` of every analysed event.
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
    parts: int = 0
    strike_pairs: pd.DataFrame = field(default_factory=pd.DataFrame)

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
) -> tuple[pd.DataFrame, list[pd.DataFrame], pd.DataFrame]:
    """Write the dataset to ``tmp`` and the rejects parts; return stats, summaries, strike pairs."""
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
    # one computation, so each part is read and analysed once for every output
    _, stats, strikes, *tables = compute(write, stats, strike_rows(analyzed), *summaries)
    return stats, tables, proximity.strike_pairs(strikes)


def _write(data: EventDataset, analyzed, out: Path, rejects: Path | None, overwrite: bool):
    """Compute everything into temporary folders, then move the outputs into place."""
    out.parent.mkdir(parents=True, exist_ok=True)
    for target in (out, rejects):
        if target is not None:
            remove_stale(target)
    tmp = temp_dir(out, "tmp")
    parts_dir = None
    try:
        if rejects is not None:
            parts_dir = temp_dir(rejects, "parts")
            parts_dir.mkdir(parents=True)
        stats, tables, pairs = _compute(data, analyzed, tmp, parts_dir)
        if rejects is not None:
            with atomic_path(rejects, overwrite=overwrite) as target:
                merge_csv_parts(sorted(parts_dir.glob("part.*.csv")), target)
        replace_dir(tmp, out, overwrite)
    finally:
        for folder in (tmp, parts_dir):
            if folder is not None and folder.exists():
                shutil.rmtree(folder, ignore_errors=True)
    return stats, tables, pairs


def run(
    source: str | Path,
    out: str | Path,
    theatre: Theatre | str | None = None,
    *,
    options: ReadOptions | None = None,
    rejects: str | Path | None = None,
    overwrite: bool = False,
    blocksize: int | str | None = None,
) -> DatasetRun:
    """Analyse event files on the current Dask scheduler and write a GeoParquet dataset.

    One Dask computation reads and checks each part (a file, or a byte range
    of a large one), analyses it, writes it as ``out/part.<i>.parquet``,
    writes its rejects and feeds the summaries and the strike pairs; the
    outputs appear only when everything succeeded.

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
    blocksize : int or str, optional
        Bytes per partition of a large delimited file
        (:func:`geo.dask.dataset.plan_parts`).

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
    check_distinct_outputs(out=out, rejects=rejects)
    for target in (out, rejects):
        check_out(target, overwrite)
    theatre = as_theatre(theatre)
    data = read_dataset(source, options, blocksize=blocksize)
    analyzed = site_distances(analyze(data.events, theatre), theatre.sites)
    with signals_raise():
        stats, tables, pairs = _write(data, analyzed, out, rejects, overwrite)
    client = active_client()
    return DatasetRun(
        files=len(data.files),
        parts=len(data.parts),
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
        strike_pairs=pairs,
    )
