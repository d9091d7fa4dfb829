"""Map furniture done right: a local projection, a geodesic scale bar, true north.

Static figures are drawn in a Lambert conformal conic projection fitted to the
area shown. Being conformal, its scale at a point is the same in every
direction, so a scale bar is honest near where it stands; its length is
nonetheless found from the geodesic on the WGS84 ellipsoid, not from the
nominal scale. Meridians converge in a conic projection, so "up" is true north
only on the central meridian: :func:`north_angle_deg` gives the direction of
north at any point.

Examples
--------
>>> crs = theatre_crs(60.0, 24.0, 66.0, 31.0)
>>> crs.name
'Lambert conformal conic, standard parallels 25.17°N and 29.83°N, central meridian 63.00°E'
>>> round(north_angle_deg(crs, 63.0, 27.5), 1)  # on the central meridian
0.0
"""

from __future__ import annotations

import functools
import math

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer
from pyproj.crs import GeographicCRS, ProjectedCRS
from pyproj.crs.coordinate_operation import (
    LambertConformalConic2SPConversion,
    MercatorAConversion,
)

__all__ = ["nice_length_km", "north_angle_deg", "project", "scale_bar", "theatre_crs"]

_WGS84 = Geod(ellps="WGS84")


def theatre_crs(lon_min: float, lat_min: float, lon_max: float, lat_max: float) -> CRS:
    """Lambert conformal conic fitted to a lon/lat box.

    The standard parallels sit one sixth of the latitude range inside the box
    (the classic rule that keeps scale error small and balanced across it);
    the central meridian and latitude of origin are the box's middle. Any
    latitude works (parallels stop at 89°); a box whose parallels would lie
    on both sides of the equator gets Mercator (also conformal) instead. A box
    across the antimeridian is given with ``lon_max > 180`` (see
    :func:`geo.geodesy.lon_span`); the central meridian is wrapped to [-180, 180].

    Parameters
    ----------
    lon_min, lat_min, lon_max, lat_max : float
        Degrees, EPSG:4326.

    Returns
    -------
    pyproj.CRS
        Units are metres, datum WGS84.

    Examples
    --------
    >>> theatre_crs(60, 25, 64, 31).name
    'Lambert conformal conic, standard parallels 26.00°N and 30.00°N, central meridian 62.00°E'
    """
    span = max(lat_max - lat_min, 1.0)
    mid = (lat_min + lat_max) / 2.0
    lon_0 = round(((lon_min + lon_max) / 2.0 + 180.0) % 360.0 - 180.0, 4)
    lat_1 = round(max(mid - span / 3.0, -89.0), 4)
    lat_2 = round(min(mid + span / 3.0, 89.0), 4)
    if lat_1 <= 0.0 <= lat_2:  # across the equator a cone degenerates: Mercator is conformal
        conversion = MercatorAConversion(longitude_natural_origin=lon_0)
        name = f"Mercator, central meridian {_deg(lon_0, 'EW')}"
        return ProjectedCRS(conversion, name=name, geodetic_crs=GeographicCRS(datum="WGS84"))
    conversion = LambertConformalConic2SPConversion(
        latitude_first_parallel=lat_1,
        latitude_second_parallel=lat_2,
        latitude_false_origin=round(mid, 4),
        longitude_false_origin=lon_0,
    )
    name = (
        f"Lambert conformal conic, standard parallels {_deg(lat_1, 'NS')} and "
        f"{_deg(lat_2, 'NS')}, central meridian {_deg(lon_0, 'EW')}"
    )
    return ProjectedCRS(conversion, name=name, geodetic_crs=GeographicCRS(datum="WGS84"))


@functools.lru_cache(maxsize=32)
def _transformer(src: CRS | str, dst: CRS | str) -> Transformer:
    """Return a lon/lat-ordered transformer, built once per pair (building one costs ~15 ms)."""
    return Transformer.from_crs(src, dst, always_xy=True)


def _deg(value: float, hemispheres: str) -> str:
    return f"{abs(value):.2f}°{hemispheres[0] if value >= 0 else hemispheres[1]}"


def project(geoms, crs: CRS, *, inverse: bool = False):
    """Transform shapely geometries between EPSG:4326 and ``crs``.

    Parameters
    ----------
    geoms : shapely geometry or array of them
    crs : pyproj.CRS
    inverse : bool
        From ``crs`` back to EPSG:4326.

    Returns
    -------
    shapely geometry or numpy.ndarray
    """
    src, dst = ("EPSG:4326", crs) if not inverse else (crs, "EPSG:4326")
    tr = _transformer(src, dst)
    return shapely.transform(geoms, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def _lonlat(crs: CRS, x: float, y: float) -> tuple[float, float]:
    lon, lat = _transformer(crs, "EPSG:4326").transform(x, y)
    return float(lon), float(lat)


def scale_bar(crs: CRS, x: float, y: float, length_km: float) -> float:
    """Map x where a horizontal bar from ``(x, y)`` is ``length_km`` long on the ellipsoid.

    Parameters
    ----------
    crs : pyproj.CRS
        Projected CRS of the map, metres.
    x, y : float
        Left end of the bar in map coordinates.
    length_km : float
        Geodesic length the bar stands for.

    Returns
    -------
    float
        Map x of the right end.

    Examples
    --------
    >>> crs = theatre_crs(60, 24, 66, 31)
    >>> x1 = scale_bar(crs, 0.0, 0.0, 100.0)
    >>> bool(99_000 < x1 < 101_000)
    True
    """
    lon0, lat0 = _lonlat(crs, x, y)
    metres = length_km * 1000.0
    # Fixed-point on the scale factor: the bar's map length times the ratio of
    # the wanted to the measured geodesic length. The scale of a conformal map
    # varies slowly along a bar, so this settles to 1 cm in a few steps.
    span = metres
    for _ in range(50):
        lon1, lat1 = _lonlat(crs, x + span, y)
        measured = _WGS84.inv(lon0, lat0, lon1, lat1)[2]
        if abs(measured - metres) <= 0.01:
            break
        span *= metres / measured
    return float(x + span)


def north_angle_deg(crs: CRS, lon: float, lat: float) -> float:
    """Angle of true north at a point, from map up, clockwise positive (degrees).

    Found by stepping 1 km due north along the geodesic and projecting both
    points; in a conic projection it equals the meridian convergence.

    Examples
    --------
    >>> crs = theatre_crs(60, 24, 66, 31)
    >>> north_angle_deg(crs, 65.0, 27.0) < 0 < north_angle_deg(crs, 61.0, 27.0)  # converging
    True
    """
    lon1, lat1, _ = _WGS84.fwd(lon, lat, 0.0, 1000.0)
    tr = _transformer("EPSG:4326", crs)
    (x0, x1), (y0, y1) = tr.transform([lon, lon1], [lat, lat1])
    return math.degrees(math.atan2(x1 - x0, y1 - y0))


def nice_length_km(width_km: float, fraction: float = 0.22) -> float:
    """Round ``fraction`` of a width to 1, 2 or 5 times a power of ten (km).

    Examples
    --------
    >>> nice_length_km(520.0), nice_length_km(60.0), nice_length_km(2000.0)
    (100.0, 10.0, 200.0)
    """
    target = max(width_km * fraction, 1e-6)
    power = 10.0 ** math.floor(math.log10(target))
    return float(max((m * power for m in (1, 2, 5, 10) if m * power <= target), default=power))
