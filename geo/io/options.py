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
    lat_col, lon_col, id_col : str, optional
        Column names overriding detection (case-insensitive).
    strict : bool
        Raise :class:`~geo.errors.InputError` at the first problem instead of
        rejecting rows.
    chunksize : int
        Rows per chunk.
    far_km : float
        Distance outside the stated country beyond which a row is rejected.
    """

    fmt: str | None = None
    lat_col: str | None = None
    lon_col: str | None = None
    id_col: str | None = None
    strict: bool = False
    chunksize: int = 200_000
    far_km: float = FAR_KM

    def __post_init__(self) -> None:
        if self.fmt is not None and self.fmt.lower() == "auto":
            object.__setattr__(self, "fmt", None)
        if not (isinstance(self.chunksize, int) and self.chunksize > 0):
            raise ParameterError("chunksize", f"must be a positive whole number: {self.chunksize}")

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
