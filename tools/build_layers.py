"""Rebuild ``layers/`` from the pinned upstream packages.

Run ``python -m tools.build_layers`` (or ``make layers``). Each step is a pure
function from upstream frames to region-sized frames; the writer rounds to a
fixed grid and sorts features, so a rebuild is byte-identical.

Method (also in ``layers/PROVENANCE.md``):

1. Countries: the OSM-derived 100 m polygons of the theatre countries, with
   inland-water holes filled (a lake or river belongs to the country around it).
2. Borders: for every pair of theatre countries, the outline the two polygons
   share vertex for vertex (or, where they share none, the part of one outline
   within ``BORDER_TOLERANCE_DEG`` of the other); the pieces are merged, gaps
   up to ``MAX_BRIDGE_KM`` (river mouths, slivers) are bridged,
   and the line is oriented so the first country of the pair is on its left.
   Countries and borders are then densified to edges under 1 km, so reading an
   edge as a geodesic or as a lon/lat segment differs by centimetres.
3. Provinces: Natural Earth admin-1 polygons dissolved per ``adm1_code``,
   clipped to the OSM country, overlaps given to the first province in code
   order, and every uncovered piece of the country given to the province with
   which it shares the longest edge (the nearest one when it touches none). So
   provinces tile their country exactly.
4. Places: GeoNames towns of the theatre plus the curated sites.
"""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.geodesy import line_length_km
from geo.layers import LAYERS_DIR
from geo.layers.sources import Pin, load_sources
from tools.command import build_command
from tools.geojson import read_geojson, write_geojson
from tools.sources import fetch, read_member

__all__ = [
    "THEATRE",
    "build_all",
    "build_borders",
    "build_countries",
    "build_places",
    "build_provinces",
    "close_border_gaps",
    "main",
]

THEATRE = ("AFG", "IRN", "IRQ", "PAK", "SYR")
ISO2 = {"AFG": "AF", "IRN": "IR", "IRQ": "IQ", "PAK": "PK", "SYR": "SY"}
GRID_DEG = 1e-6
# Densify every edge to at most this many degrees (under 1 km), so an edge read
# as a straight lon/lat segment and as a geodesic differ by centimetres.
MAX_EDGE_DEG = 0.008
BORDER_TOLERANCE_DEG = 0.004
MAX_BRIDGE_KM = 15.0
PROVINCE_FIELDS = ["name", "name_en", "iso_3166_2", "code_hasc", "adm0_a3", "type_en"]


