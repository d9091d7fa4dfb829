from __future__ import annotations

import csv
import io
import re
import shlex

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.errors import BordermapError, InputError, ParameterError
from geo.io.events import detect_format, iter_event_chunks, read_events
from geo.io.layouts import ACLED_CURRENT, ACLED_PRE2023, SCHEMA
from geo.io.text import GED_COLUMNS
from geo.precision import precision_radius_km

SARAVAN = (27.3707, 62.3342)  # lat, lon in Iran
PANJGUR = (26.96446, 64.09028)  # in Pakistan


def write_rows(path, header, rows, delimiter=","):
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def acled_row(columns, **values):
    base = {
        "event_id_cnty": "IRN1",
        "event_date": "2024-01-18",
        "year": "2024",
        "time_precision": "1",
        "disorder_type": "Political violence",
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Air/drone strike",
        "actor1": "Military Forces of Pakistan",
        "inter1": "State forces",
        "actor2": "BLA",
        "inter2": "Rebel group",
        "iso": "364",
        "region": "Middle East",
        "country": "Iran",
        "admin1": "Sistan and Baluchestan",
        "location": "Saravan",
        "latitude": str(SARAVAN[0]),
        "longitude": str(SARAVAN[1]),
        "geo_precision": "2",
        "source": "AP",
        "notes": "strike",
        "fatalities": "9",
        "event_id_no_cnty": "1",
        "data_id": "99",
        "iso3": "IRN",
    }
    base.update(values)
    return [base.get(c, "") for c in columns]


def ged_row(**values):
    base = dict.fromkeys(GED_COLUMNS, "")
    base.update(
        {
            "id": "501",
            "relid": "IRN-2024-1",
            "year": "2024",
            "type_of_violence": "1",
            "side_a": "Government of Pakistan",
            "side_b": "BLA",
            "where_prec": "1",
            "where_coordinates": "Saravan town",
            "adm_1": "Sistan and Baluchestan province",
            "latitude": str(SARAVAN[0]),
            "longitude": str(SARAVAN[1]),
            "country": "Iran",
            "country_id": "630",
            "date_prec": "1",
            "date_start": "2024-01-18 00:00:00.000",
            "date_end": "2024-01-18 00:00:00.000",
            "best": "9",
            "low": "9",
            "high": "11",
        }
    )
    base.update(values)
    return [base[c] for c in GED_COLUMNS]


# --- formats ---------------------------------------------------------------


def test_acled_current_layout(tmp_path):
    path = write_rows(
        tmp_path / "acled.csv",
        ACLED_CURRENT,
        [acled_row(ACLED_CURRENT), acled_row(ACLED_CURRENT, event_id_cnty="IRN2")],
    )
    table = read_events(path)
    assert table.fmt == "acled"
    ev = table.events
    assert list(ev.columns[: len(SCHEMA) + 1]) == ["row", *SCHEMA]
    assert ev["iso3"].tolist() == ["IRN", "IRN"]  # from numeric iso 364
    assert ev["event_id"].tolist() == ["IRN1", "IRN2"]
    assert ev["fatalities"].tolist() == [9, 9]
    assert str(ev["event_date"].iloc[0].date()) == "2024-01-18"
    assert "disorder_type" in ev.columns and "inter1" in ev.columns  # originals kept
    assert ev.crs.to_epsg() == 4326
    assert ev.geometry.iloc[0].equals(shapely.Point(SARAVAN[1], SARAVAN[0]))


def test_acled_pre2023_layout(tmp_path):
    rows = [acled_row(ACLED_PRE2023, iso="364", inter1="1", inter2="2")]
    table = read_events(write_rows(tmp_path / "old.csv", ACLED_PRE2023, rows))
    assert table.fmt == "acled"
    assert table.events["iso3"].iloc[0] == "IRN"
    assert table.events["data_id"].iloc[0] == "99"
    assert table.events["inter1"].iloc[0] == "1"


def test_ucdp_with_header_maps_precision(tmp_path):
    rows = [ged_row(), ged_row(id="502", where_prec="4", date_prec="4")]
    table = read_events(write_rows(tmp_path / "ged.csv", GED_COLUMNS, rows))
    ev = table.events
    assert table.fmt == "ucdp"
    assert ev["where_prec"].tolist() == [1, 4]
    assert ev["geo_precision"].tolist() == [1, 3]
    assert ev["time_precision"].tolist() == [1, 3]
    assert ev["event_type"].iloc[0] == "State-based conflict"
    assert ev["admin1"].iloc[0] == "Sistan and Baluchestan"
    assert ev["location"].iloc[0] == "Saravan"
    assert ev["fatalities"].tolist() == [9, 9]
    assert ev["iso3"].tolist() == ["IRN", "IRN"]
    assert precision_radius_km(ev["geo_precision"], ev["where_prec"]).tolist() == [2.0, 100.0]


def test_ucdp_without_header_detected_by_content(tmp_path):
    path = write_rows(tmp_path / "ged_noheader.txt", None, [ged_row(), ged_row(id="777")])
    table = read_events(path)
    assert table.fmt == "ucdp"
    assert table.rows_read == 2
    assert table.events["event_id"].tolist() == ["501", "777"]
    assert any("no header row" in n for n in table.notes)


