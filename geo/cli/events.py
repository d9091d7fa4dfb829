"""``bordermap events check``: every problem in an event file, by row, grouped by kind."""

from __future__ import annotations

from pathlib import Path

import click

from geo.cli import options

__all__ = ["events"]


@click.group()
def events() -> None:
    """Read and check event files (ACLED, UCDP, CSV, GeoJSON, GeoPackage, GeoParquet...)."""


@events.command("check")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--events-format",
    type=click.Choice(["auto", *options.EVENT_FORMATS]),
    default="auto",
    show_default=True,
    help="Force the format instead of detecting it.",
)
@click.option("--lat-col", default=None, help="Latitude column (default: detected).")
@click.option("--lon-col", default=None, help="Longitude column (default: detected).")
@click.option("--id-col", default=None, help="Event id column (default: detected).")
@options.report_format_opt
@options.out_opt
@options.overwrite_opt
@click.pass_context
def check(
    ctx: click.Context,
    file: Path,
    events_format: str,
    lat_col: str | None,
    lon_col: str | None,
    id_col: str | None,
    fmt: str,
    out: Path | None,
    overwrite: bool,
) -> None:
    """Report every problem in FILE with its row number and event id.

    Exit status: 0 no problems, 1 problems found, 2 unreadable file.
    """
    from geo.io.atomic import check_out
    from geo.io.options import ReadOptions
    from geo.io.report import check_file, render_check

    check_out(out, overwrite)
    read = ReadOptions(fmt=events_format, lat_col=lat_col, lon_col=lon_col, id_col=id_col)
    report = check_file(file, read)
    text = options.dumps_json(report) if fmt == "json" else render_check(report)
    options.emit(text, out, overwrite=overwrite)
    if report["problems"]:
        ctx.exit(1)
