"""``bordermap export``: the analysis as a styled GeoPackage, or the events alone."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from geo.cli.eventsio import event_options, load_events_for_cli
from geo.cli.options import check_out, overwrite_opt, pair_opt, quiet_opt

__all__ = ["export", "split_layers"]

_SUFFIX_FORMATS = {
    ".gpkg": "gpkg",
    ".geojson": "geojson",
    ".json": "geojson",
    ".parquet": "parquet",
    ".geoparquet": "parquet",
    ".fgb": "fgb",
}


def split_layers(ctx: click.Context, param: click.Parameter, value) -> tuple[str, ...] | None:
    """Click callback: ``--layers a,b --layers c`` to ``('a', 'b', 'c')``; None if not given."""
    if not value:
        return None
    return tuple(part.strip() for item in value for part in item.split(",") if part.strip())


@click.command("export")
@click.option(
    "-o",
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file (.gpkg, or .geojson/.parquet/.fgb for the events alone).",
)
@event_options
@pair_opt
@click.option(
    "--layers",
    "layer_names",
    multiple=True,
    callback=split_layers,
    metavar="NAME[,NAME...]",
    help="Only these layers: events, borders, countries, provinces, zones, "
    "nearest_lines, places, sites, priogrid.",
)
@overwrite_opt
@click.option(
    "--update",
    is_flag=True,
    help="Add or replace --layers in an existing GeoPackage; other layers stay as they are.",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["gpkg", "geojson", "parquet", "fgb"]),
    default=None,
    help="Output format [default: from --out's suffix, else gpkg]; "
    "geojson/parquet/fgb write the events layer only.",
)
@quiet_opt
def export(
    out: Path,
    pair: str,
    layer_names: tuple[str, ...] | None,
    overwrite: bool,
    update: bool,
    fmt: str | None,
    quiet: bool,
    **event_kw,
) -> None:
    """Write events, borders, zones, provinces and PRIO-GRID cells to one GeoPackage.

    The file is written atomically (a temporary file beside --out, then a
    rename), carries QGIS default styles in `layer_styles` and provenance in
    `gpkg_metadata`, and passes GDAL's validate_gpkg.py.
    """
    from geo.export import export_events, export_gpkg

    fmt = fmt or _SUFFIX_FORMATS.get(out.suffix.lower(), "gpkg")
    if fmt != "gpkg":
        if update:
            raise click.UsageError(f"--update works on GeoPackages, not --format {fmt}")
        if layer_names and tuple(layer_names) != ("events",):
            raise click.UsageError(f"--format {fmt} writes the events layer only")
    if not update:
        check_out(out, overwrite)
    events = load_events_for_cli(quiet=quiet, overwrite=overwrite, **event_kw)
    source = event_kw.get("events")
    events_source = f"user file {source}" if source else None
    if fmt != "gpkg":
        export_events(out, events=events, pair=pair, fmt=fmt, overwrite=overwrite)
        if not quiet:
            click.echo(f"wrote {out}: {len(events)} events ({fmt})", err=True)
        return
    log = None if quiet else (lambda msg: click.echo(f"  {msg}", err=True))
    export_gpkg(
        out,
        events=events,
        pair=pair,
        layers=layer_names,
        overwrite=overwrite,
        update=update,
        command=shlex.join(["bordermap", *sys.argv[1:]]),
        events_source=events_source,
        progress=log,
    )
    if not quiet:
        click.echo(f"wrote {out} ({'updated' if update else 'GeoPackage 1.3'})", err=True)
