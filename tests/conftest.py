"""Shared fixtures and the marker policy: missing tools skip locally, fail on CI."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

ON_CI = os.environ.get("CI") == "true"
GPKG_VALIDATOR = Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py")

# marker -> a check returning None when the tool is there, else what is missing
_TOOLS = {
    "browser": lambda: None if shutil.which("chromium") else "chromium",
    "gdalbin": lambda: (
        None
        if shutil.which("ogrinfo") and shutil.which("gdalinfo") and GPKG_VALIDATOR.is_file()
        else "gdal-bin and python3-gdal (ogrinfo, gdalinfo, validate_gpkg.py)"
    ),
    "qgis": lambda: (
        None if Path("/usr/lib/python3/dist-packages/qgis").is_dir() else "python3-qgis"
    ),
    "network": lambda: None if shutil.which("npm") else "npm",
}


# Property tests run at full size in `make test` (and CI); the quick loop
# `pytest -m "not slow"` runs them with fewer examples.
settings.register_profile("full", max_examples=150)
settings.register_profile("quick", max_examples=25)


def pytest_configure(config: pytest.Config) -> None:
    # the on-disk cache (geo.cache) of this run lives in a fresh folder, never the user's
    if "BORDERMAP_CACHE_DIR" not in os.environ:
        os.environ["BORDERMAP_CACHE_DIR"] = tempfile.mkdtemp(prefix="bordermap-cache-")
    quick = "not slow" in (config.option.markexpr or "")
    settings.load_profile("quick" if quick else "full")


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("network") and not ON_CI and not os.environ.get("BORDERMAP_NETWORK"):
        pytest.skip("downloads pinned packages: runs under CI=true or BORDERMAP_NETWORK=1")
    for mark, check in _TOOLS.items():
        if item.get_closest_marker(mark):
            missing = check()
            if missing is None:
                continue
            if ON_CI:
                pytest.fail(f"@{mark} needs {missing} on CI")
            pytest.skip(f"{missing} not installed (these tests must run under CI=true)")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


#: A small event file with one good row and four bad ones (swap, no coordinates,
#: duplicate id, bad fatalities).
BAD = (
    "id,lat,lon,iso3,fatalities\n"
    "a,27.37,62.33,IRN,1\n"
    "b,62.33,27.37,IRN,0\n"
    "c,,,IRN,0\n"
    "a,27.0,62.5,IRN,0\n"
    "e,27.0,62.5,IRN,lots\n"
)


@pytest.fixture
def bad_csv(tmp_path) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text(BAD)
    return path
