"""The per-chunk pipeline behind :mod:`geo.io.events`: read, normalise, place, check, split.

:class:`ChunkReader` holds what must outlive a chunk (the format, the column
mapping, the ids seen so far); :meth:`ChunkReader.process` turns one chunk of
strings into an :class:`EventTable` of valid events, rejects and problems.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from geo.errors import InputError, ParameterError
from geo.io.archives import Source
from geo.io.arrowtext import Position
from geo.io.checks import (
    DuplicateIds,
    check_admin1,
    check_coordinates,
    check_field_sizes,
    embedded_codes,
)
from geo.io.layouts import (
    EXTRA,
    PROBLEM_COLUMNS,
    SCHEMA,
    column_map,
    detect_layout,
    known_names,
    listed_columns,
    normalise,
    problems_frame,
)
from geo.io.measures import unread_tolls
from geo.io.options import EVENT_FORMATS, ReadOptions
from geo.io.placing import place_by_name
from geo.io.problems import merged_row_problems, row_width_problems
from geo.io.results import EventTable
from geo.io.text import BAD_FIELDS, SHORT, SURPLUS, iter_text_chunks, sniff_text
from geo.io.vector import GEOM_COLUMNS, GEOMETRY, iter_vector_chunks

__all__ = [
    "EVENT_FORMATS",
    "ChunkReader",
    "detect_format",
    "empty_chunk",
    "keep_rows",
]

_VECTOR = ("geojson", "gpkg", "shp", "fgb", "parquet")


def detect_format(path: str | Path) -> str:
    """Name the format of an event file from its content (the suffix only breaks ties).

    Returns
    -------
    str
        One of :data:`EVENT_FORMATS`.

    Raises
    ------
    InputError
        When the file does not exist or is empty.
    """
    path = Path(path)
    if path.is_dir():
        return "shp"
    if not path.exists():
        raise InputError(str(path), None, None, "no such file")
    if not path.is_file():
        raise InputError(str(path), None, None, "not a regular file (a FIFO, device or socket)")
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if not head:
        raise InputError(str(path), None, None, "empty file: no header and no rows")
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if head.startswith(b"fgb\x03"):
        return "fgb"
    if head.startswith(b"\x00\x00\x27\x0a"):
        return "shp"
    if head.startswith(b"PK\x03\x04"):
        return "shp" if path.suffix.lower() in (".zip", ".shz") else "csv"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        return "geojson"
    return "text"


def _layout_of(path: str, fmt: str | None):
    """Return (format, sniffed TextLayout or None, table layout)."""
    fmt = (fmt or "auto").lower()
    if fmt not in ("auto", *EVENT_FORMATS):
        raise ParameterError(
            "events_format", f"unknown format {fmt!r}; choose from auto, {', '.join(EVENT_FORMATS)}"
        )
    found = detect_format(path) if fmt == "auto" else fmt
    if found in _VECTOR:
        return found, None, None
    text = sniff_text(path, known_names())
    layout = detect_layout(text.names) if found in ("auto", "text") else found
    return layout, text, layout


def _decoding_problems(raw: pd.DataFrame, legacy: str | None) -> pd.DataFrame:
    """Fields holding bytes that were not UTF-8: replaced, or read in the ``legacy`` code page."""
    pattern = r"[^\x00-\x7f]" if legacy else "\ufffd"
    hit = np.zeros(len(raw), dtype=bool)
    first_col = np.full(len(raw), "", dtype=object)
    for col in raw.columns:
        if col in ("row", BAD_FIELDS, SURPLUS, SHORT):
            continue
        found = raw[col].astype("string").str.contains(pattern, regex=bool(legacy)).fillna(False)
        found = found.to_numpy(dtype=bool) & ~hit
        first_col[found] = col
        hit |= found
    if not hit.any():
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    what = f"read as {legacy}" if legacy else "not UTF-8, replaced by U+FFFD"
    frame = problems_frame(
        raw["row"],
        pd.Series([""] * len(raw)),
        hit,
        "undecodable_bytes",
        None,
        "warning",
        f"bytes {what}",
    )
    frame["field"] = first_col[hit]
    return frame


class ChunkReader:
    """State shared across the chunks of one file (format, column mapping, ids seen).

    Parameters
    ----------
    path : path-like
        The event file.
    options : ReadOptions
        How to read it.
    """

    def __init__(self, path: str | Path, options: ReadOptions) -> None:
        self.source = Source(path, options.layer)
        self.path, self.strict, self.far_km = self.source.label, options.strict, options.far_km
        self.options = options
        try:
            self.layout, self.text, self.table_layout = _layout_of(
                str(self.source.path), options.fmt
            )
        except InputError as exc:
            self.source.close()
            raise self.source.relabel(exc) from None
        self.fmt = self.layout
        self.notes = [*self.source.notes, *(self.text.notes if self.text is not None else [])]
        self.seen = DuplicateIds()
        self.mapping: dict | None = None
        self.rows_read = 0
        self.position = Position()
        self.unchecked: dict[str, int] = {}
        self.attr_coords: tuple[str | None, str | None] = (None, None)

    def raw_chunks(self, chunksize: int) -> Iterator[tuple[pd.DataFrame, bool]]:
        """Yield (chunk of strings with ``row``, saw-undecodable-bytes flag)."""
        path = str(self.source.path)
        try:
            if self.text is not None:
                yield from iter_text_chunks(path, self.text, chunksize, self.position)
                return
            for raw in iter_vector_chunks(
                path, self.layout, chunksize, self.notes, self.options.layer, self.position
            ):
                yield raw, False
        except InputError as exc:
            raise self.source.relabel(exc) from None

    @property
    def fraction_read(self) -> float | None:
        """Share of the file read so far (0 to 1), or None when its size is unknown."""
        return self.position.fraction

    def close(self) -> None:
        """Remove what was unpacked for this file."""
        self.source.close()

    def process(self, raw: pd.DataFrame, invalid: bool) -> EventTable:
        """Normalise, place, check and split one chunk.

        Raises
        ------
        InputError
            With ``strict``, at the chunk's first problem.
        """
        vector = self.text is None
        columns = [c for c in raw.columns if c != "row" and not c.startswith("_bordermap")]
        layout = detect_layout(columns) if vector else self.table_layout
        if self.mapping is None:
            self.mapping = self._column_map(columns, layout, vector)
        if vector:
            raw = self._geometry_from_attributes(raw)
        norm, problems = normalise(
            raw,
            "csv" if vector and layout != "ucdp" else layout,
            self.mapping,
            self.fmt,
            dayfirst=self.options.dayfirst,
            date_format=self.options.date_format,
        )
        _placement_columns(norm, raw if vector else None)
        problems += self._file_problems(raw, norm, invalid)
        problems += place_by_name(norm, _bad_coordinate_rows(norm, problems))
        problems += self._file_fields(check_coordinates(norm, far_km=self.far_km), columns, layout)
        problems.append(self._duplicates(norm))
        table, rejected = _problem_table(norm, problems)
        self._count_unchecked(norm)
        if self.strict and len(table):
            first = table.iloc[0]
            raise InputError(
                self.path, int(first["row"]), first["field"], f"{first['kind']}: {first['message']}"
            )
        self.rows_read += len(norm)
        events = _to_geo(keep_rows(norm, ~rejected), points=self.options.points)
        events.attrs["source"] = str(self.path)  # for errors that name the file later
        return EventTable(
            events=events,
            rejects=_rejects(keep_rows(raw, rejected), keep_rows(norm, rejected), table),
            problems=table,
            path=self.path,
            fmt=self.fmt,
            rows_read=len(norm),
            notes=self.notes,
        )

    def _column_map(self, columns: list[str], layout: str, vector: bool) -> dict:
        """Map schema names to the file's columns, once per file."""
        opts = self.options
        names = {"lat_col": opts.lat_col, "lon_col": opts.lon_col}
        others = {
            "id_col": opts.id_col,
            "date_col": opts.date_col,
            "fatalities_col": opts.fatalities_col,
            "country_col": opts.country_col,
        }
        if not vector:
            mapping = (
                {}
                if layout == "ucdp"
                else column_map(columns, layout, path=self.path, **names, **others)
            )
            self._required_columns(columns, mapping, layout)
            self.notes += unread_tolls(columns, mapping)
            return mapping
        mapping = column_map([*columns, "latitude", "longitude"], "csv", path=self.path, **others)
        # rows without a geometry may still carry coordinate attributes
        try:
            attrs = column_map(columns, "csv", path=self.path, **names)
            self.attr_coords = (attrs["latitude"], attrs["longitude"])
        except InputError:
            if opts.lat_col is not None or opts.lon_col is not None:
                raise
        mapping["latitude"], mapping["longitude"] = GEOM_COLUMNS[0], GEOM_COLUMNS[1]
        return mapping

    def _required_columns(self, columns: list[str], mapping: dict, layout: str) -> None:
        """Refuse an ACLED or UCDP table without its date or fatalities column.

        These layouts date and count every event: without the column, every
        date would be empty and every total zero, so the file is refused
        (detected or forced with ``--format``) and the column named.
        """
        forced = self.options.fmt
        layout = forced if forced in ("acled", "ucdp") else layout
        if layout not in ("acled", "ucdp"):
            return
        wanted = (
            (("event_date", "date_start"), ("fatalities", "best"))
            if layout == "ucdp"
            else (
                ("event_date", mapping.get("event_date")),
                ("fatalities", mapping.get("fatalities")),
            )
        )
        for role, col in wanted:
            if col is None or col not in columns:
                name = col or role
                what = "" if name == role else f" ({role.replace('_', ' ')})"
                raise InputError(
                    self.path,
                    None,
                    name,
                    f"{'forced' if forced == layout else 'detected'} layout {layout} "
                    f"but no {name} column{what}; columns are: {listed_columns(columns)}",
                )

    def _geometry_from_attributes(self, raw: pd.DataFrame) -> pd.DataFrame:
        """Rows of a vector file with no geometry take their coordinate attributes."""
        lat_attr, lon_attr = self.attr_coords
        if lat_attr not in raw.columns or lon_attr not in raw.columns:
            return raw
        no_geometry = (raw[GEOM_COLUMNS[0]] == "") & (raw[GEOM_COLUMNS[1]] == "")
        if no_geometry.any():
            raw = raw.copy()
            raw.loc[no_geometry, GEOM_COLUMNS[0]] = raw.loc[no_geometry, lat_attr]
            raw.loc[no_geometry, GEOM_COLUMNS[1]] = raw.loc[no_geometry, lon_attr]
        return raw

    def _file_problems(self, raw: pd.DataFrame, norm: pd.DataFrame, invalid: bool) -> list:
        """Rows with more fields than the header or too long a field, and bytes not UTF-8."""
        problems = check_field_sizes(raw, norm["event_id"])
        width = len(self.text.names) if self.text is not None else 0
        problems += row_width_problems(raw, norm["event_id"], width)
        if self.text is not None:
            names, delimiter = list(self.text.names), self.text.delimiter
            problems += merged_row_problems(raw, norm["event_id"], names, delimiter)
        if invalid:
            codec = "utf-8" if self.text is None else self.text.encoding
            dec = _decoding_problems(raw, None if codec.startswith("utf") else codec)
            if len(dec):
                dec["event_id"] = norm.set_index("row").loc[dec["row"], "event_id"].to_numpy()
                problems.append(dec)
        return problems

    def _file_fields(self, problems: list, columns: list[str], layout: str) -> list:
        """Name the file's own columns in problems raised on schema fields (lat, lon, country)."""
        mapping = self.mapping or {}
        stating = {"acled": ("iso",), "ucdp": ("country_id", "country")}.get(layout, ())
        country = next(
            (c for c in (mapping.get("iso3"), *stating, mapping.get("country")) if c in columns),
            None,
        )
        names = {"latitude": mapping.get("latitude"), "longitude": mapping.get("longitude")}
        names = {k: "geometry" if v in GEOM_COLUMNS else v for k, v in names.items()}
        names["iso3"] = country
        names = {k: v for k, v in names.items() if v and v != k}
        return [p.assign(field=p["field"].replace(names)) if len(p) else p for p in problems]

    def _duplicates(self, norm: pd.DataFrame) -> pd.DataFrame:
        """Ids seen earlier in the file (in this chunk or a previous one)."""
        first = self.seen.check(norm["event_id"], norm["row"])
        ids = norm["event_id"]
        return problems_frame(
            norm["row"],
            ids,
            first > 0,
            "duplicate_id",
            "event_id",
            "error",
            lambda m: [
                f"event id {i!r} already at row {r}"
                for i, r in zip(ids[m].tolist(), first[m], strict=True)
            ],
        )

    def _count_unchecked(self, norm: pd.DataFrame) -> None:

        iso3 = norm["iso3"]
        outside = iso3[iso3.notna() & ~iso3.isin(embedded_codes())].value_counts()
        for code, n in outside.items():
            self.unchecked[code] = self.unchecked.get(code, 0) + int(n)
        unknown = int((iso3.isna() & norm["country"].notna()).sum())
        if unknown:
            self.unchecked["unknown country name"] = (
                self.unchecked.get("unknown country name", 0) + unknown
            )

    def final_notes(self) -> list[str]:
        """File-level notes so far, with the countries that could not be checked."""
        notes = list(self.notes)
        if self.unchecked:
            listed = ", ".join(f"{k} ({n})" for k, n in sorted(self.unchecked.items()))
            notes.append(f"not checked for containment (outside the embedded countries): {listed}")
        return notes


