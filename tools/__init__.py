"""Build-time code: rebuild ``layers/`` and the map assets from the pinned registries.

Not part of the installed package (the wheel ships only ``geo``); run from a
checkout with ``make layers``, which calls

- ``python -m tools.build_layers``: countries, borders, provinces and places
  from ``layers/SOURCES.toml``;
- ``python -m tools.build_assets``: the map's scripts and stylesheets from
  ``layers/ASSETS.toml``.

Both fetch each package with its registry's own client and check its SHA-256
(:mod:`tools.sources`). ``geo`` never imports this package.
"""

from __future__ import annotations

__all__: list[str] = []
