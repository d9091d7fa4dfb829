"""The on-disk memo (geo.cache) and the theatre's cached zones."""

from __future__ import annotations

import pytest
import shapely

from geo import cache
from geo.theatre import Theatre
from geo.zones import border_zones


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def _counting(value):
    calls = []

    def compute():
        calls.append(1)
        return value

    return compute, calls


def test_a_value_is_computed_once_then_read_back(folder):
    compute, calls = _counting({"a": [1, 2, 3]})
    assert cache.memoised("t", ["x"], compute) == {"a": [1, 2, 3]}
    assert cache.memoised("t", ["x"], compute) == {"a": [1, 2, 3]}
    assert len(calls) == 1
    assert len(list(folder.glob("t-*.pkl"))) == 1


def test_other_parts_make_another_key(folder):
    compute, calls = _counting(1)
    cache.memoised("t", ["x"], compute)
    cache.memoised("t", [b"x", "y"], compute)
    cache.memoised("t", ["xy"], compute)  # not the same as ("x", "y") joined
    assert len(calls) == 3


def test_off_computes_every_time_and_writes_nothing(folder, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    compute, calls = _counting(1)
    cache.memoised("t", ["x"], compute)
    cache.memoised("t", ["x"], compute)
    assert len(calls) == 2
    assert not folder.exists()
    assert cache.cache_dir() is None


def test_default_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "bordermap"


def test_a_damaged_entry_is_recomputed_and_replaced(folder):
    compute, calls = _counting([4, 5])
    cache.memoised("t", ["x"], compute)
    (entry,) = folder.glob("t-*.pkl")
    entry.write_bytes(b"not a pickle")
    assert cache.memoised("t", ["x"], compute) == [4, 5]
    assert len(calls) == 2
    assert cache.memoised("t", ["x"], compute) == [4, 5]
    assert len(calls) == 2


def test_a_file_in_place_of_the_folder_still_gives_the_value(folder):
    folder.write_text("in the way")
    compute, calls = _counting(7)
    assert cache.memoised("t", ["x"], compute) == 7
    assert cache.memoised("t", ["x"], compute) == 7
    assert len(calls) == 2
    assert folder.read_text() == "in the way"


def test_theatre_zones_are_the_zones_and_come_back_from_disk(folder):
    theatre = Theatre.from_pair("IRN-PAK", zones_km=(10, 50))
    zones = theatre.zone_polygons
    direct = border_zones(theatre.border, (10, 50))
    assert list(zones["zone"]) == list(direct["zone"])
    assert list(zones["side"]) == list(direct["side"])
    assert shapely.equals(zones.geometry.to_numpy(), direct.geometry.to_numpy()).all()
    assert len(list(folder.glob("zones-*.pkl"))) == 1
    # a fresh theatre (another process, in effect) reads the entry, and gets a copy it may change
    again = Theatre.from_pair("IRN-PAK", zones_km=(10, 50)).zone_polygons
    assert shapely.equals(again.geometry.to_numpy(), zones.geometry.to_numpy()).all()
    again["zone"] = "changed"
    assert (theatre.zone_polygons["zone"] != "changed").all()
    # other edges are another entry
    assert len(Theatre.from_pair("IRN-PAK", zones_km=(10, 60)).zone_polygons)
    assert len(list(folder.glob("zones-*.pkl"))) == 2


def test_a_users_line_has_left_and_right_zones(folder):
    border = Theatre.from_pair("IRN-PAK").border[["pair", "geometry"]]
    theatre = Theatre.from_border(border.assign(pair="mine"), zones_km=(25,))
    assert set(theatre.zone_polygons["side"]) == {"left", "right"}


def test_nearest_has_no_zones(folder):
    assert len(Theatre.nearest().zone_polygons) == 0
    assert not folder.exists()
