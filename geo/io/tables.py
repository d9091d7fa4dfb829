"""Write analysed events as a table, chunk by chunk: text, CSV, JSON or GeoJSON.

:class:`AnalysisWriter` receives analysed chunks as they come and writes
them to any text sink (an open file, or standard output), so memory stays
bounded however large the input. The ``table`` format keeps only the first
rows and running summaries, and renders :func:`geo.io.report.render_analysis`
at the end.
"""

from __future__ import annotations

import json
from typing import Protocol

import geopandas as gpd
import pandas as pd

from geo.io.report import TABLE_ROWS, render_analysis
from geo.proximity import summarize

__all__ = ["TABLE_FORMATS", "AnalysisWriter", "plain_table"]

#: Formats :class:`AnalysisWriter` writes.
TABLE_FORMATS = ("table", "csv", "json", "geojson")
_SUMMARIES = (("zone", "side"), ("admin1_iso3", "admin1"))
# --pair nearest: every summary is per border pair
_PAIR_SUMMARIES = (("border_pair", "zone", "side"), ("border_pair",), ("admin1_iso3", "admin1"))
_OPENERS = {"json": "[\n", "geojson": '{"type":"FeatureCollection","features":[\n'}
_EMPTY = {"json": "[]\n", "geojson": '{"type":"FeatureCollection","features":[]}\n'}
_CLOSERS = {"json": "\n]\n", "geojson": "\n]}\n"}


class TextSink(Protocol):
    """Anything with ``write(str)``."""

    def write(self, text: str, /) -> object: ...


def plain_table(analyzed: gpd.GeoDataFrame) -> pd.DataFrame:
    """Drop the geometry, turn categories into text and dates into ``YYYY-MM-DD``.

    Parameters
    ----------
    analyzed : GeoDataFrame

    Returns
    -------
    DataFrame
    """
    frame = pd.DataFrame(analyzed.drop(columns=analyzed.geometry.name))
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
    fmt : {"table", "csv", "json", "geojson"}
        Output format.
    sink : object with ``write(str)``
        Where the text goes.
    label : str
        Name of the border, for the ``table`` heading.
    """

    def __init__(self, fmt: str, sink: TextSink, label: str) -> None:
        self.fmt, self.sink, self.label = fmt, sink, label
        self.first = True
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
            self.sink.write(plain_table(analyzed).to_csv(index=False, header=self.first))
            self.first = False
        else:
            self._records(analyzed)

    def _keep(self, analyzed: gpd.GeoDataFrame) -> None:
        if sum(len(h) for h in self.head) < TABLE_ROWS:
            self.head.append(analyzed.head(TABLE_ROWS))
        per_pair = analyzed.attrs.get("border_pair") == "nearest"
        for keys in _PAIR_SUMMARIES if per_pair else _SUMMARIES:
            self.summaries.setdefault(keys, []).append(summarize(analyzed, keys))
        self.strikes.append(analyzed[analyzed["incursion_km"].notna()])

    def _records(self, analyzed: gpd.GeoDataFrame) -> None:
        plain = plain_table(analyzed)
        if self.fmt == "json":
            body = plain.to_json(orient="records", force_ascii=False)[1:-1]
        else:
            frame = gpd.GeoDataFrame(plain, geometry=analyzed.geometry.to_numpy(), crs="EPSG:4326")
            feats = json.loads(frame.to_json(na="null", drop_id=True))["features"]
            body = ",\n".join(json.dumps(f, ensure_ascii=False) for f in feats)
        if body:
            self.sink.write((_OPENERS[self.fmt] if self.first else ",\n") + body)
            self.first = False

    def close(self) -> None:
        """Finish the document (closing brackets, or the whole ``table`` report)."""
        if self.fmt in _OPENERS:
            self.sink.write(_EMPTY[self.fmt] if self.first else _CLOSERS[self.fmt])
        elif self.fmt == "table":
            head = pd.concat(self.head) if self.head else None
            summaries = {
                k: pd.concat(v).groupby(list(k), observed=True, dropna=False).sum().reset_index()
                for k, v in self.summaries.items()
            }
            strikes = pd.concat(self.strikes) if self.strikes else None
            self.sink.write(
                render_analysis(head, self.label, self.km, self.rows, summaries, strikes)
            )
