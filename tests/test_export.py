from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

import geo
from geo import layers
from geo.errors import InputError, LayerError, OutputExistsError, ParameterError
from geo.export import gpkg as export_mod
from geo.export.gpkg import LAYER_NAMES, PYTHON_API, build_layers, export_events, export_gpkg
from geo.export.metadata import read_provenance, read_styles
from geo.proximity import analyze
from geo.style import attacker_colours
from geo.theatre import Theatre
from tests.conftest import GPKG_VALIDATOR

VALIDATOR = GPKG_VALIDATOR
SYSTEM_PYTHON = "/usr/bin/python3"


THEATRE = Theatre.from_pair("IRN-PAK")


@pytest.fixture(scope="module")
def analyzed() -> gpd.GeoDataFrame:
    return analyze(layers.events(), THEATRE)


@pytest.fixture(scope="module")
def gpkg(tmp_path_factory, analyzed) -> Path:
    path = tmp_path_factory.mktemp("export") / "results.gpkg"
    export_gpkg(path, analyzed, THEATRE, command="bordermap export --out results.gpkg")
    return path


def _sql(path: Path, query: str, *args) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(query, args).fetchall()
    finally:
        con.close()


def _column_types(path: Path, table: str) -> dict[str, str]:
    return {row[1]: row[2] for row in _sql(path, f'PRAGMA table_info("{table}")')}


def _validate(path: Path) -> subprocess.CompletedProcess:
    # only called from @gdalbin tests: conftest skips them locally, fails them on CI
    return subprocess.run(
        [SYSTEM_PYTHON, str(VALIDATOR), str(path)], capture_output=True, text=True, timeout=120
    )


def test_every_layer_is_written(gpkg):
    names = [name for name, _ in pyogrio.list_layers(gpkg)]
    assert names == [*LAYER_NAMES, "layer_styles"]
    contents = dict(_sql(gpkg, "SELECT table_name, data_type FROM gpkg_contents"))
    assert contents.pop("layer_styles") == "attributes"
    assert set(contents.values()) == {"features"}


def test_geopackage_version_is_1_3(gpkg):
    assert _sql(gpkg, "PRAGMA application_id")[0][0] == 0x47504B47
    assert _sql(gpkg, "PRAGMA user_version")[0][0] == 10300


def test_field_types(gpkg):
    events = _column_types(gpkg, "events")
    assert events["event_date"] == "DATE"
    for col in ("fatalities", "geo_precision", "time_precision"):
        assert events[col] == "INTEGER", col
    for col in ("border_distance_km", "uncertainty_km", "bearing_to_border_deg", "incursion_km"):
        assert events[col] == "REAL", col
    assert events["side"] == "TEXT" and events["zone"] == "TEXT"
    grid = _column_types(gpkg, "priogrid")
    assert {k: grid[k] for k in ("gid", "row", "col", "events", "fatalities")} == dict.fromkeys(
        ("gid", "row", "col", "events", "fatalities"), "INTEGER"
    )
    assert grid["bdist"] == grid["xcoord"] == "REAL"
    assert _column_types(gpkg, "zones")["zone_max_km"] == "REAL"


def test_every_layer_is_epsg_4326_with_a_spatial_index(gpkg):
    srs = _sql(
        gpkg,
        "SELECT organization, organization_coordsys_id FROM gpkg_spatial_ref_sys "
        "WHERE srs_id = 4326",
    )
    assert srs == [("EPSG", 4326)]
    geoms = dict(_sql(gpkg, "SELECT table_name, srs_id FROM gpkg_geometry_columns"))
    assert geoms == dict.fromkeys(LAYER_NAMES, 4326)
    rtree = {
        t
        for (t,) in _sql(
            gpkg, "SELECT table_name FROM gpkg_extensions WHERE extension_name = 'gpkg_rtree_index'"
        )
    }
    assert rtree == set(LAYER_NAMES)
    for name in LAYER_NAMES:
        features = _sql(gpkg, f'SELECT count(*) FROM "{name}"')[0][0]
        indexed = _sql(gpkg, f'SELECT count(*) FROM "rtree_{name}_geom"')[0][0]
        assert features == indexed > 0, name


