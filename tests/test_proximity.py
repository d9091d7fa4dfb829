"""The proximity engine on the seed events, on custom borders and on edge cases."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import LineString, Point

from geo import layers
from geo.errors import InputError
from geo.geodesy import geodesic_km
from geo.placement import locate
from geo.proximity import (
    ANALYSIS_COLUMNS,
    AT_SEA,
    analyze,
    distance_to_line_km,
    nearest_lines,
    site_distances,
    strike_pairs,
    summarize,
)
from geo.theatre import Theatre
from geo.zones import SPANS_BANDS


@pytest.fixture(scope="module")
def seed():
    return analyze(layers.events()).set_index("location")


def _points(xy, **cols):
    x, y = zip(*xy, strict=True)
    return gpd.GeoDataFrame(cols, geometry=gpd.points_from_xy(x, y), crs="EPSG:4326")


def test_saravan_and_panjgur_distances_from_the_high_resolution_border(seed):
    assert seed.loc["Saravan", "border_distance_km"] == pytest.approx(45, abs=3)
    assert seed.loc["Panjgur (Koh-e-Sabz)", "border_distance_km"] == pytest.approx(77, abs=3)


def test_sides_and_provinces(seed):
    assert seed.loc["Saravan", ["side", "province"]].tolist() == ["IRN", "Sistan and Baluchestan"]
    panjgur = seed.loc["Panjgur (Koh-e-Sabz)"]
    assert [panjgur["side"], panjgur["province"]] == ["PAK", "Balochistan"]
    assert seed.loc["Erbil", "side"] == "IRQ"


def test_all_columns_rows_and_order_are_kept():
    events = layers.events()
    out = analyze(events)
    assert list(out.index) == list(events.index)
    assert set(ANALYSIS_COLUMNS) <= set(out.columns)
    assert (out["event_id"] == events["event_id"]).all()
    for col in events.columns:  # no input column is renamed or overwritten
        assert out[col].equals(events[col]), col


def test_nearest_point_lies_on_the_border_at_the_stated_distance(seed):
    line = layers.border("IRN-PAK").geometry.iloc[0]
    for _, row in seed[seed["distance_basis"].isin(["point", "circle"])].iterrows():
        foot = Point(row["nearest_lon"], row["nearest_lat"])
        assert shapely.distance(foot, line) < 1e-6  # degrees: on the line
        d = geodesic_km(row.geometry.x, row.geometry.y, row["nearest_lon"], row["nearest_lat"])
        assert float(d) == pytest.approx(row["border_distance_km"], abs=1e-6)


def test_precision_intervals(seed):
    sar = seed.loc["Saravan"]  # geo_precision 2: 25 km
    assert sar["uncertainty_km"] == 25
    assert sar["border_distance_min_km"] == pytest.approx(sar["border_distance_km"] - 25)
    assert sar["border_distance_max_km"] == pytest.approx(sar["border_distance_km"] + 25)
    idlib = seed.loc["Idlib"]  # geo_precision 3: the whole province, never a point claim
    assert idlib["distance_basis"] == "province"
    assert np.isnan(idlib["border_distance_km"])  # no point distance for a whole province
    assert idlib["border_distance_max_km"] - idlib["border_distance_min_km"] > 50
    assert np.isnan(idlib["uncertainty_km"]) and np.isnan(idlib["nearest_lon"])


def test_province_level_event_touching_the_border_has_zero_minimum():
    ev = _points([(65.0, 28.0)], geo_precision=[3])  # inside Balochistan
    out = analyze(ev).iloc[0]
    assert out["distance_basis"] == "province" and out["province"] == "Balochistan"
    assert out["border_distance_min_km"] == 0.0
    assert out["border_distance_max_km"] > 500


def test_ucdp_where_prec_and_clamping_at_zero():
    ev = _points([(62.0, 27.5), (62.0, 27.5)], where_prec=[1, 3])
    out = analyze(ev)
    assert out["uncertainty_km"].tolist() == [2.0, 50.0]
    assert (out["border_distance_min_km"] >= 0).all()


def test_cross_border_depth_uses_the_border_the_two_countries_share(seed):
    assert seed.loc["Saravan", "incursion_km"] == pytest.approx(
        seed.loc["Saravan", "border_distance_km"]
    )
    assert seed.loc["Saravan", "incursion_border"] == "IRN-PAK"
    erbil = seed.loc["Erbil"]  # Iran into Iraq: measured from IRN-IRQ, not IRN-PAK
    assert erbil["incursion_border"] == "IRN-IRQ"
    direct = distance_to_line_km(
        [erbil.geometry.x], [erbil.geometry.y], layers.border("IRN-IRQ").geometry.iloc[0]
    )[0][0]
    assert erbil["incursion_km"] == pytest.approx(direct)
    assert np.isnan(seed.loc["Idlib", "incursion_km"])  # Iran and Syria share no border
    assert np.isnan(seed.loc["Chabahar", "incursion_km"])  # Iran in Iran


def test_tit_for_tat_pair(seed):
    pairs = strike_pairs(seed.reset_index())
    row = pairs[(pairs["first_event_id"] == "BM0004")].iloc[0]
    assert row["second_event_id"] == "BM0005"
    assert row["days_between"] == 2
    p, s = seed.loc["Panjgur (Koh-e-Sabz)"].geometry, seed.loc["Saravan"].geometry
    assert row["distance_km"] == pytest.approx(float(geodesic_km(p.x, p.y, s.x, s.y)))


def test_site_distances(seed):
    table = site_distances(seed, ["Chabahar", "Chah Bahar", ("Somewhere", 61.0, 26.0)])
    assert table.loc["Chabahar", "dist_chabahar_km"] == pytest.approx(0, abs=0.5)
    assert (table["dist_chabahar_km"] == table["dist_chah_bahar_km"]).all()
    with pytest.raises(InputError, match="not found in the embedded gazetteer"):
        site_distances(seed, ["Qxzvrt Jklm"])


def test_summaries_count_events_and_fatalities(seed):
    by_zone = summarize(seed, ("zone", "side"))
    assert by_zone["events"].sum() == len(seed)
    assert by_zone["fatalities"].sum() == seed["fatalities"].sum()
    # Saravan is 45 km out, +-25 km: its interval reaches three bands
    row = by_zone[(by_zone["zone"] == SPANS_BANDS) & (by_zone["side"] == "IRN")]
    assert (
        row["fatalities"].iloc[0]
        == seed.loc[seed["side"] == "IRN"].query("zone == @SPANS_BANDS")["fatalities"].sum()
    )
    by_prov = summarize(seed, "province").set_index("province")
    assert by_prov.loc["Sistan and Baluchestan", "events"] == 2
    assert (by_zone["fatalities_unknown"] == 0).all()
    with pytest.raises(InputError):
        summarize(seed, "nope")
    # an unstated toll is counted as unknown, not as 0 dead
    unknown = seed.assign(fatalities=seed["fatalities"].astype("Float64"))
    unknown.loc[unknown.index[0], "fatalities"] = pd.NA
    by_side = summarize(unknown, "side").set_index("side")
    side = seed["side"].iloc[0]
    assert by_side.loc[side, "fatalities_unknown"] == 1
    assert by_side["fatalities_unknown"].sum() == 1
    assert by_side["fatalities"].sum() == seed["fatalities"].iloc[1:].sum()
    assert summarize(seed.drop(columns="fatalities"), "side")["fatalities_unknown"].sum() == len(
        seed
    )


def test_custom_bare_line_sides_are_left_and_right():
    line = gpd.GeoDataFrame(geometry=[LineString([(60, 20), (60, 30)])], crs="EPSG:4326")
    ev = _points([(59.0, 25.0), (61.0, 25.0)])
    out = analyze(ev, Theatre.from_border(line))
    assert out["side"].tolist() == ["left", "right"]
    assert out["border_distance_km"].iloc[0] == pytest.approx(
        float(geodesic_km(59, 25, 60, 25)), abs=1e-3
    )


def test_custom_polygon_border_uses_its_outline():
    square = gpd.GeoDataFrame(geometry=[shapely.box(60, 25, 61, 26)], crs="EPSG:4326")
    out = analyze(_points([(60.5, 25.5)]), Theatre.from_border(square))
    to_sides = geodesic_km(60.5, 25.5, [60.5, 60.5, 60.0, 61.0], [25.0, 26.0, 25.5, 25.5])
    assert out["border_distance_km"].iloc[0] == pytest.approx(float(to_sides.min()), rel=1e-3)


def test_other_crs_is_transformed_and_missing_crs_rejected():
    ev = _points([(62.3342, 27.3707)]).to_crs(3857)
    assert analyze(ev)["side"].iloc[0] == "IRN"
    naive = gpd.GeoDataFrame(geometry=[Point(62, 27)])
    with pytest.raises(InputError, match="no CRS"):
        analyze(naive)


def test_non_point_geometry_is_rejected_with_its_row():
    ev = gpd.GeoDataFrame(geometry=[Point(62, 27), LineString([(0, 0), (1, 1)])], crs=4326)
    with pytest.raises(InputError, match="row 2"):
        analyze(ev)


def test_missing_geometry_gives_nan_not_a_crash():
    ev = gpd.GeoDataFrame(geometry=[Point(62, 27), None], crs="EPSG:4326")
    out = analyze(ev)
    assert np.isnan(out["border_distance_km"].iloc[1]) and len(out) == 2


@pytest.mark.parametrize("pair", ["IRN-PAK", "RUS-UKR", "nearest"])
def test_a_plain_frame_of_coordinates_is_analysed_as_its_points(pair):
    events = layers.events()
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(20, 70, 300), rng.uniform(20, 55, 300)
    more = _points(list(zip(lon, lat, strict=True))).assign(
        event_type="Battles", attacker_iso3="IRN", event_date=pd.Timestamp("2024-01-17")
    )
    events = pd.concat([events, more], ignore_index=True)
    events.loc[len(events) - 1, "geometry"] = None  # a row without a point
    plain = pd.DataFrame(events.drop(columns="geometry"))
    plain["longitude"] = events.geometry.x
    plain["latitude"] = events.geometry.y
    with_points = analyze(events, Theatre.from_pair(pair))
    without = analyze(plain, Theatre.from_pair(pair))
    assert type(without) is pd.DataFrame
    expected = pd.DataFrame(with_points.drop(columns="geometry"))
    expected[["longitude", "latitude"]] = plain[["longitude", "latitude"]]
    pd.testing.assert_frame_equal(without, expected)
    if pair == "IRN-PAK":
        pd.testing.assert_frame_equal(strike_pairs(without), strike_pairs(with_points))


def test_a_frame_without_points_or_coordinates_is_refused():
    with pytest.raises(InputError, match="longitude/latitude"):
        analyze(pd.DataFrame({"lon": [62.0], "lat": [27.0]}))


def test_events_within_twelve_nautical_miles_take_the_coast_and_beyond_are_at_sea():
    # Gwatar Bay off the line's end (Iranian shore), 1 km off Chabahar, Gwadar's bay,
    # and the open Arabian Sea 300 km out
    out = analyze(_points([(61.55, 25.05), (60.62, 25.275), (62.33, 25.09), (62.0, 22.0)]))
    assert out["side"].tolist() == ["IRN", "IRN", "PAK", AT_SEA]
    assert out["offshore"].tolist() == [True, True, True, False]
    assert out["province"].tolist()[:3] == [
        "Sistan and Baluchestan",
        "Sistan and Baluchestan",
        "Balochistan",
    ]
    assert pd.isna(out["province"].iloc[3])
    assert summarize(out, "side").set_index("side").loc[AT_SEA, "events"] == 1


def test_offshore_reach_is_the_territorial_sea_measured_geodesically():
    from geo.placement import TERRITORIAL_SEA_KM, nearest_polygon

    provs = layers.provinces(["PAK"])
    rng = np.random.default_rng(5)
    lon, lat = rng.uniform(63.0, 66.0, 40), rng.uniform(24.6, 25.2, 40)  # off the Makran coast
    sea = ~shapely.contains_xy(provs.geometry.union_all(), lon, lat)
    lon, lat = lon[sea], lat[sea]
    pos, d = nearest_polygon(lon, lat, provs.geometry.to_numpy(), TERRITORIAL_SEA_KM)
    coast = shapely.get_coordinates(provs.geometry.union_all().boundary)
    near_coast = coast[(coast[:, 0] > 62) & (coast[:, 0] < 67) & (coast[:, 1] < 26.5)]
    for x, y, p, km in zip(lon, lat, pos, d, strict=True):
        vertex_min = geodesic_km(x, y, near_coast[:, 0], near_coast[:, 1]).min()
        # the exact distance to the outline is at most the nearest vertex's, and close to it
        within = vertex_min <= TERRITORIAL_SEA_KM
        if p < len(provs):
            assert km <= vertex_min + 1e-6 and km > vertex_min - 0.6
        else:
            assert np.isnan(km) and vertex_min > TERRITORIAL_SEA_KM - 0.6
        assert within <= (p < len(provs))
    assert (pos < len(provs)).any() and (pos == len(provs)).any()


def test_country_level_events_get_no_province_and_an_interval_zone():
    ev = _points([(65.0, 28.0), (65.0, 28.0)], where_prec=[6, 1], iso3=["PAK", "PAK"])
    out = analyze(ev)
    assert pd.isna(out["province"].iloc[0]) and out["province"].iloc[1] == "Balochistan"
    assert out["side"].iloc[0] == "PAK"
    assert out["distance_basis"].iloc[0] == "country"
    assert np.isnan(out["border_distance_km"].iloc[0])
    assert out["zone"].iloc[0] == SPANS_BANDS
    assert out["zone_min_km"].iloc[0] == 0 and np.isinf(out["zone_max_km"].iloc[0])


def test_zone_is_a_band_only_when_the_whole_interval_lies_in_it():
    # exact points at 5 km and 40 km, and the same points known to within 25 km
    line = gpd.GeoDataFrame(geometry=[LineString([(60, 20), (60, 30)])], crs="EPSG:4326")
    theatre = Theatre.from_border(line)
    dx = np.array([5.0, 40.0]) / 111.3 / np.cos(np.radians(25))
    pts = [(60 + dx[0], 25.0), (60 + dx[1], 25.0)] * 2
    out = analyze(_points(pts, geo_precision=[None, None, 2, 2]), theatre)
    assert out["zone"].astype(str).tolist() == ["0-10 km", "25-50 km", SPANS_BANDS, SPANS_BANDS]
    assert out["zone_min_km"].tolist()[2:] == [0.0, 10.0]
    assert out["zone_max_km"].tolist()[2:] == [50.0, 100.0]


def test_locate_returns_none_outside():
    provs = layers.provinces(["PAK"])
    got = locate(np.array([64.09, 0.0]), np.array([26.96, 0.0]), provs, "name_en")
    assert got.tolist() == ["Balochistan", None]


def test_nearest_lines_join_event_and_border():
    out = analyze(layers.events())
    lines = nearest_lines(out)
    # one line per event with a point distance; Idlib is known only to its province
    assert len(lines) == out["border_distance_km"].notna().sum() == len(out) - 1
    first = lines.geometry.iloc[0]
    assert first.coords[0] == (out.geometry.iloc[0].x, out.geometry.iloc[0].y)
    assert first.coords[1] == (out["nearest_lon"].iloc[0], out["nearest_lat"].iloc[0])


def test_random_events_against_brute_force_on_the_embedded_border():
    from tests.test_nearest import brute_force_km

    rng = np.random.default_rng(11)
    line = layers.border("IRN-PAK").geometry.iloc[0]
    pts = _points(list(zip(rng.uniform(59, 66, 4), rng.uniform(24, 31, 4), strict=True)))
    out = analyze(pts)
    coords = list(line.coords)
    xy = zip(pts.geometry.x, pts.geometry.y, strict=True)
    for (x, y), d in zip(xy, out["border_distance_km"], strict=True):
        # the brute force over 1,800 edges is slow; restrict to edges near the answer
        near = [c for c in coords if geodesic_km(x, y, c[0], c[1]) < d + 2]
        assert d == pytest.approx(brute_force_km(x, y, near), abs=1e-3)


def test_result_types_are_plain_numpy():
    out = analyze(layers.events())
    assert out["border_distance_km"].dtype == np.float64
    assert isinstance(out["zone"].dtype, pd.CategoricalDtype)


def test_province_interval_falls_back_to_the_located_province_for_unknown_names():
    ev = _points([(65.0, 28.0)], geo_precision=[3], admin1=["Baluchistan (old spelling)"])
    out = analyze(ev).iloc[0]
    assert out["border_distance_min_km"] == 0.0 and out["border_distance_max_km"] > 500
    assert out["admin1"] == "Baluchistan (old spelling)"  # the user's value, untouched
    assert out["province"] == "Balochistan"


def test_nearest_gives_each_event_its_own_border_pair():
    out = analyze(layers.events(), "nearest").set_index("location")
    assert out.loc["Saravan", "border_pair"] == "IRN-PAK"
    # Erbil is 90 km from Turkey and 97 km from Iran: its nearest border is IRQ-TUR,
    # while the Iranian strike's depth is still measured from IRN-IRQ
    assert out.loc["Erbil", "border_pair"] == "IRQ-TUR"
    assert out.loc["Erbil", "incursion_border"] == "IRN-IRQ"
    iraq_iran = layers.border("IRN", "IRQ").geometry.iloc[0]
    depth = distance_to_line_km([44.009], [36.191], iraq_iran)[0][0]
    assert out.loc["Erbil", "incursion_km"] == pytest.approx(depth, abs=0.5)
    assert out.loc["Erbil", "border_distance_km"] < out.loc["Erbil", "incursion_km"]
    single = analyze(layers.events()).set_index("location")
    measured = single["border_distance_km"].notna()
    assert (
        out["border_distance_km"][measured] <= single["border_distance_km"][measured] + 1e-9
    ).all()
    per_pair = summarize(out.reset_index(), ("border_pair", "zone", "side"))
    assert per_pair["events"].sum() == len(out)


def test_analysis_loads_only_the_provinces_of_countries_near_the_events():
    from geo.placement import event_provinces

    lon, lat = np.array([62.33]), np.array([27.37])  # Saravan: IRN and PAK boxes only
    provs = event_provinces(lon, lat)
    assert set(provs["adm0_a3"]) == {"IRN", "PAK"}


def test_an_input_column_named_like_a_computed_one_is_refused_never_overwritten():
    ev = _points([(62.0, 27.5)], side=["MYSIDE"], zone=["MYZONE"])
    with pytest.raises(InputError, match="computes side, zone and never overwrites"):
        analyze(ev)


def test_bordermap_output_analysed_again_is_recomputed():
    first = analyze(layers.events())
    again = analyze(first)
    assert list(again.columns) == list(first.columns)
    pd.testing.assert_series_equal(again["border_distance_km"], first["border_distance_km"])
