"""Write analysed events chunk by chunk: text table, CSV, JSON, GeoJSON or GeoParquet.

:class:`AnalysisWriter` receives analysed chunks as they come and writes
them to a binary sink (an open file, or standard output), so memory stays
bounded however large the input. CSV and GeoParquet are columnar, written by
pyarrow (:mod:`geo.io.columnar`). The ``table`` format keeps only the first
rows and running summaries, and renders :func:`geo.io.report.render_analysis`
at the end.
"""

from __future__ import annotations

import json
from typing import Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from geo.io.columnar import CsvChunks, GeoParquetChunks, arrow_table
from geo.io.report import TABLE_ROWS, render_analysis
from geo.proximity import ANALYSIS_COLUMNS, event_coordinates, summarize

__all__ = ["TABLE_FORMATS", "AnalysisWriter", "plain_table"]

_WGS84 = CRS.from_epsg(4326)

#: Formats :class:`AnalysisWriter` writes.
TABLE_FORMATS = ("table", "csv", "json", "geojson", "parquet")
_SUMMARIES = (("zone", "side"), ("province_iso3", "province"))
# --pair nearest: every summary is per border pair
_PAIR_SUMMARIES = (("border_pair", "zone", "side"), ("border_pair",), *_SUMMARIES[1:])
_OPENERS = {"json": "[\n", "geojson": '{"type":"FeatureCollection","features":[\n'}
_EMPTY = {"json": "[]\n", "geojson": '{"type":"FeatureCollection","features":[]}\n'}
_CLOSERS = {"json": "\n]\n", "geojson": "\n]}\n"}


class BinarySink(Protocol):
    """Anything with ``write(bytes)``."""

    def write(self, data: bytes, /) -> object: ...


def plain_table(analyzed: gpd.GeoDataFrame) -> pd.DataFrame:
    """Drop the geometry, turn categories into text and dates into ``YYYY-MM-DD``.

    Parameters
    ----------
    analyzed : GeoDataFrame

    Returns
    -------
    DataFrame
    """
    geometry = getattr(analyzed, "_geometry_column_name", None)
    frame = pd.DataFrame(analyzed.drop(columns=[geometry] if geometry in analyzed else []))
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].astype(object)
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = frame[col].dt.strftime("%Y-%m-%d")
    return frame


class AnalysisWriter:
    """Write analysed chunks in one format as they come.

    Parameters
    ----------
    fmt : {"table", "csv", "json", "geojson", "parquet"}
        Output format.
    sink : object with ``write(bytes)``
        Where the bytes go (text is written as UTF-8).
    label : str
        Name of the border, for the ``table`` heading.
    """

    def __init__(self, fmt: str, sink: BinarySink, label: str) -> None:
        self.fmt, self.sink, self.label = fmt, sink, label
        self.first = True
        self.columnar: CsvChunks | GeoParquetChunks | None = None
        if fmt == "csv":
            self.columnar = CsvChunks(sink)
        elif fmt == "parquet":
            self.columnar = GeoParquetChunks(sink)
        self.head: list[gpd.GeoDataFrame] = []
        self.summaries: dict[tuple[str, ...], list[pd.DataFrame]] = {}
        self.strikes: list[gpd.GeoDataFrame] = []
        self.rows = 0
        self.km = float("nan")

    def add(self, analyzed: gpd.GeoDataFrame) -> None:
        """Write (or, for ``table``, summarise) one analysed chunk."""
        self.km = analyzed.attrs.get("border_length_km", self.km)
        self.rows += len(analyzed)
        if self.fmt == "table":
            self._keep(analyzed)
        elif self.fmt == "csv":
            self.columnar.write(arrow_table(analyzed, _computed(analyzed), round_floats=True))
        elif self.fmt == "parquet" and isinstance(analyzed, gpd.GeoDataFrame):
            self.columnar.crs = analyzed.crs
            self.columnar.write(arrow_table(analyzed), analyzed.geometry.array)
        elif self.fmt == "parquet":  # read without point geometries: WKB from the coordinates
            self.columnar.crs = _WGS84
            lon, lat = event_coordinates(analyzed)
            self.columnar.write_points(arrow_table(analyzed), lon, lat)
        else:
            self._records(analyzed)

    def _keep(self, analyzed: gpd.GeoDataFrame) -> None:
        if sum(len(h) for h in self.head) < TABLE_ROWS:
            self.head.append(analyzed.head(TABLE_ROWS))
        per_pair = analyzed.attrs.get("border_pair") == "nearest"
        for keys in _PAIR_SUMMARIES if per_pair else _SUMMARIES:
            if not set(keys) <= set(analyzed.columns):
                continue
            self.summaries.setdefault(keys, []).append(summarize(analyzed, keys))
        self.strikes.append(analyzed[analyzed["incursion_km"].notna()])

    def _records(self, analyzed: gpd.GeoDataFrame) -> None:
        plain = plain_table(analyzed)
        if self.fmt == "json":
            body = plain.to_json(orient="records", force_ascii=False)[1:-1]
        else:
            # JSON has no Infinity (an open-ended zone's upper edge): null, as in --format json
            floats = plain.select_dtypes("float").columns
            plain[floats] = plain[floats].where(np.isfinite(plain[floats]))
            frame = gpd.GeoDataFrame(plain, geometry=_geometry(analyzed), crs="EPSG:4326")
            feats = json.loads(frame.to_json(na="null", drop_id=True))["features"]
            body = ",\n".join(json.dumps(f, ensure_ascii=False) for f in feats)
        if body:
            self._text((_OPENERS[self.fmt] if self.first else ",\n") + body)
            self.first = False

    def _text(self, text: str) -> None:
        self.sink.write(text.encode("utf-8"))

    def close(self) -> None:
        """Finish the document (closing brackets, footer, or the whole ``table`` report)."""
        if self.columnar is not None:
            self.columnar.close()
        elif self.fmt in _OPENERS:
            self._text(_EMPTY[self.fmt] if self.first else _CLOSERS[self.fmt])
        elif self.fmt == "table":
            head = pd.concat(self.head) if self.head else None
            summaries = {
                k: pd.concat(v).groupby(list(k), observed=True, dropna=False).sum().reset_index()
                for k, v in self.summaries.items()
            }
            strikes = pd.concat(self.strikes) if self.strikes else None
            self._text(render_analysis(head, self.label, self.km, self.rows, summaries, strikes))


def _geometry(analyzed: pd.DataFrame) -> np.ndarray:
    """Return the events' points: their geometry, or built from their coordinates."""
    if isinstance(analyzed, gpd.GeoDataFrame):
        return analyzed.geometry.to_numpy()
    return gpd.points_from_xy(*event_coordinates(analyzed)).to_numpy()


def _computed(analyzed: gpd.GeoDataFrame) -> frozenset[str]:
    """Columns the analysis added: its own and the site distances (``dist_*_km``)."""
    sites = (c for c in analyzed.columns if c.startswith("dist_") and c.endswith("_km"))
    return frozenset(ANALYSIS_COLUMNS).union(sites)
