"""The committed map assets are exactly what the pinned npm packages give (network, CI only).

``tools.build_assets.main`` is what ``python -m tools.build_assets``
(``make layers``) runs.
"""

from __future__ import annotations

import hashlib

import pytest

from geo.mapping import assets
from tests.pinfiles import package_file, pin_for
from tools.build_assets import extract_package, main
from tools.sources import sha256_file


@pytest.mark.network
def test_rebuild_assets_from_npm_matches_committed_files(tmp_path):
    out = tmp_path / "assets"
    assert main(["--out", str(out), "--cache", str(tmp_path / "cache")]) == 0
    sums = assets.checksums(out / "SHA256SUMS")
    assert sums == assets.checksums()
    for rel, digest in sums.items():
        assert sha256_file(out / rel) == digest, rel
        assert sha256_file(assets.ASSETS_DIR / rel) == digest, rel
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert written == {*sums, "SHA256SUMS"}
    assert (out / "SHA256SUMS").read_bytes() == assets.SHA256SUMS.read_bytes()
    # only what the map uses: no source maps, no unminified bundles
    assert not [p for p in out.rglob("*") if p.suffix == ".map" or p.name.endswith("-src.js")]


def test_extract_package_keeps_only_listed_files_under_their_local_paths(tmp_path):
    files = {"package/dist/a.js": b"a()", "package/dist/a.js.map": b"{}", "package/LICENSE": b"MIT"}
    cache, _, digest = package_file(tmp_path, files)
    pin = pin_for(
        digest, licence_file="package/LICENSE", strip="package/dist/", files=("package/dist/a.js",)
    )
    out = tmp_path / "out"
    sums = extract_package(pin, cache, out)
    assert sums == {
        "demo-1.0.0/a.js": hashlib.sha256(b"a()").hexdigest(),
        "demo-1.0.0/LICENSE": hashlib.sha256(b"MIT").hexdigest(),
    }
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == sorted(sums)
    assert (out / "demo-1.0.0" / "LICENSE").read_bytes() == b"MIT"
