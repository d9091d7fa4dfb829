"""``bordermap analyze``: proximity of every event to a border."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click
from click.core import ParameterSource

from geo.cli import chunks, options
from geo.cli.dask_engine import check_local, engine_opt, engine_out_opt, run_dask, scheduler_opt

__all__ = ["analyze", "output_format"]

#: Formats ``analyze`` writes: the shared ones and GeoParquet (files only).
ANALYZE_FORMATS = ("table", "csv", "json", "geojson", "parquet")
#: Format implied by the extension of ``--out``.
_BY_SUFFIX = {
    ".csv": "csv",
    ".json": "json",
    ".geojson": "geojson",
    ".parquet": "parquet",
    ".geoparquet": "parquet",
}
# names that carry any --format (the table by default)
_NEUTRAL_SUFFIXES = ("", ".txt", ".text")
_format_opt = click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(ANALYZE_FORMATS),
    default="table",
    show_default=True,
    help="Output format; with --out, the extension (.csv .json .geojson .parquet) decides.",
)


class _EchoSink:
    """Standard output through click (bytes), so CliRunner and pipes both see it."""

    def write(self, data: bytes | memoryview) -> None:
        click.echo(bytes(data), nl=False)


def output_format(fmt: str, stated: bool, out: Path | None) -> str:
    """Choose the format to write: ``--out``'s extension decides when it is a known one.

    Parameters
    ----------
    fmt : str
        ``--format`` (its default when not ``stated``).
    stated : bool
        Whether the user gave ``--format``.
    out : pathlib.Path or None
        ``--out``.

    Returns
    -------
    str

    Raises
    ------
    click.BadParameter
        A stated format that contradicts the extension, or GeoParquet without ``--out``.

    Examples
    --------
    >>> output_format("table", False, Path("x.parquet"))
    'parquet'
    >>> output_format("csv", True, Path("x.txt"))
    'csv'
    """
    implied = None if out is None else _BY_SUFFIX.get(out.suffix.lower())
    if out is not None and implied is None and out.suffix.lower() not in _NEUTRAL_SUFFIXES:
        raise click.BadParameter(
            f"{out}: write a .csv, .json, .geojson, .parquet or .txt file (or a name "
            f"without a suffix), not {out.suffix!r}",
            param_hint="--out",
        )
    if implied is not None and stated and fmt != implied:
        raise click.BadParameter(
            f"{fmt} contradicts --out {out} (a {implied} file); drop one", param_hint="--format"
        )
    fmt = implied or fmt
    if fmt == "parquet" and out is None:
        raise click.BadParameter(
            "parquet is written to a file: add --out x.parquet", param_hint="--format"
        )
    return fmt


@click.command()
@engine_opt
@scheduler_opt
@options.event_options
@options.border_opt
@options.pair_opt
@options.zones_opt
@options.sites_opt
@_format_opt
@engine_out_opt
@options.overwrite_opt
@options.quiet_opt
def analyze(
    events,
    read_options,
    rejects,
    border_path,
    pair,
    zones_km,
    sites,
    fmt,
    out,
    overwrite,
    quiet,
    engine,
    scheduler,
) -> None:
    """Distance, nearest border point, side, province and zone of every event.

    With no arguments, analyses the embedded January 2024 events against the
    Iran-Pakistan border and prints a table. Large files are read, analysed
    and written in chunks, so memory stays bounded.
    """
    from geo.io.atomic import atomic_path, check_distinct_outputs, check_out
    from geo.io.options import ReadOptions
    from geo.io.prefetch import map_ahead, prefetch
    from geo.io.progress import Progress
    from geo.io.stream import EventStream
    from geo.io.tables import AnalysisWriter

    source = click.get_current_context().get_parameter_source("fmt")
    stated_format = source in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
    theatre = options.build_theatre(pair, zones_km, border_path, sites)
    if engine == "dask":
        run_dask(
            scheduler,
            theatre=theatre,
            events=events,
            read_options=read_options,
            rejects=rejects,
            fmt=fmt,
            out=out,
            overwrite=overwrite,
            quiet=quiet,
        )
        return
    check_local(scheduler, out)
    fmt = output_format(fmt, stated_format, out)
    check_distinct_outputs(events=events, out=out, rejects=rejects)
    check_out(out, overwrite)
    # analysed from their coordinates: no point geometry is built for a table
    read_options = ReadOptions.of(read_options, points=False)
    stream = EventStream(events, read_options, rejects=rejects, overwrite=overwrite)
    size = None if stream.path is None else stream.path.stat().st_size
    sites = chunks.theatre_sites(theatre)
    with contextlib.ExitStack() as stack:
        stack.enter_context(stream.publishing())  # rejects only if the whole run succeeds
        sink = _EchoSink()
        if out is not None:
            tmp = stack.enter_context(atomic_path(out, overwrite=overwrite))
            sink = stack.enter_context(open(tmp, "wb"))
        writer = AnalysisWriter(fmt, sink, theatre.pair)
        with Progress(size, quiet=quiet) as progress:
            # the next chunk is read and checked while two are analysed on threads
            # and the one before them is written
            for analysed in map_ahead(
                lambda chunk: chunks.analyse_chunk(chunk, theatre, sites), prefetch(stream)
            ):
                writer.add(analysed)
                progress.update(stream.rows, getattr(stream, "bytes_read", None))
        options.report_read(stream, quiet=quiet)
        writer.close()
