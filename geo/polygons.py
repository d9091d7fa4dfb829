"""The areal part of an overlay result.

Clipping a country to a view can leave, beside its polygons, the lines and
points where the outline only touches the box: a GeometryCollection, which
GEOS' area-only operations (``maximum_inscribed_circle``) refuse.
"""

from __future__ import annotations

import shapely

__all__ = ["areal_part"]


def areal_part(geom: shapely.Geometry) -> shapely.Geometry:
    """Return the polygons of ``geom`` only (empty when it has none).

    Parameters
    ----------
    geom : shapely geometry

    Returns
    -------
    shapely Polygon or MultiPolygon

    Examples
    --------
    >>> mixed = shapely.GeometryCollection(
    ...     [shapely.box(0, 0, 1, 1), shapely.LineString([(2, 2), (3, 3)])]
    ... )
    >>> areal_part(mixed).geom_type, areal_part(shapely.Point(0, 0)).is_empty
    ('Polygon', True)
    """
    parts = shapely.get_parts(geom)
    polygons = [p for p in shapely.get_parts(parts[shapely.get_type_id(parts) == 6])]
    polygons += list(parts[shapely.get_type_id(parts) == 3])
    if not polygons:
        return shapely.MultiPolygon()
    return polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)
