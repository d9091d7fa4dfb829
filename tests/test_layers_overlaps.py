"""Areas drawn in two country outlines: their curated owners, and the store built from them."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import layers
from geo.layers import LAYERS_DIR
from geo.proximity import analyze
from tools.admin1_changes import apply_changes, load_changes
from tools.overlaps import load_overlaps, measure_overlaps, settle_overlaps

OVERLAPS = LAYERS_DIR / "curated" / "overlaps.csv"


def test_every_overlap_names_a_claimant_as_owner_with_basis_and_source():
    table = load_overlaps(OVERLAPS)
    assert len(table) >= 2
    assert (table["source"].str.len() > 40).all()
    crimea = table[(table["claimant_a"] == "RUS") & (table["claimant_b"] == "UKR")]
    assert crimea[["owner", "basis"]].values.tolist() == [["UKR", "de jure"]]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("owner", "FRA", "owner: FRA is not a claimant"),
        ("source", "", "needs its basis and source"),
        ("east", "0", "the box is empty"),
    ],
)
def test_a_bad_overlap_row_is_refused(tmp_path, column, value, message):
    table = pd.read_csv(OVERLAPS, dtype=str, keep_default_na=False)
    table.loc[0, column] = value
    bad = tmp_path / "overlaps.csv"
    table.to_csv(bad, index=False)
    with pytest.raises(ValueError, match=message):
        load_overlaps(bad)


def _table(**row):
    base = {"claimant_a": "AAA", "claimant_b": "BBB", "owner": "BBB", "basis": "b", "source": "s"}
    base.update({"west": -10.0, "south": -10.0, "east": 10.0, "north": 10.0}, **row)
    return pd.DataFrame([base])


def test_the_other_claimant_loses_the_shared_area_inside_the_box_only():
    a = shapely.box(0, 0, 2, 2)
    b = shapely.box(1, 0, 3, 2)
    settled = settle_overlaps(pd.Series(["AAA", "BBB"]).to_numpy(), [a, b], _table(north=1.0))
    assert settled[1].equals(b)  # the owner keeps all it had
    assert shapely.area(settled[0]) == pytest.approx(4.0 - 1.0)  # lost [1,2]x[0,1] only
    assert not settled[0].contains(shapely.Point(1.5, 0.5))
    assert settled[0].contains(shapely.Point(1.5, 1.5))  # outside the box: left as drawn


def test_a_row_whose_claimant_is_not_built_is_skipped():
    a = shapely.box(0, 0, 2, 2)
    settled = settle_overlaps(pd.Series(["AAA"]).to_numpy(), [a], _table())
    assert settled[0].equals(a)


def test_measure_overlaps_finds_shared_areas_on_the_ellipsoid():
    a, b, c = shapely.box(0, 0, 1, 1), shapely.box(0.5, 0, 1.5, 1), shapely.box(5, 5, 6, 6)
    found = measure_overlaps(pd.Series(["BBB", "AAA", "CCC"]).to_numpy(), [a, b, c])
    assert found[["claimant_a", "claimant_b"]].values.tolist() == [["AAA", "BBB"]]
    # half a degree by one at the equator: about 55.7 x 110.6 km
    assert found["area_km2"].iloc[0] == pytest.approx(6_150, rel=0.01)


def test_transfer_moves_a_unit_to_the_country_under_a_new_code():
    ne = pd.DataFrame(
        {
            "adm1_code": ["R-1", "R-2"],
            "adm0_a3": "RRR",
            "name": ["Krym", "Other"],
            "name_en": ["Crimea", "Other"],
            "iso_3166_2": ["UA-43", "R-2"],
            "code_hasc": ["RU.CR", "RU.OT"],
        }
    )
    change = {
        "iso3": "UUU",
        "old_units": ["R-1"],
        "new_unit": "UUU-1",
        "name": "",
        "name_en": "Autonomous Republic of Crimea",
        "iso_3166_2": "UA-43",
        "change": "transfer",
    }
    out = apply_changes(ne, pd.DataFrame([change]))
    moved = out.iloc[0]
    assert (moved["adm1_code"], moved["adm0_a3"], moved["name"]) == ("UUU-1", "UUU", "Krym")
    assert moved["name_en"] == "Autonomous Republic of Crimea" and moved["code_hasc"] == ""
    assert out.iloc[1].to_dict() == ne.iloc[1].to_dict()


def test_a_transfer_needs_a_code_of_the_receiving_country(tmp_path):
    table = pd.read_csv(
        LAYERS_DIR / "curated" / "admin1_changes.csv", dtype=str, keep_default_na=False
    )
    row = table.index[table["change"] == "transfer"][0]
    table.loc[row, "new_unit"] = "RUS-283"
    bad = tmp_path / "changes.csv"
    table.to_csv(bad, index=False)
    with pytest.raises(ValueError, match="needs a code starting UKR-"):
        load_changes(bad)


@pytest.mark.parametrize("row", range(len(load_overlaps(OVERLAPS))))
def test_the_built_countries_no_longer_share_a_settled_area(row):
    item = load_overlaps(OVERLAPS).iloc[row]
    pair = layers.countries([item["claimant_a"], item["claimant_b"]])
    shared = measure_overlaps(pair["iso3"].to_numpy(), pair.geometry.to_numpy(), min_km2=1.0)
    assert shared.empty, shared


CRIMEA = gpd.GeoDataFrame(
    {"event_id": ["simferopol", "sevastopol", "kerch", "belgorod"]},
    geometry=gpd.points_from_xy([34.10, 33.52, 36.47, 36.59], [44.95, 44.60, 45.36, 50.60]),
    crs="EPSG:4326",
)


def test_crimea_and_sevastopol_are_ukrainian_provinces():
    out = analyze(CRIMEA, "RUS-UKR")
    assert list(out["province_iso3"]) == ["UKR", "UKR", "UKR", "RUS"]
    assert list(out["province"])[:3] == [
        "Autonomous Republic of Crimea",
        "Sevastopol",
        "Autonomous Republic of Crimea",
    ]
    built = layers.provinces(["UKR"]).set_index("adm1_code")
    assert built.loc["UKR-283", "iso_3166_2"] == "UA-43"
    assert built.loc["UKR-5482", "iso_3166_2"] == "UA-40"
    assert not layers.provinces(["RUS"])["iso_3166_2"].isin(["UA-43", "UA-40"]).any()


def test_an_event_in_crimea_is_on_ukraines_side_of_the_russia_ukraine_border():
    out = analyze(CRIMEA, "RUS-UKR")
    assert list(out["side"]) == ["UKR", "UKR", "UKR", "RUS"]
    # Simferopol lies hundreds of km from the land border, not beside a line drawn round
    # the peninsula's coast
    assert out["border_distance_km"].iloc[0] > 150
    border = layers.border("RUS-UKR").iloc[0]
    assert border["parts"] == 1 and 1_900 < border["length_km"] < 2_100  # Factbook: 1,944 km


def test_the_west_bank_is_palestine_only():
    ramallah = shapely.Point(35.20, 31.90)
    countries = layers.countries(["ISR", "PSE"]).set_index("iso3").geometry
    assert countries["PSE"].contains(ramallah) and not countries["ISR"].contains(ramallah)


def test_every_transfer_is_in_the_change_table():
    transfers = load_changes(LAYERS_DIR / "curated" / "admin1_changes.csv")
    assert {"UKR-283", "UKR-5482"} <= set(
        transfers.loc[transfers["change"] == "transfer", "new_unit"]
    )