def test_round_trip_with_pyogrio_matches_the_analysis(gpkg):
    back = pyogrio.read_dataframe(gpkg, layer="events")
    analyzed = geo.analyze(layers.events())
    assert back.crs.to_epsg() == 4326
    assert list(back["event_id"]) == list(analyzed["event_id"])
    np.testing.assert_allclose(back["border_distance_km"], analyzed["border_distance_km"])
    assert list(back["side"]) == list(analyzed["side"])
    assert list(back["fatalities"]) == list(analyzed["fatalities"])
    assert list(back["zone"]) == list(analyzed["zone"])
    missing = analyzed["incursion_km"].isna().to_numpy()
    assert back["incursion_km"].isna().to_numpy().tolist() == missing.tolist()
    lines = pyogrio.read_dataframe(gpkg, layer="nearest_lines")
    measured = analyzed["border_distance_km"].notna()  # area-level events have no point to join
    assert list(lines["event_id"]) == list(analyzed.loc[measured, "event_id"])
    assert set(lines.geom_type) == {"LineString"}


def test_round_trip_with_plain_sqlite(gpkg):
    rows = _sql(
        gpkg,
        "SELECT event_id, event_date, fatalities, typeof(fatalities), side "
        "FROM events ORDER BY fid",
    )
    saravan = next(r for r in rows if r[0] == "BM0005")
    assert saravan == ("BM0005", "2024-01-18", 9, "integer", "IRN")
    assert dt.date.fromisoformat(rows[0][1]) == dt.date(2024, 1, 3)
    cell = _sql(gpkg, "SELECT events, fatalities, xcoord, ycoord FROM priogrid WHERE gid = 168965")
    assert cell == [(1, 9, 62.25, 27.25)]
    places = _sql(gpkg, "SELECT count(*) FROM places")[0][0]
    sites = _sql(gpkg, "SELECT count(*) FROM sites")[0][0]
    w, s, e, n = THEATRE.bounds  # places within the theatre, not the world's gazetteer
    everywhere = layers.places()
    x, y = everywhere.geometry.x, everywhere.geometry.y
    within = int(((x >= w) & (x <= e) & (y >= s) & (y <= n)).sum())
    assert places + sites == within and sites >= 5


def test_provenance_in_gpkg_metadata(gpkg):
    docs = read_provenance(gpkg)
    assert len(docs) == 1
    doc = docs[0]
    assert doc["tool"] == "bordermap" and doc["tool_version"] == geo.__version__
    assert doc["command_line"] == "bordermap export --out results.gpkg"
    assert doc["border_pair"] == "IRN-PAK"
    assert set(doc["layers"]) == set(LAYER_NAMES)
    assert doc["layers"]["countries"]["licence"] == "ODbL-1.0"
    assert "OpenStreetMap" in doc["layers"]["borders"]["source"]
    assert "GeoNames" in doc["layers"]["places"]["source"]
    assert {"ODbL-1.0", "CC-BY-4.0"} <= set(doc["licences"])
    refs = _sql(
        gpkg,
        "SELECT r.reference_scope, r.table_name FROM gpkg_metadata_reference r "
        "JOIN gpkg_metadata m ON m.id = r.md_file_id WHERE m.mime_type = 'application/json'",
    )
    assert ("geopackage", None) in refs
    assert {t for s, t in refs if s == "table"} == set(LAYER_NAMES)
    ext = _sql(
        gpkg, "SELECT table_name, scope FROM gpkg_extensions WHERE extension_name = 'gpkg_metadata'"
    )
    assert sorted(ext) == [
        ("gpkg_metadata", "read-write"),
        ("gpkg_metadata_reference", "read-write"),
    ]
    descr = dict(_sql(gpkg, "SELECT table_name, description FROM gpkg_contents"))
    assert "PRIO-GRID" in descr["priogrid"]


def _renderer(qml: str) -> ET.Element:
    return ET.fromstring(qml.split("\n", 1)[1]).find("renderer-v2")


