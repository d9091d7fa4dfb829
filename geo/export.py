"""Write the analysis as one styled, validated GeoPackage, or the events alone.

:func:`build_layers` assembles the layers (pure computation);
:func:`export_gpkg` writes them atomically, with QGIS default styles in
``layer_styles`` and provenance in ``gpkg_metadata``. The file is GeoPackage
1.3 so that GDAL 3.6 (Debian 12, QGIS 3.22 LTR) validates and reads it
without warnings; newer GDAL would otherwise write 1.4.
"""

from __future__ import annotations

import shlex
import shutil
import sqlite3
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyogrio

from geo import __version__
from geo.atomic import atomic_path
from geo.errors import InputError, LayerError, OutputExistsError

__all__ = [
    "EVENT_FORMATS",
    "GPKG_VERSION",
    "LAYER_NAMES",
    "build_layers",
    "export_events",
    "export_gpkg",
    "gpkg_ready",
]

#: Layers of the GeoPackage, in the order they are written.
LAYER_NAMES = (
    "events",
    "borders",
    "countries",
    "provinces",
    "zones",
    "nearest_lines",
    "places",
    "sites",
    "priogrid",
)

#: ``--format`` of an events-only export: (GDAL driver or None for GeoParquet, suffix).
EVENT_FORMATS = {
    "geojson": ("GeoJSON", ".geojson"),
    "parquet": (None, ".parquet"),
    "fgb": ("FlatGeobuf", ".fgb"),
}

GPKG_VERSION = "1.3"
_GPKG_APPLICATION_IDS = (0x47504B47, 0x47503130, 0x47503131)  # GPKG, GP10, GP11

_EMPTY_GEOMETRY_TYPES = {
    "events": "Point",
    "nearest_lines": "LineString",
    "places": "Point",
    "sites": "Point",
    "zones": "MultiPolygon",
    "priogrid": "Polygon",
}

_DESCRIPTIONS = {
    "events": "Events with geodesic distance, nearest border point, side, province and zone",
    "borders": "Shared land borders of the embedded countries",
    "countries": "Country polygons (OSM-derived, about 100 m)",
    "provinces": "Admin-1 provinces fitted to the country outlines",
    "zones": "Geodesic distance bands of the selected border, split by side",
    "nearest_lines": "Geodesic lines from each event to its nearest border point",
    "places": "GeoNames populated places (1000 or more people)",
    "sites": "Curated sites of the story, with alternate spellings",
    "priogrid": "PRIO-GRID 0.5 degree cells: gid, events, fatalities, bdist (km to the border)",
}


def _layer_sources() -> dict[str, tuple[str, str]]:
    """Layer name to (source, licence), from ``layers/SOURCES.toml``."""
    from geo.layers import LAYERS_DIR
    from geo.layers.sources import load_sources

    src = load_sources(LAYERS_DIR / "SOURCES.toml")
    osm = (f"{src['countries'].spec}: {src['countries'].attribution}", src["countries"].licence)
    ne = (f"{src['provinces'].spec}: {src['provinces'].attribution}", src["provinces"].licence)
    gn = (f"{src['gazetteer'].spec}: {src['gazetteer'].attribution}", src["gazetteer"].licence)
    curated = ("bordermap curation (layers/PROVENANCE.md)", "CC-BY-4.0")
    derived = (f"derived by bordermap from the borders ({osm[0]})", osm[1])
    return {
        "borders": osm,
        "countries": osm,
        "provinces": ne,
        "places": gn,
        "sites": (f"{curated[0]}; coordinates partly {gn[0]}", "CC-BY-4.0"),
        "zones": derived,
        "nearest_lines": derived,
        "priogrid": (f"PRIO-GRID numbering; values derived by bordermap; {osm[0]}", osm[1]),
    }