def test_plain_csv_detects_columns_and_overrides(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("ID,Lat,Lng,what\nx1,27.37,62.33,a\nx2,26.96,64.09,b\n")
    ev = read_events(path).events
    assert ev["event_id"].tolist() == ["x1", "x2"]
    assert ev["longitude"].tolist() == [62.33, 64.09]
    assert ev["what"].tolist() == ["a", "b"]
    other = tmp_path / "other.csv"
    other.write_text("code,north,east\nk,27.37,62.33\n")
    with pytest.raises(InputError, match="--lat-col north --lon-col east"):
        read_events(other)  # names the flags that read it
    bare = tmp_path / "bare.csv"
    bare.write_text("code,when\nk,2024-01-01\n")
    with pytest.raises(InputError, match="no latitude column"):
        read_events(bare)
    ev = read_events(other, lat_col="north", lon_col="east", id_col="code").events
    assert ev[["event_id", "latitude", "longitude"]].values.tolist() == [["k", 27.37, 62.33]]
    with pytest.raises(InputError, match=r"'nope'.*no such column"):
        read_events(other, lat_col="nope", lon_col="east")


def test_semicolon_and_decimal_commas(tmp_path):
    path = tmp_path / "eu.csv"
    path.write_text('id;lat;lon\na;27,3707;62,3342\nb;"26,96";64.09\n', encoding="utf-8")
    table = read_events(path)
    assert table.events["latitude"].tolist() == [27.3707, 26.96]
    assert table.events["longitude"].tolist() == [62.3342, 64.09]
    warn = table.problems[table.problems["kind"] == "decimal_comma"]
    assert sorted(set(warn["row"])) == [1, 2]
    assert (warn["severity"] == "warning").all()


def test_tab_delimiter_and_quoted_newline(tmp_path):
    path = tmp_path / "tab.tsv"
    path.write_text('id\tlat\tlon\tnotes\na\t27.37\t62.33\t"two\nlines"\nb\t26.96\t64.09\tx\n')
    table = read_events(path)
    assert table.events["notes"].tolist() == ["two\nlines", "x"]
    assert table.events["row"].tolist() == [1, 2]


def test_utf8_bom(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfid,lat,lon,location\na,27.37,62.33,Sar\xc4\x81v\xc4\x81n\n")
    table = read_events(path)
    assert table.events["event_id"].tolist() == ["a"]
    assert table.events["location"].tolist() == ["Sarāvān"]
    assert table.problems.empty


def test_latin1_file_decoded_with_row_warning(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"id,lat,lon,admin1\na,27.37,62.33,Sistan\nb,26.96,64.09,Baluchist\xe1n\n")
    table = read_events(path)
    assert table.events["admin1"].tolist() == ["Sistan", "Baluchistán"]
    warn = table.problems[table.problems["kind"] == "undecodable_bytes"]
    assert warn["row"].tolist() == [2]
    assert warn["field"].tolist() == ["admin1"]
    assert any("Latin-1" in n for n in table.notes)


def test_mixed_bytes_replaced_and_named(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "id,lat,lon,notes\na,27.37,62.33,Sarāvān\n".encode() + b"b,26.96,64.09,caf\xe9\n"
    )
    table = read_events(path)
    assert len(table.events) == 2
    assert table.events["notes"].tolist()[1] == "caf\ufffd"
    warn = table.problems[table.problems["kind"] == "undecodable_bytes"]
    assert warn[["row", "event_id", "field"]].values.tolist() == [[2, "b", "notes"]]


def test_extra_fields_rejected_not_lost(tmp_path):
    path = tmp_path / "extra.csv"
    path.write_text("id,lat,lon\na,27.37,62.33\nb,26.96,64.09,surplus,more\nc,27.0,62.5\n")
    table = read_events(path, chunksize=1)
    assert table.events["event_id"].tolist() == ["a", "c"]
    assert table.rejects["row"].tolist() == [2]
    assert "5 fields" in table.rejects["reason"].iloc[0]
    assert table.rejects["lon"].iloc[0] == "64.09"
    assert table.rejects["surplus_fields"].iloc[0] == "surplus,more"
    assert table.rejects["kind"].iloc[0] == "extra_fields"


@pytest.mark.parametrize("position", [0, 1, 2])
def test_one_extra_field_never_shifts_the_table(tmp_path, position):
    rows = [f"A{i},2024-01-18,27.3707,62.3342,5" for i in range(3)]
    rows[position] += ",EXTRA"
    path = tmp_path / "shift.csv"
    path.write_text("event_id,event_date,latitude,longitude,fatalities\n" + "\n".join(rows) + "\n")
    table = read_events(path)
    assert table.rejects["row"].tolist() == [position + 1]
    assert table.rejects["kind"].tolist() == ["extra_fields"]
    assert table.rejects["surplus_fields"].tolist() == ["EXTRA"]
    assert len(table.events) == 2
    assert (table.events["fatalities"] == 5).all()
    assert "bad_fatalities" not in set(table.problems["kind"])


def test_trailing_empty_field_and_duplicate_headers(tmp_path):
    path = tmp_path / "trail.csv"
    path.write_text("id,lat,lon,id\na,27.37,62.33,x,\nb,26.96,64.09,y,,\n")
    table = read_events(path)
    assert table.events["event_id"].tolist() == ["a", "b"]
    assert table.events["id.1"].tolist() == ["x", "y"]
    assert any("duplicate column names" in n for n in table.notes)


def points_frame(geoms, **cols):
    data = {"event_id": [f"g{i}" for i in range(len(geoms))], "iso3": ["IRN"] * len(geoms)}
    data.update(cols)
    return gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326")


@pytest.mark.parametrize(
    ("suffix", "driver"),
    [
        (".geojson", "GeoJSON"),
        (".gpkg", "GPKG"),
        (".fgb", "FlatGeobuf"),
        (".shp", None),
        (".parquet", "parquet"),
    ],
)
def test_vector_formats(tmp_path, suffix, driver):
    poly = shapely.Point(SARAVAN[1], SARAVAN[0]).buffer(0.5)  # ~55 km across
    mixed = suffix != ".shp"  # a shapefile holds one geometry type
    second = poly if mixed else shapely.Point(PANJGUR[1], PANJGUR[0])
    frame = points_frame([shapely.Point(SARAVAN[1], SARAVAN[0]), second, None])
    frame["location"] = ["", "", "Chabahar"]
    frame["iso3"] = ["IRN", "IRN" if mixed else "PAK", "IRN"]
    path = tmp_path / f"events{suffix}"
    if driver == "parquet":
        frame.to_parquet(path)
    elif driver == "FlatGeobuf":
        frame.to_file(path, driver=driver, SPATIAL_INDEX="NO")
    else:
        frame.to_file(path, driver=driver) if driver else frame.to_file(path)
    table = read_events(path)
    expected = {
        ".geojson": "geojson",
        ".gpkg": "gpkg",
        ".fgb": "fgb",
        ".shp": "shp",
        ".parquet": "parquet",
    }[suffix]
    assert table.fmt == expected
    ev = table.events
    assert table.rows_read == 3 and len(ev) == 3
    second_method = "representative_point" if mixed else "geometry"
    assert ev["placement_method"].tolist() == ["geometry", second_method, "gazetteer"]
    if mixed:
        assert ev["geo_precision"].iloc[1] == 3  # polygon reduced, precision lowered
        assert shapely.contains(poly, ev.geometry.iloc[1])
    assert ev["latitude"].iloc[2] == pytest.approx(25.2919)


@pytest.mark.filterwarnings("ignore:The filename extension should be")
def test_format_detected_from_content_not_name(tmp_path):
    frame = points_frame([shapely.Point(SARAVAN[1], SARAVAN[0])])
    path = tmp_path / "events.csv"  # a GeoPackage with a misleading name
    frame.to_file(path, driver="GPKG")
    assert detect_format(path) == "gpkg"
    assert read_events(path).events["event_id"].tolist() == ["g0"]
    geojson = tmp_path / "data.txt"
    frame.to_file(geojson, driver="GeoJSON")
    assert detect_format(geojson) == "geojson"


def test_events_format_forces(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("id,lat,lon\na,27.37,62.33\n")
    with pytest.raises(InputError, match="cannot read as gpkg"):
        read_events(path, fmt="gpkg")
    with pytest.raises(ParameterError, match="events_format: unknown format"):
        read_events(path, fmt="xls")


# --- checks ----------------------------------------------------------------


def kinds(table):
    return dict(zip(table.problems["row"], table.problems["kind"], strict=True))


def test_every_defect_kind(tmp_path):
    rows = [
        [
            "ok",
            "2024-01-18",
            f"{SARAVAN[0]}",
            f"{SARAVAN[1]}",
            "IRN",
            "Sistan and Baluchestan",
            "",
            "1",
        ],
        ["nocoord", "2024-01-18", "", "", "IRN", "", "", "0"],
        ["range", "2024-01-18", "95", "62", "IRN", "", "", "0"],
        ["swap", "2024-01-18", f"{SARAVAN[1]}", f"{SARAVAN[0]}", "IRN", "", "", "0"],
        ["ok", "2024-01-18", "27.0", "62.5", "IRN", "", "", "0"],
        ["date", "18/01/2024", "27.0", "62.5", "IRN", "", "", "0"],
        ["fat", "2024-01-18", "27.0", "62.5", "IRN", "", "", "many"],
        ["far", "2024-01-18", f"{PANJGUR[0]}", f"{PANJGUR[1]}", "IRN", "", "", "0"],
        ["near", "2024-01-18", "27.0", "62.6", "PAK", "", "", "0"],
        ["adm", "2024-01-18", "30.28", "57.08", "IRN", "Sistan and Baluchestan", "", "0"],
        ["text", "2024-01-18", "abc", "62", "IRN", "", "", "0"],
        ["laos", "2024-01-18", "15.7", "106.4", "Laos", "", "", "0"],
    ]
    path = write_rows(
        tmp_path / "bad.csv",
        [
            "event_id",
            "event_date",
            "latitude",
            "longitude",
            "iso3",
            "admin1",
            "location",
            "fatalities",
        ],
        rows,
    )
    table = read_events(path)
    got = kinds(table)
    assert got == {
        2: "missing_coordinates",
        3: "out_of_range",
        4: "swapped_coordinates",
        5: "duplicate_id",
        6: "bad_date",
        7: "bad_fatalities",
        8: "far_outside_country",
        9: "country_mismatch",
        10: "admin1_mismatch",
        11: "bad_coordinates",
    }
    assert "Kerman" in table.problems.set_index("row").loc[10, "message"]
    assert "already at row 1" in table.problems.set_index("row").loc[5, "message"]
    # warnings keep the row, errors reject it; the Laos row is checked (world layers) and clean
    assert table.events["event_id"].tolist() == ["ok", "near", "adm", "laos"]
    assert sorted(table.rejects["row"]) == [2, 3, 4, 5, 6, 7, 8, 11]
    assert not any("LAO" in n for n in table.notes)


def test_only_codes_that_name_no_country_go_unchecked(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("id,lat,lon,iso3\na,15.7,106.4,LAO\nb,-1.68,29.23,COD\nc,10,10,ZZZ\n")
    table = read_events(path)
    assert table.rejects.empty and len(table.events) == 3
    assert any("ZZZ (1)" in n for n in table.notes)
    assert not any("LAO" in n or "COD" in n for n in table.notes)


def test_swap_detected_only_when_swap_lands_in_country(tmp_path):
    rows = [
        ["a", f"{PANJGUR[1]}", f"{PANJGUR[0]}", "PAK"],
        ["b", f"{PANJGUR[1]}", f"{PANJGUR[0]}", ""],
    ]
    table = read_events(write_rows(tmp_path / "s.csv", ["id", "lat", "lon", "iso3"], rows))
    assert kinds(table) == {1: "swapped_coordinates"}
    assert "lies in PAK" in table.problems["message"].iloc[0]
    assert table.events["event_id"].tolist() == ["b"]  # no country stated: nothing to compare


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        ("lat_dd", "lon_dd"),
        ("GPS Lat", "GPS Long"),
        ("Latitude_WGS84", "lng_wgs84"),
        ("north", "east"),
    ],
)
def test_coordinates_under_other_names_are_not_replaced_by_place_names(tmp_path, lat, lon):
    """A file whose coordinates go by other names is refused, naming the flags that read it."""
    rows = [["a", "27.37", "62.33", "Saravan"], ["b", "26.96", "64.09", "Panjgur"]]
    path = write_rows(tmp_path / "renamed.csv", ["id", lat, lon, "location"], rows)
    flags = f"--lat-col {shlex.quote(lat)} --lon-col {shlex.quote(lon)}"  # pasted into a shell
    with pytest.raises(InputError, match=re.escape(flags)) as caught:
        read_events(path)
    assert "renamed.csv" in str(caught.value) and "look like coordinates" in str(caught.value)
    table = read_events(path, lat_col=lat, lon_col=lon)
    assert table.events["latitude"].tolist() == [27.37, 26.96]
    assert (table.events["placement_method"] != "gazetteer").all()
    # names that only start like a coordinate, alone, are no coordinates: placed by name
    other = write_rows(
        tmp_path / "o.csv", ["id", "latest_report", "location"], [["a", "x", "Saravan"]]
    )
    assert read_events(other).events["placement_method"].tolist() == ["gazetteer"]


def test_placement_from_location_names(tmp_path):
    rows = [
        ["a", "", "", "Iran", "Sistan and Baluchestan", "Sarawan"],
        ["b", "", "", "Pakistan", "", "Baluchistan"],
        ["c", "", "", "Laos", "", "Saravan"],  # the world gazetteer: Salavan, Laos
        ["d", "", "", "", "", "Qxzvrt Jklm"],
        ["e", "", "", "Pakistan", "", "Saravan"],  # no Saravan in Pakistan: no guess
        ["f", "", "", "", "", "Saravan"],  # no country at all: the best match
    ]
    path = write_rows(
        tmp_path / "names.csv", ["id", "lat", "lon", "country", "admin1", "location"], rows
    )
    table = read_events(path)
    ev = table.events.set_index("event_id")
    assert ev.loc["a", "placement_method"] == "gazetteer"
    assert ev.loc["a", "placement_score"] == 100
    assert ev.loc["a", "latitude"] == pytest.approx(SARAVAN[0])
    assert ev.loc["a", "geo_precision"] == 1
    assert ev.loc["b", "geo_precision"] == 3  # province
    reasons = table.rejects.set_index("event_id")["reason"]
    assert ev.loc["c", "latitude"] == pytest.approx(15.9, abs=0.5)  # Laos, not Iran
    assert "not found in the embedded gazetteer" in reasons["d"]
    assert "'Saravan' is not in PAK; found in IRN" in reasons["e"]  # where it is
    assert ev.loc["f", "iso3"] is pd.NA or pd.isna(ev.loc["f", "iso3"])
    assert ev.loc["f", "latitude"] == pytest.approx(SARAVAN[0])


def test_nothing_dropped_count(tmp_path):
    rng = np.random.default_rng(7)
    n = 503
    lat = rng.uniform(25, 30, n).round(4).astype(str)
    lon = rng.uniform(58, 66, n).round(4).astype(str)
    lat[::17] = ""
    lon[::23] = "x"
    ids = np.array([f"e{i}" for i in range(n)])
    ids[::31] = "dup"
    fat = rng.integers(0, 5, n).astype(str)
    fat[::41] = "?"
    rows = np.column_stack([ids, lat, lon, rng.choice(["IRN", "PAK", "AFG", ""], n), fat])
    path = write_rows(tmp_path / "many.csv", ["id", "lat", "lon", "iso3", "fatalities"], rows)
    total = 0
    seen_rows = []
    for chunk in iter_event_chunks(path, chunksize=50):
        total += chunk.rows_read
        seen_rows += chunk.events["row"].tolist() + chunk.rejects["row"].tolist()
        assert chunk.rows_read == len(chunk.events) + len(chunk.rejects)
    assert total == n
    assert sorted(seen_rows) == list(range(1, n + 1))
    whole = read_events(path)
    assert len(whole.events) + len(whole.rejects) == n
    assert whole.rejects["reason"].notna().all()
    assert (whole.problems["kind"] == "duplicate_id").sum() == len(range(0, n, 31)) - 1


def test_strict_stops_at_first_problem(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("id,lat,lon,fatalities\na,27.37,62.33,1\nb,27.37,62.33,x\nc,,,0\n")
    with pytest.raises(InputError) as info:
        read_events(path, strict=True)
    assert info.value.row == 2 and info.value.field == "fatalities"
    assert str(info.value).startswith(f"{path}: row 2, field 'fatalities'")


def test_empty_and_header_only_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty file"):
        read_events(empty)
    header = tmp_path / "header.csv"
    header.write_text("id,lat,lon\n")
    table = read_events(header)
    assert table.rows_read == 0 and table.events.empty and table.rejects.empty


def test_precision_radius_km_vectorised():
    got = precision_radius_km(pd.array([1, 2, 3, None], dtype="Int64"))
    assert got[:3].tolist() == [2.0, 25.0, 100.0] and np.isnan(got[3])
    both = precision_radius_km([1, 3, 3], [None, 6, 7])
    assert both.tolist() == [2.0, 500.0, np.inf]


def test_seed_events_read_clean():
    from geo.layers import LAYERS_DIR

    table = read_events(LAYERS_DIR / "events.csv")
    assert table.rows_read == 6 and len(table.events) == 6
    assert table.problems.empty


# --- robustness --------------------------------------------------------------


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_never_crash(tmp_path, data):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    try:
        table = read_events(path)
    except BordermapError:
        return
    assert table.rows_read == len(table.events) + len(table.rejects)


csv_text = st.lists(
    st.lists(
        st.sampled_from(
            [
                "",
                "27.37",
                "62,33",
                "x",
                '"',
                "a\nb",
                "Saravan",
                ";",
                "\t",
                "é",
                "1e400",
                "-0",
                "IRN",
            ]
        ),
        min_size=1,
        max_size=6,
    ),
    max_size=8,
)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=csv_text)
def test_arbitrary_tables_account_for_every_row(tmp_path, rows):
    path = tmp_path / "t.csv"
    body = "\n".join(",".join(r) for r in rows)
    path.write_text("id,lat,lon,location\n" + body + "\n", encoding="utf-8")
    try:
        table = read_events(path)
    except BordermapError:
        return
    assert table.rows_read == len(table.events) + len(table.rejects)
    assert table.events["latitude"].between(-90, 90).all()


def test_utf16_with_bom_and_tabs(tmp_path):
    path = tmp_path / "excel.txt"
    path.write_bytes("id\tlat\tlon\tlocation\na\t27.37\t62.33\tSarāvān\n".encode("utf-16"))
    table = read_events(path)
    assert table.events[["event_id", "location"]].values.tolist() == [["a", "Sarāvān"]]


def test_acled_numeric_iso_without_iso3_column(tmp_path):
    columns = [c for c in ACLED_PRE2023 if c != "iso3"]
    rows = [
        acled_row(
            columns,
            iso="586",
            country="Pakistan",
            admin1="Balochistan",
            latitude=str(PANJGUR[0]),
            longitude=str(PANJGUR[1]),
        )
    ]
    table = read_events(write_rows(tmp_path / "a.csv", columns, rows))
    assert table.events["iso3"].tolist() == ["PAK"]
    assert table.problems.empty


def test_parquet_without_geo_metadata_is_input_error(tmp_path):
    path = tmp_path / "plain.parquet"
    pd.DataFrame({"id": ["a"], "lat": [27.0], "lon": [62.0]}).to_parquet(path)
    with pytest.raises(InputError, match="GeoParquet"):
        read_events(path)


def test_vector_crs_is_transformed(tmp_path):
    frame = points_frame([shapely.Point(SARAVAN[1], SARAVAN[0])]).to_crs("EPSG:32641")
    path = tmp_path / "utm.gpkg"
    frame.to_file(path, driver="GPKG")
    ev = read_events(path).events
    assert ev["latitude"].iloc[0] == pytest.approx(SARAVAN[0], abs=1e-6)
    assert ev["longitude"].iloc[0] == pytest.approx(SARAVAN[1], abs=1e-6)


def test_chunks_match_whole_read(tmp_path):
    rows = [
        [f"id{i}", f"{26 + i * 0.01:.2f}", "62.5", "IRN", "1" if i % 7 else "x"] for i in range(40)
    ]
    path = write_rows(tmp_path / "c.csv", ["id", "lat", "lon", "iso3", "fatalities"], rows)
    small = read_events(path, chunksize=3)
    big = read_events(path)
    assert small.events["event_id"].tolist() == big.events["event_id"].tolist()
    assert small.rejects["row"].tolist() == big.rejects["row"].tolist()
    assert small.summary() == big.summary()


def test_duplicates_across_single_row_chunks(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("id,lat,lon\na,27.37,62.33\na,27.37,62.33\na,27.37,62.33\nb,27.37,62.33\n")
    table = read_events(path, chunksize=1)
    assert table.events["row"].tolist() == [1, 4]
    assert table.rejects["reason"].tolist() == ["event id 'a' already at row 1"] * 2


cells = st.sampled_from(
    [
        "",
        "1",
        "27.37",
        "62.33",
        "2024-01-18",
        "x",
        "IRN",
        "364",
        "Saravan",
        '"a,b"',
        "7",
        "-1",
        "nan",
        "inf",
        "26,9",
        "Balochistan",
        "630",
    ]
)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    layout=st.sampled_from(["acled", "ged", "ged-no-header"]),
    rows=st.lists(st.lists(cells, min_size=1, max_size=55), max_size=5),
    chunksize=st.integers(1, 3),
)
def test_arbitrary_acled_and_ucdp_rows(tmp_path, layout, rows, chunksize):
    head = {
        "acled": ",".join(ACLED_CURRENT) + "\n",
        "ged": ",".join(GED_COLUMNS) + "\n",
        "ged-no-header": "",
    }[layout]
    if layout == "ged-no-header":
        rows = [["5", "r", "2024", "1", "1", "1", *r] for r in rows]
    path = tmp_path / "f.csv"
    path.write_text(head + "\n".join(",".join(r) for r in rows) + "\n")
    try:
        table = read_events(path, chunksize=chunksize)
    except BordermapError:
        return
    assert table.rows_read == len(table.events) + len(table.rejects)


def test_vector_rejects_keep_original_geometry(tmp_path):
    poly = shapely.Point(SARAVAN[1], SARAVAN[0]).buffer(0.01)
    frame = points_frame([poly, shapely.Point(SARAVAN[1], SARAVAN[0])], fatalities=["x", "1"])
    path = tmp_path / "e.geojson"
    frame.to_file(path, driver="GeoJSON")
    table = read_events(path)
    assert table.events["event_id"].tolist() == ["g1"]
    assert "geometry_wkt" not in table.events.columns
    assert table.rejects["geometry_wkt"].iloc[0].startswith("POLYGON")
    assert table.rejects["kind"].tolist() == ["bad_fatalities"]


def test_zipped_shapefile_and_pipe_delimiter(tmp_path):
    import zipfile

    folder = tmp_path / "shp"
    folder.mkdir()
    points_frame([shapely.Point(SARAVAN[1], SARAVAN[0])]).to_file(folder / "ev.shp")
    archive = tmp_path / "ev.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in folder.iterdir():
            zf.write(part, part.name)
    assert read_events(archive).events["event_id"].tolist() == ["g0"]
    assert read_events(folder).fmt == "shp"
    piped = tmp_path / "p.csv"
    piped.write_text("id|lat|lon\na|27.37|62.33\n")
    assert read_events(piped).events[["event_id", "latitude"]].values.tolist() == [["a", 27.37]]


def test_gpkg_with_two_layers_says_which_is_read(tmp_path):
    # a GeoPackage may hold several layers; reading the first silently hides the others
    path = tmp_path / "two.gpkg"
    points_frame([shapely.Point(SARAVAN[1], SARAVAN[0])]).to_file(path, layer="alpha")
    points_frame([shapely.Point(SARAVAN[1], SARAVAN[0])] * 3).to_file(path, layer="events")
    table = read_events(path)
    assert table.rows_read == 3  # the layer named "events" is preferred
    assert any("2 layers" in n and "'events'" in n for n in table.notes)
    other = tmp_path / "other.gpkg"
    points_frame([shapely.Point(SARAVAN[1], SARAVAN[0])]).to_file(other, layer="alpha")
    points_frame([shapely.Point(SARAVAN[1], SARAVAN[0])] * 3).to_file(other, layer="beta")
    table = read_events(other)
    assert table.rows_read == 1
    assert any("alpha, beta" in n and "'alpha' only" in n for n in table.notes)


@pytest.mark.parametrize(
    "body",
    [
        # the C parser sees the open quote
        'id;date;latitude;longitude\n1;2024-01-16;27.3;62.3\n\n2;2024-01-16;"27.1;62.1\n'
        "3;2024-01-16;27.2;62.2\n",
        # a row with surplus fields first sends the file to the Python parser
        'id;date;latitude;longitude\n1;2024-01-16;27.3;62.3;x\n\n2;2024-01-16;"27.1;62.1\n'
        "3;2024-01-16;27.2;62.2\n",
    ],
)
def test_unclosed_quote_names_its_row(tmp_path, body):
    path = tmp_path / "quote.csv"
    path.write_text(body)
    with pytest.raises(InputError) as info:
        read_events(path)
    assert info.value.row == 2
    assert "row 2" in str(info.value) and "not closed" in str(info.value)


def test_null_geometry_falls_back_to_coordinate_attributes(tmp_path):
    # a feature without geometry but with latitude/longitude properties is placeable
    import json

    path = tmp_path / "null.geojson"
    feature = {
        "type": "Feature",
        "properties": {"id": "n1", "date": "2024-01-16", "latitude": 27.37, "longitude": 62.33},
        "geometry": None,
    }
    point = {
        "type": "Feature",
        "properties": {"id": "p1", "date": "2024-01-16", "latitude": 0.0, "longitude": 0.0},
        "geometry": {"type": "Point", "coordinates": [62.3342, 27.3707]},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature, point]}))
    table = read_events(path)
    assert table.rows_read == 2 and len(table.events) == 2
    ev = table.events.set_index("event_id")
    assert ev.loc["n1", "latitude"] == pytest.approx(27.37)
    assert ev.loc["p1", "latitude"] == pytest.approx(27.3707)  # the geometry wins