def test_layer_styles_follow_the_qgis_convention(gpkg):
    cols = [row[1] for row in _sql(gpkg, 'PRAGMA table_info("layer_styles")')]
    # the column names QGIS writes and reads, in its order
    expected = """f_table_catalog f_table_schema f_table_name f_geometry_column styleName
        styleQML styleSLD useAsDefault description owner ui update_time""".split()
    assert cols[1:] == expected
    styles = read_styles(gpkg)
    defaults = styles[styles["useAsDefault"].astype(bool)]
    assert sorted(defaults["f_table_name"]) == sorted(LAYER_NAMES)
    assert set(styles["f_geometry_column"]) == {"geom"}
    by_table = {row.f_table_name: row for row in defaults.itertuples()}

    events = _renderer(by_table["events"].styleQML)
    assert events.get("type") == "categorizedSymbol" and events.get("attr") == "attacker"
    assert [c.get("value") for c in events.iter("category")] == ["IRN", "PAK", ""]
    assert 'name="size"' in ET.tostring(events, encoding="unicode")
    assert "fatalities" in ET.tostring(events, encoding="unicode")

    alt = styles[(styles["f_table_name"] == "events") & ~styles["useAsDefault"].astype(bool)]
    graduated = _renderer(alt.iloc[0]["styleQML"])
    assert graduated.get("type") == "graduatedSymbol"
    assert graduated.get("graduatedMethod") == "GraduatedSize"
    assert graduated.get("attr") == "fatalities"

    zones = _renderer(by_table["zones"].styleQML)
    assert zones.get("type") == "graduatedSymbol" and zones.get("attr") == "zone_max_km"
    assert [float(r.get("upper")) for r in zones.iter("range")] == [10, 25, 50, 100]

    borders = _renderer(by_table["borders"].styleQML)
    width = [o.get("value") for o in borders.iter("Option") if o.get("name") == "line_width"]
    assert float(width[0]) >= 1.0
    provinces = _renderer(by_table["provinces"].styleQML)
    style = [o.get("value") for o in provinces.iter("Option") if o.get("name") == "style"]
    assert style == ["no"]  # outline only
    assert "StyledLayerDescriptor" in by_table["zones"].styleSLD


def test_refuses_an_existing_file(tmp_path, analyzed):
    target = tmp_path / "r.gpkg"
    target.write_bytes(b"precious")
    with pytest.raises(OutputExistsError, match="exists and overwrite is not set"):
        export_gpkg(target, analyzed, THEATRE, layers=["borders"])
    assert target.read_bytes() == b"precious"


def _fail_after_first_layer(monkeypatch, exc: BaseException) -> list[str]:
    real = export_mod._write_layer
    written: list[str] = []

    def flaky(path, name, frame, **kw):
        if written:
            raise exc
        real(path, name, frame, **kw)
        written.append(name)

    monkeypatch.setattr(export_mod, "_write_layer", flaky)
    return written


@pytest.mark.parametrize("exc", [OSError("disk full"), KeyboardInterrupt()])
def test_a_failure_mid_write_leaves_the_old_file_intact(tmp_path, monkeypatch, gpkg, analyzed, exc):
    target = tmp_path / "results.gpkg"
    shutil.copyfile(gpkg, target)
    before = target.read_bytes()
    written = _fail_after_first_layer(monkeypatch, exc)
    with pytest.raises(type(exc)):
        export_gpkg(target, analyzed, THEATRE, overwrite=True)
    assert written == ["events"]  # the failure came after a layer had been written
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["results.gpkg"]


def test_a_failure_mid_update_leaves_the_old_file_intact(tmp_path, monkeypatch, gpkg, analyzed):
    target = tmp_path / "results.gpkg"
    shutil.copyfile(gpkg, target)
    before = target.read_bytes()
    _fail_after_first_layer(monkeypatch, RuntimeError("boom"))
    with pytest.raises(RuntimeError):
        export_gpkg(target, analyzed, THEATRE, update=True, layers=["events", "zones"])
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["results.gpkg"]


@pytest.fixture(scope="module")
def updated(gpkg, tmp_path_factory, analyzed) -> Path:
    target = tmp_path_factory.mktemp("update") / "results.gpkg"
    shutil.copyfile(gpkg, target)
    export_gpkg(target, analyzed, "AFG-PAK", update=True, layers=["zones"], command="bordermap upd")
    return target


def test_update_replaces_only_the_named_layers(gpkg, updated):
    for name in ("events", "borders", "provinces", "priogrid", "sites"):
        assert _sql(updated, f'SELECT * FROM "{name}" ORDER BY fid') == _sql(
            gpkg, f'SELECT * FROM "{name}" ORDER BY fid'
        ), name
    old = set(_sql(gpkg, "SELECT side FROM zones"))
    new = set(_sql(updated, "SELECT side FROM zones"))
    assert old == {("IRN",), ("PAK",)} and new == {("AFG",), ("PAK",)}
    assert sorted(n for n, _ in pyogrio.list_layers(updated)) == sorted(
        n for n, _ in pyogrio.list_layers(gpkg)
    )
    styles = read_styles(updated)
    assert sorted(styles["f_table_name"]) == sorted(read_styles(gpkg)["f_table_name"])
    docs = read_provenance(updated)
    assert [d["mode"] for d in docs] == ["create", "update"]
    assert list(docs[1]["layers"]) == ["zones"] and docs[1]["border_pair"] == "AFG-PAK"
    assert _sql(updated, "PRAGMA user_version")[0][0] == 10300


