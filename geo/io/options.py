"""How to read an event file: one set of options shared by every reader.

Examples
--------
>>> ReadOptions(lat_col="lat").fmt is None
True
>>> options = ReadOptions.of(None, fmt="auto", strict=True)
>>> options.fmt, options.strict, options.chunksize
(None, True, 200000)
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from geo.errors import ParameterError

__all__ = ["EVENT_FORMATS", "FAR_KM", "ReadOptions"]

#: Formats a reader may be forced to (otherwise detected from the content).
EVENT_FORMATS = ("acled", "ucdp", "csv", "geojson", "gpkg", "shp", "fgb", "parquet")

#: km outside the stated country beyond which a row is rejected.
FAR_KM = 50.0


@dataclass(frozen=True)
class ReadOptions:
    """Options of :func:`geo.io.events.read_events` and every reader behind it.

    Parameters
    ----------
    fmt : str, optional
        Force a format (one of :data:`EVENT_FORMATS`); None or
        ``"auto"`` detects it from the content.
    lat_col, lon_col, id_col, date_col, fatalities_col, country_col : str, optional
        Column names overriding detection (case-insensitive).
    dayfirst : bool
        Read slashed dates such as ``16/01/2024`` as day, month, year.
    date_format : str, optional
        The one :func:`time.strptime` format of the date column.
    layer : str, optional
        Layer of a multi-layer vector file (GeoPackage) to read.
    strict : bool
        Raise :class:`~geo.errors.InputError` at the first problem instead of
        rejecting rows.
    chunksize : int
        Rows per chunk.
    far_km : float
        Distance outside the stated country beyond which a row is rejected.
    points : bool
        Build point geometries for the kept rows (a GeoDataFrame). False
        gives a plain DataFrame with ``longitude``/``latitude`` only, for
        callers that only count and report (``events check``).
    """

    fmt: str | None = None
    lat_col: str | None = None
    lon_col: str | None = None
    id_col: str | None = None
    date_col: str | None = None
    fatalities_col: str | None = None
    country_col: str | None = None
    dayfirst: bool = False
    date_format: str | None = None
    layer: str | None = None
    strict: bool = False
    chunksize: int = 200_000
    far_km: float = FAR_KM
    points: bool = True

    def __post_init__(self) -> None:
        if self.fmt is not None and self.fmt.lower() == "auto":
            object.__setattr__(self, "fmt", None)
        if not (isinstance(self.chunksize, int) and self.chunksize > 0):
            raise ParameterError("chunksize", f"must be a positive whole number: {self.chunksize}")
        if self.date_format is not None and "%" not in self.date_format:
            raise ParameterError(
                "date_format", f"not a strptime format such as %d/%m/%Y: {self.date_format!r}"
            )

    @classmethod
    def of(cls, options: ReadOptions | None = None, **changes) -> ReadOptions:
        """Return ``options`` (or the defaults) with ``changes`` applied.

        Parameters
        ----------
        options : ReadOptions, optional
        **changes
            Fields to set, such as ``lat_col="lat"``.

        Returns
        -------
        ReadOptions
        """
        return replace(options or cls(), **changes)