def _placement_columns(norm: pd.DataFrame, vector_raw: pd.DataFrame | None) -> None:
    """How each row was placed; a vector file's geometry may lower the precision."""
    norm["placement_method"] = pd.Series("coordinates", index=norm.index, dtype="string")
    norm["placement_score"] = np.nan
    if vector_raw is None:
        return
    method = vector_raw[GEOM_COLUMNS[2]]
    has = method != ""
    norm.loc[has, "placement_method"] = method[has]
    lowered = vector_raw[GEOM_COLUMNS[3]].astype("int64")
    norm["geo_precision"] = (
        np.maximum(norm["geo_precision"].fillna(1), lowered)
        .astype("Int64")
        .where(norm["geo_precision"].notna() | (lowered > 0))
    )


def _bad_coordinate_rows(norm: pd.DataFrame, problems: list[pd.DataFrame]) -> np.ndarray:
    bad = np.zeros(len(norm), dtype=bool)
    for frame in problems:
        if len(frame) and (frame["kind"] == "bad_coordinates").any():
            rows = frame.loc[frame["kind"] == "bad_coordinates", "row"]
            bad |= norm["row"].isin(rows).to_numpy()
    return bad


def _problem_table(norm: pd.DataFrame, problems: list) -> tuple[pd.DataFrame, np.ndarray]:
    """All problems of a chunk, sorted by row, and which rows they reject."""
    found = [p for p in problems if len(p)]
    table = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=PROBLEM_COLUMNS)
    error_rows = table.loc[table["severity"] == "error", "row"]
    rejected = norm["row"].isin(error_rows).to_numpy()
    admin = check_admin1(norm, ~rejected & norm["latitude"].notna().to_numpy())
    if admin:
        table = pd.concat([table, *admin], ignore_index=True)
    return table.sort_values(["row", "severity"], kind="stable").reset_index(drop=True), rejected


