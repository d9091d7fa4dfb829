"""Write the analysis as one styled, validated GeoPackage, or the events alone.

:func:`build_layers` assembles the layers (pure computation);
:func:`export_gpkg` writes them atomically, with QGIS default styles in
``layer_styles`` and provenance in ``gpkg_metadata``. The file is GeoPackage
1.3 so that GDAL 3.6 (Debian 12, QGIS 3.22 LTR) validates and reads it
without warnings; newer GDAL would otherwise write 1.4.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyogrio
import shapely

from geo import __version__
from geo import layers as lay
from geo.errors import InputError, LayerError, ParameterError
from geo.export.files import check_gpkg, drop_layers, output_format
from geo.export.metadata import provenance_document, write_provenance, write_styles
from geo.export.styles import default_styles
from geo.io.atomic import atomic_path, check_out, locked
from geo.placement import provinces_of
from geo.proximity import nearest_lines
from geo.raster.priogrid import priogrid_cells
from geo.theatre import PAD_DEG, Theatre, as_theatre, neighbours

__all__ = [
    "EVENT_FORMATS",
    "GPKG_VERSION",
    "LAYER_NAMES",
    "PYTHON_API",
    "SEED_SOURCE",
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
#: What the provenance records as the command line when the library is called directly.
PYTHON_API = "Python API"
#: What the provenance records as the events' source when none is named.
SEED_SOURCE = "bordermap curation: seed events (layers/events.csv)"


# GDAL's PAM would leave a .aux.xml beside every GeoPackage it opens with metadata
pyogrio.set_gdal_config_options({"GDAL_PAM_ENABLED": "NO"})

_EMPTY_GEOMETRY_TYPES = {
    "events": "Point",
    "nearest_lines": "LineString",
    "places": "Point",
    "sites": "Point",
    "zones": "MultiPolygon",
    "priogrid": "Polygon",
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


def _area(analyzed: gpd.GeoDataFrame, theatre: Theatre) -> tuple[float, float, float, float]:
    """Return the box the export covers: the theatre's bounds, or the events' (nearest)."""
    if not theatre.is_nearest:
        return theatre.bounds
    xy = shapely.get_coordinates(analyzed.geometry.to_numpy())
    if len(xy) == 0:
        return theatre.bounds
    w, s, e, n = (*xy.min(axis=0), *xy.max(axis=0))
    pad = PAD_DEG
    return (max(w - pad, -180.0), max(s - pad, -90.0), min(e + pad, 180.0), min(n + pad, 90.0))


def _in_box(frame: gpd.GeoDataFrame, box) -> gpd.GeoDataFrame:
    w, s, e, n = box
    x, y = frame.geometry.x, frame.geometry.y
    inside = (y >= s) & (y <= n) & (((x >= w) & (x <= e)) if w <= e else ((x >= w) | (x <= e)))
    return frame[inside.to_numpy()].reset_index(drop=True)


def _places(analyzed, theatre: Theatre, curated: bool) -> gpd.GeoDataFrame:
    """Gazetteer places within the theatre's bounds (GeoNames towns, or curated sites)."""
    places = lay.places()
    keep = places["source"] == "curated"
    return _in_box(places[keep if curated else ~keep], _area(analyzed, theatre))


def _sites(analyzed, theatre: Theatre) -> gpd.GeoDataFrame:
    """Give the curated sites in the theatre's area and every site the theatre measures to."""
    curated = _places(analyzed, theatre, curated=True)
    chosen = theatre.site_points
    extra = {name: xy for name, xy in chosen.items() if name not in set(curated["name"])}
    if not extra:
        return curated
    added = gpd.GeoDataFrame(
        {"name": list(extra), "kind": "site", "source": "--sites"},
        geometry=gpd.points_from_xy([x for x, _ in extra.values()], [y for _, y in extra.values()]),
        crs="EPSG:4326",
    )
    return gpd.GeoDataFrame(pd.concat([curated, added], ignore_index=True), crs="EPSG:4326")


