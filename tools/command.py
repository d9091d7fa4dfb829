"""The shared command line of the build steps: ``--out``, ``--cache``, one error line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from geo.errors import SourceError

__all__ = ["build_command"]

Step = Callable[[Path, Path | None], Iterable[str]]


def build_command(
    *, prog: str, out: Path, cache: Path | None, subset: bool = False
) -> Callable[[Step], Callable[[list[str] | None], int]]:
    """Turn a build step into ``main(argv=None) -> int`` for ``python -m``.

    The command takes ``[--out DIR] [--cache DIR]``, runs the step, prints the
    lines it returns on stderr, and turns a :class:`~geo.errors.SourceError`
    into one ``error:`` line and exit status 2.

    Parameters
    ----------
    prog : str
        Program name for ``--help``, such as ``python -m tools.build_layers``.
    out, cache : pathlib.Path
        Defaults of ``--out`` and ``--cache`` (``cache`` may be None).
    subset : bool, optional
        Add ``--countries A,B,C``, passed to the step as ``countries=`` (a
        tuple of upper-case codes, or None for all).

    Returns
    -------
    callable
        Decorator for ``step(out, cache) -> lines``; the step's docstring is
        the command's description.
    """

    def decorate(step: Step) -> Callable[[list[str] | None], int]:
        def main(argv: list[str] | None = None) -> int:
            summary = (step.__doc__ or "").partition("\n")[0]
            parser = argparse.ArgumentParser(prog=prog, description=summary)
            parser.add_argument("--out", type=Path, default=out, help="folder to write")
            parser.add_argument(
                "--cache", type=Path, default=cache, help="folder for downloaded package files"
            )
            if subset:
                parser.add_argument(
                    "--countries", default=None, help="rebuild only these ISO3 codes (A,B,C)"
                )
            args = parser.parse_args(argv)
            extra = {}
            if subset:
                codes = args.countries
                wanted = [c.strip().upper() for c in (codes or "").split(",") if c.strip()]
                extra["countries"] = tuple(wanted) if wanted else None
            try:
                lines = list(step(args.out, args.cache, **extra))
            except SourceError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            for line in lines:
                print(line, file=sys.stderr)
            return 0

        main.__doc__, main.__module__ = step.__doc__, step.__module__
        return main

    return decorate
