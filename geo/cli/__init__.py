"""The ``bordermap`` command line: thin click commands over the library.

One module per command (``analyze``, ``map``, ``plot``, ``export``,
``raster``, ``events``, ``geocode``, ``layers``), shared options in
:mod:`geo.cli.options`, and the group with the one error boundary in
:mod:`geo.cli.main`. Commands import the library inside their body, so
that ``bordermap --help`` does not load geopandas, matplotlib or folium.
"""

from __future__ import annotations

__all__: list[str] = []
