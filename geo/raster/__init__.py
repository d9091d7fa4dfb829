"""Rasters: geodesic distance, kernel density and PRIO-GRID cells as Cloud-Optimized GeoTIFFs.

- :mod:`geo.raster.grid` is the grid of cells (:class:`Grid`);
- :mod:`geo.raster.surfaces` computes distance and density on it;
- :mod:`geo.raster.cog` writes bands as a Cloud-Optimized GeoTIFF;
- :mod:`geo.raster.writers` makes the three products from a theatre;
- :mod:`geo.raster.priogrid` numbers and fills PRIO-GRID cells;
- :mod:`geo.raster.preview` draws a PNG quick-look.
"""

from __future__ import annotations

from geo._lazy import lazy_module

_NAMES = {
    **dict.fromkeys(("Band", "write_cog"), "geo.raster.cog"),
    **dict.fromkeys(("Grid",), "geo.raster.grid"),
    **dict.fromkeys(("density_km2", "distance_km"), "geo.raster.surfaces"),
    **dict.fromkeys(("density_raster", "distance_raster", "priogrid_raster"), "geo.raster.writers"),
    **dict.fromkeys(("preview_png",), "geo.raster.preview"),
    **dict.fromkeys(("priogrid_cells",), "geo.raster.priogrid"),
}
__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_module(
    __name__, _NAMES, ["cog", "grid", "preview", "priogrid", "surfaces", "writers"]
)
