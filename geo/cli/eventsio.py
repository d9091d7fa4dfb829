"""Event-file options shared by ``analyze``, ``map`` and ``export``.

A command adds the options with :data:`event_options` and gets its events
from :func:`load_events_for_cli` (or, for files too big for memory,
:func:`iter_events_for_cli`)::

    @click.command()
    @event_options
    def analyze(**kwargs):
        events = load_events_for_cli(**kwargs)

Both print the one-line summary on stderr and write every rejected row, with
its reason, to ``--rejects`` (CSV, atomically). ``--strict`` stops at the
first problem instead, with exit status 2.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import click
import geopandas as gpd
import pandas as pd

from geo.atomic import atomic_path
from geo.events import EVENT_FORMATS, ProblemTally, iter_event_chunks

__all__ = ["EVENT_OPTION_NAMES", "event_options", "iter_events_for_cli", "load_events_for_cli"]

EVENT_OPTION_NAMES = (
    "events",
    "events_format",
    "lat_col",
    "lon_col",
    "id_col",
    "rejects",
    "strict",
)

_OPTIONS = (
    click.option(
        "--events",
        type=click.Path(exists=True, path_type=Path),
        default=None,
        help="Event file: ACLED or UCDP CSV, plain CSV, GeoJSON, GeoPackage, Shapefile, "
        "FlatGeobuf or GeoParquet (default: the embedded seed events).",
    ),
    click.option(
        "--events-format",
        type=click.Choice(["auto", *EVENT_FORMATS]),
        default="auto",
        show_default=True,
        help="Force the event file's format instead of detecting it from the content.",
    ),
    click.option("--lat-col", default=None, help="Latitude column (default: detected)."),
    click.option("--lon-col", default=None, help="Longitude column (default: detected)."),
    click.option("--id-col", default=None, help="Event id column (default: detected)."),
    click.option(
        "--rejects",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Write every rejected row and its reason to this CSV.",
    ),
    click.option(
        "--strict",
        is_flag=True,
        help="Stop at the first problem in the event file, warnings included (exit 2), "
        "instead of rejecting rows.",
    ),
)


def event_options(func):
    """Add ``--events --events-format --lat-col --lon-col --id-col --rejects --strict``."""
    for option in reversed(_OPTIONS):
        func = option(func)
    return func


def _seed() -> gpd.GeoDataFrame:
    from geo.events import read_events
    from geo.layers import LAYERS_DIR

    return read_events(LAYERS_DIR / "events.csv").events


def iter_events_for_cli(
    events: Path | None = None,
    events_format: str | None = "auto",
    lat_col: str | None = None,
    lon_col: str | None = None,
    id_col: str | None = None,
    rejects: Path | None = None,
    strict: bool = False,
    *,
    quiet: bool = False,
    overwrite: bool = False,
    chunksize: int = 200_000,
    **_ignored,
) -> Iterator[gpd.GeoDataFrame]:
    """Yield valid events chunk by chunk; write rejects and print the summary at the end.

    Parameters
    ----------
    events, events_format, lat_col, lon_col, id_col, rejects, strict
        The values of :data:`event_options`.
    quiet : bool
        Do not print the summary.
    overwrite : bool
        Replace an existing ``rejects`` file.
    chunksize : int
        Rows per chunk.
    **_ignored
        Other options of the calling command, so it may pass all its kwargs.

    Yields
    ------
    geopandas.GeoDataFrame
        Valid events of one chunk (the seed events in one chunk without ``--events``).

    Raises
    ------
    geo.errors.InputError
        Unreadable file, or the first problem with ``strict``.
    geo.errors.OutputExistsError
        ``rejects`` exists and ``overwrite`` is false.
    """
    from geo.cli.options import check_out

    if events is None:
        yield _seed()
        return
    check_out(rejects, overwrite)
    fmt = None if events_format in (None, "auto") else events_format
    chunks = iter_event_chunks(
        events,
        fmt=fmt,
        lat_col=lat_col,
        lon_col=lon_col,
        id_col=id_col,
        strict=strict,
        chunksize=chunksize,
    )
    rows = kept = 0
    notes: list[str] = []
    tally = ProblemTally()
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(atomic_path(rejects)) if rejects is not None else None
        header = True
        for table in chunks:
            rows, kept = rows + table.rows_read, kept + len(table.events)
            tally.add(table.problems)
            notes = list(table.notes)
            if tmp is not None and (header or len(table.rejects)):
                table.rejects.to_csv(tmp, mode="w" if header else "a", header=header, index=False)
                header = False
            yield table.events
    if not quiet:
        line = tally.summary(str(events), rows, kept)
        if rejects is not None and rows > kept:
            line += f"; rejects in {rejects}"
        elif rows > kept:
            line += "; add --rejects PATH to keep them"
        click.echo(line, err=True)
        for note in notes:
            click.echo(f"note: {note}", err=True)


def load_events_for_cli(**options) -> gpd.GeoDataFrame:
    """All valid events of ``--events`` (or the seed events) as one GeoDataFrame.

    Parameters
    ----------
    **options
        The values of :data:`event_options` plus ``quiet`` and ``overwrite``,
        as for :func:`iter_events_for_cli`; other options of the calling
        command are ignored, so it may pass all its kwargs.

    Returns
    -------
    geopandas.GeoDataFrame
        Normalised events (see :mod:`geo.events`), EPSG:4326.
    """
    parts = list(iter_events_for_cli(**options))
    if len(parts) == 1:
        return parts[0]
    frame = pd.concat(parts, ignore_index=True)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")
