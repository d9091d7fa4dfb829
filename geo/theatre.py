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

:meth:`Theatre.nearest` is the theatre of every land border at once: each
event is measured to the nearest border of any pair (``border_pair`` names
it). Its index over all borders is built once per process and cached.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import shapely

from geo import layers
from geo.cache import memoised
from geo.country_codes import countries_at, country_table
from geo.errors import InputError, ParameterError
from geo.geodesy import line_length_km, lon_span
from geo.nearest import PairIndex
from geo.sites import Site, border_sites, curated_points, resolve_sites
from geo.zones import DEFAULT_ZONES_KM, border_zones, parse_zones

__all__ = [
    "DEFAULT_PAIR",
    "DEFAULT_SITES",
    "NEAREST",
    "PAD_DEG",
    "Theatre",
    "as_theatre",
    "border_line_frame",
    "neighbours",
    "world_index",
]

#: The border every command uses when none is named.
DEFAULT_PAIR = "IRN-PAK"
#: Sites every event is measured to in the default theatre (gazetteer names).
DEFAULT_SITES = ("Chabahar", "Gwadar Port")
#: The theatre's bounds are the border's bounding box grown by this many degrees.
PAD_DEG = 2.0
#: ``--pair nearest``: every event measured to the nearest border of any pair.
NEAREST = "nearest"


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
            Two countries, ``"IRN-PAK"`` (codes or names, as
            :func:`geo.layers.parse_pair` reads them); the first country is
            on the left. :data:`NEAREST` (``"nearest"``) gives
            :meth:`nearest`.
        zones_km : sequence of float or str, optional
            Zone edges (default :data:`~geo.zones.DEFAULT_ZONES_KM`).
        sites : sequence, optional
            Sites to measure to; by default :data:`DEFAULT_SITES` for the
            default pair, and for others up to three towns near the border
            (:func:`border_sites`).

        Returns
        -------
        Theatre

        Raises
        ------
        LayerError
            For a pair that shares no embedded border (the message lists those that do).
        """
        if str(pair).strip().casefold() == NEAREST:
            return cls.nearest(zones_km=zones_km, sites=sites)
        a, b = layers.parse_pair(pair)
        border = layers.border(a, b)
        key = f"{a}-{b}"
        if sites is None:
            sites = DEFAULT_SITES if key == DEFAULT_PAIR else border_sites(border)
        return cls(key, border, parse_zones(zones_km), tuple(sites))

    @classmethod
    def nearest(
        cls,
        *,
        zones_km: Sequence[float] | str | None = None,
        sites: Sequence[Site] | None = None,
    ) -> Theatre:
        """Build the theatre of every land border: each event is measured to the nearest.

        ``border`` holds every pair (one row each); :attr:`index` is the one
        index over all of them, built once per process (:func:`world_index`).

        Parameters
        ----------
        zones_km : sequence of float or str, optional
            Zone edges, applied to the distance to the nearest border.
        sites : sequence, optional
            Sites to measure to (none by default).

        Returns
        -------
        Theatre
            ``pair`` is :data:`NEAREST`; ``countries`` is empty.
        """
        border = _all_borders()
        return cls(NEAREST, border, parse_zones(zones_km), tuple(sites or ()))

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
        """True for embedded borders (sides are ISO3 codes), False for a user line."""
        return self.border["left_iso3"].iloc[0] is not None

    @property
    def is_nearest(self) -> bool:
        """True for the theatre of every border (:meth:`nearest`)."""
        return self.pair == NEAREST

    @property
    def countries(self) -> tuple[str, ...]:
        """ISO3 codes of the left and right countries; empty for a user line or ``nearest``."""
        if not self.embedded or self.is_nearest:
            return ()
        return (str(self.border["left_iso3"].iloc[0]), str(self.border["right_iso3"].iloc[0]))

    @functools.cached_property
    def line(self) -> shapely.Geometry:
        """The border as one (Multi)LineString, EPSG:4326 (every border for ``nearest``)."""
        if len(self.border) == 1:
            return self.border.geometry.iloc[0]
        parts = shapely.get_parts(self.border.geometry.to_numpy())
        return shapely.MultiLineString(list(parts[~shapely.is_empty(parts)]))

    @functools.cached_property
    def index(self) -> PairIndex:
        """Exact nearest-border index of the theatre; ``part`` is the row of :attr:`border`."""
        if self.is_nearest:
            return world_index()
        return PairIndex([self.line])

    @functools.cached_property
    def length_km(self) -> float:
        """Geodesic length of the border on WGS84 (of every border for ``nearest``)."""
        if len(self.border) > 1 and "length_km" in self.border:
            return float(self.border["length_km"].sum())
        return float(line_length_km(self.line))

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """The border's bounding box grown by :data:`PAD_DEG` (west, south, east, north).

        Longitudes are in [-180, 180]; a border across the antimeridian has
        ``west > east`` here (:attr:`extent` is the continuous box).
        """
        w, s, e, n = self.extent
        return (w, s, e - 360.0 if e > 180.0 else e, n)

    @functools.cached_property
    def extent(self) -> tuple[float, float, float, float]:
        """Continuous box of the border grown by :data:`PAD_DEG`, ``west < east``.

        Longitudes run over the shortest arc that holds the border, so a
        border across 180° gives, say, ``(177.0, 58.0, 183.0, 63.0)``.
        """
        xy = shapely.get_coordinates(self.border.geometry.to_numpy())
        w, e = lon_span(xy[:, 0])
        s = max(float(xy[:, 1].min()) - PAD_DEG, -90.0)
        n = min(float(xy[:, 1].max()) + PAD_DEG, 90.0)
        if e <= 180.0:  # not across the antimeridian: stay within [-180, 180]
            return (max(w - PAD_DEG, -180.0), s, min(e + PAD_DEG, 180.0), n)
        return (w - PAD_DEG, s, e + PAD_DEG, n)

    @property
    def names(self) -> dict[str, str]:
        """English name of every embedded country by ISO3 code (no geometry is read)."""
        return _names()

    @property
    def label(self) -> str:
        """``"Iran\u2013Pakistan"`` (en dash) for an embedded pair, else the line's name."""
        if not self.countries:
            return "nearest border" if self.is_nearest else self.pair
        a, b = self.countries
        return f"{self.names.get(a, a)}\u2013{self.names.get(b, b)}"

    @property
    def zone_polygons(self) -> gpd.GeoDataFrame:
        """Distance bands of the border per side (:func:`geo.zones.border_zones`).

        Built once per theatre, and kept in the on-disk cache
        (:mod:`geo.cache`) keyed by the line, the zone edges and the layers'
        manifest, so later runs skip the geodesic buffers. Empty for ``nearest``
        (the zones of every border would be the world's).

        Returns
        -------
        GeoDataFrame
            ``zone``, ``zone_min_km``, ``zone_max_km``, ``side``, ``area_km2``, ``geometry``.
        """
        return self._zone_frame.copy()

    @functools.cached_property
    def _zone_frame(self) -> gpd.GeoDataFrame:
        if self.is_nearest:
            return gpd.GeoDataFrame(
                {"zone": [], "zone_min_km": [], "zone_max_km": [], "side": [], "area_km2": []},
                geometry=[],
                crs="EPSG:4326",
            )
        # a user's line has no countries: its zones are left and right of the line
        border = self.border if self.embedded else self.border[["pair", "geometry"]]
        parts = [
            *shapely.to_wkb(border.geometry.to_numpy()),
            repr(tuple(float(z) for z in self.zones_km)),
            repr(self.countries),
        ]
        return memoised(
            "zones",
            parts,
            lambda: border_zones(border, self.zones_km),
            modules=("geo.zones", "geo.geodesy"),
        )

    @functools.cached_property
    def site_points(self) -> dict[str, tuple[float, float]]:
        """``{name: (lon, lat)}`` of :attr:`sites` (gazetteer names resolved)."""
        if tuple(self.sites) == DEFAULT_SITES:  # known unambiguous: no gazetteer index needed
            return curated_points(DEFAULT_SITES)
        return resolve_sites(self.sites)

    def region(self, analyzed: gpd.GeoDataFrame | None = None) -> tuple[str, ...]:
        """Countries a view of the theatre draws: never the whole world.

        The pair's countries and their neighbours (for a user's line, the
        countries whose box holds it), plus the countries the analysed events
        lie in and, for ``nearest``, both countries of every border an event
        is nearest to.

        Parameters
        ----------
        analyzed : GeoDataFrame, optional
            Output of :func:`geo.proximity.analyze`.

        Returns
        -------
        tuple of str
            Sorted ISO3 codes.

        Examples
        --------
        >>> Theatre.from_pair("IRN-PAK").region()
        ('AFG', 'ARM', 'AZE', 'CHN', 'IND', 'IRN', 'IRQ', 'PAK', 'TKM', 'TUR')
        """
        codes = set(self.countries)
        for code in self.countries:
            codes.update(neighbours(code))
        if not self.embedded:  # a user's line: the countries whose box holds it
            xy = shapely.get_coordinates(self.border.geometry.to_numpy())
            codes.update(countries_at(xy[:, 0], xy[:, 1]))
        if analyzed is not None:
            for col in ("province_iso3", "side"):
                if col in analyzed:
                    codes.update(
                        str(c) for c in analyzed[col].dropna().unique() if len(str(c)) == 3
                    )
            if self.is_nearest and "border_pair" in analyzed:
                for key in analyzed["border_pair"].dropna().unique():
                    codes.update(str(key).split("-"))
        return tuple(sorted(codes & set(_names())))

    def single(self, what: str) -> Theatre:
        """Return the theatre if it has one line; else refuse with a one-line reason.

        Parameters
        ----------
        what : str
            What needs the single line, such as ``"the figure"``.

        Raises
        ------
        ParameterError
            For the theatre of every border (``theatre``).
        """
        if self.is_nearest:
            raise ParameterError(
                "theatre",
                f"{what} needs one border pair; 'nearest' measures to every border",
            )
        return self