def test_update_keeps_an_analysts_own_style(tmp_path, gpkg, analyzed):
    target = tmp_path / "results.gpkg"
    shutil.copyfile(gpkg, target)
    con = sqlite3.connect(target)
    with con:
        con.execute(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
            "owner, ui) VALUES ('', '', 'provinces', 'geom', 'mine', '<qgis/>', '', 0, '', "
            "'analyst', '')"
        )
    con.close()
    export_gpkg(target, analyzed, THEATRE, update=True, layers=["events"])
    names = set(read_styles(target)["styleName"])
    assert "mine" in names and "bordermap: events" in names


def test_update_needs_an_existing_geopackage(tmp_path, analyzed):
    with pytest.raises(InputError, match="does not exist"):
        export_gpkg(tmp_path / "none.gpkg", analyzed, THEATRE, update=True, layers=["zones"])
    text = tmp_path / "notes.gpkg"
    text.write_text("not sqlite at all, just text " * 50)
    with pytest.raises(InputError, match="not a GeoPackage"):
        export_gpkg(text, analyzed, THEATRE, update=True, layers=["zones"])
    with pytest.raises(ParameterError, match="either overwrite or update") as both:
        export_gpkg(text, analyzed, THEATRE, update=True, overwrite=True)
    assert both.value.param == "update"


def test_unknown_layer_lists_the_valid_ones(tmp_path, analyzed):
    with pytest.raises(LayerError, match="choose from events, borders"):
        export_gpkg(tmp_path / "x.gpkg", analyzed, THEATRE, layers=["events", "rivers"])
    assert not (tmp_path / "x.gpkg").exists()


def test_frame_without_crs_is_refused(tmp_path, analyzed):
    naive = analyzed.set_crs(None, allow_override=True)
    with pytest.raises(InputError, match="CRS"):
        export_gpkg(tmp_path / "x.gpkg", naive, THEATRE, layers=["events"])
    with pytest.raises(InputError, match="CRS"):
        export_events(tmp_path / "x.geojson", naive)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["geojson", "parquet", "fgb"])
def test_events_alone_in_other_formats(tmp_path, analyzed, fmt):
    out = export_events(tmp_path / f"events.{fmt}", analyzed, fmt=fmt)
    back = gpd.read_parquet(out) if fmt == "parquet" else gpd.read_file(out)
    assert back.crs.to_epsg() == 4326
    assert sorted(back["event_id"]) == sorted(layers.events()["event_id"])
    saravan = back[back["event_id"] == "BM0005"].iloc[0]
    assert saravan["side"] == "IRN" and 0 < saravan["border_distance_km"] < 50
    assert str(saravan["event_date"])[:10] == "2024-01-18"
    if fmt == "parquet":
        import pyarrow.parquet as pq

        meta = json.loads(pq.read_schema(out).metadata[b"geo"])
        assert meta["primary_column"] == "geometry"
    with pytest.raises(OutputExistsError):
        export_events(out, analyzed, fmt=fmt)


@pytest.mark.gdalbin
def test_passes_gdal_validate_gpkg(gpkg, updated):
    for path in (gpkg, updated):
        proc = _validate(path)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "Error" not in proc.stderr


@pytest.mark.gdalbin
def test_opens_with_ogrinfo(gpkg):
    proc = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-nomd", str(gpkg), "events"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert "Feature Count: 6" in proc.stdout
    assert 'ID["EPSG",4326]' in proc.stdout
    assert "event_date: Date" in proc.stdout
    assert "fatalities: Integer64" in proc.stdout
    assert "Warning" not in proc.stderr  # GeoPackage 1.3 is fully supported by GDAL 3.6
    listing = subprocess.run(["ogrinfo", "-ro", "-q", str(gpkg)], capture_output=True, text=True)
    for name in LAYER_NAMES:
        assert f": {name} (" in listing.stdout
    meta = subprocess.run(
        ["ogrinfo", "-ro", "-so", str(gpkg), "borders"], capture_output=True, text=True
    )
    assert "LICENCE=ODbL-1.0" in meta.stdout


