"""``bordermap raster distance|density|priogrid``: Cloud-Optimized GeoTIFFs of the theatre.

Each subcommand builds the theatre once, reads events if it needs them,
calls one writer of :mod:`geo.raster` and prints one line on stderr. Errors
go to the group's one error boundary (:mod:`geo.cli.main`).
"""

from __future__ import annotations

import contextlib
import functools
import tempfile
from pathlib import Path

import click

from geo.cli import options
from geo.errors import ParameterError

__all__ = ["density", "distance", "priogrid", "raster"]

_SHARED = (
    options.pair_opt,
    options.border_opt,
    options.zones_opt,
    options.sites_opt,
    options.bounds_opt,
    click.option(
        "-o",
        "--out",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Raster to write: .tif or .tiff (Cloud-Optimized GeoTIFF), or .png (a picture).",
    ),
    click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(["cog", "png"]),
        default=None,
        help="Format of --out [default: from its suffix]; must agree with the suffix.",
    ),
    click.option(
        "--preview",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Also render a PNG quick-look of the first band (beside a GeoTIFF --out).",
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
    ``bounds``, ``out`` (always a GeoTIFF), ``overwrite``, ``quiet`` and
    ``command``, and returns the one-line summary. The wrapper checks every
    output first (format by suffix, ``--format``, ``--preview``, ``--rejects``),
    renders the picture when ``--out`` is a ``.png`` or ``--preview`` is given,
    and prints the summary.
    """

    def decorate(func):
        @functools.wraps(func)
        def wrapper(
            *, pair, border_path, zones_km, sites, out, fmt, preview, overwrite, quiet, **kwargs
        ):
            fmt, preview = _check_outputs(out, fmt, preview, overwrite, kwargs.get("rejects"))
            theatre = options.build_theatre(
                pair, zones_km, border_path=border_path, sites=sites, single="a raster"
            )
            with _geotiff_for(out, fmt) as tif:
                summary, contours = func(
                    theatre=theatre,
                    out=tif,
                    overwrite=overwrite,
                    quiet=quiet,
                    command=options.command_line(),
                    **kwargs,
                )
                if preview is not None:
                    # matplotlib is imported only when a picture is asked for
                    from geo.raster.preview import preview_png

                    preview_png(tif, preview, theatre, contours=contours, overwrite=overwrite)
            if not quiet:
                click.echo(f"wrote {out}: {summary}", err=True)

        for option in reversed(_SHARED):
            wrapper = option(wrapper)
        return raster.command(name)(wrapper)

    return decorate


def _check_outputs(out: Path, fmt: str | None, preview: Path | None, overwrite: bool, rejects):
    """Settle the format and check every output before any work; the format and the picture.

    A ``.png`` ``--out`` is itself the picture: the GeoTIFF behind it is temporary.
    """
    from geo.raster.outputs import check_outputs, raster_format

    fmt = raster_format(out, fmt)
    if preview is not None:
        if fmt == "png":
            raise ParameterError("preview", f"{out} is already a picture; a preview needs a .tif")
        if preview.suffix.lower() != ".png":
            raise ParameterError("preview", f"{preview}: a preview is a .png file")
    check_outputs(overwrite, out=out, preview=preview, rejects=rejects)
    return fmt, (out if fmt == "png" else preview)


@contextlib.contextmanager
def _geotiff_for(out: Path, fmt: str):
    """Where the GeoTIFF goes: ``out`` itself, or a temporary file behind a ``.png`` picture."""
    if fmt == "cog":
        yield out
        return
    with tempfile.TemporaryDirectory(prefix="bordermap-raster-") as folder:
        yield Path(folder) / "raster.tif"


@click.group("raster")
def raster() -> None:
    """Write a Cloud-Optimized GeoTIFF (EPSG:4326) of geodesic distance, density or PRIO-GRID.

    The format follows --out: .tif or .tiff writes the GeoTIFF, .png a picture
    of its first band; any other suffix, or a --format that contradicts it, is
    refused before anything is computed.
    """


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
    outside = _outside_grid(out, events)
    if outside:
        click.echo(
            f"warning: {outside:,} of {len(events):,} events lie outside the grid and are not "
            "counted; widen it with --bounds",
            err=True,
        )
    return f"kernel density of {len(events) - outside} events, bandwidth {bandwidth_km:g} km", ()


def _outside_grid(tif: Path, events) -> int:
    """Events whose point lies outside the written raster's extent."""
    import rasterio

    with rasterio.open(tif) as ds:
        w, s, e, n = ds.bounds
    x, y = events.geometry.x.to_numpy(), events.geometry.y.to_numpy()
    return int((~((x >= w) & (x <= e) & (y >= s) & (y <= n))).sum())


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
