"""``bordermap plot``: a static publication figure, PNG or SVG."""

from __future__ import annotations

from pathlib import Path

import click

from geo.cli.eventsio import event_options, load_events_for_cli
from geo.cli.options import check_out, overwrite_opt, pair_opt, quiet_opt, zones_opt
from geo.errors import BordermapError, InputError

__all__ = ["DEFAULT_OUT", "plot_cmd"]

DEFAULT_OUT = Path("maps") / "bordermap.png"


@click.command("plot")
@event_options
@pair_opt
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Figure to write: .png (raster) or .svg (vector).",
)
@click.option(
    "--dpi",
    type=click.FloatRange(min=10, max=1200),
    default=200,
    show_default=True,
    help="Resolution of a PNG; the figure is 10 x 8.4 inches.",
)
@click.option("--title", default=None, help="Title above the map (default: names the border).")
@zones_opt
@overwrite_opt
@quiet_opt
def plot_cmd(
    pair: str,
    out: Path,
    dpi: float,
    title: str | None,
    zones_km: tuple[float, ...],
    overwrite: bool,
    quiet: bool,
    **event_kwargs,
) -> None:
    """Draw events along a border as a static figure (PNG or SVG).

    The map is in a Lambert conformal conic projection fitted to the border,
    with geodesic distance zones on each side, provinces, events sized by
    fatalities and coloured by attacker, a scale bar measured on the
    ellipsoid, a true-north arrow and a locator inset. It needs no tiles or
    network. With no options it draws the January 2024 Iran-Pakistan theatre
    to maps/bordermap.png.
    """
    from geo.figure import figure_format, plot, save_figure

    figure_format(out)
    check_out(out, overwrite)
    events = load_events_for_cli(**event_kwargs, quiet=quiet, overwrite=overwrite)
    fig = plot(events, pair=pair, zones_km=zones_km, title=title)
    try:
        save_figure(fig, out, dpi=dpi, overwrite=overwrite)
    except OSError as exc:
        if isinstance(exc, BordermapError):
            raise
        # an unwritable folder, or a file where a folder should be: one line, no traceback
        raise InputError(
            str(out), None, "--out", f"cannot write in {out.parent}: {exc.strerror or exc}"
        ) from exc
    if not quiet:
        click.echo(f"wrote {out} ({out.stat().st_size / 1e3:.0f} kB)", err=True)