@pytest.mark.qgis
def test_qgis_opens_the_layers_styled_and_renders_them(gpkg, tmp_path):
    png = tmp_path / "qgis.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    script = Path(__file__).with_name("qgis_render.py")
    colours = attacker_colours(["IRN", "PAK"], THEATRE.countries)
    proc = subprocess.run(
        [SYSTEM_PYTHON, str(script), str(gpkg), str(png), colours["IRN"], colours["PAK"]],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    layers = report["layers"]
    assert all(info["valid"] and info["crs"] == "EPSG:4326" for info in layers.values())
    assert layers["events"]["renderer"] == "categorizedSymbol"
    assert layers["events"]["attr"] == "attacker"
    assert layers["events"]["size_data_defined"] is True
    events = layers["events"]
    assert events["categories"] == ["IRN", "PAK", ""]
    assert events["colours"] == [colours["IRN"], colours["PAK"], colours[""]]
    assert layers["zones"]["renderer"] == "graduatedSymbol"
    assert [r[2] for r in layers["zones"]["ranges"]] == [
        "0-10 km",
        "10-25 km",
        "25-50 km",
        "50-100 km",
    ]
    assert layers["borders"]["renderer"] == "singleSymbol"
    alt = report["events_alternative"]
    assert alt["renderer"] == "graduatedSymbol" and alt["attr"] == "fatalities"
    assert alt["sizes"] == sorted(alt["sizes"]) and alt["sizes"][0] < alt["sizes"][-1]
    render = report["render"]
    assert render["painted_fraction"] > 0.3 and render["colours"] > 20
    # the attacker colours of geo.style (Iran red, Pakistan blue) made it to the picture
    assert render["has_colour"] == {colours["IRN"]: True, colours["PAK"]: True}
    assert png.stat().st_size > 10_000


def test_no_events_still_makes_a_valid_file(tmp_path):
    none = analyze(layers.events().iloc[:0], THEATRE)
    out = export_gpkg(tmp_path / "empty.gpkg", none, THEATRE)
    types = dict(pyogrio.list_layers(out))
    assert (types["events"], types["nearest_lines"]) == ("Point", "LineString")
    assert _sql(out, "SELECT sum(events) FROM priogrid") == [(0,)]
    if VALIDATOR.is_file():
        assert _validate(out).returncode == 0


def test_input_columns_named_fid_or_geom_do_not_clash_with_gdal(tmp_path, analyzed):
    # user files often carry a text "fid" (QGIS exports) or a "geom" column
    events = analyzed.copy()
    events["FID"] = "A"  # not an integer and not unique
    events["geom"] = "x"
    path = export_gpkg(tmp_path / "x.gpkg", events, THEATRE, layers=["events"])
    back = pyogrio.read_dataframe(path, layer="events")
    assert len(back) == len(events)
    assert back["FID_original"].tolist() == ["A"] * len(events)
    assert back["geom_original"].tolist() == ["x"] * len(events)


def test_the_library_records_python_api_not_argv(tmp_path, monkeypatch, analyzed):
    monkeypatch.setattr("sys.argv", ["pytest", "--secret-flag"])
    out = export_gpkg(tmp_path / "api.gpkg", analyzed, THEATRE, layers=["borders"])
    doc = read_provenance(out)[0]
    assert doc["command_line"] == PYTHON_API
    assert "secret" not in json.dumps(doc)
    theatre_borders = build_layers(analyzed, THEATRE, layers=["borders"])["borders"]
    assert "IRN-PAK" in set(theatre_borders["pair"])
    assert doc["layers"]["borders"]["features"] == len(theatre_borders)


def test_build_layers_uses_the_analysed_frame_as_given(analyzed):
    frames = build_layers(analyzed, THEATRE, layers=["nearest_lines", "events", "priogrid"])
    assert list(frames) == ["events", "nearest_lines", "priogrid"]
    assert frames["events"] is analyzed  # never analysed again
    assert frames["priogrid"]["events"].sum() == len(analyzed)
    w, s, e, n = THEATRE.bounds
    cells = frames["priogrid"].total_bounds
    assert cells[0] <= w and cells[1] <= s and cells[2] >= e and cells[3] >= n


def test_a_users_line_gets_zones_on_its_left_and_right():
    line = gpd.GeoDataFrame(
        geometry=[shapely.LineString([(61.0, 26.0), (61.0, 28.0)])], crs="EPSG:4326"
    )
    theatre = Theatre.from_border(line, name="meridian", zones_km=(10, 50))
    frames = build_layers(analyze(layers.events(), theatre), theatre, layers=["zones"])
    zones = frames["zones"]
    assert set(zones["side"]) == {"left", "right"}
    assert sorted(set(zones["zone_max_km"])) == [10.0, 50.0]
