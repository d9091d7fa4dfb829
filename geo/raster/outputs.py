"""What a raster command may write, checked before anything is computed or written.

The format follows the file: ``.tif``/``.tiff`` is a Cloud-Optimized GeoTIFF,
``.png`` a picture of the surface (the same as a preview), and any other
suffix, or a stated format that contradicts the suffix, is refused. Every
output (the raster and its optional preview) is checked together: the two
must differ, none may replace a file without ``overwrite``, and each folder
must take a new file, so that no output is written when another one would
fail.

Examples
--------
>>> raster_format("density.TIF")
'cog'
>>> raster_format("density.png")
'png'
>>> raster_format("density.png", "cog")
Traceback (most recent call last):
...
geo.errors.ParameterError: fmt: cog writes .tif or .tiff, but the file is density.png
"""

from __future__ import annotations

from pathlib import Path

from geo.errors import ParameterError
from geo.io.atomic import check_distinct_outputs, check_folder_writable, check_out

__all__ = ["FORMATS", "check_outputs", "raster_format"]

#: Raster formats and the suffixes that name them.
FORMATS = {"cog": (".tif", ".tiff"), "png": (".png",)}


def raster_format(out: Path | str, fmt: str | None = None) -> str:
    """Tell the format a raster output is written in, from its suffix and a stated format.

    Parameters
    ----------
    out : path-like
        The output file.
    fmt : {'cog', 'png'}, optional
        A stated format; it must agree with the suffix.

    Returns
    -------
    str
        ``'cog'`` or ``'png'``.

    Raises
    ------
    ParameterError
        For an unknown suffix (``out``), or a format that is unknown or
        contradicts the suffix (``fmt``).
    """
    suffix = Path(out).suffix.lower()
    by_suffix = next((name for name, ends in FORMATS.items() if suffix in ends), None)
    if fmt is not None:
        if fmt not in FORMATS:
            raise ParameterError("fmt", f"{fmt!r}; choose {' or '.join(FORMATS)}")
        if by_suffix != fmt:
            ends = " or ".join(FORMATS[fmt])
            raise ParameterError("fmt", f"{fmt} writes {ends}, but the file is {out}")
        return fmt
    if by_suffix is None:
        shown = repr(Path(out).suffix) if suffix else "a name without a suffix"
        *others, last = (end for ends in FORMATS.values() for end in ends)
        known = f"{', '.join(others)} or {last}"
        raise ParameterError("out", f"{out}: write {known}, not {shown}")
    return by_suffix


def check_outputs(overwrite: bool, **named_paths: Path | str | None) -> None:
    """Refuse, before any work, outputs that could not all be written.

    Parameters
    ----------
    overwrite : bool
        Whether existing files may be replaced.
    **named_paths : path-like or None
        Each output by its parameter name (``out=..., preview=...``); None is skipped.

    Raises
    ------
    BordermapError
        When two outputs name the same file.
    OutputExistsError
        When one exists and ``overwrite`` is false.
    OSError
        Naming the output whose folder cannot take a new file.
    """
    check_distinct_outputs(**named_paths)
    paths = [Path(p) for p in named_paths.values() if p is not None]
    for path in paths:
        check_out(path, overwrite)
    for path in paths:
        check_folder_writable(path)
