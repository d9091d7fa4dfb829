"""``bordermap raster``: Cloud-Optimized GeoTIFFs of distance, density or PRIO-GRID cells."""

from __future__ import annotations

import math
import shlex
import sys
from pathlib import Path

import click

from geo.cli.eventsio import event_options, load_events_for_cli
from geo.cli.options import check_out, overwrite_opt, pair_opt, quiet_opt

__all__ = ["parse_bounds", "raster"]

_DEFAULT_RES = {"distance": 0.01, "density": 0.02, "priogrid": 0.5}


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
            f"{value!r}: expected four numbers minx,miny,maxx,maxy", param_hint="--bounds"
        ) from None
    if not all(math.isfinite(v) for v in (w, s, e, n)):
        raise click.BadParameter(f"{value!r}: numbers must be finite", param_hint="--bounds")
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise click.BadParameter(
            f"{value!r}: need -180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90",
            param_hint="--bounds",
        )
    return (w, s, e, n)


@click.command("raster")
@click.option(
    "--kind",
    type=click.Choice(["distance", "density", "priogrid"]),
    required=True,
    help="distance: km to the border; density: kernel density of events; "
    "priogrid: 0.5 degree PRIO-GRID cells.",
)
@click.option(
    "--res",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Cell size in degrees [default: 0.01 distance, 0.02 density; priogrid is 0.5].",
)
@click.option(
    "--bounds",
    callback=parse_bounds,
    metavar="MINX,MINY,MAXX,MAXY",
    help="Area in degrees [default: the border's bounding box grown by 2 degrees].",
)
@pair_opt
@click.option(
    "--signed",
    is_flag=True,
    help="distance: positive in the pair's first country, negative in the second.",
)
@click.option(
    "--bandwidth-km",
    type=click.FloatRange(min=0, min_open=True),
    default=25.0,
    show_default=True,
    help="density: Gaussian kernel standard deviation, geodesic km.",
)
@click.option(
    "--weight",
    type=click.Choice(["count", "fatalities"]),
    default="count",
    show_default=True,
    help="density: weigh events by 1 or by fatalities.",
)
@event_options
@click.option(
    "-o", "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="GeoTIFF."
)
@click.option(
    "--preview",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also render a PNG quick-look of the first band.",
)
@overwrite_opt
@quiet_opt
def raster(
    kind: str,
    res: float | None,
    bounds,
    pair: str,
    signed: bool,
    bandwidth_km: float,
    weight: str,
    out: Path,
    preview: Path | None,
    overwrite: bool,
    quiet: bool,
    **event_kw,
) -> None:
    """Write a Cloud-Optimized GeoTIFF (EPSG:4326) of geodesic distance, density or PRIO-GRID."""
    from geo import layers
    from geo.raster import density_raster, distance_raster, priogrid_raster

    layers.border(pair)  # unknown pairs fail before any work
    if kind == "priogrid" and res not in (None, 0.5):
        raise click.BadParameter("PRIO-GRID cells are 0.5 degrees", param_hint="--res")
    if signed and kind != "distance":
        raise click.UsageError("--signed applies to --kind distance")
    check_out(out, overwrite)
    if preview is not None:
        check_out(preview, overwrite)
    res = res or _DEFAULT_RES[kind]
    command = shlex.join(["bordermap", *sys.argv[1:]])
    contours: tuple[float, ...] = ()
    if kind == "distance":
        distance_raster(
            out,
            pair=pair,
            res=res,
            bounds=bounds,
            signed=signed,
            overwrite=overwrite,
            command=command,
        )
        contours = (10, 25, 50, 100)
        summary = f"geodesic distance to {pair}, {res:g} degree cells"
    else:
        events = load_events_for_cli(quiet=quiet, overwrite=overwrite, **event_kw)
        if kind == "density":
            density_raster(
                out,
                events,
                bandwidth_km=bandwidth_km,
                res=res,
                bounds=bounds,
                pair=pair,
                weight=weight,
                overwrite=overwrite,
                command=command,
            )
            summary = f"kernel density of {len(events)} events, bandwidth {bandwidth_km:g} km"
        else:
            _, cells = priogrid_raster(
                out, events, pair=pair, bounds=bounds, overwrite=overwrite, command=command
            )
            summary = f"{len(cells)} PRIO-GRID cells, {int(cells['events'].sum())} events"
    if preview is not None:
        from geo.rasterplot import preview_png

        preview_png(out, preview, pair=pair, contours=contours)
    if not quiet:
        click.echo(f"wrote {out}: {summary}", err=True)
