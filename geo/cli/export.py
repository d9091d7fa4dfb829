"""``bordermap export``: the analysis as a styled GeoPackage, or the events alone."""

from __future__ import annotations

from pathlib import Path

import click

from geo.cli import chunks, options
from geo.export.files import output_format
from geo.io.atomic import check_distinct_outputs, check_out

__all__ = ["export"]


def _check_format(fmt: str, update: bool, layer_names: tuple[str, ...] | None) -> None:
    if fmt == "gpkg":
        return
    if update:
        raise click.UsageError(f"--update works on GeoPackages, not --format {fmt}")
    if layer_names and tuple(layer_names) != ("events",):
        raise click.UsageError(f"--format {fmt} writes the events layer only")


@click.command("export")
@click.option(
    "-o",
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file (.gpkg, or .geojson/.parquet/.fgb for the events alone).",
)
@options.event_options
@options.pair_opt
@options.border_opt
@options.zones_opt
@options.sites_opt
@click.option(
    "--layers",
    "layer_names",
    multiple=True,
    callback=options.split_list,
    metavar="NAME[,NAME...]",
    help="Only these layers: events, borders, countries, provinces, zones, "
    "nearest_lines, places, sites, priogrid.",
)
@options.overwrite_opt
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
    help="Output format; must agree with --out's suffix (.gpkg, .geojson, .parquet, .fgb; "
    "gpkg for a name without one). geojson/parquet/fgb write the events layer only.",
)
@options.quiet_opt
def export(
    out: Path,
    pair: str,
    border_path: Path | None,
    zones_km: tuple[float, ...],
    sites: tuple[str, ...] | None,
    layer_names: tuple[str, ...] | None,
    overwrite: bool,
    update: bool,
    fmt: str | None,
    quiet: bool,
    events: Path | None,
    read_options,
    rejects: Path | None,
) -> None:
    """Write events, borders, zones, provinces and PRIO-GRID cells to one GeoPackage.

    The file is written atomically (a temporary file beside --out, then a
    rename), carries QGIS default styles in `layer_styles` and provenance in
    `gpkg_metadata`, and passes GDAL's validate_gpkg.py.
    """
    # geopandas-backed modules load here, not at the top, to keep `bordermap --help` fast
    from geo.export.gpkg import export_events, export_gpkg

    fmt = output_format(out, fmt)  # the format follows the file: never a GeoPackage named .shp
    _check_format(fmt, update, layer_names)
    check_distinct_outputs(out=out, rejects=rejects)
    if not update:
        check_out(out, overwrite)  # before reading a large event file
    theatre = options.build_theatre(pair, zones_km, border_path, sites)
    with chunks.analysed_events(
        events, read_options, rejects, theatre, overwrite=overwrite, quiet=quiet
    ) as analyzed:
        if fmt != "gpkg":
            export_events(out, analyzed, fmt=fmt, overwrite=overwrite)
            if not quiet:
                click.echo(f"wrote {out}: {len(analyzed)} events ({fmt})", err=True)
            return
        export_gpkg(
            out,
            analyzed,
            theatre,
            layers=layer_names,
            overwrite=overwrite,
            update=update,
            command=options.command_line(),
            events_source=f"user file {events}" if events else None,
            progress=None if quiet else (lambda msg: click.echo(f"  {msg}", err=True)),
        )
        if not quiet:
            click.echo(f"wrote {out} ({'updated' if update else 'GeoPackage 1.3'})", err=True)
