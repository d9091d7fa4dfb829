"""``bordermap raster distance|density|priogrid``: Cloud-Optimized GeoTIFFs of the theatre.

Each subcommand builds the theatre once, reads events if it needs them,
calls one writer of :mod:`geo.raster` and prints one line on stderr. Errors
go to the group's one error boundary (:mod:`geo.cli.main`).
"""

from __future__ import annotations

import functools
from pathlib import Path

import click

from geo.cli import options
from geo.io.atomic import check_out

__all__ = ["density", "distance", "priogrid", "raster"]

_SHARED = (
    options.pair_opt,
    options.border_opt,
    options.bounds_opt,
    click.option(
        "-o",
        "--out",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="GeoTIFF.",
    ),
    click.option(
        "--preview",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Also render a PNG quick-look of the first band.",
    ),
    options.overwrite_opt,
    options.quiet_opt,
)


def _res_opt(default: float):
    """``--res`` with the subcommand's default cell size."""
    return click.option(
        "--res",
        type=click.FloatRange(min=0, min_open=True),
        default=default,
        show_default=True,
        help="Cell size in degrees.",
    )


def raster_command(name: str):
    """Register a subcommand of ``raster`` with the shared options.

    The command receives ``theatre`` (built from ``--pair``/``--border``),
    ``bounds``, ``out``, ``overwrite``, ``quiet`` and ``command``, and returns
    the one-line summary; the wrapper renders ``--preview`` and prints it.
    """

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*, pair, border_path, out, preview, overwrite, quiet, **kwargs):
            check_out(out, overwrite)
            check_out(preview, overwrite)
            theatre = options.build_theatre(pair, border_path=border_path, single="a raster")
            summary, contours = func(
                theatre=theatre,
                out=out,
                overwrite=overwrite,
                quiet=quiet,
                command=options.command_line(),
                **kwargs,
            )
            if preview is not None:
                # matplotlib is imported only when a preview is asked for
                from geo.raster.preview import preview_png

                preview_png(out, preview, theatre, contours=contours, overwrite=overwrite)
            if not quiet:
                click.echo(f"wrote {out}: {summary}", err=True)

        for option in reversed(_SHARED):
            wrapper = option(wrapper)
        return raster.command(name)(wrapper)

    return decorate


@click.group("raster")
def raster() -> None:
    """Write a Cloud-Optimized GeoTIFF (EPSG:4326) of geodesic distance, density or PRIO-GRID."""


@raster_command("distance")
@_res_opt(0.01)
@click.option(
    "--signed",
    is_flag=True,
    help="Positive in the pair's first country, negative in the second.",
)
def distance(theatre, res: float, bounds, signed: bool, out: Path, overwrite, quiet, command):
    """Geodesic distance (km) from every cell centre to the border."""
    from geo.raster.writers import distance_raster

    distance_raster(
        out, theatre, res=res, bounds=bounds, signed=signed, overwrite=overwrite, command=command
    )
    return f"geodesic distance to {theatre.pair}, {res:g} degree cells", theatre.zones_km


@raster_command("density")
@_res_opt(0.02)
@click.option(
    "--bandwidth-km",
    type=click.FloatRange(min=0, min_open=True),
    default=25.0,
    show_default=True,
    help="Gaussian kernel standard deviation, geodesic km.",
)
@click.option(
    "--weight",
    type=click.Choice(["count", "fatalities"]),
    default="count",
    show_default=True,
    help="Weigh events by 1 or by fatalities.",
)
@options.event_options
def density(theatre, res, bounds, bandwidth_km, weight, out, overwrite, quiet, command, **read):
    """Kernel density of events per 1000 km², with a geodesic Gaussian kernel."""
    from geo.raster.writers import density_raster

    events = options.load_events(**read, overwrite=overwrite, quiet=quiet)
    density_raster(
        out,
        events,
        theatre,
        bandwidth_km=bandwidth_km,
        res=res,
        bounds=bounds,
        weight=weight,
        overwrite=overwrite,
        command=command,
    )
    return f"kernel density of {len(events)} events, bandwidth {bandwidth_km:g} km", ()


@raster_command("priogrid")
@options.event_options
def priogrid(theatre, bounds, out, overwrite, quiet, command, **read):
    """PRIO-GRID 0.5 degree cells: bands gid, events, fatalities, bdist (km to the border)."""
    from geo.raster.writers import priogrid_raster

    events = options.load_events(**read, overwrite=overwrite, quiet=quiet)
    _, cells = priogrid_raster(
        out, events, theatre, bounds=bounds, overwrite=overwrite, command=command
    )
    return f"{len(cells)} PRIO-GRID cells, {int(cells['events'].sum())} events", ()