@functools.cache
def _names() -> dict[str, str]:
    table = country_table()
    return dict(zip(table["iso3"].astype(str), table["name"].astype(str), strict=True))


@functools.cache
def _all_borders_cached() -> gpd.GeoDataFrame:
    frame = layers.borders()
    cols = [c for c in ("pair", "left_iso3", "right_iso3", "length_km") if c in frame]
    return frame[[*cols, frame.geometry.name]].reset_index(drop=True)


def _all_borders() -> gpd.GeoDataFrame:
    return _all_borders_cached().copy()


@functools.cache
def world_index() -> PairIndex:
    """Return the index of every embedded land border (built once per process, cached).

    ``part`` of its answers is the row of :func:`geo.layers.borders`
    (as in :meth:`Theatre.nearest`'s ``border``).
    """
    return PairIndex(_all_borders_cached().geometry.to_numpy())


def neighbours(iso3: str) -> list[str]:
    """Codes of the countries sharing a land border with ``iso3``.

    Examples
    --------
    >>> neighbours("IRN")
    ['AFG', 'ARM', 'AZE', 'IRQ', 'PAK', 'TKM', 'TUR']
    """
    code = str(iso3).upper()
    table = layers.border_table(code)
    return sorted((set(table["left_iso3"]) | set(table["right_iso3"])) - {code})


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
