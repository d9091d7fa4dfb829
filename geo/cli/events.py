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
@options.read_options
@options.report_format_opt
@options.out_opt
@options.overwrite_opt
@options.quiet_opt
@click.pass_context
def check(
    ctx: click.Context,
    file: Path,
    read_options,
    fmt: str,
    out: Path | None,
    overwrite: bool,
    quiet: bool,
) -> None:
    """Report every problem in FILE with its row number and event id.

    Exit status: 0 no problems, 1 problems found or no events kept, 2 unreadable file.
    """
    from geo.io.atomic import check_distinct_outputs, check_out
    from geo.io.progress import Progress
    from geo.io.report import check_file, render_check

    check_distinct_outputs(FILE=file, out=out)
    check_out(out, overwrite)
    size = file.stat().st_size if file.is_file() else None
    with Progress(size, quiet=quiet, label="check") as bar:
        report = check_file(file, read_options, on_chunk=bar.update)
    text = options.dumps_json(report) if fmt == "json" else render_check(report)
    options.emit(text, out, overwrite=overwrite)
    if report["problems"] or report["kept"] == 0:
        ctx.exit(1)
