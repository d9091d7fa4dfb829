"""The theatre: a border pair with its line, sides, zones, sites and bounds, built once.

Every step after reading takes a :class:`Theatre`: :func:`geo.proximity.analyze`
measures against it, and the map, the figure, the GeoPackage and the rasters
draw it. Build it once with :meth:`Theatre.from_pair` (an embedded border) or
:meth:`Theatre.from_border` (a user's line), then pass it along.

Examples
--------
>>> theatre = Theatre.from_pair()
>>> theatre.pair, theatre.countries, theatre.zones_km
('IRN-PAK', ('IRN', 'PAK'), (10.0, 25.0, 50.0, 100.0))
>>> [round(v, 1) for v in theatre.bounds]
[58.9, 23.2, 65.3, 31.9]
>>> Theatre.from_pair("pak-irn").countries
('PAK', 'IRN')
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import shapely

from geo import layers
from geo.errors import InputError
from geo.geodesy import line_length_km
from geo.zones import DEFAULT_ZONES_KM, parse_zones

__all__ = [
    "DEFAULT_PAIR",
    "DEFAULT_SITES",
    "PAD_DEG",
    "Site",
    "Theatre",
    "as_theatre",
    "border_line_frame",
]

#: The border every command uses when none is named.
DEFAULT_PAIR = "IRN-PAK"
#: Sites every event is measured to in the default theatre (gazetteer names).
DEFAULT_SITES = ("Chabahar", "Gwadar Port")
#: The theatre's bounds are the border's bounding box grown by this many degrees.
PAD_DEG = 2.0

#: A site is a gazetteer name, or ``(name, lon, lat)``.
Site = str | tuple[str, float, float]


def border_line_frame(border: gpd.GeoDataFrame, name: str = "custom") -> gpd.GeoDataFrame:
    """One merged line from a user's line or polygon layer (polygons count by their outline).

    Parameters
    ----------
    border : GeoDataFrame
        Lines or polygons in any CRS that transforms to EPSG:4326.
    name : str
        What to call the line (``pair`` column).

    Returns
    -------
    GeoDataFrame
        One row: ``pair``, ``left_iso3`` and ``right_iso3`` (None), ``geometry``.

    Raises
    ------
    InputError
        For a frame without a CRS, or with no line or polygon.

    Examples
    --------
    >>> line = gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (1, 1)])], crs=4326)
    >>> border_line_frame(line)["pair"].tolist()
    ['custom']
    """
    if not isinstance(border, gpd.GeoDataFrame):
        raise InputError("border", None, None, "needs a GeoDataFrame of lines or polygons")
    if border.crs is None:
        raise InputError("border", None, "geometry", "has no CRS; set EPSG:4326")
    geoms = border.to_crs("EPSG:4326").geometry.to_numpy()
    kinds = set(shapely.get_type_id(geoms).tolist())
    if kinds & {3, 6}:  # polygons: their outlines are the border
        geoms = shapely.boundary(geoms)
    line = shapely.line_merge(shapely.union_all(geoms))
    if line.is_empty or shapely.get_type_id(line) not in (1, 5):
        raise InputError("border", None, "geometry", "holds no line or polygon")
    return gpd.GeoDataFrame(
        {"pair": [name], "left_iso3": [None], "right_iso3": [None]},
        geometry=[line],
        crs="EPSG:4326",
    )


@dataclass(frozen=True, eq=False)
class Theatre:
    """A border and everything measured against it.

    Parameters
    ----------
    pair : str
        ``"AAA-BBB"`` for an embedded border, else the user line's name.
    border : GeoDataFrame
        One row: ``pair``, ``left_iso3``, ``right_iso3`` (None for a user
        line) and the line, EPSG:4326, oriented with ``left_iso3`` on its left.
    zones_km : tuple of float
        Edges of the distance zones, increasing.
    sites : tuple
        Places every event is measured to: gazetteer names or ``(name, lon, lat)``.
    """

    pair: str
    border: gpd.GeoDataFrame = field(repr=False)
    zones_km: tuple[float, ...] = DEFAULT_ZONES_KM
    sites: tuple[Site, ...] = ()

    @classmethod
    def from_pair(
        cls,
        pair: str = DEFAULT_PAIR,
        *,
        zones_km: Sequence[float] | str | None = None,
        sites: Sequence[Site] | None = None,
    ) -> Theatre:
        """Build the theatre of an embedded border pair.

        Parameters
        ----------
        pair : str
            Two ISO3 codes, ``"IRN-PAK"``; the first country is on the left.
        zones_km : sequence of float or str, optional
            Zone edges (default :data:`~geo.zones.DEFAULT_ZONES_KM`).
        sites : sequence, optional
            Sites to measure to; by default :data:`DEFAULT_SITES` for the
            default pair and none for others.

        Returns
        -------
        Theatre

        Raises
        ------
        LayerError
            For a pair that shares no embedded border (the message lists those that do).
        """
        a, b = layers.parse_pair(pair)
        border = layers.border(a, b)
        key = f"{a}-{b}"
        if sites is None:
            sites = DEFAULT_SITES if key == DEFAULT_PAIR else ()
        return cls(key, border, parse_zones(zones_km), tuple(sites))

    @classmethod
    def from_border(
        cls,
        border: gpd.GeoDataFrame,
        *,
        name: str = "custom",
        zones_km: Sequence[float] | str | None = None,
        sites: Sequence[Site] = (),
    ) -> Theatre:
        """Build the theatre of a user's border line (sides are ``left`` and ``right``).

        Parameters
        ----------
        border : GeoDataFrame
            Lines or polygons (outlines) in any CRS that transforms to EPSG:4326.
        name : str
            Label of the line, such as its file name.
        zones_km : sequence of float or str, optional
            Zone edges.
        sites : sequence
            Sites to measure to.

        Returns
        -------
        Theatre
        """
        return cls(name, border_line_frame(border, name), parse_zones(zones_km), tuple(sites))

    @property
    def embedded(self) -> bool:
        """True for an embedded pair (sides are ISO3 codes), False for a user line."""
        return self.border["left_iso3"].iloc[0] is not None

    @property
    def countries(self) -> tuple[str, ...]:
        """ISO3 codes of the left and right countries; empty for a user line."""
        if not self.embedded:
            return ()
        return (str(self.border["left_iso3"].iloc[0]), str(self.border["right_iso3"].iloc[0]))

    @property
    def line(self) -> shapely.Geometry:
        """The border as one (Multi)LineString, EPSG:4326."""
        return self.border.geometry.iloc[0]

    @functools.cached_property
    def length_km(self) -> float:
        """Geodesic length of the border on WGS84."""
        return float(line_length_km(self.line))

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """The border's bounding box grown by :data:`PAD_DEG` (west, south, east, north)."""
        w, s, e, n = self.border.total_bounds
        return (
            float(max(w - PAD_DEG, -180.0)),
            float(max(s - PAD_DEG, -90.0)),
            float(min(e + PAD_DEG, 180.0)),
            float(min(n + PAD_DEG, 90.0)),
        )

    @functools.cached_property
    def names(self) -> dict[str, str]:
        """English name of every embedded country by ISO3 code."""
        countries = layers.countries()
        return dict(zip(countries["iso3"], countries["name"], strict=True))

    @property
    def label(self) -> str:
        """``"Iran\u2013Pakistan"`` (en dash) for an embedded pair, else the line's name."""
        if not self.embedded:
            return self.pair
        a, b = self.countries
        return f"{self.names.get(a, a)}\u2013{self.names.get(b, b)}"


def as_theatre(theatre: Theatre | str | None) -> Theatre:
    """Return a :class:`Theatre` as given, built from a pair name, or the default one.

    Examples
    --------
    >>> as_theatre(None).pair, as_theatre("PAK-IRN").pair
    ('IRN-PAK', 'PAK-IRN')
    """
    if isinstance(theatre, Theatre):
        return theatre
    return Theatre.from_pair(DEFAULT_PAIR if theatre is None else theatre)
