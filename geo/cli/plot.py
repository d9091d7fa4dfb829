"""``bordermap plot``: a static publication figure, PNG or SVG."""

from __future__ import annotations

from pathlib import Path

import click

from geo.cli import chunks, options
from geo.io.atomic import check_distinct_outputs, check_out
from geo.io.options import ReadOptions

__all__ = ["DEFAULT_OUT", "plot_cmd"]

DEFAULT_OUT = Path("maps") / "bordermap.png"


@click.command("plot")
@options.event_options
@options.pair_opt
@options.border_opt
@options.sites_opt
@options.file_out_opt(DEFAULT_OUT, "Figure to write: .png (raster) or .svg (vector).")
@click.option(
    "--dpi",
    type=click.FloatRange(min=10, max=1200),
    default=200,
    show_default=True,
    help="Resolution of a PNG; the figure is 10 x 8.4 inches.",
)
@click.option("--title", default=None, help="Title above the map (default: names the border).")
@options.zones_opt
@options.overwrite_opt
@options.quiet_opt
def plot_cmd(
    events: Path | None,
    read_options: ReadOptions,
    rejects: Path | None,
    pair: str,
    border_path: Path | None,
    sites: tuple[str, ...] | None,
    out: Path,
    dpi: float,
    title: str | None,
    zones_km: tuple[float, ...],
    overwrite: bool,
    quiet: bool,
) -> None:
    """Draw events along a border as a static figure (PNG or SVG).

    The map is in a Lambert conformal conic projection fitted to the border,
    with geodesic distance zones on each side, provinces, events sized by
    fatalities and coloured by attacker, a scale bar measured on the
    ellipsoid, a true-north arrow and a locator inset. It needs no tiles or
    network. With no options it draws the January 2024 Iran-Pakistan theatre
    to maps/bordermap.png.
    """
    # matplotlib and geopandas load only when a figure is drawn, to keep `bordermap --help` fast
    from geo.figure import figure_format, plot, save_figure
    from geo.figure.credits import SEED_EVENTS

    figure_format(out)
    check_distinct_outputs(events=events, out=out, rejects=rejects)
    check_out(out, overwrite)  # refuse before the slow part, not after it
    theatre = options.build_theatre(
        pair, zones_km, border_path=border_path, sites=sites, single="the figure"
    )
    theatre.site_points  # noqa: B018 - resolve --sites now: a bad name fails before the slow part
    # the caption credits the user's file (and its source column); only the seed is our curation
    origin = SEED_EVENTS if events is None else events.name
    with chunks.analysed_events(
        events, read_options, rejects, theatre, overwrite=overwrite, quiet=quiet, site_columns=False
    ) as analyzed:
        fig = plot(analyzed, theatre, title=title, events_origin=origin)
        save_figure(fig, out, dpi=dpi, overwrite=overwrite)
    if not quiet:
        click.echo(f"wrote {out} ({out.stat().st_size / 1e3:.0f} kB)", err=True)
