"""The committed map assets are exactly what the pinned npm packages give (network, CI only)."""

from __future__ import annotations

import pytest

from geo.layers.sources import sha256_file
from geo.mapping import assets


@pytest.mark.network
def test_rebuild_assets_from_npm_matches_committed_files(tmp_path):
    out = tmp_path / "assets"
    sums = assets.build(out, tmp_path / "cache")
    committed = {
        rel: digest
        for digest, rel in (
            line.split("  ") for line in (assets.ASSETS_DIR / "SHA256SUMS").read_text().splitlines()
        )
    }
    assert sums == committed
    for rel, digest in sums.items():
        assert sha256_file(assets.ASSETS_DIR / rel) == digest, rel
    assert (out / "SHA256SUMS").read_bytes() == (assets.ASSETS_DIR / "SHA256SUMS").read_bytes()
    # only what the map uses: no source maps, no unminified bundles
    assert not [p for p in out.rglob("*") if p.suffix == ".map" or p.name.endswith("-src.js")]
