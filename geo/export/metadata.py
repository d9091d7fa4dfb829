"""GeoPackage side tables: QGIS ``layer_styles`` and provenance in ``gpkg_metadata``.

Both are written after GDAL has written the feature tables. ``layer_styles``
is itself written through GDAL (an attributes table registered in
``gpkg_contents``, as QGIS creates it); the provenance document goes into the
metadata tables GDAL created for the dataset metadata, with plain sqlite3.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyogrio

from geo import __version__
from geo import layers as lay
from geo.export.styles import StyleRow
from geo.layers.sources import load_sources

__all__ = [
    "LAYER_DESCRIPTIONS",
    "PROVENANCE_URI",
    "provenance_document",
    "read_provenance",
    "read_styles",
    "write_provenance",
    "write_styles",
]

#: ``md_standard_uri`` of bordermap's JSON provenance documents.
PROVENANCE_URI = "urn:bordermap:provenance:1"

#: What each layer holds, for gpkg_contents and the provenance.
LAYER_DESCRIPTIONS = {
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
    src = load_sources(lay.LAYERS_DIR / "SOURCES.toml")
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


_STYLE_COLUMNS = (
    "f_table_catalog",
    "f_table_schema",
    "f_table_name",
    "f_geometry_column",
    "styleName",
    "styleQML",
    "styleSLD",
    "useAsDefault",
    "description",
    "owner",
    "ui",
    "update_time",
)


@contextlib.contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    con = sqlite3.connect(path)
    try:
        with con:
            yield con
    finally:
        con.close()


def _has_table(path: Path, name: str) -> bool:
    with _connect(path) as con:
        row = con.execute(
            "SELECT 1 FROM gpkg_contents WHERE lower(table_name) = lower(?)", (name,)
        ).fetchone()
    return row is not None


def read_styles(path: Path | str) -> pd.DataFrame:
    """Read the ``layer_styles`` table of the GeoPackage at ``path`` (empty if it has none).

    Returns
    -------
    pandas.DataFrame
        The QGIS columns ``f_table_catalog`` ... ``update_time``.
    """
    path = Path(path)
    if not _has_table(path, "layer_styles"):
        return pd.DataFrame(columns=list(_STYLE_COLUMNS))
    frame = pyogrio.read_dataframe(path, layer="layer_styles", read_geometry=False)
    return pd.DataFrame(frame)[list(_STYLE_COLUMNS)]


def write_styles(path: Path | str, rows: Iterable[StyleRow], *, owner: str = "bordermap") -> int:
    """Store styles in ``layer_styles``, replacing earlier ones for the same tables.

    Styles of tables not named in ``rows`` (for example saved by an analyst in
    QGIS) are kept. The table is registered in ``gpkg_contents`` as an
    attributes table, as QGIS does, so that GDAL and QGIS both find it.

    Parameters
    ----------
    path : path-like
        GeoPackage opened by nobody else.
    rows : iterable of StyleRow
        Styles to store.
    owner : str
        Value of the ``owner`` column.

    Returns
    -------
    int
        Number of styles in the table afterwards.
    """
    path = Path(path)
    rows = list(rows)
    now = pd.Timestamp(datetime.now(UTC)).floor("ms")
    new = pd.DataFrame(
        {
            "f_table_catalog": "",
            "f_table_schema": "",
            "f_table_name": [r.table for r in rows],
            "f_geometry_column": [r.geometry_column for r in rows],
            "styleName": [r.name for r in rows],
            "styleQML": [r.qml for r in rows],
            "styleSLD": [r.sld for r in rows],
            "useAsDefault": pd.array([r.default for r in rows], dtype=bool),
            "description": [r.description for r in rows],
            "owner": owner,
            "ui": "",
            "update_time": pd.Series([now] * len(rows), dtype="datetime64[ms, UTC]"),
        },
        columns=list(_STYLE_COLUMNS),
    )
    old = read_styles(path)
    if len(old):
        old = old[~old["f_table_name"].isin({r.table for r in rows})]
        old["useAsDefault"] = old["useAsDefault"].astype(bool)
        old["update_time"] = pd.to_datetime(old["update_time"], utc=True).astype(
            "datetime64[ms, UTC]"
        )
        table = pd.concat([old, new], ignore_index=True) if len(old) else new
    else:
        table = new
    pyogrio.write_dataframe(
        table,
        path,
        layer="layer_styles",
        driver="GPKG",
        layer_options={"DESCRIPTION": "QGIS layer styles"},
    )
    return len(table)


def write_provenance(path: Path | str, document: dict) -> int:
    """Add a JSON provenance document to ``gpkg_metadata``, referenced by the whole file.

    The metadata tables must exist (GDAL creates them, with their
    ``gpkg_extensions`` rows, when a dataset carries metadata). Each layer named
    in ``document["layers"]`` also gets a table-scoped reference.

    Parameters
    ----------
    path : path-like
        GeoPackage file.
    document : dict
        JSON-serialisable provenance: sources, licences, tool version, command line.

    Returns
    -------
    int
        The new ``gpkg_metadata.id``.
    """
    text = json.dumps(document, indent=1, ensure_ascii=False, sort_keys=True, default=str)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    with _connect(Path(path)) as con:
        cur = con.execute(
            "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) "
            "VALUES ('dataset', ?, 'application/json', ?)",
            (PROVENANCE_URI, text),
        )
        md_id = int(cur.lastrowid)
        con.execute(
            "INSERT INTO gpkg_metadata_reference (reference_scope, table_name, column_name, "
            "row_id_value, timestamp, md_file_id, md_parent_id) "
            "VALUES ('geopackage', NULL, NULL, NULL, ?, ?, NULL)",
            (stamp, md_id),
        )
        for table in document.get("layers", {}):
            con.execute(
                "INSERT INTO gpkg_metadata_reference (reference_scope, table_name, column_name, "
                "row_id_value, timestamp, md_file_id, md_parent_id) "
                "VALUES ('table', ?, NULL, NULL, ?, ?, NULL)",
                (table, stamp, md_id),
            )
    return md_id


def read_provenance(path: Path | str) -> list[dict]:
    """Every bordermap provenance document in the GeoPackage at ``path``, oldest first.

    Returns
    -------
    list of dict
    """
    with _connect(Path(path)) as con:
        rows = con.execute(
            "SELECT metadata FROM gpkg_metadata WHERE md_standard_uri = ? ORDER BY id",
            (PROVENANCE_URI,),
        ).fetchall()
    return [json.loads(r[0]) for r in rows]


def provenance_document(
    frames: dict[str, pd.DataFrame], *, pair: str, command: str, events_source: str, update: bool
) -> dict:
    """Build the JSON provenance of an export: tool, command line, sources and licences per layer.

    Parameters
    ----------
    frames : dict of str to DataFrame
        Layer name to the data written.
    pair : str
        The theatre's border pair (or line name).
    command : str
        Command line, or ``"Python API"``.
    events_source : str
        Where the events came from; a source starting ``bordermap`` is CC-BY-4.0.
    update : bool
        Whether the export updates an existing file.

    Returns
    -------
    dict
    """
    sources = _layer_sources()
    sources["events"] = (
        events_source,
        "CC-BY-4.0" if events_source.startswith("bordermap") else "as supplied by the user",
    )
    layers = {
        name: {
            "description": LAYER_DESCRIPTIONS[name],
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