def test_out_of_range_names_the_field_that_is_out(tmp_path):
    path = tmp_path / "range.csv"
    path.write_text("id,date,latitude,longitude\na,2024-01-16,91,62.3\nb,2024-01-16,27.3,181\n")
    problems = read_events(path).problems.set_index("event_id")
    assert problems.loc["a", "field"] == "latitude"
    assert problems.loc["b", "field"] == "longitude"
    with pytest.raises(InputError) as info:
        read_events(tmp_path / "range.csv", strict=True)
    assert info.value.field == "latitude"


def test_gpkg_tables_without_geometry_are_not_event_layers(tmp_path):
    import sqlite3

    path = tmp_path / "styled.gpkg"
    points_frame([shapely.Point(SARAVAN[1], SARAVAN[0])] * 2).to_file(path, layer="mine")
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE aaa (x INTEGER)")
    con.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier) "
        "VALUES ('aaa', 'attributes', 'aaa')"
    )
    con.commit()
    con.close()
    table = read_events(path)
    assert table.rows_read == 2
    assert not any("layers" in n for n in table.notes)


def plain_csv(tmp_path, rows, header="event_id,event_date,latitude,longitude,fatalities"):
    path = tmp_path / "events.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_odd_values_are_row_rejects_with_reasons(tmp_path):
    path = plain_csv(
        tmp_path,
        [
            "A1,9999-12-31,27.3707,62.3342,5,IRN",
            "A2,0001-01-01,27.3707,62.3342,5,IRN",
            "A3,2024-01-18,27.3707,62.3342,1e19,IRN",
            "A4,2024-01-18,27.3707,62.3342,3,-",
            "A5,2024-01-18,27.3707,62.3342,3,US-led coalition",
            "A6,2024-01-18,26.9644,64.0902,3,iran",
        ],
        header="event_id,event_date,latitude,longitude,fatalities,attacker_iso3",
    )
    table = read_events(path)
    kinds = dict(zip(table.rejects["event_id"], table.rejects["kind"], strict=True))
    assert kinds == {"A1": "bad_date", "A2": "bad_date", "A3": "bad_fatalities"}
    assert "9999-12-31" in table.rejects["reason"].iloc[0]
    assert table.events["attacker_iso3"].isna().tolist() == [True, True, False]
    warned = table.problems[table.problems["kind"] == "bad_attacker"]
    assert warned["event_id"].tolist() == ["A4", "A5"]


