"""Write a static figure to PNG or SVG, atomically.

Examples
--------
>>> figure_format("fig.png")
'png'
"""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
from matplotlib.figure import Figure

from geo.errors import ParameterError
from geo.io.atomic import atomic_path

__all__ = ["FORMATS", "figure_format", "save_figure"]

FORMATS = ("png", "svg")


def figure_format(out: Path | str) -> str:
    """``"png"`` or ``"svg"`` from a file name's suffix.

    Parameters
    ----------
    out : path-like
        The figure file to write.

    Returns
    -------
    str

    Raises
    ------
    ParameterError
        For any other suffix (``out``).

    Examples
    --------
    >>> figure_format("maps/fig.SVG")
    'svg'
    """
    suffix = Path(out).suffix
    fmt = suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        shown = repr(suffix) if suffix else "a name without a suffix"
        raise ParameterError("out", f"{out}: write a .png or .svg file, not {shown}")
    return fmt


def save_figure(
    fig: Figure, out: Path | str, *, dpi: float = 200.0, overwrite: bool = False
) -> Path:
    """Write a figure as PNG or SVG (by ``out``'s suffix), atomically.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to write, such as :func:`plot` returns.
    out : path-like
        ``.png`` or ``.svg``.
    dpi : float
        Pixels per inch of a PNG (SVG is vector; text stays text).
    overwrite : bool
        Replace an existing ``out``.

    Returns
    -------
    pathlib.Path
        ``out``, written atomically.

    Raises
    ------
    ParameterError
        For another suffix (``out``), or a non-positive ``dpi``.
    OutputExistsError
        When ``out`` exists and ``overwrite`` is false.
    """
    out = Path(out)
    fmt = figure_format(out)
    if not dpi > 0:
        raise ParameterError("dpi", f"must be positive, not {dpi}")
    with (
        mpl.rc_context({"svg.hashsalt": "bordermap", "svg.fonttype": "none"}),
        atomic_path(out, overwrite=overwrite) as tmp,
    ):
        metadata = {"Date": None} if fmt == "svg" else {"Software": "bordermap"}
        fig.savefig(tmp, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")
    return out
