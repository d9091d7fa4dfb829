"""Truth tests on several continents: towns in their country and province, exact distances.

These need the world layers (issue 13). A missing pair or country fails the
test, it never skips: the layers are meant to hold every land border.
Distances are checked against a brute-force GeographicLib minimisation:
the border is sampled densely, the best sample is refined by golden-section
search along its two edges, and our answer must agree within 1 m.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from geographiclib.geodesic import Geodesic

import geo
from geo import layers
from geo.theatre import NEAREST, Theatre

#: (town, lon, lat, ISO3, province name as Natural Earth spells it, one of)
TOWNS = [
    ("Goma", 29.2218, -1.6792, "COD", ("Nord-Kivu", "North Kivu")),
    ("Gisenyi", 29.2564, -1.7028, "RWA", ("Western", "Ouest", "West")),
    ("Kirkenes", 30.0450, 69.7271, "NOR", ("Finnmark", "Troms og Finnmark")),
    ("Nikel", 30.2206, 69.4081, "RUS", ("Murmansk",)),
    ("El Paso", -106.4850, 31.7619, "USA", ("Texas",)),
    ("Ciudad Juarez", -106.4245, 31.6904, "MEX", ("Chihuahua",)),
    ("Aranyaprathet", 102.5072, 13.6957, "THA", ("Sa Kaeo",)),
    ("Poipet", 102.5633, 13.6592, "KHM", ("Banteay Meanchey", "Bântéay Méanchey")),
    # Natural Earth spells West Darfur "West Soudan"; layers/curated/admin1_changes.csv renames it
    ("Geneina", 22.4500, 13.4500, "SDN", ("West Darfur",)),
    ("Adre", 22.1964, 13.4667, "TCD", ("Ouaddaï", "Ouaddai")),
    ("Teknaf", 92.3050, 20.8640, "BGD", ("Chittagong", "Chattogram")),
    ("Maungdaw", 92.3667, 20.8167, "MMR", ("Rakhine", "Rakhine State", "Arakan")),
    # southern hemisphere and high latitude
    ("Foz do Iguacu", -54.5882, -25.5478, "BRA", ("Paraná", "Parana")),
    ("Ciudad del Este", -54.6110, -25.5097, "PRY", ("Alto Paraná", "Alto Parana")),
    ("Haparanda", 24.1369, 65.8355, "SWE", ("Norrbotten",)),
    # GeoNames' point for Tornio falls in the Torne river between the 100 m land
    # outlines; this one is on the town's land, 1 km east
    ("Tornio", 24.1600, 65.8500, "FIN", ("Lapland", "Lappi")),
    # the former Federally Administered Tribal Areas, in Khyber Pakhtunkhwa since
    # 31 May 2018 (layers/curated/admin1_changes.csv); GeoNames positions
    ("Wana", 69.5725, 32.29889, "PAK", ("Khyber Pakhtunkhwa",)),
    ("Miran Shah", 70.07117, 33.00059, "PAK", ("Khyber Pakhtunkhwa",)),
    ("Mir Ali", 70.2667, 33.0167, "PAK", ("Khyber Pakhtunkhwa",)),
    ("Khar", 71.52739, 34.7361, "PAK", ("Khyber Pakhtunkhwa",)),
    ("Landi Kotal", 71.14108, 34.0988, "PAK", ("Khyber Pakhtunkhwa",)),
    ("Parachinar", 70.10012, 33.89968, "PAK", ("Khyber Pakhtunkhwa",)),
    # provincial capitals where Natural Earth names two provinces alike
    ("Bazarak", 69.51519, 35.31292, "AFG", ("Panjshir",)),
    ("Nili", 66.13023, 33.72178, "AFG", ("Daykundi",)),
    ("Tarinkot", 65.87806, 32.62998, "AFG", ("Urozgan", "Uruzgan")),
    ("Charikar", 69.17139, 35.01361, "AFG", ("Parwan",)),
]

#: Pairs away from Asia, at high latitude and in the southern hemisphere, with test points.
PAIRS = {
    "NOR-RUS": [(30.0450, 69.7271), (30.2206, 69.4081), (31.5, 69.9)],
    "FIN-SWE": [(24.1369, 65.8355), (24.1465, 65.8481), (21.0, 68.5)],
    "MEX-USA": [(-106.4850, 31.7619), (-106.4245, 31.6904), (-111.0, 31.0)],
    "BRA-PRY": [(-54.5882, -25.5478), (-54.6110, -25.5097), (-55.7, -22.6)],
    "COD-RWA": [(29.2218, -1.6792), (29.2564, -1.7028), (29.0, -2.5)],
    "SDN-TCD": [(22.4500, 13.4500), (22.1964, 13.4667), (23.0, 11.0)],
    "ARG-CHL": [(-70.6, -33.4), (-68.8, -32.9), (-71.5, -45.0)],
}

_GEOD = Geodesic.WGS84
_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0


def _dist_m(lon, lat, x, y) -> float:
    return _GEOD.Inverse(lat, lon, y, x, Geodesic.DISTANCE)["s12"]


def _on_edge(a, b, t):
    """Point at fraction ``t`` along the geodesic from a to b."""
    line = _GEOD.InverseLine(a[1], a[0], b[1], b[0])
    pos = line.Position(t * line.s13, Geodesic.LATITUDE | Geodesic.LONGITUDE)
    return pos["lon2"], pos["lat2"]


def brute_force_km(lon: float, lat: float, line) -> float:
    """Minimum geodesic distance from a point to a line, by dense sampling and refinement."""
    best = np.inf
    for part in shapely.get_parts(line):
        xy = shapely.get_coordinates(part)
        d = np.array([_dist_m(lon, lat, x, y) for x, y in xy])
        i = int(np.argmin(d))
        for j in (i - 1, i):  # the two edges at the nearest vertex
            if j < 0 or j + 1 >= len(xy):
                continue
            lo, hi = 0.0, 1.0
            for _ in range(60):  # golden-section search along the edge's geodesic
                t1, t2 = hi - _GOLDEN * (hi - lo), lo + _GOLDEN * (hi - lo)
                f1 = _dist_m(lon, lat, *_on_edge(xy[j], xy[j + 1], t1))
                f2 = _dist_m(lon, lat, *_on_edge(xy[j], xy[j + 1], t2))
                lo, hi = (lo, t2) if f1 < f2 else (t1, hi)
            best = min(best, _dist_m(lon, lat, *_on_edge(xy[j], xy[j + 1], (lo + hi) / 2)))
        best = min(best, d[i])
    return best / 1000.0


def _events(points) -> gpd.GeoDataFrame:
    lon, lat = zip(*points, strict=True)
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


@pytest.mark.parametrize("town", TOWNS, ids=[t[0] for t in TOWNS])
def test_towns_lie_in_their_country_and_province(town):
    name, lon, lat, iso3, provinces = town
    out = geo.analyze(_events([(lon, lat)]), NEAREST)
    row = out.iloc[0]
    assert row["side"] == iso3, f"{name} placed in {row['side']}"
    assert row["province_iso3"] == iso3
    assert row["province"] in provinces, f"{name} placed in {row['province']}"
    assert row["border_pair"] is not None and iso3 in row["border_pair"].split("-")


@pytest.mark.slow
@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_exact_distance_agrees_with_brute_force_within_1_m(pair):
    theatre = Theatre.from_pair(pair)  # a missing pair fails here, by design
    out = geo.analyze(_events(PAIRS[pair]), theatre)
    for (lon, lat), got in zip(PAIRS[pair], out["border_distance_km"], strict=True):
        truth = brute_force_km(lon, lat, theatre.line)
        assert abs(got - truth) * 1000.0 < 1.0, (pair, lon, lat, got, truth)


@pytest.mark.slow
def test_nearest_finds_the_same_distance_as_the_pair():
    points = [p for pts in PAIRS.values() for p in pts]
    nearest = geo.analyze(_events(points), NEAREST)
    for pair, pts in PAIRS.items():
        single = geo.analyze(_events(pts), pair)["border_distance_km"].to_numpy()
        rows = nearest.iloc[[points.index(p) for p in pts]]
        # the nearest border of any pair is never farther than this pair's
        assert (rows["border_distance_km"].to_numpy() <= single + 1e-9).all(), pair


def test_every_pair_named_either_way():
    assert Theatre.from_pair("RUS-UKR").countries == ("RUS", "UKR")
    assert Theatre.from_pair("KHM THA").countries == ("KHM", "THA")
    assert set(Theatre.from_pair("Sudan-Chad").countries) == {"SDN", "TCD"}
    assert len(layers.pairs()) > 250
