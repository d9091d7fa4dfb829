"""``bordermap analyze``: proximity of every event to a border."""

from __future__ import annotations

import contextlib

import click

from geo.cli import options
from geo.cli.dask_engine import check_local, engine_opt, engine_out_opt, run_dask, scheduler_opt

__all__ = ["analyze"]

#: Rows between two progress lines on stderr.
_PROGRESS_EVERY = 200_000


class _EchoSink:
    """Standard output through click, so CliRunner and pipes both see it."""

    def write(self, text: str) -> None:
        click.echo(text, nl=False)


@click.command()
@engine_opt
@scheduler_opt
@options.event_options
@options.border_opt
@options.pair_opt
@options.zones_opt
@options.sites_opt
@options.format_opt
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
    from geo.io.atomic import atomic_text, check_out
    from geo.io.stream import EventStream
    from geo.io.tables import AnalysisWriter
    from geo.proximity import analyze as analyze_events
    from geo.proximity import site_distances

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
    check_out(out, overwrite)
    stream = EventStream(events, read_options, rejects=rejects, overwrite=overwrite)
    with contextlib.ExitStack() as stack:
        sink = _EchoSink() if out is None else stack.enter_context(atomic_text(out, overwrite=True))
        writer = AnalysisWriter(fmt, sink, theatre.pair)
        for chunk in stream:
            result = analyze_events(chunk, theatre)
            if theatre.sites:
                near = site_distances(result, theatre.sites)
                result[near.columns] = near
            writer.add(result)
            if not quiet and writer.rows >= _PROGRESS_EVERY:
                click.echo(f"\ranalysed {writer.rows:,} events", err=True, nl=False)
        if not quiet and writer.rows >= _PROGRESS_EVERY:
            click.echo("", err=True)
        options.report_read(stream, quiet=quiet)
        writer.close()
