"""geo.intervals: the distance interval each event's precision allows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from geo import layers
from geo.intervals import distance_intervals
from geo.placement import place_events
from geo.theatre import Theatre


def _intervals(frame, theatre):
    lon, lat = frame["longitude"].to_numpy(), frame["latitude"].to_numpy()
    dist = theatre.index.nearest(lon, lat).distance_km
    place = place_events(lon, lat, None, theatre)
    parts = (place["province"], place["province_iso3"], place["provinces"])
    return dist, distance_intervals(frame, dist, *parts, theatre)


def test_points_circles_provinces_and_countries_each_get_their_interval():
    theatre = Theatre.from_pair("IRN-PAK")
    frame = pd.DataFrame(
        {
            "longitude": [62.33, 62.33, 62.0, 65.0, 61.0],
            "latitude": [27.37, 27.37, 27.5, 28.0, 30.0],
            "geo_precision": [None, 2, None, 3, None],
            "where_prec": [None, None, 1, None, 6],
            "admin1": [None, None, None, "Balochistan", None],
            "iso3": [None, None, None, "PAK", "AFG"],
        }
    )
    dist, (radius, lo, hi, basis) = _intervals(frame, theatre)
    assert basis.tolist() == ["point", "circle", "circle", "province", "country"]
    assert lo[0] == hi[0] == dist[0]  # a point is its own distance
    assert radius[1] == 25 and lo[1] == dist[1] - 25 and hi[1] == dist[1] + 25
    assert lo[2] == max(dist[2] - 2, 0.0) and hi[2] == dist[2] + 2  # UCDP: 2 km
    # a province touching the border starts at zero and reaches its farthest point
    outline = layers.provinces(countries=["PAK"]).set_index("name_en").geometry["Balochistan"]
    xy = shapely.get_coordinates(outline)
    assert lo[3] == 0.0
    assert np.isclose(hi[3], theatre.index.nearest(xy[:, 0], xy[:, 1]).distance_km.max())
    # a country: the whole of Afghanistan, which touches the IRN-PAK line only at a tripoint
    assert lo[4] < 5 and hi[4] > 1000
