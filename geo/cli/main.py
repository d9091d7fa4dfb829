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
    from geo.cli import analyze, events, export, geocode, layers, plot, raster
    from geo.cli import map as map_

    for command in (
        layers.layers,
        analyze.analyze,
        map_.map_cmd,
        export.export,
        raster.raster,
        events.events,
        geocode.geocode,
        plot.plot_cmd,
    ):
        cli.add_command(command)


_register()
