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
@click.option(
    "--country",
    default=None,
    metavar="CODE",
    help="Only the borders of this country (ISO3 code or English name).",
)
def layers(fmt: str, country: str | None) -> None:
    """List embedded layers with feature counts, licences and border lengths.

    In a checkout, make layers rebuilds the files from their pinned sources.
    """
    from geo import layers as lay  # geopandas: keep `bordermap --help` fast

    records = lay.summary()
    table = lay.border_table(country)
    if fmt == "json":
        doc = {
            "layers_dir": str(lay.LAYERS_DIR),
            "layers": records,
            "borders": table.to_dict("records"),
        }
        click.echo(options.dumps_json(doc))
        return
    click.echo(f"{'layer':<10} {'features':>8}  {'licence':<34} source")
    for rec in records:
        click.echo(f"{rec['layer']:<10} {rec['features']:>8}  {rec['licence']:<34} {rec['source']}")
    click.echo(f"\n{'border':<10} {'geodesic km':>11}  {'bridged km':>10}  parts")
    for row in table.itertuples(index=False):
        km, bridged = row.length_km, row.bridged_km
        click.echo(f"{row.pair:<10} {km:>11.1f}  {bridged:>10.1f}  {row.parts:>5}")
    if "IRN-PAK" in set(table["pair"]):
        click.echo("\nIRN-PAK for comparison: CIA World Factbook 959 km; seed article 900 km.")