def keep_rows(frame: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """Return ``frame[keep]``, filtering Arrow-backed text in Arrow (pandas' take costs 3x more).

    Examples
    --------
    >>> frame = pd.DataFrame({"a": pd.Series(["x", None, "z"], dtype="str"), "b": [1, 2, 3]})
    >>> keep_rows(frame, np.array([True, False, True])).to_dict("list")
    {'a': ['x', 'z'], 'b': [1, 3]}
    """
    if keep.all():
        return frame
    if not frame.columns.is_unique:
        return frame[keep]
    mask = pa.array(keep)
    columns = {}
    for name in frame.columns:
        values = frame[name].array
        if isinstance(values, pd.arrays.ArrowStringArray):
            chosen = pc.filter(values.__arrow_array__(), mask)
            columns[name] = type(values)(chosen, dtype=values.dtype)
        else:
            columns[name] = values[keep]
    return pd.DataFrame(columns, index=frame.index[keep], copy=False)


def _to_geo(norm: pd.DataFrame, *, points: bool = True) -> gpd.GeoDataFrame | pd.DataFrame:
    ordered = ["row", *SCHEMA, *[c for c in EXTRA if c != "row"]]
    rest = [c for c in norm.columns if c not in ordered]
    frame = norm[ordered + rest].reset_index(drop=True)
    if not points:
        return frame
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]), crs="EPSG:4326"
    )