def _check_layers(layers: Sequence[str] | None) -> tuple[str, ...]:
    if layers is None:
        return LAYER_NAMES
    unknown = [name for name in layers if name not in LAYER_NAMES]
    if unknown:
        raise LayerError(
            f"unknown layer(s) {', '.join(unknown)}; choose from {', '.join(LAYER_NAMES)}"
        )
    return tuple(name for name in LAYER_NAMES if name in set(layers))


def build_layers(
    events: gpd.GeoDataFrame | None = None,
    *,
    pair: str = "IRN-PAK",
    layers: Sequence[str] | None = None,
    zones_km: Sequence[float] = (10, 25, 50, 100),
) -> dict[str, gpd.GeoDataFrame]:
    """Compute every layer of the export, in memory.

    Parameters
    ----------
    events : GeoDataFrame, optional
        Events in EPSG:4326; the embedded seed events by default.
    pair : str
        Border pair such as ``'IRN-PAK'``; distances, zones and PRIO-GRID
        ``bdist`` refer to it.
    layers : sequence of str, optional
        Subset of :data:`LAYER_NAMES`.
    zones_km : sequence of float
        Band edges of the distance zones.

    Returns
    -------
    dict of str to GeoDataFrame
        In :data:`LAYER_NAMES` order, each in EPSG:4326.

    Raises
    ------
    LayerError
        For an unknown layer name or border pair.
    """
    from geo import layers as lay

    names = _check_layers(layers)
    line = lay.border(pair)
    if events is None:
        events = lay.events()
    out: dict[str, gpd.GeoDataFrame] = {}
    analyzed = None
    if {"events", "nearest_lines"} & set(names):
        from geo.proximity import analyze

        analyzed = analyze(events, pair=pair, zones_km=tuple(zones_km))
    for name in names:
        if name == "events":
            out[name] = analyzed
        elif name == "borders":
            out[name] = lay.borders()
        elif name == "countries":
            out[name] = lay.countries()
        elif name == "provinces":
            out[name] = lay.provinces()
        elif name == "zones":
            from geo.zones import border_zones

            out[name] = border_zones(line, tuple(zones_km), countries=lay.countries())
        elif name == "nearest_lines":
            from geo.proximity import nearest_lines

            out[name] = nearest_lines(analyzed)
        elif name in ("places", "sites"):
            places = lay.places()
            curated = places["source"] == "curated"
            out[name] = places[curated if name == "sites" else ~curated].reset_index(drop=True)
        elif name == "priogrid":
            from geo.priogrid import priogrid_cells
            from geo.raster import theatre_bounds

            out[name] = priogrid_cells(events, line, bounds=theatre_bounds(pair), cover_events=True)
    return out


