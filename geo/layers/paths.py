"""Where the embedded layers are: ``layers/`` of a checkout, or ``geo/_layers`` in a wheel."""

from __future__ import annotations

from pathlib import Path

from geo.errors import LayerError

__all__ = ["LAYERS_DIR"]


def _find_layers_dir() -> Path:
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_layers", here.parent / "layers"):
        if (candidate / "SOURCES.toml").is_file():
            return candidate
    raise LayerError(f"no embedded layers found next to {here}")


#: The folder holding ``SOURCES.toml``, ``world/`` and the curated files.
LAYERS_DIR = _find_layers_dir()
