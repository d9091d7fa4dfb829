"""Options and helpers shared by every ``bordermap`` command.

Options are module-level decorators, as in ``rio/options.py``. Two of them
gather several flags into one library value: :func:`event_options` turns the
event-file flags into ``events``, ``read_options`` and ``rejects``, and
:func:`build_theatre` turns ``--pair``/``--border``/``--zones``/``--sites``
into a :class:`geo.theatre.Theatre`.
"""

from __future__ import annotations

import functools
import json
import math
import shlex
import sys
from pathlib import Path
from typing import Any

import click

from geo.errors import ParameterError
from geo.io.atomic import atomic_path
from geo.io.options import EVENT_FORMATS, ReadOptions

__all__ = [
    "EVENT_FORMATS",
    "border_opt",
    "bounds_opt",
    "build_theatre",
    "command_line",
    "dash_is_stdout",
    "dumps_json",
    "emit",
    "event_options",
    "file_out_opt",
    "load_events",
    "out_opt",
    "overwrite_opt",
    "pair_opt",
    "parse_bounds",
    "parse_zones_option",
    "quiet_opt",
    "read_options",
    "report_format_opt",
    "report_read",
    "sites_opt",
    "split_list",
    "zones_opt",
]

report_format_opt = click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)


def dash_is_stdout(ctx, param, value: Path | None) -> Path | None:
    """``--out -`` means standard output, as when ``--out`` is left out."""
    return None if value is not None and str(value) == "-" else value


out_opt = click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    callback=dash_is_stdout,
    help="Write to this file instead of standard output (- for standard output).",
)


def file_out_opt(default: Path, help: str):
    """``-o/--out`` for a command that always writes one file, with a default path."""
    return click.option(
        "-o",
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        default=default,
        show_default=True,
        help=help,
    )


overwrite_opt = click.option("--overwrite", is_flag=True, help="Replace --out if it exists.")
quiet_opt = click.option("-q", "--quiet", is_flag=True, help="No progress output on stderr.")
pair_opt = click.option(
    "--pair",
    default="IRN-PAK",
    show_default=True,
    metavar="AAA-BBB|nearest",
    help="Embedded border pair: ISO3 codes or names, either order (`bordermap layers` "
    "lists them); `nearest` measures each event to its nearest land border of any pair.",
)
border_opt = click.option(
    "--border",
    "border_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A line or polygon file GDAL reads (GeoJSON, GeoPackage, Shapefile) instead of --pair.",
)


def split_list(ctx: click.Context | None, param, value) -> tuple[str, ...] | None:
    """Click callback: ``a,b`` (or ``--opt a,b --opt c``) to ``('a', 'b', 'c')``; None if empty.

    Examples
    --------
    >>> split_list(None, None, ("a, b", "c"))
    ('a', 'b', 'c')
    >>> split_list(None, None, "") is None
    True
    """
    if not value:
        return None
    items = [value] if isinstance(value, str) else list(value)
    parts = tuple(part.strip() for item in items for part in item.split(",") if part.strip())
    return parts or None


sites_opt = click.option(
    "--sites",
    default=None,
    callback=lambda ctx, param, value: () if value == "" else split_list(ctx, param, value),
    metavar="NAME,NAME,...",
    help="Gazetteer places to measure every event to, comma-separated; empty for none "
    "[default: Chabahar,Gwadar Port for IRN-PAK, three towns near the border for other "
    "pairs, none for nearest].",
)


def parse_zones_option(ctx: click.Context | None, param, value: str) -> tuple[float, ...]:
    """Click callback: ``'10,25,50'`` to sorted zone edges in km.

    Examples
    --------
    >>> parse_zones_option(None, None, "50,10")
    (10.0, 50.0)
    """
    from geo.zones import parse_zones

    try:
        return parse_zones(value)
    except ParameterError as exc:
        raise click.BadParameter(exc.problem, ctx=ctx, param=param) from exc


