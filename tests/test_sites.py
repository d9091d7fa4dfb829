"""Sites by name: a country qualifier, ambiguous names, the seed sites of IRN-PAK only."""

from __future__ import annotations

import warnings

import pytest
import shapely

from geo import layers
from geo.errors import InputError
from geo.gazetteer import geocode
from geo.sites import AmbiguousSiteWarning, join_qualifiers, resolve_sites
from geo.theatre import DEFAULT_SITES, Theatre


def _country_of(lon: float, lat: float) -> list[str]:
    frame = layers.countries()
    return frame.loc[frame.contains(shapely.Point(lon, lat)), "iso3"].tolist()


@pytest.mark.parametrize("spelling", [["Khash, Iran"], ["Khash", "Iran"], ["Khash, IRN"]])
def test_a_country_qualifier_resolves_within_that_country(spelling):
    with warnings.catch_warnings():
        warnings.simplefilter("error", AmbiguousSiteWarning)
        found = resolve_sites(spelling)
    ((name, (lon, lat)),) = found.items()
    assert name.startswith("Khash, ")
    assert _country_of(lon, lat) == ["IRN"]


def test_the_qualifier_chooses_the_other_namesake_too():
    ((lon, lat),) = resolve_sites(["Khash, Afghanistan"]).values()
    assert _country_of(lon, lat) == ["AFG"]


def test_an_ambiguous_name_warns_and_lists_every_candidate():
    namesakes = geocode(["Khash"], limit=8)
    namesakes = namesakes[namesakes["score"] == 100]
    assert set(namesakes["iso3"]) >= {"IRN", "AFG"}
    with pytest.warns(AmbiguousSiteWarning) as caught:
        found = resolve_sites(["Khash"])
    message = str(caught[0].message)
    assert "'Khash' is ambiguous" in message and "IRN" in message and "AFG" in message
    assert message.count(" (populated place, ") == len(namesakes)
    # the first listed is the one used
    ((lon, lat),) = found.values()
    assert (round(lat, 3), round(lon, 3)) == (
        round(namesakes["latitude"].iloc[0], 3),
        round(namesakes["longitude"].iloc[0], 3),
    )


def test_the_seed_sites_are_not_ambiguous():
    with warnings.catch_warnings():
        warnings.simplefilter("error", AmbiguousSiteWarning)
        found = resolve_sites(DEFAULT_SITES)
    assert list(found) == list(DEFAULT_SITES)


def test_a_name_missing_from_the_stated_country_names_where_it_is():
    with pytest.raises(InputError, match=r"'Khash' is not in PAK; found in .*IRN") as err:
        resolve_sites(["Khash, Pakistan"])
    assert "AFG" in str(err.value)
    with pytest.raises(InputError, match="not found in the embedded gazetteer"):
        resolve_sites(["Qxzvrt Jklm"])


def test_tuples_pass_through_beside_names():
    found = resolve_sites([("Here", 61.0, 27.0), "Chabahar"])
    assert found["Here"] == (61.0, 27.0) and "Chabahar" in found


def test_join_qualifiers_leaves_names_that_are_not_countries():
    assert join_qualifiers(["Gwadar Port", "Chabahar", "Tal"]) == ["Gwadar Port", "Chabahar", "Tal"]
    assert join_qualifiers(["Khash", "Iran", "Zahedan"]) == ["Khash, Iran", "Zahedan"]


@pytest.mark.parametrize("pair", ["IRN-AFG", "AFG-PAK", "SDN-TCD"])
def test_pairs_other_than_iran_pakistan_get_no_seed_site(pair):
    names = [site[0] for site in Theatre.from_pair(pair).sites]
    assert not set(names) & set(DEFAULT_SITES)
    assert Theatre.from_pair("IRN-PAK").sites == DEFAULT_SITES


def test_default_sites_come_from_the_curated_table_with_the_gazetteer_answer():
    from geo.sites import curated_points
    from geo.theatre import DEFAULT_SITES

    assert curated_points(DEFAULT_SITES) == resolve_sites(DEFAULT_SITES)
    with pytest.raises(InputError, match="not a curated site"):
        curated_points(["Zahedan"])


def test_a_country_written_as_a_common_abbreviation_qualifies_a_site():
    assert join_qualifiers(["Goma", "DRC"]) == ["Goma, DRC"]
    ((name, (lon, lat)),) = resolve_sites(["Goma, DRC"]).items()
    assert name == "Goma, DRC" and 29.0 < lon < 29.5 and -2.0 < lat < -1.5


def test_a_town_and_the_province_named_after_it_are_one_site():
    import warnings

    from geo.sites import AmbiguousSiteWarning, resolve_sites

    with warnings.catch_warnings():
        warnings.simplefilter("error", AmbiguousSiteWarning)
        found = resolve_sites(["Khartoum, Sudan"])
    lon, lat = found["Khartoum, Sudan"]
    assert abs(lat - 15.55) < 0.05 and abs(lon - 32.53) < 0.05  # the city, not the state's centre
