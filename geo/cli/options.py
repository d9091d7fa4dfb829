"""Options and helpers shared by every ``bordermap`` command."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from geo.errors import OutputExistsError

__all__ = [
    "FORMATS",
    "check_out",
    "emit",
    "format_opt",
    "out_opt",
    "overwrite_opt",
    "pair_opt",
    "quiet_opt",
    "report_format_opt",
    "zones_opt",
]

FORMATS = ("table", "csv", "json", "geojson")

format_opt = click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output format.",
)
report_format_opt = click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
out_opt = click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of standard output.",
)
overwrite_opt = click.option("--overwrite", is_flag=True, help="Replace --out if it exists.")
quiet_opt = click.option("-q", "--quiet", is_flag=True, help="No progress output on stderr.")
pair_opt = click.option(
    "--pair",
    default="IRN-PAK",
    show_default=True,
    metavar="AAA-BBB",
    help="Embedded border pair, as ISO3 codes; `bordermap layers` lists them.",
)


def _parse_zones(ctx: click.Context, param: click.Parameter, value: str) -> tuple[float, ...]:
    from geo.errors import InputError
    from geo.zones import parse_zones

    try:
        return parse_zones(value)
    except InputError as exc:
        raise click.BadParameter(exc.problem, ctx=ctx, param=param) from exc


zones_opt = click.option(
    "--zones",
    "zones_km",
    default="10,25,50,100",
    show_default=True,
    callback=_parse_zones,
    metavar="KM,KM,...",
    help="Edges of the distance zones in km.",
)


def check_out(out: Path | None, overwrite: bool) -> None:
    """Refuse to replace an existing ``out`` unless ``overwrite``.

    Raises
    ------
    OutputExistsError
        When ``out`` exists and ``overwrite`` is false.
    """
    if out is not None and out.exists() and not overwrite:
        raise OutputExistsError(str(out))


def emit(text: str, out: Path | None) -> None:
    """Write ``text`` to ``out`` atomically, or to standard output.

    Parameters
    ----------
    text : str
        What to write.
    out : pathlib.Path or None
        Target file; None for standard output.
    """
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    from geo.atomic import atomic_path

    with atomic_path(out) as tmp:
        tmp.write_text(text, encoding="utf-8")


def dumps_json(obj: Any) -> str:
    """JSON with numpy scalars converted and NaN as null."""

    def default(value: Any) -> Any:
        if hasattr(value, "item"):
            return value.item()
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return str(value)

    return json.dumps(obj, indent=2, ensure_ascii=False, default=default)