zones_opt = click.option(
    "--zones",
    "zones_km",
    default="10,25,50,100",
    show_default=True,
    callback=parse_zones_option,
    metavar="KM,KM,...",
    help="Edges of the distance zones in km.",
)


def parse_bounds(ctx: click.Context | None, param, value: str | None):
    """Click callback: ``'minx,miny,maxx,maxy'`` in degrees to a tuple of floats.

    Examples
    --------
    >>> parse_bounds(None, None, "60, 25, 63.5, 30")
    (60.0, 25.0, 63.5, 30.0)
    """
    if value is None:
        return None
    parts = [p for p in value.replace(" ", ",").split(",") if p]
    try:
        w, s, e, n = (float(p) for p in parts)
    except ValueError:
        raise click.BadParameter(
            f"{value!r}: expected four numbers minx,miny,maxx,maxy", ctx=ctx, param=param
        ) from None
    if not all(math.isfinite(v) for v in (w, s, e, n)):
        raise click.BadParameter(f"{value!r}: numbers must be finite", ctx=ctx, param=param)
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise click.BadParameter(
            f"{value!r}: need -180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90",
            ctx=ctx,
            param=param,
        )
    return (w, s, e, n)


bounds_opt = click.option(
    "--bounds",
    callback=parse_bounds,
    metavar="MINX,MINY,MAXX,MAXY",
    help="Area in degrees [default: the border's bounding box grown by 2 degrees].",
)

#: Options that say how to read an event file (``events check`` and every command that reads one).
_READ_OPTIONS = (
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
    click.option("--date-col", default=None, help="Event date column (default: detected)."),
    click.option("--fatalities-col", default=None, help="Fatalities column (default: detected)."),
    click.option("--country-col", default=None, help="Country name column (default: detected)."),
    click.option(
        "--dayfirst", is_flag=True, help="Read dates such as 16/01/2024 as day/month/year."
    ),
    click.option(
        "--date-format",
        default=None,
        metavar="FORMAT",
        help="The date column's one strptime format, such as %d/%m/%Y.",
    ),
    click.option("--layer", default=None, help="Layer of a multi-layer GeoPackage to read."),
)
_READ_NAMES = (
    "events_format",
    "lat_col",
    "lon_col",
    "id_col",
    "date_col",
    "fatalities_col",
    "country_col",
    "dayfirst",
    "date_format",
    "layer",
)

