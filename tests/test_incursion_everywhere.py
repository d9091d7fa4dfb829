"""Incursion depth: the same for any --pair, none for events located only to a province."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

from geo.proximity import analyze
from geo.theatre import Theatre

RUS = "Military Forces of Russia (2000-)"


def _events():
    frame = gpd.GeoDataFrame(
        {
            "event_id": ["kharkiv", "kherson-province", "kupiansk"],
            "actor1": [RUS, RUS, RUS],
            "country": ["Ukraine", "Ukraine", "Ukraine"],
            "geo_precision": [1, 3, 1],
            "fatalities": [2, 0, 1],
        },
        geometry=gpd.points_from_xy([36.23, 33.0, 37.62], [49.99, 46.6, 49.71]),
        crs="EPSG:4326",
    )
    return frame


@pytest.mark.parametrize("pair", ["IRN-PAK", "KHM-THA", "nearest"])
def test_a_located_strike_has_the_same_depth_whatever_the_pair(pair):
    own = analyze(_events(), "RUS-UKR").set_index("event_id")
    other = analyze(_events(), pair).set_index("event_id")
    for event in ("kharkiv", "kupiansk"):
        assert own.loc[event, "incursion_border"] == "RUS-UKR"
        assert 10 < own.loc[event, "incursion_km"] < 60
        assert other.loc[event, "incursion_km"] == pytest.approx(own.loc[event, "incursion_km"])


@pytest.mark.parametrize("pair", ["RUS-UKR", "IRN-PAK", "nearest"])
def test_an_event_known_only_to_its_province_has_no_point_depth(pair):
    out = analyze(_events(), pair).set_index("event_id")
    assert np.isnan(out.loc["kherson-province", "incursion_km"])
    assert out.loc["kherson-province", "incursion_border"] is None or np.isnan(
        out.loc["kherson-province", "incursion_border"]
    )


def test_a_users_line_still_measures_the_depth_from_the_two_countries_border():
    line = Theatre.from_pair("RUS-UKR").border[["pair", "geometry"]].assign(pair="my line")
    out = analyze(_events(), Theatre.from_border(line)).set_index("event_id")
    own = analyze(_events(), "RUS-UKR").set_index("event_id")
    assert out.loc["kharkiv", "incursion_km"] == pytest.approx(own.loc["kharkiv", "incursion_km"])
    assert out.loc["kharkiv", "incursion_border"] == "RUS-UKR"


def test_a_country_level_event_is_counted_as_country_only_in_its_country():
    from geo.summaries import COUNTRY_ONLY, summarize

    frame = _events().assign(where_prec=[1, 1, 6]).drop(columns="geo_precision")
    out = analyze(frame, "RUS-UKR")
    table = summarize(out, ("province_iso3", "province"))
    bare = table[table["province"] == COUNTRY_ONLY]
    assert bare[["province_iso3", "events"]].values.tolist() == [["UKR", 1]]
    assert table["province"].notna().all()


@pytest.mark.parametrize(
    ("event_type", "strike"),
    [
        ("Explosions/Remote violence", True),
        ("Battles", True),
        ("Violence against civilians", True),
        ("Airstrike", True),  # another source's own vocabulary: not ruled out
        (None, True),
        ("Protests", False),
        (" riots ", False),
        ("Strategic developments", False),
    ],
)
def test_only_event_types_that_can_be_strikes_get_a_depth_and_pair(event_type, strike):
    from geo.proximity import strike_pairs

    frame = (
        _events()
        .iloc[[0, 2]]
        .assign(event_type=[event_type, "Battles"], event_date=["2024-01-01", "2024-01-02"])
    )
    # the reply: Ukraine's forces strike back across the border a day later
    frame.loc[frame.index[1], "actor1"] = "Military Forces of Ukraine (2019-)"
    frame.loc[frame.index[1], "geometry"] = gpd.points_from_xy([36.9], [50.9])[0]
    out = analyze(frame, "RUS-UKR").set_index("event_id")
    assert out.loc["kharkiv", "attacker"] == "RUS"  # who acted is still stated
    assert np.isfinite(out.loc["kharkiv", "incursion_km"]) == strike
    frame["event_date"] = frame["event_date"].astype("datetime64[ns]")
    pairs = strike_pairs(analyze(frame, "RUS-UKR"))
    assert len(pairs) == (1 if strike else 0)
