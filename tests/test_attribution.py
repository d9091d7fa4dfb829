"""The attacking state: stated in attacker_iso3, or inferred from ACLED and UCDP actor names."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.attribution import attribute_attacker, state_of_actor
from geo.proximity import analyze, strike_pairs


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Military Forces of Pakistan (2018-)", "PAK"),
        ("Military Forces of Iran (1989-) Islamic Revolutionary Guard Corps", "IRN"),
        ("Police Forces of Pakistan (2018-) Frontier Corps", "PAK"),
        ("Air Force of Iran (1989-)", "IRN"),
        ("Military Forces of the Democratic Republic of Congo (2019-)", "COD"),
        ("Military Forces of Russia (2000-)", "RUS"),
        ("Military Forces of Sudan (2019-2021)", "SDN"),
        ("Government of Pakistan", "PAK"),
        ("Government of Afghanistan, Government of United States of America", "AFG"),
        ("Rioters (Pakistan); Military Forces of Chad (2021-)", "TCD"),
        ("Taliban", None),
        ("Unidentified Armed Group (Pakistan)", None),
        ("Military Forces of Atlantis (2020-)", None),
        (None, None),
    ],
)
def test_state_of_actor(name, code):
    assert state_of_actor(name) == code


def test_stated_code_wins_and_bad_codes_fall_back_to_the_actor():
    frame = pd.DataFrame(
        {
            "attacker_iso3": ["irn", "-", "US-led coalition", None, None],
            "actor1": [
                "Military Forces of Pakistan (2018-)",
                "Military Forces of Pakistan (2018-)",
                "Protesters (Iraq)",
                "Civilians (Afghanistan)",
                "Rebels",
            ],
            "assoc_actor_1": [None, None, None, "Military Forces of Pakistan (2018-)", None],
        }
    )
    attacker, basis = attribute_attacker(frame)
    assert attacker.tolist() == ["IRN", "PAK", None, "PAK", None]
    assert basis.tolist() == ["stated", "inferred", None, "inferred", None]


def _acled(rows):
    frame = pd.DataFrame(rows, columns=["event_id", "event_date", "actor1", "country", "x", "y"])
    return gpd.GeoDataFrame(
        frame.drop(columns=["x", "y"]),
        geometry=gpd.points_from_xy(frame["x"], frame["y"]),
        crs="EPSG:4326",
    )


def test_acled_cross_border_strike_coded_only_in_actor1_gets_a_depth_and_a_pair():
    # Pakistani strike on Barmal (Paktika, 18 March 2024) and an Afghan reply in Kurram
    events = _acled(
        [
            (
                "AFG1",
                "2024-03-18",
                "Military Forces of Pakistan (2018-)",
                "Afghanistan",
                69.2,
                32.8,
            ),
            (
                "PAK1",
                "2024-03-19",
                "Military Forces of Afghanistan (2021-)",
                "Pakistan",
                70.1,
                33.8,
            ),
            ("PAK2", "2024-03-20", "Military Forces of Pakistan (2018-)", "Pakistan", 70.3, 33.6),
        ]
    )
    out = analyze(events, "AFG-PAK").set_index("event_id")
    assert out.loc["AFG1", ["attacker", "attacker_basis", "side"]].tolist() == [
        "PAK",
        "inferred",
        "AFG",
    ]
    assert out.loc["AFG1", "incursion_km"] == pytest.approx(out.loc["AFG1", "border_distance_km"])
    assert out.loc["AFG1", "incursion_border"] == "AFG-PAK"
    assert np.isnan(out.loc["PAK2", "incursion_km"])  # Pakistan's forces in Pakistan
    assert "attacker_iso3" not in out  # nothing is added under an input column's name
    pairs = strike_pairs(out.reset_index())
    assert pairs[["first_event_id", "second_event_id"]].values.tolist() == [["AFG1", "PAK1"]]


def _pairs_by_brute_force(frame: pd.DataFrame, max_days: int = 30) -> dict:
    """The pairing rule spelled out strike by strike (quadratic: small frames only)."""
    rows = list(frame.reset_index(drop=True).itertuples())
    pos = {r.event_id: i for i, r in enumerate(rows)}

    def order(r):  # by day, then by row within a day
        return (r.event_date, pos[r.event_id])

    def first_reply(a):
        replies = [
            r for r in rows if r.attacker == a.side and r.side == a.attacker and order(r) > order(a)
        ]
        return min(replies, key=order, default=None)

    def latest_answered(b):
        before = [
            r for r in rows if r.attacker == b.side and r.side == b.attacker and order(r) < order(b)
        ]
        return max(before, key=order, default=None)

    pairs = {}
    for a in rows:
        b = first_reply(a)
        if b is None or (b.event_date - a.event_date).days > max_days:
            continue
        if latest_answered(b).event_id == a.event_id:
            pairs[a.event_id] = (b.event_id, (b.event_date - a.event_date).days)
    return pairs


def test_strike_pairs_are_one_to_one_latest_strike_and_first_reply_and_scale_linearly():
    import time

    rng = np.random.default_rng(1)
    n = 20_000
    attacker = rng.choice(["SDN", "TCD"], n)
    frame = gpd.GeoDataFrame(
        {
            "event_id": [f"E{i}" for i in range(n)],
            "event_date": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 300, n), "D"),
            "attacker": attacker,
            "side": np.where(attacker == "SDN", "TCD", "SDN"),
            "incursion_km": 1.0,
        },
        geometry=gpd.points_from_xy(rng.uniform(20, 25, n), rng.uniform(10, 15, n)),
        crs="EPSG:4326",
    )
    start = time.perf_counter()
    pairs = strike_pairs(frame)
    assert time.perf_counter() - start < 10  # 20k strikes: never all 200M pairs
    assert pairs["first_event_id"].is_unique and pairs["second_event_id"].is_unique
    small = frame.iloc[:300]
    got = strike_pairs(small)
    got = {
        a: (b, d)
        for a, b, d in got[["first_event_id", "second_event_id", "days_between"]].values.tolist()
    }
    want = _pairs_by_brute_force(small)
    assert len(want) > 20 and got == want


def _strikes(ids, days, attackers) -> gpd.GeoDataFrame:
    """IRN-PAK strikes: each attacker strikes the other country."""
    return gpd.GeoDataFrame(
        {
            "event_id": ids,
            "event_date": pd.to_datetime(days),
            "attacker": attackers,
            "side": ["PAK" if a == "IRN" else "IRN" for a in attackers],
            "incursion_km": 1.0,
        },
        geometry=gpd.points_from_xy([64.1, 62.3, 64.0], [26.9, 27.4, 26.5]),
        crs="EPSG:4326",
    )


def test_strikes_both_ways_on_one_day_make_one_pair():
    frame = _strikes(
        ["A", "B", "C"], ["2024-01-16", "2024-01-16", "2024-01-20"], ["IRN", "PAK", "IRN"]
    )
    pairs = strike_pairs(frame)
    # A and B on the same day: one pair, A (the earlier row) first; B is then
    # answered by C four days later
    assert pairs[["first_event_id", "second_event_id", "days_between"]].values.tolist() == [
        ["A", "B", 0],
        ["B", "C", 4],
    ]


def test_a_same_day_strike_listed_after_a_reply_does_not_take_its_pair():
    # Q3 (4th), then P3 (10th) replies, then Q4 on the 10th but listed after P3
    frame = _strikes(
        ["Q3", "P3", "Q4"], ["2024-03-04", "2024-03-10", "2024-03-10"], ["IRN", "PAK", "IRN"]
    )
    got = strike_pairs(frame)[["first_event_id", "second_event_id", "days_between"]]
    assert got.values.tolist() == [["Q3", "P3", 6], ["P3", "Q4", 0]]
