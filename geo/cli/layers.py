"""``bordermap layers``: list the embedded layers, or rebuild them from pinned sources."""

from __future__ import annotations

from pathlib import Path

import click

from geo.cli.options import dumps_json, report_format_opt

__all__ = ["layers"]


@click.group(invoke_without_command=True)
@report_format_opt
@click.pass_context
def layers(ctx: click.Context, fmt: str) -> None:
    """List embedded layers with feature counts, licences and border lengths."""
    if ctx.invoked_subcommand is not None:
        return
    from geo import layers as lay

    records = lay.summary()
    if fmt == "json":
        click.echo(dumps_json({"layers_dir": str(lay.LAYERS_DIR), "layers": records}))
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


@layers.command("build")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Layers folder to rebuild (default: the checkout's layers/).",
)
@click.option(
    "--cache",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".cache/sources"),
    show_default=True,
)
def build(out: Path | None, cache: Path) -> None:
    """Fetch the pinned packages (network) and rebuild the layer files."""
    from geo import layers as lay
    from geo.layers.build import build_all

    for name, path in build_all(out or lay.LAYERS_DIR, cache).items():
        click.echo(f"{name}: {path}", err=True)
