"""``bordermap layers``: list the embedded layers and border pairs.

The layers are rebuilt from their pinned sources by ``make layers``
(``python -m tools.build_layers``), which is build-time code outside the
installed package.
"""

from __future__ import annotations

import click

from geo.cli import options

__all__ = ["layers"]


@click.command()
@options.report_format_opt
def layers(fmt: str) -> None:
    """List embedded layers with feature counts, licences and border lengths.

    In a checkout, make layers rebuilds the files from their pinned sources.
    """
    from geo import layers as lay  # geopandas: keep `bordermap --help` fast

    records = lay.summary()
    if fmt == "json":
        click.echo(options.dumps_json({"layers_dir": str(lay.LAYERS_DIR), "layers": records}))
        return
    click.echo(f"{'layer':<10} {'features':>8}  {'licence':<34} source")
    for rec in records:
        click.echo(f"{rec['layer']:<10} {rec['features']:>8}  {rec['licence']:<34} {rec['source']}")
    frame = lay.borders()
    click.echo("\nborder     geodesic km  bridged km")
    for pair, km, bridged in zip(
        frame["pair"], frame["length_km"], frame["bridged_km"], strict=True
    ):
        click.echo(f"{pair:<10} {km:>11.1f}  {bridged:>10.1f}")
    click.echo("\nIRN-PAK for comparison: CIA World Factbook 959 km; seed article 900 km.")
