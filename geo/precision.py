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

"The province" and "the country" mean the interval is measured over that
polygon, never from the point alone. A missing code is read as exact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["ACLED_RADIUS_KM", "UCDP_RADIUS_KM", "precision_extent"]

PROVINCE = -1.0
COUNTRY = -2.0
UNKNOWN = np.inf

ACLED_RADIUS_KM = {1: 2.0, 2: 25.0, 3: PROVINCE}
UCDP_RADIUS_KM = {1: 2.0, 2: 25.0, 3: 50.0, 4: PROVINCE, 5: 100.0, 6: COUNTRY, 7: UNKNOWN}


def _lookup(codes: pd.Series, table: dict[int, float]) -> np.ndarray:
    numeric = pd.to_numeric(codes, errors="coerce").to_numpy(dtype="float64")
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
    n = len(frame)
    radius = np.full(n, np.nan)
    if "geo_precision" in frame:
        radius = _lookup(frame["geo_precision"], ACLED_RADIUS_KM)
    if "where_prec" in frame:
        ucdp = _lookup(frame["where_prec"], UCDP_RADIUS_KM)
        radius = np.where(np.isnan(radius), ucdp, radius)
    radius = np.where(np.isnan(radius), 0.0, radius)
    area = np.where(radius == PROVINCE, "province", np.where(radius == COUNTRY, "country", ""))
    radius = np.where(area != "", np.nan, radius)
    return radius, area.astype(object)
