"""Rebuild the gazetteer (``places.parquet``, ``place_names.parquet``) and the manifest.

``python -m tools.build_places`` reads the provinces already in the store, so
after ``python -m tools.build_layers --countries PAK,AFG`` it brings the
places' provinces up to date without a full build; the full build calls
:func:`write_places` too.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from geo.layers import LAYERS_DIR
from geo.layers.sources import load_sources
from geo.layers.store import frame_of
from tools.admin1_changes import load_changes
from tools.command import build_command
from tools.geojson import read_geojson
from tools.sources import fetch, read_member
from tools.store import write_layer, write_manifest
from tools.world_places import build_places, place_names, towns_from_geonames

__all__ = ["main", "stored_provinces", "write_places"]


def _member(out_dir: Path, cache: Path, key: str) -> bytes:
    pin = load_sources(out_dir / "SOURCES.toml")[key]
    return read_member(fetch(pin, cache), pin.member)


def _write_plain(frame: pd.DataFrame, path: Path) -> Path:
    """Write a geometry-free table with the store's fixed writer settings (byte-identical)."""
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    tmp = path.with_suffix(".tmp")
    pq.write_table(
        table,
        tmp,
        compression="zstd",
        compression_level=9,
        write_statistics=False,
        version="2.6",
        row_group_size=1 << 30,
        store_schema=False,
    )
    tmp.replace(path)
    return path


def write_places(
    out_dir: Path, cache: Path, provinces: gpd.GeoDataFrame, admin1: pd.DataFrame | None = None
) -> list[Path]:
    """Build the gazetteer from the pinned towns, the curated sites and ``provinces``.

    Parameters
    ----------
    out_dir : pathlib.Path
        The ``layers/`` folder.
    cache : pathlib.Path
        Download cache.
    provinces : GeoDataFrame
        The built provinces of every country.
    admin1 : DataFrame, optional
        Natural Earth admin-1 attributes (read from the pinned package when missing).

    Returns
    -------
    list of pathlib.Path
        ``places.parquet`` and ``place_names.parquet``.
    """
    if admin1 is None:
        admin1 = read_geojson(io.BytesIO(_member(out_dir, cache, "provinces")))
    codes = admin1[admin1["iso_a2"].str.len() == 2].drop_duplicates("iso_a2")
    iso3_of = dict(zip(codes["iso_a2"], codes["adm0_a3"], strict=True))
    towns = towns_from_geonames(json.loads(_member(out_dir, cache, "gazetteer")), iso3_of)
    sites = pd.read_csv(out_dir / "curated" / "sites.csv", keep_default_na=False)
    changes = load_changes(out_dir / "curated" / "admin1_changes.csv")
    renamed = frozenset(changes.loc[changes["change"] == "rename", "new_unit"])
    merged = {
        c.new_unit: tuple(u for u in c.old_units if u != c.new_unit)
        for c in changes[changes["change"] == "merge"].itertuples(index=False)
    }
    places = build_places(towns, sites, provinces, admin1, renamed, merged)
    world = out_dir / "world"
    names = place_names(places.drop(columns="geometry"))
    return [
        write_layer(places, world / "places.parquet", "point"),
        _write_plain(names, world / "place_names.parquet"),
    ]


def stored_provinces(world: Path) -> gpd.GeoDataFrame:
    """Every country's provinces as the store holds them (``world/provinces/``).

    Read without the manifest: a partial rebuild has just written some of them.
    """
    codes = pd.read_csv(world / "countries.csv", keep_default_na=False)["iso3"]
    frames = [
        frame_of(pq.read_table(world / "provinces" / f"{c}.parquet"), "polygon") for c in codes
    ]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")


@build_command(prog="python -m tools.build_places", out=LAYERS_DIR, cache=Path(".cache/sources"))
def main(out: Path, cache: Path) -> list[str]:
    """Rebuild the gazetteer of ``--out`` (``layers/``) from its stored provinces, and the manifest.

    Run after ``python -m tools.build_layers --countries ...`` so the places'
    provinces and ``MANIFEST.sha256`` follow the rebuilt partitions.
    """
    world = out / "world"
    manifest = world / "MANIFEST.sha256"
    written = write_places(out, cache, stored_provinces(world))
    write_manifest(world)
    return [f"{p.name}: {p}" for p in [*written, manifest]]


if __name__ == "__main__":
    raise SystemExit(main())
