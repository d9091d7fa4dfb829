"""The GeoPackage as a SQLite file, and the output format a file name asks for.

:func:`output_format` makes the format follow the file (never a GeoPackage
named ``.shp``); :func:`check_gpkg` and :func:`drop_layers` prepare an update.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from geo.errors import InputError, ParameterError

__all__ = ["OUTPUT_SUFFIXES", "check_gpkg", "drop_layers", "output_format"]

#: The output format each file suffix stands for.
OUTPUT_SUFFIXES = {
    ".gpkg": "gpkg",
    ".geojson": "geojson",
    ".json": "geojson",
    ".parquet": "parquet",
    ".geoparquet": "parquet",
    ".fgb": "fgb",
}
#: Suffixes of formats bordermap does not write, and why.
_REFUSED = {
    ".shp": "Shapefiles are not written (several files, 10-character field names, no styles)",
    ".csv": "CSV holds no geometry here; use `bordermap analyze -f csv`",
    ".kml": "KML is not written",
}

#: GeoPackage tables that record a layer by its ``table_name``.
_REGISTRIES = (
    "gpkg_contents",
    "gpkg_geometry_columns",
    "gpkg_extensions",
    "gpkg_ogr_contents",
    "gpkg_metadata_reference",
)
_GPKG_APPLICATION_IDS = (0x47504B47, 0x47503130, 0x47503131)  # GPKG, GP10, GP11


def check_gpkg(path: Path) -> None:
    """Refuse a file that is not a GeoPackage (SQLite with a GeoPackage application id).

    Parameters
    ----------
    path : pathlib.Path
        The file to update.

    Raises
    ------
    InputError
        Naming the file and what it is instead.
    """
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


def drop_layers(path: Path, names: Sequence[str]) -> None:
    """Remove feature tables an update is about to rewrite, with their GeoPackage records.

    GDAL 3.12 through pyogrio cannot always replace the first layer of a file
    (``table ... already exists``), so the update clears them itself: the
    table, its R-tree (triggers go with the table) and every row naming it.

    Parameters
    ----------
    path : pathlib.Path
        A GeoPackage (the update's private copy).
    names : sequence of str
        Layers to remove; names the file lacks are skipped.
    """
    with contextlib.closing(sqlite3.connect(path)) as con, con:
        have = {row[0] for row in con.execute("SELECT table_name FROM gpkg_contents")}
        tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master")}
        for name in (n for n in names if n in have):
            con.execute(f'DROP TABLE IF EXISTS "rtree_{name}_geom"')
            con.execute(f'DROP TABLE IF EXISTS "{name}"')
            for registry in _REGISTRIES:
                if registry in tables:
                    con.execute(f"DELETE FROM {registry} WHERE table_name = ?", (name,))
        if {"gpkg_metadata", "gpkg_metadata_reference"} <= tables:
            con.execute(
                "DELETE FROM gpkg_metadata WHERE id NOT IN "
                "(SELECT md_file_id FROM gpkg_metadata_reference)"
            )


def output_format(path: Path | str, fmt: str | None = None) -> str:
    """Return the format ``path``'s suffix asks for, checked against an explicit ``fmt``.

    Parameters
    ----------
    path : path-like
        The output file.
    fmt : str, optional
        The format asked for; it must agree with a known suffix. A name
        without a suffix takes ``fmt``, else ``"gpkg"``.

    Returns
    -------
    str
        One of the values of :data:`OUTPUT_SUFFIXES`.

    Raises
    ------
    ParameterError
        For a suffix bordermap does not write, or one that contradicts ``fmt``.

    Examples
    --------
    >>> output_format("a.GPKG"), output_format("b.json"), output_format("c", "fgb")
    ('gpkg', 'geojson', 'fgb')
    >>> output_format("e.shp")
    Traceback (most recent call last):
    ...
    geo.errors.ParameterError: out: e.shp: Shapefiles are not written ...
    >>> output_format("e.gpkg", "geojson")
    Traceback (most recent call last):
    ...
    geo.errors.ParameterError: fmt: geojson contradicts the name e.gpkg (a gpkg file)
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not suffix:
        return fmt or "gpkg"
    if suffix not in OUTPUT_SUFFIXES:
        why = _REFUSED.get(suffix, f"unknown suffix {path.suffix!r}")
        known = ", ".join(OUTPUT_SUFFIXES)
        raise ParameterError("out", f"{path.name}: {why}; name the file {known}")
    if fmt is not None and fmt != OUTPUT_SUFFIXES[suffix]:
        raise ParameterError(
            "fmt", f"{fmt} contradicts the name {path.name} (a {OUTPUT_SUFFIXES[suffix]} file)"
        )
    return OUTPUT_SUFFIXES[suffix]
