"""``bordermap map``: render the interactive map to one HTML file."""

from __future__ import annotations

from pathlib import Path

import click

from geo.cli.eventsio import event_options, load_events_for_cli
from geo.cli.options import check_out, overwrite_opt, pair_opt, quiet_opt, zones_opt
from geo.errors import BordermapError, InputError

__all__ = ["DEFAULT_OUT", "map_cmd"]

DEFAULT_OUT = Path("maps") / "bordermap.html"


@click.command("map")
@event_options
@pair_opt
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="HTML file to write.",
)
@click.option(
    "--offline",
    is_flag=True,
    help="Inline every script and stylesheet: one file that works with no network "
    "(tiles stay optional).",
)
@click.option("--title", default=None, help="Title shown on the map (default: the border's name).")
@zones_opt
@overwrite_opt
@quiet_opt
def map_cmd(
    pair: str,
    out: Path,
    offline: bool,
    title: str | None,
    zones_km: tuple[float, ...],
    overwrite: bool,
    quiet: bool,
    **event_kwargs,
) -> None:
    """Render events along a border as an interactive map (HTML).

    With no options it maps the embedded January 2024 theatre to
    maps/bordermap.html. Open the file in a browser: events sized by
    fatalities and coloured by attacker, distance zones, provinces, lines to
    the nearest border point, cross-border strikes, a legend and a day-by-day
    time slider.
    """
    from geo.mapping import render_map, save_map

    check_out(out, overwrite)
    events = load_events_for_cli(**event_kwargs, quiet=quiet, overwrite=overwrite)
    m = render_map(events, pair=pair, zones_km=zones_km, title=title, offline=offline)
    try:
        save_map(m, out, overwrite=overwrite)
    except OSError as exc:
        if isinstance(exc, BordermapError):
            raise
        # an unwritable folder, or a file where a folder should be: one line, no traceback
        raise InputError(
            str(out), None, "--out", f"cannot write in {out.parent}: {exc.strerror or exc}"
        ) from exc
    if not quiet:
        size = out.stat().st_size / 1e6
        kind = "self-contained " if offline else ""
        click.echo(f"wrote {kind}map of {len(events):,} events to {out} ({size:.1f} MB)", err=True)
