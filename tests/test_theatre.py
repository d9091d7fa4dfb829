"""The theatre: one border pair with its zones, sites and bounds."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from geo import layers
from geo.errors import InputError, LayerError, ParameterError
from geo.theatre import DEFAULT_PAIR, DEFAULT_SITES, PAD_DEG, Theatre, as_theatre


def test_default_theatre_is_iran_pakistan_with_the_seed_sites():
    theatre = Theatre.from_pair()
    assert theatre.pair == DEFAULT_PAIR == "IRN-PAK"
    assert theatre.countries == ("IRN", "PAK") and theatre.embedded
    assert theatre.sites == DEFAULT_SITES
    assert theatre.label == "Iran\u2013Pakistan"
    assert 950 < theatre.length_km < 965


#: A pair on every inhabited continent, high north and the southern hemisphere included.
SAMPLE_PAIRS = [
    "IRN-PAK",
    "AFG-PAK",
    "SDN-TCD",
    "RUS-UKR",
    "KHM-THA",
    "COD-RWA",
    "MEX-USA",
    "NOR-RUS",
    "ARG-CHL",
    "BRA-PRY",
    "FIN-SWE",
    "BGD-MMR",
]


def test_every_border_builds_with_its_two_countries():
    table = layers.border_table()
    assert len(table) > 300 and table["pair"].is_unique
    assert (table["left_iso3"] < table["right_iso3"]).all()  # pair keys are sorted codes
    assert (table["length_km"] > 0).all()


@pytest.mark.parametrize("pair", SAMPLE_PAIRS)
def test_pairs_build_in_both_orders(pair):
    a, b = pair.split("-")
    forward, backward = Theatre.from_pair(f"{a}-{b}"), Theatre.from_pair(f"{b} {a}")
    assert forward.countries == (a, b) and backward.countries == (b, a)
    assert forward.length_km == pytest.approx(backward.length_km)
    w, s, e, n = forward.border.total_bounds
    assert forward.bounds == pytest.approx((w - PAD_DEG, s - PAD_DEG, e + PAD_DEG, n + PAD_DEG))
    if forward.pair != DEFAULT_PAIR:  # towns near the border, never the default ports
        assert 1 <= len(forward.sites) <= 3  # every sampled border has towns within 50 km
        assert "Chabahar" not in [site[0] for site in forward.sites]


def test_unknown_pair_lists_the_known_ones():
    with pytest.raises(LayerError, match="IRN-PAK"):
        Theatre.from_pair("PAK-SYR")


@given(st.lists(st.floats(0.5, 2000, allow_nan=False), min_size=1, max_size=5, unique=True))
def test_zones_are_sorted_edges(edges):
    assert Theatre.from_pair(zones_km=edges).zones_km == tuple(sorted(edges))


def test_bad_zones_name_the_parameter():
    with pytest.raises(ParameterError, match="zones_km"):
        Theatre.from_pair(zones_km="10,x")


def test_user_line_has_left_and_right_sides_only():
    line = gpd.GeoDataFrame(geometry=[shapely.LineString([(60, 20), (60, 30)])], crs=4326)
    theatre = Theatre.from_border(line, name="strip.geojson")
    assert not theatre.embedded and theatre.countries == () and theatre.label == "strip.geojson"
    assert theatre.sites == ()


def test_polygons_count_by_their_outline_and_points_are_refused():
    square = gpd.GeoDataFrame(geometry=[shapely.box(60, 25, 61, 26)], crs=4326)
    assert Theatre.from_border(square).line.geom_type in ("LineString", "MultiLineString")
    points = gpd.GeoDataFrame(geometry=[shapely.Point(60, 25)], crs=4326)
    with pytest.raises(InputError, match="no line or polygon"):
        Theatre.from_border(points)
    naive = gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (1, 1)])])
    with pytest.raises(InputError, match="no CRS"):
        Theatre.from_border(naive)


def test_as_theatre_accepts_a_theatre_a_pair_or_nothing():
    theatre = Theatre.from_pair("AFG-PAK")
    assert as_theatre(theatre) is theatre
    assert as_theatre("AFG-PAK").pair == "AFG-PAK"
    assert as_theatre(None).pair == DEFAULT_PAIR


def test_nearest_theatre_measures_every_border_and_names_the_pair():
    from geo.theatre import NEAREST

    theatre = Theatre.from_pair("nearest")
    assert theatre.is_nearest and theatre.pair == NEAREST and theatre.countries == ()
    assert len(theatre.border) == len(layers.pairs())
    assert theatre.index is Theatre.nearest().index  # built once per process


def test_a_line_across_the_antimeridian_has_a_continuous_extent():
    import geopandas as gpd
    import shapely

    from geo.figure.cartography import theatre_crs
    from geo.geodesy import lon_span

    line = gpd.GeoDataFrame(geometry=[shapely.LineString([(179, 60), (-179, 61)])], crs=4326)
    theatre = Theatre.from_border(line)
    w, s, e, n = theatre.extent
    assert (w, e) == pytest.approx((177.0, 183.0)) and (s, n) == pytest.approx((58.0, 63.0))
    assert theatre.bounds[0] > theatre.bounds[2]  # west > east across 180
    west, east = lon_span([179, -179])
    crs = theatre_crs(west, 60, east, 61)  # central meridian at 180, not 0
    assert "180.00" in crs.name


@pytest.mark.parametrize("box", [(28, -3, 30, 0.5), (20, 69, 32, 71), (-107, 31, -105, 32)])
def test_the_figure_projection_fits_any_latitude(box):
    from geo.figure.cartography import project, theatre_crs

    w, s, e, n = box
    crs = theatre_crs(w, s, e, n)
    pt = project(shapely_point((w + e) / 2, (s + n) / 2), crs)
    assert abs(pt.x) < 1e5  # the box's middle is near the projection's origin


def shapely_point(x, y):
    """Return a shapely point."""
    import shapely

    return shapely.Point(x, y)


def test_sites_of_another_pair_are_towns_on_both_sides():
    places = layers.places().set_index("name")
    sites = Theatre.from_pair("SDN-TCD").sites
    names = [site[0] for site in sites]
    assert {"Al-Junaynah", "Adré"} <= set(names)  # Geneina and Adré, facing each other
    kinds = {places.loc[[n], "kind"].iloc[0] for n in names}
    assert "province" not in kinds
