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
    analyze,
    distance_to_line_km,
    nearest_lines,
    site_distances,
    strike_pairs,
    summarize,
)
from geo.theatre import Theatre


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
    assert seed.loc["Saravan", ["side", "admin1"]].tolist() == ["IRN", "Sistan and Baluchestan"]
    panjgur = seed.loc["Panjgur (Koh-e-Sabz)"]
    assert [panjgur["side"], panjgur["admin1"]] == ["PAK", "Balochistan"]
    assert seed.loc["Erbil", "side"] == "IRQ"


def test_all_columns_rows_and_order_are_kept():
    events = layers.events()
    out = analyze(events)
    assert list(out.index) == list(events.index)
    assert set(ANALYSIS_COLUMNS) <= set(out.columns)
    assert (out["event_id"] == events["event_id"]).all()
    assert (out["admin1_source"] == events["admin1"]).all()  # the stated value is kept


def test_nearest_point_lies_on_the_border_at_the_stated_distance(seed):
    line = layers.border("IRN-PAK").geometry.iloc[0]
    for _, row in seed.iterrows():
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
    assert idlib["border_distance_min_km"] < idlib["border_distance_km"]
    assert idlib["border_distance_max_km"] > idlib["border_distance_km"]
    assert np.isnan(idlib["uncertainty_km"])


def test_province_level_event_touching_the_border_has_zero_minimum():
    ev = _points([(65.0, 28.0)], geo_precision=[3])  # inside Balochistan
    out = analyze(ev).iloc[0]
    assert out["distance_basis"] == "province" and out["admin1"] == "Balochistan"
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
    row = by_zone[(by_zone["zone"] == "25-50 km") & (by_zone["side"] == "IRN")]
    assert row["fatalities"].iloc[0] == 9
    by_prov = summarize(seed, "admin1").set_index("admin1")
    assert by_prov.loc["Sistan and Baluchestan", "events"] == 2
    with pytest.raises(InputError):
        summarize(seed, "nope")


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


def test_events_at_sea_near_the_border_take_a_side_of_the_pair():
    # Gwatar Bay, 5 km off the line's end; and the open Arabian Sea, 300 km out
    out = analyze(_points([(61.60, 25.16), (62.0, 22.0)]))
    assert out["admin1"].isna().all()
    assert out["side"].iloc[0] in ("IRN", "PAK")
    assert out["border_distance_km"].iloc[0] < 10
    assert pd.isna(out["side"].iloc[1])  # beyond every zone: at sea, no side


def test_locate_returns_none_outside():
    provs = layers.provinces(["PAK"])
    got = locate(np.array([64.09, 0.0]), np.array([26.96, 0.0]), provs, "name_en")
    assert got.tolist() == ["Balochistan", None]


def test_nearest_lines_join_event_and_border():
    out = analyze(layers.events())
    lines = nearest_lines(out)
    assert len(lines) == len(out)
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
    assert out["admin1_source"] == "Baluchistan (old spelling)"


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
    assert (out["border_distance_km"] <= single["border_distance_km"] + 1e-9).all()
    per_pair = summarize(out.reset_index(), ("border_pair", "zone", "side"))
    assert per_pair["events"].sum() == len(out)


def test_analysis_loads_only_the_provinces_of_countries_near_the_events():
    from geo.placement import event_provinces

    lon, lat = np.array([62.33]), np.array([27.37])  # Saravan: IRN and PAK boxes only
    provs = event_provinces(lon, lat)
    assert set(provs["adm0_a3"]) == {"IRN", "PAK"}