def _rejects(raw: pd.DataFrame, norm: pd.DataFrame, problems: pd.DataFrame) -> pd.DataFrame:
    errors = problems[problems["severity"] == "error"]
    # most rejected rows have one error: take those as they are, group only the rest
    several = errors["row"].duplicated(keep=False).to_numpy()
    single = errors[~several].set_index("row")
    reasons, kinds = single["message"], single["kind"]
    if several.any():
        grouped = errors[several].groupby("row", sort=False)
        reasons = pd.concat([reasons, grouped["message"].agg("; ".join)])
        kinds = pd.concat([kinds, grouped["kind"].agg(lambda k: ",".join(dict.fromkeys(k)))])
    keep = [c for c in raw.columns if not c.startswith("_bordermap") and c != "row"]
    out = pd.DataFrame(
        {
            "row": raw["row"].to_numpy(),
            "event_id": norm["event_id"].to_numpy(),
            "kind": raw["row"].map(kinds).to_numpy(),
            "reason": raw["row"].map(reasons).to_numpy(),
        }
    )
    body = raw[keep].reset_index(drop=True)
    if SURPLUS in raw.columns:
        body["surplus_fields"] = raw[SURPLUS].to_numpy()
    if GEOMETRY in raw.columns:
        body["geometry_wkt"] = shapely.to_wkt(raw[GEOMETRY].to_numpy(), rounding_precision=7)
    body.columns = [c if c not in out.columns else f"{c}_original" for c in body.columns]
    return pd.concat([out, body], axis=1)


def empty_chunk(reader: ChunkReader) -> pd.DataFrame:
    """Build an empty chunk with the file's columns (a header and no rows)."""
    names = reader.text.names if reader.text is not None else []
    frame = pd.DataFrame({name: pd.Series(dtype="string") for name in names})
    frame.insert(0, "row", pd.Series(dtype="int64"))
    frame[BAD_FIELDS] = pd.Series(dtype="string")
    frame[SURPLUS] = pd.Series(dtype="string")
    frame[SHORT] = pd.Series(dtype="string")
    return frame
