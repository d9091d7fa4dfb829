"""Shared fixtures and the marker policy: missing tools skip locally, fail on CI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

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