_EVENT_OPTIONS = (
    click.option(
        "--events",
        type=click.Path(path_type=Path),
        default=None,
        help="Event file: ACLED or UCDP CSV (also .zip, .gz, .xlsx), plain CSV, GeoJSON, "
        "GeoPackage, Shapefile, FlatGeobuf or GeoParquet (default: the embedded seed events).",
    ),
    *_READ_OPTIONS,
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


def _read_options(values: dict, strict: bool = False) -> ReadOptions:
    """Build :class:`ReadOptions` from the values of :data:`_READ_OPTIONS` (popped)."""
    given = {name: values.pop(name) for name in _READ_NAMES}
    given["fmt"] = given.pop("events_format")
    return ReadOptions(**given, strict=strict)


def read_options(func):
    """Add the options saying how to read an event file; the command receives ``read_options``."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        kwargs["read_options"] = _read_options(kwargs)
        return func(*args, **kwargs)

    for option in reversed(_READ_OPTIONS):
        wrapper = option(wrapper)
    return wrapper


def event_options(func):
    """Add the event-file options; the command receives ``events``, ``read_options``, ``rejects``.

    ``events`` is the file (None for the seed events), ``read_options`` a
    :class:`geo.io.options.ReadOptions`, ``rejects`` the CSV for rejected rows.
    """

    @functools.wraps(func)
    def wrapper(*args, strict, **kwargs):
        kwargs["read_options"] = _read_options(kwargs, strict)
        return func(*args, **kwargs)

    for option in reversed(_EVENT_OPTIONS):
        wrapper = option(wrapper)
    return wrapper


def load_events(
    events: Path | None,
    read_options: ReadOptions,
    rejects: Path | None,
    *,
    overwrite: bool,
    quiet: bool,
):
    """Read every valid event the event options name, and report on stderr.

    Parameters
    ----------
    events, read_options, rejects
        What :func:`event_options` passes to the command.
    overwrite : bool
        Replace an existing ``rejects`` file.
    quiet : bool
        Print nothing.

    Returns
    -------
    geopandas.GeoDataFrame
        The seed events when ``events`` is None.
    """
    from geo.io.stream import EventStream  # geopandas: loaded only when a command reads events

    stream = EventStream(events, read_options, rejects=rejects, overwrite=overwrite)
    frame = stream.read_all()
    report_read(stream, quiet=quiet)
    return frame


def report_read(stream, *, quiet: bool) -> None:
    """Print a stream's one-line summary and its notes on stderr.

    ``quiet`` mutes the notes, and the summary too unless rows were rejected.
    """
    if stream.path is None or (quiet and stream.rows == stream.kept):
        return
    click.echo(stream.summary(), err=True)
    if quiet:
        return
    for note in stream.notes:
        click.echo(f"note: {note}", err=True)


def build_theatre(
    pair: str,
    zones_km: tuple[float, ...] | None = None,
    border_path: Path | None = None,
    sites: tuple[str, ...] | None = None,
    *,
    single: str | None = None,
):
    """Build the :class:`geo.theatre.Theatre` the options name.

    Parameters
    ----------
    pair : str
        ``--pair``.
    zones_km : tuple of float, optional
        ``--zones``.
    border_path : pathlib.Path, optional
        ``--border``: a user line replaces the pair.
    sites : tuple of str, optional
        ``--sites`` (None for the theatre's default).
    single : str, optional
        What needs one border (``"the map"``): ``--pair nearest`` is refused,
        before any event is read.

    Returns
    -------
    geo.theatre.Theatre

    Raises
    ------
    ParameterError
        For ``--pair nearest`` where ``single`` is given (``pair``).
    """
    from geo.theatre import NEAREST, Theatre

    if border_path is None:
        if single and str(pair).strip().casefold() == NEAREST:
            raise ParameterError(
                "pair", f"{single} needs one border pair; nearest suits analyze and export"
            )
        theatre = Theatre.from_pair(pair, zones_km=zones_km, sites=sites)
    else:
        from geo.io.border import read_border

        theatre = Theatre.from_border(
            read_border(border_path), name=border_path.name, zones_km=zones_km, sites=sites or ()
        )
    if sites:
        theatre.site_points  # noqa: B018 - resolve now: an unknown site fails before any work
    return theatre


def command_line() -> str:
    """Return this process's command line, as recorded in output provenance."""
    return shlex.join(["bordermap", *sys.argv[1:]])


def emit(text: str, out: Path | None, *, overwrite: bool = False) -> None:
    """Write ``text`` to ``out`` atomically, or to standard output.

    Parameters
    ----------
    text : str
        What to write.
    out : pathlib.Path or None
        Target file; None for standard output.
    overwrite : bool
        Replace an existing ``out``.
    """
    if out is None:
        click.echo(text if text.endswith("\n") else text + "\n", nl=False)
        return
    with atomic_path(out, overwrite=overwrite) as tmp:
        tmp.write_text(text, encoding="utf-8")


def dumps_json(obj: Any) -> str:
    """JSON text with numpy scalars as numbers, dates as ISO strings, and NaN as null.

    Examples
    --------
    >>> print(dumps_json({"a": float("nan"), "b": 1.5}))
    {
      "a": null,
      "b": 1.5
    }
    """
    return json.dumps(_nulls(obj), indent=2, ensure_ascii=False, default=_plain, allow_nan=False)


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return _nulls(value.item())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _nulls(obj: Any) -> Any:
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _nulls(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_nulls(v) for v in obj]
    return obj
