"""Location precision codes and the uncertainty they stand for.

ACLED ``geo_precision``:

====  =====================================================  ==============
code  meaning                                                radius
====  =====================================================  ==============
1     the place itself (a town or exact site)                2 km
2     near a named place, or a part of a district            25 km
3     only the province (admin-1) is known                   the province
====  =====================================================  ==============

UCDP GED ``where_prec``:

====  =====================================================  ==============
code  meaning                                                radius
====  =====================================================  ==============
1     exact location                                         2 km
2     within about 25 km of a known point                    25 km
3     second-order administrative division (district)        50 km
4     first-order administrative division (province)         the province
5     linear feature or between places                       100 km
6     only the country is known                              the country
7     international waters or airspace                       unknown
====  =====================================================  ==============

"The province" and "the country" mean the proximity interval is measured over
that polygon, never from the point alone. A missing code is read as exact.
Where a circle must be drawn (the map's uncertainty rings), a province counts
as 100 km and a country as 500 km (:data:`NOMINAL_AREA_RADIUS_KM`). Where a
row carries both codes, UCDP's ``where_prec`` wins: it is the finer scale.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "ACLED_RADIUS_KM",
    "NOMINAL_AREA_RADIUS_KM",
    "UCDP_RADIUS_KM",
    "precision_extent",
    "precision_radius_km",
]

PROVINCE = -1.0
COUNTRY = -2.0
UNKNOWN = np.inf

ACLED_RADIUS_KM = {1: 2.0, 2: 25.0, 3: PROVINCE}
UCDP_RADIUS_KM = {1: 2.0, 2: 25.0, 3: 50.0, 4: PROVINCE, 5: 100.0, 6: COUNTRY, 7: UNKNOWN}
NOMINAL_AREA_RADIUS_KM = {PROVINCE: 100.0, COUNTRY: 500.0}


def _numeric(codes) -> np.ndarray:
    """Codes as float64, NaN where missing or not a number."""
    kind = getattr(codes, "dtype", None)
    if (
        isinstance(codes, (pd.Series, pd.api.extensions.ExtensionArray, np.ndarray))
        and pd.api.types.is_numeric_dtype(kind)
        and not pd.api.types.is_bool_dtype(kind)
    ):
        # a numeric column (the readers give Int64): no detour through Python objects
        return np.atleast_1d(pd.array(codes).to_numpy(dtype="float64", na_value=np.nan))
    values = pd.Series(np.atleast_1d(np.asarray(codes, dtype=object)))
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")


def _lookup(codes, table: dict[int, float]) -> np.ndarray:
    numeric = _numeric(codes)
    out = np.full(len(numeric), np.nan)
    for code, radius in table.items():
        out[numeric == code] = radius
    return out


def precision_extent(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Uncertainty of each event's position from its precision code.

    Reads ``geo_precision`` (ACLED) and, where that is missing, ``where_prec``
    (UCDP).

    Parameters
    ----------
    frame : DataFrame

    Returns
    -------
    radius_km : numpy.ndarray
        Radius of the circle the event lies in; 0 when no code is given,
        NaN where the extent is an area (see ``area``), inf when unknown.
    area : numpy.ndarray of str
        ``""``, ``"province"`` or ``"country"``.

    Examples
    --------
    >>> r, a = precision_extent(pd.DataFrame({"geo_precision": [1, 2, 3, None]}))
    >>> r.tolist(), a.tolist()
    ([2.0, 25.0, nan, 0.0], ['', '', 'province', ''])
    """
    radius = _coded_radius(frame.get("geo_precision"), frame.get("where_prec"), len(frame))
    radius = np.where(np.isnan(radius), 0.0, radius)
    area = np.where(radius == PROVINCE, "province", np.where(radius == COUNTRY, "country", ""))
    radius = np.where(area != "", np.nan, radius)
    return radius, area.astype(object)


def _coded_radius(geo_precision, where_prec, n: int | None = None) -> np.ndarray:
    """Radius table value per row (sentinels for areas), NaN where no code; UCDP wins."""
    acled = _lookup(geo_precision, ACLED_RADIUS_KM) if geo_precision is not None else None
    ucdp = _lookup(where_prec, UCDP_RADIUS_KM) if where_prec is not None else None
    if acled is None and ucdp is None:
        return np.full(n if n is not None else 1, np.nan)
    if acled is None or ucdp is None:
        return acled if ucdp is None else ucdp
    acled, ucdp = np.broadcast_arrays(acled, ucdp)
    return np.where(np.isnan(ucdp), acled, ucdp)


def precision_radius_km(geo_precision=None, where_prec=None) -> np.ndarray:
    """Uncertainty radius in km for drawing, from ACLED and/or UCDP precision codes.

    Province-level codes count as 100 km and country-level as 500 km here;
    :func:`precision_extent` (used for distance intervals) measures those
    over the polygon instead. Unknown or missing codes give NaN.

    Parameters
    ----------
    geo_precision, where_prec : scalar or array_like, optional
        Codes (NaN or ``<NA>`` allowed); broadcast together. ``where_prec`` wins.

    Returns
    -------
    numpy.ndarray of float64

    Examples
    --------
    >>> precision_radius_km([1, 2, 3, None])
    array([  2.,  25., 100.,  nan])
    >>> precision_radius_km(geo_precision=[3, 3], where_prec=[2, None])
    array([ 25., 100.])
    >>> precision_radius_km(where_prec=[6, 7])
    array([500.,  inf])
    """
    radius = _coded_radius(geo_precision, where_prec)
    for sentinel, km in NOMINAL_AREA_RADIUS_KM.items():
        radius = np.where(radius == sentinel, km, radius)
    return radius.astype("float64")
