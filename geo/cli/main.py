"""The ``bordermap`` click group; each command lives in its own module."""

from __future__ import annotations

import click

from geo import __version__
from geo.errors import BordermapError

__all__ = ["BordermapGroup", "cli"]


class BordermapGroup(click.Group):
    """A group that turns every :class:`BordermapError` into a one-line message.

    The exit code is the error's ``exit_code`` (2 for bad input or usage).
    """

    def invoke(self, ctx: click.Context):  # noqa: D102
        try:
            return super().invoke(ctx)
        except BordermapError as exc:
            err = click.ClickException(str(exc))
            err.exit_code = exc.exit_code
            raise err from exc


@click.group(cls=BordermapGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bordermap")
def cli() -> None:
    """Map and measure conflict events along international borders.

    Everything works offline from the embedded layers; run any command with
    no arguments to see the January 2024 Iran-Pakistan theatre.
    """


def _register() -> None:
    from geo.cli import layers as layers_cmd

    cli.add_command(layers_cmd.layers)
    from geo.cli import analyze as analyze_cmd

    cli.add_command(analyze_cmd.analyze)
    from geo.cli import export as export_cmd
    from geo.cli import raster as raster_cmd

    cli.add_command(export_cmd.export)
    cli.add_command(raster_cmd.raster)
    from geo.cli import events as events_cmd
    from geo.cli import geocode as geocode_cmd

    cli.add_command(events_cmd.events)
    cli.add_command(geocode_cmd.geocode)
    from geo.cli import map as map_cmd

    cli.add_command(map_cmd.map_cmd)


_register()