def _borders(analyzed, theatre: Theatre) -> gpd.GeoDataFrame:
    """Every land border between two countries of the theatre's region."""
    codes = theatre.region(analyzed)
    if theatre.is_nearest:
        keys = {k for k in analyzed["border_pair"].dropna().unique()}
        keys |= {f"{a}-{b}" for a in codes for b in neighbours(a) if a < b and b in codes}
    else:
        keys = {f"{a}-{b}" for a in codes for b in neighbours(a) if a < b and b in codes}
    frames = [lay.border(*key.split("-")) for key in sorted(keys)]
    if not frames:
        return lay.borders().iloc[0:0]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")


def _provinces(analyzed, theatre: Theatre) -> gpd.GeoDataFrame:
    return provinces_of(theatre.region(analyzed))


_BUILDERS: dict[str, Callable[[gpd.GeoDataFrame, Theatre], gpd.GeoDataFrame]] = {
    "events": lambda analyzed, theatre: analyzed,
    "borders": _borders,
    "countries": lambda analyzed, theatre: lay.countries(list(theatre.region(analyzed))),
    "provinces": _provinces,
    "zones": lambda analyzed, theatre: theatre.zone_polygons,
    "nearest_lines": lambda analyzed, theatre: nearest_lines(analyzed),
    "places": lambda analyzed, theatre: _places(analyzed, theatre, curated=False),
    "sites": _sites,
    "priogrid": lambda analyzed, theatre: priogrid_cells(
        analyzed, theatre.line, bounds=_area(analyzed, theatre), cover_events=True
    ),
}


