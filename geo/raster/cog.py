"""Write bands on a :class:`~geo.raster.grid.Grid` as a Cloud-Optimized GeoTIFF.

Every file has EPSG:4326, a nodata value, band descriptions and units, and
dataset tags (the tool, and whatever provenance the caller adds).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rasterio.io import MemoryFile
from rasterio.shutil import copy as rio_copy

from geo import __version__
from geo.io.atomic import atomic_path, check_out
from geo.raster.grid import Grid

__all__ = ["NODATA", "Band", "write_cog"]

NODATA = -9999.0


@dataclass(frozen=True)
class Band:
    """One raster band: values (north row first), description and unit."""

    values: np.ndarray
    description: str
    unit: str
    tags: dict[str, str] = field(default_factory=dict)


def write_cog(
    path: Path | str,
    bands: Sequence[Band],
    grid: Grid,
    *,
    dtype: str = "float32",
    tags: dict[str, str] | None = None,
    overwrite: bool = False,
) -> Path:
    """Write bands as a Cloud-Optimized GeoTIFF, atomically.

    NaN becomes :data:`NODATA`. The file has EPSG:4326, DEFLATE compression,
    internal overviews, band descriptions and units, and dataset tags.

    Parameters
    ----------
    path : path-like
        Output ``.tif``.
    bands : sequence of Band
        All of the grid's shape.
    grid : Grid
    dtype : str
        Numpy dtype of the file.
    tags : dict, optional
        Dataset metadata (source, command line...).
    overwrite : bool
        Whether a GeoTIFF already at ``path`` may be replaced.

    Returns
    -------
    pathlib.Path
        ``path``, a validated Cloud-Optimized GeoTIFF.

    Raises
    ------
    OutputExistsError
        If ``path`` exists and ``overwrite`` is not set.
    """
    # rasterio is imported here, not at the top, to keep `bordermap --help` fast

    path = Path(path)
    check_out(path, overwrite)
    profile = {
        "driver": "GTiff",
        "width": grid.width,
        "height": grid.height,
        "count": len(bands),
        "dtype": dtype,
        "crs": "EPSG:4326",
        "transform": grid.transform,
        "nodata": NODATA,
    }
    all_tags = {"TOOL": f"bordermap {__version__}", **(tags or {})}
    with MemoryFile() as mem, mem.open(**profile) as ds:
        for i, band in enumerate(bands, start=1):
            values = np.where(np.isfinite(band.values), band.values, NODATA).astype(dtype)
            ds.write(values, i)
            ds.set_band_description(i, band.description)
            ds.set_band_unit(i, band.unit)
            ds.update_tags(i, UNITS=band.unit, **band.tags)
        ds.update_tags(**all_tags)
        with atomic_path(path, suffix=".tif", overwrite=overwrite) as tmp:
            rio_copy(
                ds,
                tmp,
                driver="COG",
                COMPRESS="DEFLATE",
                PREDICTOR="YES",
                BLOCKSIZE=256,
                OVERVIEW_RESAMPLING="AVERAGE" if dtype.startswith("float") else "NEAREST",
            )
    return path
