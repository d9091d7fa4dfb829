"""``bordermap analyze --engine dask``: the click side of :mod:`geo.distributed`.

:data:`engine_options` adds ``--engine`` and ``--scheduler`` to a command
that already has ``--events`` and ``--out``, and lets those two name what the
dask engine reads and writes: a glob or a folder for ``--events``, a folder
for ``--out``. :func:`run_dask` connects to the cluster, runs the analysis and
prints the report. dask is imported only when ``--engine dask`` is chosen.
"""

from __future__ import annotations

import functools
from pathlib import Path

import click
import pandas as pd

__all__ = ["ENGINES", "engine_options", "render_report", "run_dask"]

ENGINES = ("local", "dask")


def engine_options(func):
    """Add ``--engine local|dask`` and ``--scheduler ADDRESS`` to a command.

    Apply it below ``@click.command()`` and above ``@event_options`` and the
    ``--out`` option: it relaxes their path checks (a glob or folder of
    events, a folder to write), and restores the one-file rule for ``--out``
    with ``--engine local``.
    """
    for param in getattr(func, "__click_params__", []):
        if param.name == "events":
            param.type = click.Path(path_type=Path)  # globs do not exist as paths
        elif param.name == "out":
            param.type = click.Path(path_type=Path)
            param.help = "Write to this file (--engine local) or folder (--engine dask)."

    @functools.wraps(func)
    def checked(*args, engine: str, scheduler: str | None, **kwargs):
        out = kwargs.get("out")
        if engine == "local" and out is not None and out.is_dir():
            raise click.BadParameter(
                f"{out} is a folder; --engine local writes one file", param_hint="--out"
            )
        if engine == "local" and scheduler is not None:
            raise click.BadParameter("needs --engine dask", param_hint="--scheduler")
        return func(*args, engine=engine, scheduler=scheduler, **kwargs)

    checked = click.option(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="Dask scheduler to use, e.g. tcp://10.0.0.5:8786 (default: a LocalCluster "
        "on this machine). Needs --engine dask.",
    )(checked)
    return click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default="local",
        show_default=True,
        help="local: stream chunks in this process. dask: one partition per file on a Dask "
        "cluster; --events may be a folder or a quoted glob of CSV/GeoParquet files, and "
        "--out is a folder that receives a partitioned GeoParquet dataset.",
    )(checked)


def _table(frame: pd.DataFrame) -> str:
    shown = frame.copy()
    for col in shown.columns:
        if col not in ("events", "fatalities"):
            shown[col] = shown[col].astype(object).where(shown[col].notna(), "-")
    return shown.to_string(index=False)


def render_report(result) -> str:
    """Render what ``--engine dask`` prints: totals, where the data went, the summaries.

    Parameters
    ----------
    result : geo.distributed.DatasetRun

    Returns
    -------
    str
    """
    titles = {("zone", "side"): "zone and side", ("admin1_iso3", "admin1"): "province"}
    where = f"{result.workers} Dask workers" if result.workers else "the Dask scheduler"
    lines = [
        f"Border {result.border_label}: {result.border_km:.1f} km (geodesic, WGS84); "
        f"{result.kept:,} events from {result.files:,} file(s) on {where}",
        f"wrote {len(result.partitions):,} GeoParquet partitions to {result.out}",
    ]
    for keys, frame in result.summaries.items():
        lines += [
            "",
            f"Events and fatalities by {titles.get(keys, ', '.join(keys))}",
            _table(frame),
        ]
    return "\n".join(lines) + "\n"


def run_dask(
    scheduler: str | None,
    *,
    border,
    label: str,
    pair: str,
    zones_km,
    sites: list[str],
    fmt: str,
    out: Path | None,
    overwrite: bool,
    quiet: bool,
    events: Path | None = None,
    events_format: str | None = "auto",
    lat_col: str | None = None,
    lon_col: str | None = None,
    id_col: str | None = None,
    rejects: Path | None = None,
    strict: bool = False,
    **_ignored,
) -> None:
    """Run ``analyze`` on Dask: check options, connect, analyse, report.

    Parameters
    ----------
    scheduler : str or None
        ``--scheduler``; None starts a LocalCluster.
    border, label, pair, zones_km, sites
        The parsed ``--border``/``--pair``, ``--zones`` and ``--sites``.
    fmt, out, overwrite, quiet
        ``--format`` (only ``table``, the report), ``--out`` (required, a
        folder), ``--overwrite``, ``--quiet``.
    events, events_format, lat_col, lon_col, id_col, rejects, strict
        The event options.
    **_ignored
        Other options of the command.
    """
    if events is None:
        raise click.UsageError("--engine dask needs --events (a file, folder or quoted glob)")
    if out is None:
        raise click.UsageError("--engine dask needs --out DIR for the GeoParquet dataset")
    if fmt != "table":
        raise click.BadParameter(
            "--engine dask writes GeoParquet to --out and prints a table", param_hint="--format"
        )
    from geo import distributed

    with distributed.connect(scheduler):
        result = distributed.run(
            events,
            out,
            border=border,
            border_label=label,
            pair=pair,
            zones_km=zones_km,
            sites=sites,
            rejects=rejects,
            overwrite=overwrite,
            fmt=None if events_format in (None, "auto") else events_format,
            lat_col=lat_col,
            lon_col=lon_col,
            id_col=id_col,
            strict=strict,
        )
    if not quiet:
        click.echo(result.summary_line(str(events)), err=True)
    click.echo(render_report(result), nl=False)