def build_layers(
    analyzed: gpd.GeoDataFrame,
    theatre: Theatre | str | None = None,
    *,
    layers: Sequence[str] | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """Assemble every layer of the export, in memory, from an analysed frame.

    Parameters
    ----------
    analyzed : GeoDataFrame
        Events in EPSG:4326 after :func:`geo.proximity.analyze`.
    theatre : Theatre or str, optional
        The border the analysis refers to: zones, PRIO-GRID ``bdist`` and the
        PRIO-GRID area follow it (a pair builds one; the default theatre if None).
        The layers hold the theatre, not the world: the pair's countries and
        their neighbours (:meth:`~geo.theatre.Theatre.region`), the borders
        among them, their provinces, and places within the theatre's bounds.
        For ``nearest``: the countries and borders of the events, no zones,
        and PRIO-GRID ``bdist`` to the nearest border of any pair.
    layers : sequence of str, optional
        Subset of :data:`LAYER_NAMES`.

    Returns
    -------
    dict of str to GeoDataFrame
        In :data:`LAYER_NAMES` order, each in EPSG:4326.

    Raises
    ------
    LayerError
        For an unknown layer name or border pair.

    Examples
    --------
    >>> from geo.proximity import analyze
    >>> frames = build_layers(analyze(lay.events()), "IRN-PAK", layers=["sites", "events"])
    >>> list(frames), len(frames["events"])
    (['events', 'sites'], 6)
    """
    names = _check_layers(layers)
    theatre = as_theatre(theatre)
    return {name: _BUILDERS[name](analyzed, theatre) for name in names}


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


def _check_target(path: Path, *, overwrite: bool, update: bool) -> None:
    """Refuse a bad target before any work: the overwrite rule, or a GeoPackage to update."""
    if overwrite and update:
        raise ParameterError("update", "choose either overwrite or update")
    if not update:
        check_out(path, overwrite)
        return
    if not path.is_file():
        raise InputError(str(path), None, None, "does not exist; update needs a GeoPackage")
    check_gpkg(path)


def _write_frames(
    tmp: Path,
    frames: dict[str, gpd.GeoDataFrame],
    doc: dict,
    *,
    update: bool,
    progress: Callable[[str], None] | None,
) -> None:
    """Write every layer into ``tmp``, the dataset metadata with the first."""
    dataset_md = {
        "TOOL": f"bordermap {__version__}",
        "COMMAND_LINE": doc["command_line"],
        "BORDER_PAIR": doc["border_pair"],
        "LICENCES": "; ".join(doc["licences"]),
        "CRS": "EPSG:4326; distances geodesic on WGS84, km",
    }
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


def export_gpkg(
    path: Path | str,
    analyzed: gpd.GeoDataFrame,
    theatre: Theatre | str | None = None,
    *,
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
    analyzed : GeoDataFrame
        Events in EPSG:4326 after :func:`geo.proximity.analyze`.
    theatre : Theatre or str, optional
        The theatre the analysis refers to (a pair builds one; default if None).
    layers : sequence of str, optional
        Subset of :data:`LAYER_NAMES` (all by default).
    overwrite : bool
        Replace an existing file.
    update : bool
        Add or replace ``layers`` in an existing GeoPackage, leaving its other
        layers and their styles as they were.
    command : str, optional
        Command line recorded in the provenance (default :data:`PYTHON_API`).
    events_source : str, optional
        Where the events came from, for the provenance (default :data:`SEED_SOURCE`).
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
    ParameterError
        If both ``overwrite`` and ``update`` are set.
    """
    path = Path(path)
    output_format(path, "gpkg")  # never a GeoPackage under another format's name
    _check_target(path, overwrite=overwrite, update=update)
    theatre = as_theatre(theatre)
    frames = build_layers(analyzed, theatre, layers=layers)
    doc = provenance_document(
        frames,
        pair=theatre.pair,
        command=command or PYTHON_API,
        events_source=events_source or SEED_SOURCE,
        update=update,
    )
    with (
        locked(path) if update else contextlib.nullcontext(),
        # the temporary file is always .gpkg, so GDAL never warns about its name
        atomic_path(path, suffix=".gpkg", overwrite=overwrite or update) as tmp,
    ):
        if update:  # under the lock: a concurrent update waits, and its layers are kept
            shutil.copyfile(path, tmp)
            drop_layers(tmp, list(frames))
        _write_frames(tmp, frames, doc, update=update, progress=progress)
        write_styles(tmp, default_styles(frames, theatre))
        write_provenance(tmp, doc)
    return path


def export_events(
    path: Path | str,
    analyzed: gpd.GeoDataFrame,
    *,
    fmt: str = "geojson",
    overwrite: bool = False,
) -> Path:
    """Write the analysed events alone as GeoJSON, GeoParquet or FlatGeobuf.

    Parameters
    ----------
    path : path-like
        Output file.
    analyzed : GeoDataFrame
        Events in EPSG:4326 after :func:`geo.proximity.analyze`.
    fmt : {'geojson', 'parquet', 'fgb'}
        Output format.
    overwrite : bool
        Whether a file already at ``path`` may be replaced.

    Returns
    -------
    pathlib.Path
        ``path``, the events layer alone.

    Raises
    ------
    ParameterError
        For an unknown ``fmt``, or a ``path`` whose suffix names another format.
    OutputExistsError
        If ``path`` exists and ``overwrite`` is not set.
    """
    if fmt not in EVENT_FORMATS:
        raise ParameterError("fmt", f"{fmt!r}; choose from gpkg, {', '.join(EVENT_FORMATS)}")
    path = Path(path)
    output_format(path, fmt)  # a name that asks for another format is refused
    check_out(path, overwrite)
    frame = gpkg_ready(_check_crs("events", analyzed))
    driver, suffix = EVENT_FORMATS[fmt]
    if fmt == "geojson":  # JSON has no infinity; an open-ended zone has no upper edge
        for col in frame.select_dtypes(include=["float", "Float64"]).columns:
            frame[col] = frame[col].astype("Float64").mask(frame[col].abs() == float("inf"))
    with atomic_path(path, suffix=suffix, overwrite=overwrite) as tmp:
        if driver is None:
            frame.to_parquet(tmp, index=False, geometry_encoding="WKB", write_covering_bbox=True)
        else:
            pyogrio.write_dataframe(frame, tmp, layer="events", driver=driver, use_arrow=True)
    return path
