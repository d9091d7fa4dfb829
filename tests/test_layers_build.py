"""The committed layers are exactly what the pinned sources build (network, CI only)."""

from __future__ import annotations

import shutil

import pytest

from geo.layers import LAYERS_DIR
from geo.layers.build import build_all
from geo.layers.sources import sha256_file

BUILT = ("countries", "borders", "provinces", "places")


@pytest.mark.network
@pytest.mark.slow
def test_rebuild_from_pinned_sources_is_byte_identical(tmp_path):
    out = tmp_path / "layers"
    out.mkdir()
    shutil.copy(LAYERS_DIR / "SOURCES.toml", out)
    shutil.copytree(LAYERS_DIR / "curated", out / "curated")
    written = build_all(out, tmp_path / "cache")
    for name in BUILT:
        assert sha256_file(written[name]) == sha256_file(LAYERS_DIR / f"{name}.geojson"), name