def build_countries(world: gpd.GeoDataFrame, admin1: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Select the theatre countries and name them.

    Parameters
    ----------
    world : GeoDataFrame
        Upstream country polygons with an ``A3`` column.
    admin1 : GeoDataFrame
        Natural Earth admin-1, whose ``admin`` column gives country names.

    Returns
    -------
    GeoDataFrame
        Columns ``iso3``, ``name``, ``geometry``, one row per country.
    """
    names = admin1.drop_duplicates("adm0_a3").set_index("adm0_a3")["admin"]
    sel = world[world["A3"].isin(THEATRE)].copy()
    filled = [_fill_holes(g) for g in shapely.make_valid(sel.geometry.to_numpy())]
    out = gpd.GeoDataFrame(
        {"iso3": sel["A3"].to_numpy(), "name": sel["A3"].map(names).to_numpy()},
        geometry=filled,
        crs="EPSG:4326",
    )
    return _on_grid(out.sort_values("iso3").reset_index(drop=True))


def _fill_holes(geom):
    """Drop interior rings: inland water belongs to the country around it."""
    polygons = shapely.get_parts(_polygonal(geom))
    return shapely.union_all([shapely.Polygon(p.exterior) for p in polygons])


def _bridge(parts: list[shapely.LineString], max_gap_km: float) -> list[shapely.LineString]:
    """Join line pieces end to end across gaps no longer than ``max_gap_km``."""
    chains = [list(p.coords) for p in parts]
    joined = True
    while joined and len(chains) > 1:
        joined = False
        best = None
        for (i, a), (j, b) in itertools.combinations(enumerate(chains), 2):
            for ra, rb in itertools.product((False, True), repeat=2):
                end_a = a[0] if ra else a[-1]
                start_b = b[-1] if rb else b[0]
                gap = (
                    line_length_km(shapely.LineString([end_a, start_b])) if end_a != start_b else 0
                )
                if gap <= max_gap_km and (best is None or gap < best[0]):
                    best = (gap, i, j, ra, rb)
        if best is not None:
            _, i, j, ra, rb = best
            a = chains[i][::-1] if ra else chains[i]
            b = chains[j][::-1] if rb else chains[j]
            merged = a + (b[1:] if a[-1] == b[0] else b)
            chains = [c for k, c in enumerate(chains) if k not in (i, j)] + [merged]
            joined = True
    return [shapely.LineString(c) for c in chains]


def _orient_left(line: shapely.LineString, left_country) -> shapely.LineString:
    """Reverse ``line`` unless ``left_country`` lies on its left."""
    probe = shapely.offset_curve(line, 0.01)  # positive offset is the left side
    inside = shapely.length(shapely.intersection(probe, left_country))
    return line if inside >= 0.5 * shapely.length(probe) else line.reverse()


def build_borders(countries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Extract every shared land border among the countries as an oriented line.

    Parameters
    ----------
    countries : GeoDataFrame
        Output of :func:`build_countries`.

    Returns
    -------
    GeoDataFrame
        Columns ``pair`` (``"IRN-PAK"``, codes sorted), ``left_iso3``,
        ``right_iso3``, ``length_km``, ``bridged_km`` (length of straight
        segments across gaps where the outlines do not touch), ``parts``,
        ``geometry`` (a LineString
        when the border is continuous, else a MultiLineString).
    """
    geoms = dict(zip(countries["iso3"], countries.geometry, strict=True))
    rows = []
    for a, b in itertools.combinations(sorted(geoms), 2):
        ga, gb = geoms[a], geoms[b]
        if shapely.distance(ga, gb) > BORDER_TOLERANCE_DEG:
            continue
        near = shapely.intersection(ga.boundary, gb.boundary)
        if shapely.length(near) < BORDER_TOLERANCE_DEG:
            near = shapely.intersection(ga.boundary, shapely.buffer(gb, BORDER_TOLERANCE_DEG))
        merged = shapely.line_merge(near)
        pieces = [g for g in shapely.get_parts(merged) if g.geom_type == "LineString"]
        if not pieces:
            continue
        shared_km = line_length_km(shapely.MultiLineString(pieces))
        pieces = _bridge(pieces, MAX_BRIDGE_KM)
        pieces = [p for p in pieces if line_length_km(p) >= 1.0]
        if not pieces:
            continue
        pieces = [_orient_left(p, ga) for p in sorted(pieces, key=lambda p: -p.length)]
        geom = pieces[0] if len(pieces) == 1 else shapely.MultiLineString(pieces)
        rows.append(
            {
                "pair": f"{a}-{b}",
                "left_iso3": a,
                "right_iso3": b,
                "length_km": round(line_length_km(geom), 3),
                "bridged_km": round(max(line_length_km(geom) - shared_km, 0.0), 3),
                "parts": len(pieces),
                "geometry": geom,
            }
        )
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    return _on_grid(out)


def close_border_gaps(countries: gpd.GeoDataFrame, borders: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Give the land between two outlines, closed off by a bridged border, to a country.

    Where the upstream outlines leave a gap along a border (a lake reaching the
    frontier, a river sliver), the bridged border line closes it into a face.
    Each such face goes to the country with which it shares the longest edge,
    so every point on either side of a border belongs to a country.

    Parameters
    ----------
    countries : GeoDataFrame
        Output of :func:`build_countries`.
    borders : GeoDataFrame
        Output of :func:`build_borders` for the same countries.

    Returns
    -------
    GeoDataFrame
        ``countries`` with the gap faces merged in.
    """
    edges = shapely.union_all([*countries.geometry.boundary, *borders.geometry])
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(edges)))
    land = shapely.union_all(countries.geometry.to_numpy())
    probes = shapely.point_on_surface(faces)
    gaps = faces[~shapely.contains(land, probes)]
    frame = countries.copy()
    for face in gaps:
        owner = _longest_shared_edge(face, frame)
        frame.loc[owner, "geometry"] = shapely.union(frame.loc[owner, "geometry"], face)
    return _on_grid(frame)


def _longest_shared_edge(piece, candidates: gpd.GeoDataFrame) -> int:
    """Index label of the candidate sharing the longest edge with ``piece``."""
    edge = shapely.intersection(
        shapely.buffer(piece.boundary, GRID_DEG * 5), candidates.geometry.boundary.to_numpy()
    )
    shared = shapely.length(edge)
    if np.nanmax(shared, initial=0.0) > 0:
        return candidates.index[int(np.nanargmax(shared))]
    return candidates.index[int(np.argmin(shapely.distance(piece, candidates.geometry.to_numpy())))]


def build_provinces(admin1: gpd.GeoDataFrame, countries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Fit Natural Earth provinces to the high-resolution country outlines.

    Parameters
    ----------
    admin1 : GeoDataFrame
        Natural Earth admin-1 polygons.
    countries : GeoDataFrame
        Output of :func:`build_countries`.

    Returns
    -------
    GeoDataFrame
        ``adm1_code`` plus :data:`PROVINCE_FIELDS`, polygons that tile each
        country with no gap or overlap.
    """
    frames = []
    for iso3, country in zip(countries["iso3"], countries.geometry, strict=True):
        ne = admin1[admin1["adm0_a3"] == iso3].copy()
        ne["geometry"] = shapely.segmentize(
            shapely.make_valid(ne.geometry.to_numpy()), MAX_EDGE_DEG
        )
        ne = ne.dissolve(by="adm1_code", aggfunc="first", as_index=False).sort_values("adm1_code")
        clipped = shapely.intersection(ne.geometry.to_numpy(), country, grid_size=GRID_DEG)
        taken = shapely.Polygon()
        for i, geom in enumerate(clipped):
            clipped[i] = shapely.difference(geom, taken, grid_size=GRID_DEG)
            taken = shapely.union(taken, clipped[i], grid_size=GRID_DEG)
        ne["geometry"] = clipped
        ne = ne.set_geometry("geometry")
        gaps = shapely.get_parts(shapely.difference(country, taken, grid_size=GRID_DEG))
        extra: dict[object, list] = {}
        for piece in gaps:
            if piece.geom_type != "Polygon" or piece.is_empty:
                continue
            owner = _longest_shared_edge(piece, ne)
            extra.setdefault(owner, []).append(piece)
        for owner, pieces in extra.items():
            ne.loc[owner, "geometry"] = shapely.union_all(
                [ne.loc[owner, "geometry"], *pieces], grid_size=GRID_DEG
            )
        frames.append(ne[["adm1_code", *PROVINCE_FIELDS, "geometry"]])
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")
    out = out[~out.geometry.is_empty]
    return _on_grid(out.sort_values("adm1_code").reset_index(drop=True))


def build_places(
    cities: pd.DataFrame, sites: pd.DataFrame, provinces: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Gazetteer: GeoNames towns of the theatre plus curated sites.

    Parameters
    ----------
    cities : DataFrame
        GeoNames cities1000 with ``lat, lon, name, admin1, admin2, cc``.
    sites : DataFrame
        ``layers/curated/sites.csv``.
    provinces : GeoDataFrame
        Output of :func:`build_provinces`, used to stamp each place's province.

    Returns
    -------
    GeoDataFrame
        ``place_id, name, alt_names, kind, iso3, admin1, precision, source, basis``.
    """
    iso3_of = {v: k for k, v in ISO2.items()}
    towns = cities[cities["cc"].isin(iso3_of)].copy()
    towns = pd.DataFrame(
        {
            "place_id": "gn-"
            + towns["cc"]
            + "-"
            + towns["name"].str.replace(" ", "_")
            + "-"
            + towns["lat"].map("{:.3f}".format)
            + "-"
            + towns["lon"].map("{:.3f}".format),
            "name": towns["name"],
            "alt_names": "",
            "kind": "populated place",
            "iso3": towns["cc"].map(iso3_of),
            "latitude": towns["lat"].astype(float),
            "longitude": towns["lon"].astype(float),
            "precision": 1,
            "source": "geonames",
            "basis": "GeoNames cities1000",
        }
    )
    curated = sites.rename(columns={"site_id": "place_id"}).assign(source="curated")
    curated["place_id"] = "site-" + curated["place_id"]
    table = pd.concat([curated, towns], ignore_index=True).fillna({"alt_names": "", "iso3": ""})
    points = gpd.GeoDataFrame(
        table,
        geometry=gpd.points_from_xy(table["longitude"], table["latitude"]),
        crs="EPSG:4326",
    )
    joined = gpd.sjoin(
        points,
        provinces[["name_en", "adm0_a3", "geometry"]].rename(
            columns={"name_en": "admin1", "adm0_a3": "in_iso3"}
        ),
        how="left",
        predicate="within",
    )
    joined = joined[~joined.index.duplicated()]
    joined["admin1"] = joined["admin1"].fillna("")
    joined.loc[joined["iso3"] == "", "iso3"] = joined["in_iso3"].fillna("")
    cols = [
        "place_id",
        "name",
        "alt_names",
        "kind",
        "iso3",
        "admin1",
        "precision",
        "source",
        "basis",
        "geometry",
    ]
    out = joined[cols].drop_duplicates("place_id").sort_values(["source", "place_id"])
    return _on_grid(gpd.GeoDataFrame(out.reset_index(drop=True), crs="EPSG:4326"))


def _polygonal(geom):
    """Keep only the areal parts of a geometry (make_valid may add lines or points)."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _densify(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frame = frame.copy()
    frame["geometry"] = shapely.segmentize(frame.geometry.to_numpy(), MAX_EDGE_DEG)
    return _on_grid(frame)


def _on_grid(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frame = frame.copy()
    geoms = shapely.set_precision(frame.geometry.to_numpy(), GRID_DEG)
    if shapely.get_dimensions(geoms).max(initial=0) == 2:
        geoms = [_polygonal(g) for g in geoms]
    frame["geometry"] = geoms
    return frame


def _pinned_member(sources: dict[str, Pin], key: str, cache: Path) -> io.BytesIO:
    """Fetch, verify and read the archive member a layer is built from."""
    return io.BytesIO(read_member(fetch(sources[key], cache), sources[key].member))


def build_all(out_dir: Path, cache: Path) -> dict[str, Path]:
    """Fetch the pinned sources and write every built layer into ``out_dir``.

    Parameters
    ----------
    out_dir : pathlib.Path
        The ``layers/`` folder (it must hold ``SOURCES.toml`` and ``curated/``).
    cache : pathlib.Path
        Download cache.

    Returns
    -------
    dict of str to pathlib.Path
        Written files by layer name.
    """
    sources = load_sources(out_dir / "SOURCES.toml")
    world = read_geojson(_pinned_member(sources, "countries", cache))
    admin1 = read_geojson(_pinned_member(sources, "provinces", cache))
    cities = pd.read_csv(
        _pinned_member(sources, "gazetteer", cache),
        dtype={"lat": float, "lon": float},
        keep_default_na=False,
    )
    sites = pd.read_csv(out_dir / "curated" / "sites.csv", keep_default_na=False)

    countries = build_countries(world, admin1)
    borders = build_borders(countries)
    countries = close_border_gaps(countries, borders)
    countries = _densify(countries)
    borders = _densify(borders)
    provinces = build_provinces(admin1, countries)
    places = build_places(cities, sites, provinces)
    written = {}
    for name, frame in (
        ("countries", countries),
        ("borders", borders),
        ("provinces", provinces),
        ("places", places),
    ):
        path = out_dir / f"{name}.geojson"
        write_geojson(frame, path)
        written[name] = path
    return written


@build_command(prog="python -m tools.build_layers", out=LAYERS_DIR, cache=Path(".cache/sources"))
def main(out: Path, cache: Path) -> list[str]:
    """Fetch the pinned sources and rebuild the layers of ``--out`` (``layers/``).

    Run as ``python -m tools.build_layers [--out DIR] [--cache DIR]``; ``main(argv)``
    returns the exit status (2 when a package cannot be fetched or verified).
    """
    return [f"{name}: {path}" for name, path in build_all(out, cache).items()]


if __name__ == "__main__":
    raise SystemExit(main())
