"""The ``bordermap`` click group, and the one error boundary of the CLI.

Each command lives in its own module and calls the library; whatever the
library raises on purpose (:class:`~geo.errors.BordermapError`) and whatever
the operating system refuses (:class:`OSError`: an unwritable folder, a full
disk) becomes one line on stderr and an exit status here, and nowhere else.
"""

from __future__ import annotations

import errno
import os
import warnings

import click

from geo import __version__
from geo.cli import analyze, events, export, geocode, layers, plot, raster
from geo.cli import map as map_
from geo.errors import BordermapError, OutputExistsError, ParameterError

__all__ = ["BordermapGroup", "cli", "one_line"]

# GDAL's PAM would leave a .aux.xml beside files the commands read or write (issue 17)
os.environ.setdefault("GDAL_PAM_ENABLED", "NO")


def _flag(command: click.Command, param: str) -> str:
    """Spell a library parameter as its command-line option (``res`` to ``--res``)."""
    stack = [command]
    while stack:
        current = stack.pop()
        for option in current.params:
            if option.name == param and option.opts:
                return max(option.opts, key=len)
        if isinstance(current, click.Group):
            stack.extend(current.commands.values())
    return "--" + param.replace("_", "-")


def one_line(exc: BaseException, ctx: click.Context) -> tuple[str, int]:
    """Give the message and exit status the CLI prints for an error it owns.

    Parameters
    ----------
    exc : BordermapError or OSError
    ctx : click.Context
        The group's context, to name options as the user typed them.

    Returns
    -------
    (str, int)
        One line, and the exit status: the error's ``exit_code`` for a
        :class:`BordermapError` (2 for bad input), 1 for an operating-system
        refusal, or 2 for a parameter.
    """
    if isinstance(exc, ParameterError):
        return f"Invalid value for '{_flag(ctx.command, exc.param)}': {exc.problem}", 2
    if isinstance(exc, OutputExistsError):
        return f"{exc.path} exists; add --overwrite to replace it", exc.exit_code
    if isinstance(exc, BordermapError):
        return str(exc), exc.exit_code
    reason = exc.strerror or errno.errorcode.get(exc.errno or 0) or str(exc)
    if exc.filename is None:  # the system named no file: do not guess which one
        return reason, 1
    return f"{exc.filename}: {reason}", 1


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Print a warning the library raises for the user as one line, without the source line."""
    click.echo(f"warning: {message}", err=True)


class BordermapGroup(click.Group):
    """A group that turns library errors and OS refusals into one line and an exit status."""

    def invoke(self, ctx: click.Context):  # noqa: D102
        try:
            with warnings.catch_warnings():
                warnings.showwarning = _show_warning
                return super().invoke(ctx)
        except (BordermapError, OSError) as exc:
            if isinstance(exc, BrokenPipeError):
                raise
            message, status = one_line(exc, ctx)
            err = click.ClickException(message)
            err.exit_code = status
            raise err from exc


@click.group(cls=BordermapGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bordermap")
def cli() -> None:
    """Map and measure conflict events along international borders.

    Everything works offline from the embedded layers. Without --events, the
    commands use the embedded January 2024 Iran-Pakistan events: `bordermap
    analyze`, `map` and `plot` need no arguments at all; `export` and `raster`
    need only --out.
    """


for _command in (
    layers.layers,
    analyze.analyze,
    map_.map_cmd,
    export.export,
    raster.raster,
    events.events,
    geocode.geocode,
    plot.plot_cmd,
):
    cli.add_command(_command)
