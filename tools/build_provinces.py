"""Rebuild the provinces of some countries from their stored outlines, then the gazetteer.

``python -m tools.build_provinces --countries PAK,AFG`` refits the Natural
Earth admin-1 of those countries (with ``layers/curated/admin1_changes.csv``
applied) to the outlines already in ``layers/world/countries/``, updates
their rows of ``tiling.csv``, rebuilds the gazetteer (whose places carry
their province) and writes the manifest. The outlines a full build writes
are the ones it tiles, so the partitions are the same as a full build's; it
takes minutes where the full build takes a quarter of an hour.
"""

from __future__ import annotations

import io
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq

from geo.errors import SourceError
from geo.layers import LAYERS_DIR
from geo.layers.sources import load_sources
from geo.layers.store import frame_of
from tools.admin1_changes import load_changes
from tools.build_layers import build_provinces
from tools.build_places import stored_provinces, write_places
from tools.command import build_command
from tools.geojson import read_geojson
from tools.sources import fetch, read_member
from tools.store import write_layer, write_manifest

__all__ = ["main", "rebuild_provinces"]


def _stored_countries(world: Path, codes: list[str]) -> gpd.GeoDataFrame:
    table = pd.read_csv(world / "countries.csv", keep_default_na=False).set_index("iso3")
    unknown = sorted(set(codes) - set(table.index))
    if unknown:
        raise SourceError(f"unknown country code(s) {', '.join(unknown)}")
    frames = [
        frame_of(pq.read_table(world / "countries" / f"{c}.parquet"), "polygon") for c in codes
    ]
    frame = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")
    frame["name"] = table.loc[frame["iso3"], "name"].to_numpy()
    return frame[["iso3", "name", "geometry"]]


def rebuild_provinces(out_dir: Path, cache: Path, codes: list[str]) -> list[Path]:
    """Refit the provinces of ``codes`` to their stored outlines and update the tiling table.

    Parameters
    ----------
    out_dir : pathlib.Path
        The ``layers/`` folder.
    cache : pathlib.Path
        Download cache.
    codes : list of str
        ISO3 codes of stored countries.

    Returns
    -------
    list of pathlib.Path
        The written partitions and ``tiling.csv``.
    """
    world = out_dir / "world"
    pin = load_sources(out_dir / "SOURCES.toml")["provinces"]
    admin1 = read_geojson(io.BytesIO(read_member(fetch(pin, cache), pin.member)))
    changes = load_changes(out_dir / "curated" / "admin1_changes.csv")
    countries = _stored_countries(world, codes)
    with ProcessPoolExecutor(max_workers=2) as pool:
        provinces, tiling = build_provinces(admin1, countries, pool, changes)
    written = [
        write_layer(frame, world / "provinces" / f"{iso3}.parquet", "polygon")
        for iso3, frame in provinces.items()
    ]
    table = pd.read_csv(world / "tiling.csv", keep_default_na=False)
    table = pd.concat([table[~table["iso3"].isin(codes)], tiling], ignore_index=True)
    table = table.sort_values("iso3").reset_index(drop=True)
    table.to_csv(world / "tiling.csv", index=False, lineterminator="\n")
    return [*written, world / "tiling.csv"]


@build_command(
    prog="python -m tools.build_provinces",
    out=LAYERS_DIR,
    cache=Path(".cache/sources"),
    subset=True,
)
def main(out: Path, cache: Path, countries: tuple[str, ...] | None = None) -> list[str]:
    """Refit the provinces of ``--countries`` (default all); rebuild the gazetteer and manifest."""
    world = out / "world"
    codes = list(countries or pd.read_csv(world / "countries.csv", keep_default_na=False)["iso3"])
    written = rebuild_provinces(out, cache, codes)
    written += write_places(out, cache, stored_provinces(world))
    write_manifest(world)
    return [f"{len(written)} files written under {world}"]


if __name__ == "__main__":
    raise SystemExit(main())