def gpkg_ready(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Give columns the types GeoPackage readers expect.

    Datetime columns holding whole days become DATE, categoricals and mixed
    object columns become TEXT; integers stay INTEGER and floats REAL, with
    NaN written as NULL. ``attrs`` are dropped.

    Parameters
    ----------
    frame : GeoDataFrame

    Returns
    -------
    GeoDataFrame
        A copy.

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> f = gpd.GeoDataFrame({"d": pd.to_datetime(["2024-01-16"])}, geometry=[None])
    >>> str(gpkg_ready(f)["d"].dtype)
    'date32[day][pyarrow]'
    """
    frame = frame.copy()
    frame.attrs = {}  # run-level attrs (border pair, length) belong in gpkg_metadata
    geom = frame.geometry.name
    for col in frame.columns:
        if col == geom:
            continue
        values = frame[col]
        if values.dtype == "float64" and values.isna().any():
            frame[col] = values.astype("Float64")  # NaN is missing: NULL, not a float NaN
        elif isinstance(values.dtype, pd.CategoricalDtype):
            frame[col] = values.astype("string")
        elif pd.api.types.is_datetime64_any_dtype(values):
            valid = values.dropna()
            whole_days = valid.dt.tz is None and bool((valid == valid.dt.normalize()).all())
            if whole_days:
                frame[col] = values.dt.date.astype(pd.ArrowDtype(pa.date32()))
        elif values.dtype == object:
            kinds = {type(v) for v in values.dropna()}
            if len(kinds) > 1 or (kinds and not kinds <= {str, bytes}):
                frame[col] = values.map(lambda v: v if v is None or v != v else str(v))
                frame[col] = frame[col].astype("string")
    return frame


def _check_crs(name: str, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is None:
        raise InputError(name, None, "geometry", "layer has no CRS; expected EPSG:4326")
    if frame.crs.to_epsg() != 4326:
        return frame.to_crs(4326)
    return frame


def _write_layer(
    path: Path,
    name: str,
    frame: gpd.GeoDataFrame,
    *,
    create: bool,
    layer_metadata: dict[str, str],
    dataset_metadata: dict[str, str] | None,
) -> None:
    """Write (or replace) one layer with GDAL; spatial index on, GeoPackage 1.3."""
    # an empty frame has no geometry to infer the type from
    geometry_type = _EMPTY_GEOMETRY_TYPES.get(name) if len(frame) == 0 else None
    # GDAL's own columns: an input column named fid or geom (any case) would clash
    reserved = {"fid", "geom"}
    renames = {}
    for col in frame.columns:
        if col != frame.geometry.name and str(col).lower() in reserved:
            new = f"{col}_original"
            while new.lower() in {str(c).lower() for c in frame.columns} | reserved:
                new += "_"
            renames[col] = new
    if renames:
        frame = frame.rename(columns=renames)
    pyogrio.write_dataframe(
        gpkg_ready(_check_crs(name, frame)),
        path,
        layer=name,
        driver="GPKG",
        use_arrow=True,
        geometry_type=geometry_type,
        dataset_options={"VERSION": GPKG_VERSION} if create else None,
        layer_options={"SPATIAL_INDEX": "YES", "FID": "fid"},
        layer_metadata=layer_metadata,
        dataset_metadata=dataset_metadata,
    )


def _check_gpkg(path: Path) -> None:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            con.execute("SELECT count(*) FROM gpkg_contents").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise InputError(str(path), None, None, f"not a GeoPackage ({exc})") from exc
    if app_id not in _GPKG_APPLICATION_IDS:
        raise InputError(str(path), None, None, "not a GeoPackage (SQLite application_id)")


def _provenance(
    frames: dict[str, gpd.GeoDataFrame], *, pair: str, command: str, events_source: str, update
):
    sources = _layer_sources()
    sources["events"] = (
        events_source,
        "CC-BY-4.0" if events_source.startswith("bordermap") else "as supplied by the user",
    )
    layers = {
        name: {
            "description": _DESCRIPTIONS[name],
            "features": len(frame),
            "source": sources[name][0],
            "licence": sources[name][1],
        }
        for name, frame in frames.items()
    }
    return {
        "tool": "bordermap",
        "tool_version": __version__,
        "command_line": command,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "update" if update else "create",
        "border_pair": pair,
        "crs": "EPSG:4326",
        "distances": "geodesic on the WGS84 ellipsoid (GeographicLib), kilometres",
        "layers": layers,
        "licences": sorted({entry["licence"] for entry in layers.values()}),
    }


def export_gpkg(
    path: Path | str,
    *,
    events: gpd.GeoDataFrame | None = None,
    pair: str = "IRN-PAK",
    layers: Sequence[str] | None = None,
    overwrite: bool = False,
    update: bool = False,
    command: str | None = None,
    events_source: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Write the analysis as one multi-layer GeoPackage, atomically.

    Parameters
    ----------
    path : path-like
        Output ``.gpkg``.
    events : GeoDataFrame, optional
        Events in EPSG:4326; the embedded seed events by default.
    pair : str
        Border pair the analysis refers to.
    layers : sequence of str, optional
        Subset of :data:`LAYER_NAMES` (all by default).
    overwrite : bool
        Replace an existing file.
    update : bool
        Add or replace ``layers`` in an existing GeoPackage, leaving its other
        layers and their styles as they were.
    command : str, optional
        Command line recorded in the provenance (default: this process's argv).
    events_source : str, optional
        Where the events came from, for the provenance.
    progress : callable, optional
        Receives one short message per layer written.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OutputExistsError
        If ``path`` exists and neither ``overwrite`` nor ``update`` is set.
    InputError
        If ``update`` is set and ``path`` is missing or not a GeoPackage.
    """
    from geo.gpkgmeta import write_provenance, write_styles
    from geo.gpkgstyles import default_styles

    path = Path(path)
    if overwrite and update:
        raise InputError(str(path), None, "--update", "choose either --overwrite or --update")
    if update:
        if not path.is_file():
            raise InputError(str(path), None, None, "does not exist; --update needs a GeoPackage")
        _check_gpkg(path)
    elif path.exists() and not overwrite:
        raise OutputExistsError(str(path))
    frames = build_layers(events, pair=pair, layers=layers)
    command = command or shlex.join(["bordermap", *sys.argv[1:]])
    doc = _provenance(
        frames,
        pair=pair,
        command=command,
        events_source=events_source or "bordermap curation: seed events (layers/events.csv)",
        update=update,
    )
    dataset_md = {
        "TOOL": f"bordermap {__version__}",
        "COMMAND_LINE": command,
        "BORDER_PAIR": pair,
        "LICENCES": "; ".join(doc["licences"]),
        "CRS": "EPSG:4326; distances geodesic on WGS84, km",
    }
    with atomic_path(path) as tmp:
        if update:
            shutil.copyfile(path, tmp)
        for i, (name, frame) in enumerate(frames.items()):
            entry = doc["layers"][name]
            layer_md = {
                "DESCRIPTION": entry["description"],
                "SOURCE": entry["source"],
                "LICENCE": entry["licence"],
            }
            _write_layer(
                tmp,
                name,
                frame,
                create=(i == 0 and not update),
                layer_metadata=layer_md,
                dataset_metadata=dataset_md if i == 0 else None,
            )
            if progress is not None:
                progress(f"{name}: {len(frame)} features")
        write_styles(tmp, default_styles(frames))
        write_provenance(tmp, doc)
    return path


def export_events(
    path: Path | str,
    *,
    events: gpd.GeoDataFrame | None = None,
    pair: str = "IRN-PAK",
    fmt: str = "geojson",
    overwrite: bool = False,
) -> Path:
    """Write the analysed events alone as GeoJSON, GeoParquet or FlatGeobuf.

    Parameters
    ----------
    path : path-like
        Output file.
    events : GeoDataFrame, optional
        Events in EPSG:4326; the embedded seed events by default.
    pair : str
        Border pair the analysis refers to.
    fmt : {'geojson', 'parquet', 'fgb'}
        Output format.
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    pathlib.Path
    """
    if fmt not in EVENT_FORMATS:
        raise InputError(
            str(path), None, "--format", f"{fmt!r}; choose from gpkg, {', '.join(EVENT_FORMATS)}"
        )
    path = Path(path)
    if path.exists() and not overwrite:
        raise OutputExistsError(str(path))
    frame = gpkg_ready(build_layers(events, pair=pair, layers=["events"])["events"])
    driver, suffix = EVENT_FORMATS[fmt]
    if fmt == "geojson":  # JSON has no infinity; an open-ended zone has no upper edge
        for col in frame.select_dtypes(include=["float", "Float64"]).columns:
            frame[col] = frame[col].astype("Float64").mask(frame[col].abs() == float("inf"))
    with atomic_path(path, suffix=suffix) as tmp:
        if driver is None:
            frame.to_parquet(tmp, index=False, geometry_encoding="WKB", write_covering_bbox=True)
        else:
            pyogrio.write_dataframe(frame, tmp, layer="events", driver=driver, use_arrow=True)
    return path
