"""geo.intervals: the distance interval each event's precision allows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from geo import layers
from geo.intervals import distance_intervals, farthest_inside_km
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


def test_the_farthest_point_of_an_area_may_lie_inside_it():
    theatre = Theatre.nearest()  # every land border: Iran's coasts face borders across the Gulf
    iran = layers.countries(["IRN"]).geometry.iloc[0]
    xy = shapely.get_coordinates(iran)
    outline = float(theatre.index.nearest(xy[:, 0], xy[:, 1]).distance_km.max())
    yazd = float(theatre.index.nearest([54.37], [31.90]).distance_km[0])
    assert yazd > outline + 100  # the interior is farther than any point of the outline
    bound = farthest_inside_km(theatre, iran, outline)
    rng = np.random.default_rng(2)
    lon, lat = rng.uniform(44, 63.5, 40_000), rng.uniform(25, 40, 40_000)
    inside = shapely.contains_xy(iran, lon, lat)
    sampled = theatre.index.nearest(lon[inside], lat[inside]).distance_km.max()
    assert max(yazd, sampled) <= bound <= sampled + 25


def test_a_country_level_interval_under_nearest_reaches_the_interior():
    theatre = Theatre.nearest()
    frame = pd.DataFrame(
        {"longitude": [54.37], "latitude": [31.90], "where_prec": [6], "iso3": ["IRN"]}
    )
    dist, (_radius, lo, hi, basis) = _intervals(frame, theatre)
    assert basis.tolist() == ["country"] and lo[0] == 0.0
    assert hi[0] >= dist[0]  # the event's own point lies inside its interval