@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("2024-01-16T00:00:00Z", {}),
        ("2024-01-16T22:30:00+05:00", {}),
        ("20240116", {}),
        ("16.01.2024", {}),
        ("16/01/2024", {"dayfirst": True}),
        ("01/16/2024", {"date_format": "%m/%d/%Y"}),
    ],
)
def test_dates_as_files_have_them(tmp_path, text, options):
    path = plain_csv(tmp_path, [f"A1,{text},27.3707,62.3342,5"])
    table = read_events(path, **options)
    assert table.events["event_date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-16"]


def test_day_first_file_without_dayfirst_says_so(tmp_path):
    path = plain_csv(tmp_path, [f"A{d},{d}/01/2024,27.3707,62.3342,5" for d in (3, 16, 20)])
    table = read_events(path)
    assert len(table.events) == 0
    assert table.rejects["reason"].str.contains("day-first").all()


def test_column_options_and_uid(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("uid,when,north,east,dead,nation\nu1,2024-01-16,27.3707,62.3342,4,Iran\n")
    table = read_events(
        path,
        lat_col="north",
        lon_col="east",
        date_col="when",
        fatalities_col="dead",
        country_col="nation",
    )
    row = table.events.iloc[0]
    assert (row["event_id"], row["fatalities"], row["iso3"]) == ("u1", 4, "IRN")
    assert str(row["event_date"].date()) == "2024-01-16"
    with pytest.raises(InputError, match=r"when2"):
        read_events(path, lat_col="north", lon_col="east", date_col="when2")


def test_rows_without_id_are_named(tmp_path):
    path = tmp_path / "noid.csv"
    path.write_text("lat,lon\n27.3707,62.3342\n26.9644,64.0902\n")
    table = read_events(path)
    warned = table.problems[table.problems["kind"] == "missing_id"]
    assert warned["row"].tolist() == [1, 2]
    assert table.events["event_id"].tolist() == ["row-1", "row-2"]


@pytest.mark.parametrize("point", ["0,0", "0.0,0.0", "1,1", "-90,10", "-999,-999", "27.3,9999"])
def test_placeholder_points_rejected_without_country(tmp_path, point):
    path = tmp_path / "ph.csv"
    path.write_text(f"id,lat,lon\na,{point}\nb,27.3707,62.3342\n")
    table = read_events(path)
    assert table.rejects["kind"].tolist() == ["placeholder_coordinates"]
    assert table.events["event_id"].tolist() == ["b"]


def test_rows_placed_by_name_are_each_named(tmp_path):
    path = tmp_path / "named.csv"
    path.write_text("id,location,country,lat,lon\nx1,Saravan,Iran,,\nx2,Panjgur,Pakistan,,\n")
    table = read_events(path)
    placed = table.problems[table.problems["kind"] == "placed_by_name"]
    assert placed["event_id"].tolist() == ["x1", "x2"]
    assert placed["message"].str.contains("score").all()
    assert placed["message"].iloc[0].startswith("placed by name 'Saravan'")


def test_forced_layout_without_date_column_is_an_error(tmp_path):
    path = tmp_path / "nodate.csv"
    path.write_text("event_id_cnty,latitude,longitude\nA,27.37,62.33\n")
    with pytest.raises(InputError, match="forced layout acled but no event_date column"):
        read_events(path, fmt="acled")


def test_cp1252_decoded_with_en_dash(tmp_path):
    path = tmp_path / "win.csv"
    text = "Saravan \u2013 caf\u00e9 strike"
    path.write_bytes(f"id,lat,lon,notes\na,27.37,62.33,{text}\n".encode("cp1252"))
    table = read_events(path)
    assert table.events["notes"].iloc[0] == text
    assert any("cp1252" in note for note in table.notes)


def test_zero_row_geoparquet_reads_back(tmp_path):
    frame = points_frame([shapely.Point(SARAVAN[1], SARAVAN[0])])
    frame.iloc[:0].to_parquet(tmp_path / "zero.parquet")
    table = read_events(tmp_path / "zero.parquet")
    assert table.rows_read == 0 and len(table.events) == 0


def test_gpkg_layer_is_chosen(tmp_path):
    path = tmp_path / "two.gpkg"
    points_frame([shapely.Point(SARAVAN[1], SARAVAN[0])]).to_file(path, layer="a")
    two = points_frame([shapely.Point(PANJGUR[1], PANJGUR[0])] * 2, iso3=["PAK", "PAK"])
    two.to_file(path, layer="b")
    assert len(read_events(path, layer="b").events) == 2
    assert len(read_events(path, layer="a").events) == 1
    with pytest.raises(InputError, match="no layer 'c'; layers: a, b"):
        read_events(path, layer="c")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_read(tmp_path, codec):
    path = tmp_path / "u16.csv"
    path.write_bytes("id,lat,lon,notes\na,27.37,62.33,Sarāvān\n".encode(codec))
    table = read_events(path)
    assert table.events["notes"].tolist() == ["Sarāvān"]
    assert any(codec in note for note in table.notes)


def test_an_empty_date_in_a_plain_table_is_unknown_not_an_error(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text(
        "id,longitude,latitude,event_date\n"
        "A,62.3,27.4,2024-01-16\nB,63.0,26.9,\nC,63.1,27.0,not-a-date\n"
    )
    table = read_events(path)
    assert list(table.events["event_id"]) == ["A", "B"]
    assert table.events["event_date"].isna().tolist() == [False, True]
    assert list(table.rejects["kind"]) == ["bad_date"]


def test_an_empty_date_in_an_acled_export_is_still_an_error(tmp_path):
    path = tmp_path / "acled.csv"
    path.write_text(
        "event_id_cnty,event_date,year,sub_event_type,country,admin1,location,latitude,"
        "longitude,geo_precision,fatalities\n"
        "PAK1,2024-01-16,2024,Air/drone strike,Pakistan,Balochistan,Panjgur,26.97,64.09,1,2\n"
        "PAK2,,2024,Air/drone strike,Pakistan,Balochistan,Panjgur,26.97,64.09,1,0\n"
    )
    table = read_events(path)
    assert list(table.events["event_id"]) == ["PAK1"]
    assert list(table.rejects["kind"]) == ["bad_date"]


# --- required columns ------------------------------------------------------


@pytest.mark.parametrize("dropped", ["latitude", "longitude"])
def test_one_coordinate_column_without_the_other_is_an_error_not_a_lookup(tmp_path, dropped):
    # the location column would otherwise place every row by name and overwrite the other
    columns = [c for c in ACLED_CURRENT if c != dropped]
    path = write_rows(tmp_path / "half.csv", columns, [acled_row(columns)])
    with pytest.raises(InputError) as err:
        read_events(path)
    assert err.value.field == dropped and "half.csv" in str(err.value)


@pytest.mark.parametrize(
    ("layout", "dropped"),
    [("acled", "event_date"), ("acled", "fatalities"), ("ucdp", "date_start"), ("ucdp", "best")],
)
def test_acled_or_ucdp_layout_without_its_date_or_deaths_column_is_refused(
    tmp_path, layout, dropped
):
    header = ACLED_CURRENT if layout == "acled" else GED_COLUMNS
    full = acled_row(header) if layout == "acled" else ged_row()
    row = dict(zip(header, full, strict=True))
    columns = [c for c in header if c != dropped]
    path = write_rows(tmp_path / f"{layout}.csv", columns, [[row[c] for c in columns]])
    with pytest.raises(InputError) as err:
        read_events(path)
    assert err.value.field == dropped and f"layout {layout}" in str(err.value)


def test_a_plain_table_needs_no_date_or_fatalities_column(tmp_path):
    path = write_rows(tmp_path / "plain.csv", ["id", "lat", "lon"], [["a", "27.37", "62.33"]])
    table = read_events(path)
    assert len(table.events) == 1 and table.events["event_date"].isna().all()


def test_short_rows_are_kept_with_a_warning_naming_their_width(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text(
        "event_id,event_date,latitude,longitude,fatalities,notes\n"
        'a,2024-01-18,27.37,62.33,5,"two\nlines"\n'
        "\n"
        "b,2024-01-18,27.37,62.33\n"  # cut after the coordinates
        "c,2024-01-18,27.37,62.33,2,\n"  # an empty last field is not a short row
        "d,2024-01-19,27.1,62.1,1,ok,surplus\n"
    )
    table = read_events(path, chunksize=2)
    assert table.events["event_id"].tolist() == ["a", "b", "c"]
    short = table.problems[table.problems["kind"] == "short_row"]
    assert short[["row", "event_id", "severity"]].values.tolist() == [[2, "b", "warning"]]
    assert "4 fields, the header has 6" in short["message"].iloc[0]
    assert table.rejects["kind"].tolist() == ["extra_fields"]
    assert pd.isna(table.events.set_index("event_id").loc["b", "fatalities"])


def test_short_rows_are_found_in_a_legacy_encoding_too(tmp_path):
    path = tmp_path / "win.csv"
    text = "id,lat,lon,notes\na,27.37,62.33,caf\u00e9\nb,27.1,62.1\n"
    path.write_bytes(text.encode("cp1252"))
    table = read_events(path)
    assert table.problems.loc[table.problems["kind"] == "short_row", "row"].tolist() == [2]
    assert table.events["notes"].iloc[0] == "caf\u00e9" and pd.isna(table.events["notes"].iloc[1])


def test_a_short_row_with_bytes_that_are_not_utf8_is_found_quietly(tmp_path, capfd):
    town = "\u011e\u00fc\u00e7l\u00fc \u015fehir"  # UTF-8 text, so UTF-8 is detected
    rows = [f'{i},62.{i % 9},27.{i % 7},"{town} {i}"' for i in range(200)]
    data = ("id,lon,lat,notes\n" + "\n".join(rows) + "\n").encode()
    path = tmp_path / "mixed.csv"
    path.write_bytes(data + b"short,62.0,27.5\xff\n" + "last,62.1,27.2,\u011e\n".encode())
    table = read_events(path)
    # the bad byte cannot stop Arrow's row-width pass, nor print a traceback
    assert table.problems.loc[table.problems["kind"] == "short_row", "row"].tolist() == [201]
    assert "Traceback" not in capfd.readouterr().err


def test_a_stray_quote_that_swallows_the_next_row_is_rejected_not_kept(tmp_path):
    head = "event_id,event_date,latitude,longitude,fatalities,notes,tags\n"
    path = tmp_path / "stray.csv"
    path.write_text(
        head + "a,2024-01-18,27.37,62.33,1,plain,x\n"
        'b,2024-01-18,27.1,62.1,9,"Militants attacked the post,t1\n'  # the quote never closes...
        'c,2024-01-19,27.2,62.2,5,Villagers said" it came at night,t2\n'  # ...until here
        'd,2024-01-19,27.3,62.3,0,"two lines\nof notes, with a comma",t3\n'  # a real one
    )
    table = read_events(path)
    assert table.events["event_id"].tolist() == ["a", "d"]
    merged = table.rejects[table.rejects["kind"] == "merged_rows"]
    assert merged["event_id"].tolist() == ["b"]
    found = table.problems[table.problems["kind"] == "merged_rows"]
    assert found[["row", "field", "severity"]].values.tolist() == [[2, "notes", "error"]]
    # nothing is lost: the swallowed row's text travels with the rejected one
    assert "c,2024-01-19" in merged["notes"].iloc[0]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_quote_left_open_to_the_end_of_the_file_loses_no_row(tmp_path, newline):
    """The last column's quote never closes: the rows it swallowed stay, in the rejects."""
    lines = [
        "event_id,latitude,longitude,location,notes",
        'a1,27.37,62.33,Saravan,"ok"',
        'a2,26.96,64.09,Panjgur,"he said hi',
        "a3,27.0,63.0,Mand,fine",
        "a4,27.1,63.1,Pishin,fine",
    ]
    path = tmp_path / "open.csv"
    path.write_bytes((newline.join(lines) + newline).encode())
    table = read_events(path)
    assert table.events["event_id"].tolist() == ["a1"]
    (rejected,) = table.rejects.itertuples()
    assert (rejected.event_id, rejected.kind) == ("a2", "merged_rows")
    assert "a3,27.0,63.0,Mand" in rejected.notes and "a4,27.1,63.1,Pishin" in rejected.notes


def test_rows_a_stray_quote_makes_unsplittable_are_an_error_naming_the_row(tmp_path):
    # the quote opened in b's tags closes in c's, and the joined record has too many
    # fields: pandas' Python parser drops such a record without a word
    path = tmp_path / "joined.csv"
    path.write_text(
        "event_id,event_date,latitude,longitude,fatalities,tags\n"
        "a,2024-01-18,27.37,62.33,1,x\n"
        'b,2024-01-18,27.1,62.1,9,"open tag\n'
        'c,2024-01-19,27.2,62.2,5,said" this,y,z\n'
        "d,2024-01-19,27.3,62.3,0,t3\n"
    )
    with pytest.raises(InputError, match="could not be split") as caught:
        read_events(path)
    assert caught.value.row == 2 and "\n" not in str(caught.value)


def test_a_quote_in_the_wrong_place_is_an_error_naming_its_row(tmp_path):
    path = tmp_path / "quote.csv"
    rows = [f"e{i},2024-01-18,27.3,62.3,1,ok" for i in range(8)]
    rows[5] = 'e5,2024-01-18,27.3,62.3,1,"tag,x'  # never closed: the rest is one field
    rows[6] = 'e6,2024-01-18,27.3,62.3,1,a"b,c,d'
    path.write_text("event_id,event_date,latitude,longitude,fatalities,tags\n" + "\n".join(rows))
    with pytest.raises(InputError) as caught:
        read_events(path)
    assert caught.value.row is not None and 6 <= caught.value.row <= 7


@pytest.mark.parametrize("fatalities", ["", "  "])
def test_empty_acled_and_ucdp_fatalities_are_kept_with_a_warning(tmp_path, fatalities):
    acled = write_rows(
        tmp_path / "acled.csv",
        ACLED_CURRENT,
        [
            acled_row(ACLED_CURRENT, event_id_cnty="IRN1", fatalities=fatalities),
            acled_row(ACLED_CURRENT, event_id_cnty="IRN2", fatalities="3"),
        ],
    )
    ged = write_rows(
        tmp_path / "ged.csv",
        GED_COLUMNS,
        [ged_row(id="1", best=fatalities), ged_row(id="2", best="4")],
    )
    for path, field in ((acled, "fatalities"), (ged, "best")):
        table = read_events(path)
        assert len(table.events) == 2 and table.rejects.empty
        warned = table.problems[table.problems["kind"] == "empty_fatalities"]
        assert warned["row"].tolist() == [1] and set(warned["severity"]) == {"warning"}
        assert warned["field"].tolist() == [field]
        assert table.events["fatalities"].isna().tolist() == [True, False]


def test_an_empty_count_in_a_plain_table_is_not_flagged(tmp_path):
    path = write_rows(
        tmp_path / "plain.csv",
        ["id", "lat", "lon", "fatalities"],
        [["a", *map(str, SARAVAN), ""], ["b", *map(str, PANJGUR), "2"]],
    )
    table = read_events(path)
    assert len(table.events) == 2
    assert "empty_fatalities" not in set(table.problems["kind"])


def test_coordinate_and_country_problems_name_the_files_own_columns(tmp_path):
    path = write_rows(
        tmp_path / "own.csv",
        ["ref", "y", "x", "nation"],
        [
            ["a", "95.0", "62.3", "Iran"],  # latitude out of range
            ["b", str(PANJGUR[0]), str(PANJGUR[1]), "Iran"],  # in Pakistan, far from Iran
        ],
    )
    table = read_events(path, lat_col="y", lon_col="x", country_col="nation", id_col="ref")
    fields = dict(zip(table.problems["kind"], table.problems["field"], strict=True))
    assert fields == {"out_of_range": "y", "far_outside_country": "nation"}
    acled = write_rows(
        tmp_path / "acled.csv",
        [c for c in ACLED_CURRENT if c != "iso3"],
        [acled_row([c for c in ACLED_CURRENT if c != "iso3"], latitude=str(PANJGUR[0]),
                   longitude=str(PANJGUR[1]))],
    )  # fmt: skip
    problems = read_events(acled).problems
    assert problems.loc[problems["kind"] == "far_outside_country", "field"].tolist() == ["iso"]


def test_a_row_with_one_coordinate_is_rejected_not_moved_to_its_place_name(tmp_path):
    """A stated longitude is not thrown away for the town the location names."""
    rows = [
        ["a1", "", "66.0923", "Panjgur"],
        ["a2", "27.2", "", "Saravan"],
        ["a3", "", "", "Saravan"],
        ["a4", "27.37", "62.33", "Saravan"],
    ]
    table = read_events(write_rows(tmp_path / "half.csv", ["id", "lat", "lon", "location"], rows))
    assert table.events["event_id"].tolist() == ["a3", "a4"]  # neither: placed by name
    bad = table.problems[table.problems["kind"] == "bad_coordinates"]
    assert bad[["row", "field"]].values.tolist() == [[1, "latitude"], [2, "longitude"]]
    assert "longitude is 66.0923" in bad["message"].iloc[0]
    assert table.rows_read == len(table.events) + len(table.rejects)


def test_a_column_that_looks_like_a_toll_is_named_when_no_fatalities_column_is_found(tmp_path):
    """Tolls under another name are not silently unknown: a note names the flag."""
    path = write_rows(
        tmp_path / "k.csv", ["id", "lat", "lon", "killed_total"], [["a", "27.37", "62.33", "3"]]
    )
    table = read_events(path)
    assert any("--fatalities-col killed_total" in note for note in table.notes)
    assert table.events["fatalities"].isna().all()
    named = read_events(path, fatalities_col="killed_total")
    assert named.events["fatalities"].tolist() == [3]
    assert not any("fatalities-col" in note for note in named.notes)
    plain = write_rows(tmp_path / "p.csv", ["id", "lat", "lon"], [["a", "27.37", "62.33"]])
    assert not any("fatalities" in note for note in read_events(plain).notes)
