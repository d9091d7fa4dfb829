"""``bordermap analyze --engine dask``: the click side of :mod:`geo.dask`.

Plain options for a command to declare (:data:`engine_opt`,
:data:`scheduler_opt`, and :data:`engine_out_opt`, an ``--out`` that may
name a folder), :func:`check_local` for the local engine, and
:func:`run_dask`, which connects to the cluster, runs the analysis and
prints the report. ``geo.dask`` loads its modules, and dask, only when
:func:`run_dask` runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

import geo.dask
from geo.cli.options import dash_is_stdout
from geo.io.atomic import check_out
from geo.io.options import ReadOptions
from geo.io.report import strike_pairs_text, summary_text
from geo.io.results import NoEventsError, counted

if TYPE_CHECKING:  # pandas and geo.theatre (geopandas) load slowly; keep `--help` quick
    from geo.theatre import Theatre

__all__ = [
    "ENGINES",
    "check_local",
    "engine_opt",
    "engine_out_opt",
    "render_report",
    "run_dask",
    "scheduler_opt",
]

ENGINES = ("local", "dask")

engine_opt = click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="local",
    show_default=True,
    help="local: stream chunks in this process. dask: partitions on a Dask cluster (a "
    "large CSV is cut at row boundaries); --events may be a folder or a quoted glob of "
    "CSV/GeoParquet files, and --out is a folder that receives a partitioned GeoParquet "
    "dataset.",
)
scheduler_opt = click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Dask scheduler to use, e.g. tcp://10.0.0.5:8786 (default: a LocalCluster "
    "on this machine); it must answer within 10 s (DASK_BORDERMAP__CONNECT_TIMEOUT). "
    "Needs --engine dask.",
)
engine_out_opt = click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    callback=dash_is_stdout,
    help="Write to this file (--engine local; - for standard output) or folder (--engine dask).",
)


#: Names of one file, which the dataset's folder must not take (``x.parquet`` is a usual folder).
_FILE_SUFFIXES = frozenset(
    ".csv .tsv .txt .json .geojson .gpkg .fgb .shp .xlsx .xls .html .htm .zip .gz".split()
)


def check_local(scheduler: str | None, out: Path | None) -> None:
    """Refuse the dask-only choices with ``--engine local``.

    Parameters
    ----------
    scheduler : str or None
        ``--scheduler``: only the dask engine has one.
    out : pathlib.Path or None
        ``--out``: the local engine writes one file, not a folder.

    Raises
    ------
    click.BadParameter
    """
    if scheduler is not None:
        raise click.BadParameter("needs --engine dask", param_hint="--scheduler")
    if out is not None and out.is_dir():
        raise click.BadParameter(
            f"{out} is a folder; --engine local writes one file", param_hint="--out"
        )


def render_report(result) -> str:
    """Render what ``--engine dask`` prints: totals, where the data went, the summaries.

    Parameters
    ----------
    result : geo.dask.DatasetRun

    Returns
    -------
    str
    """
    titles = {("zone", "side"): "zone and side", ("province_iso3", "province"): "province"}
    where = f"{result.workers} Dask workers" if result.workers else "the Dask scheduler"
    parts = f" in {result.parts:,} partitions" if result.parts > result.files else ""
    lines = [
        f"Border {result.border_label}: {result.border_km:.1f} km (geodesic, WGS84); "
        f"{result.kept:,} events from {result.files:,} file(s){parts} on {where}",
        f"wrote {counted(len(result.partitions), 'GeoParquet partition')} to {result.out}",
    ]
    for keys, frame in result.summaries.items():
        lines += [
            "",
            f"Events and fatalities by {titles.get(keys, ', '.join(keys))}",
            summary_text(frame),
        ]
    return "\n".join(lines) + "\n" + strike_pairs_text(result.strike_pairs)


def run_dask(
    scheduler: str | None,
    *,
    theatre: Theatre,
    events: Path | None,
    read_options: ReadOptions,
    rejects: Path | None,
    fmt: str,
    out: Path | None,
    overwrite: bool,
    quiet: bool,
) -> None:
    """Run ``analyze`` on Dask: check options, connect, analyse, report.

    Parameters
    ----------
    scheduler : str or None
        ``--scheduler``; None starts a LocalCluster.
    theatre : geo.theatre.Theatre
        Built once from ``--pair``/``--border``, ``--zones`` and ``--sites``.
    events, read_options, rejects
        What :func:`geo.cli.options.event_options` gives the command;
        ``events`` may be a file, a folder of Parquet files or a glob.
    fmt, out, overwrite, quiet
        ``--format`` (only ``table``, the report), ``--out`` (required, a
        folder), ``--overwrite``, ``--quiet``.

    Raises
    ------
    click.UsageError
        Without ``--events`` or ``--out``.
    click.BadParameter
        For a ``--format`` other than ``table``.
    """
    if events is None:
        raise click.UsageError("--engine dask needs --events (a file, folder or quoted glob)")
    if out is None:
        raise click.UsageError("--engine dask needs --out DIR for the GeoParquet dataset")
    if fmt != "table":
        raise click.BadParameter(
            "--engine dask writes GeoParquet to --out and prints a table", param_hint="--format"
        )
    if out.suffix.lower() in _FILE_SUFFIXES:
        raise click.BadParameter(
            f"{out}: --engine dask writes a folder of GeoParquet partitions, not a "
            f"{out.suffix} file; name a folder (such as {out.with_suffix('')}/)",
            param_hint="--out",
        )
    for target in (out, rejects):  # before a cluster starts
        check_out(target, overwrite)
    with geo.dask.connect(scheduler):
        result = geo.dask.run(
            events, out, theatre, options=read_options, rejects=rejects, overwrite=overwrite
        )
    if result.kept == 0:  # as the local engine: no event to report on is a failure
        raise NoEventsError(result.summary_line(str(events)))
    if not quiet:
        click.echo(result.summary_line(str(events)), err=True)
    click.echo(render_report(result), nl=False)
