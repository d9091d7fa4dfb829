"""Quick-look PNG of a bordermap GeoTIFF, with the theatre's border and country outlines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
import shapely
from matplotlib.figure import Figure

from geo import layers
from geo.io.atomic import atomic_path
from geo.theatre import Theatre

__all__ = ["preview_png"]


def preview_png(
    tif: Path | str,
    png: Path | str,
    theatre: Theatre | None = None,
    *,
    band: int = 1,
    contours: tuple[float, ...] = (),
    title: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Render band ``band`` of ``tif`` to ``png`` with matplotlib (atomically).

    Parameters
    ----------
    tif : path-like
        A GeoTIFF in EPSG:4326.
    png : path-like
        Output picture.
    theatre : Theatre, optional
        Whose border to draw on top, with the country outlines; None draws neither.
    band : int
        1-based band number.
    contours : tuple of float
        Levels to draw as labelled contour lines (in the band's unit).
    title : str, optional
        Defaults to the band description.
    overwrite : bool
        Replace an existing ``png``.

    Returns
    -------
    pathlib.Path
    """
    with rasterio.open(tif) as ds:
        values = ds.read(band, masked=True).astype("float64").filled(np.nan)
        w, s, e, n = ds.bounds
        unit = ds.units[band - 1] or ""
        desc = ds.descriptions[band - 1] or ""
    # a Figure of its own, not pyplot: no global backend or state is touched
    fig = Figure(figsize=(6.4, 6.4 * (n - s) / (e - w) * 0.9 + 0.8), dpi=110)
    ax = fig.add_subplot()
    im = ax.imshow(
        values, extent=(w, e, s, n), origin="upper", cmap="magma_r", interpolation="nearest"
    )
    if contours:
        lon = np.linspace(w, e, values.shape[1])
        lat = np.linspace(n, s, values.shape[0])
        cs = ax.contour(lon, lat, values, levels=list(contours), colors="#2b2b2b", linewidths=0.6)
        ax.clabel(cs, fmt=lambda v: f"{v:g} {unit}", fontsize=7)
    if theatre is not None:
        _countries_in((w, s, e, n)).boundary.plot(ax=ax, color="#9a9a9a", linewidth=0.5)
        theatre.border.plot(ax=ax, color="#00a0b0", linewidth=1.4)
        for name, (x, y) in theatre.site_points.items():  # the sites the theatre measures to
            if w <= x <= e and s <= y <= n:
                ax.plot(x, y, marker="*", color="#ff7f00", markersize=8, markeredgecolor="k")
                ax.annotate(name, (x, y), xytext=(4, 4), textcoords="offset points", fontsize=7)
    ax.set_xlim(w, e)
    ax.set_ylim(s, n)
    ax.set_aspect(1 / np.cos(np.radians((s + n) / 2)))
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.set_title(title or desc, fontsize=9)
    fig.colorbar(im, ax=ax, shrink=0.8, label=unit)
    fig.tight_layout()
    with atomic_path(png, suffix=".png", overwrite=overwrite) as tmp:
        fig.savefig(tmp, format="png")
    return Path(png)


def _countries_in(bounds: tuple[float, float, float, float]):
    """Country outlines that reach into ``bounds``, without loading every country's shape."""
    table = layers.country_table() if hasattr(layers, "country_table") else None
    if table is None or not {"west", "south", "east", "north"} <= set(table.columns):
        frame = layers.countries()
        return frame[frame.intersects(shapely.box(*bounds))]
    w, s, e, n = bounds
    near = table[
        (table["west"] <= e) & (table["east"] >= w) & (table["south"] <= n) & (table["north"] >= s)
    ]
    return layers.countries(list(near["iso3"]))
