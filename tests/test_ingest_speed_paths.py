"""The fast paths of the reader (issue 15) give what the slow paths gave."""

from __future__ import annotations

import datetime
import gzip
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.io import checks
from geo.io.arrowtext import Position, text_bytes
from geo.io.events import EventChunks, read_events
from geo.io.pipeline import keep_rows
from geo.io.stream import EventStream
from geo.io.values import parse_numbers
from geo.io.vector import _arrow_text, _pandas_text

SARAVAN = (62.3342, 27.3707)  # lon, lat in Iran


def typed_frame(n: int = 4) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "event_date": ["2024-01-18"] * n,
            "iso3": ["IRN"] * n,
            "count": pd.array([1, None, 3, 4][:n], dtype="Int64"),
            "ratio": [0.1, np.nan, 1e-05, 2.0][:n],
            "flag": pd.array([True, False, None, True][:n], dtype="boolean"),
            "day": [datetime.date(2024, 1, i + 1) for i in range(n)],
            "kind": pd.Categorical(["a", "b", "a", None][:n]),
            "when": pd.to_datetime(["2024-01-18 10:00"] * n),
        },
        geometry=[shapely.Point(*SARAVAN)] * n,
        crs="EPSG:4326",
    )


def test_arrow_text_matches_pandas_text_but_for_number_form():
    values = pa.array(["a", None, ""])
    assert _arrow_text(values).to_pylist() == _pandas_text(pd.Series(["a", None, ""])).tolist()
    assert _arrow_text(pa.array([1, None], pa.int32())).to_pylist() == ["1", ""]
    assert _arrow_text(pa.array([np.nan, 2.5])).to_pylist() == ["", "2.5"]
    assert _arrow_text(pa.array([True, False])).to_pylist() == ["True", "False"]
    assert _arrow_text(pa.array(["x", None]).dictionary_encode()).to_pylist() == ["x", ""]
    assert _arrow_text(pa.array([datetime.datetime(2024, 1, 1)])) is None


@pytest.mark.parametrize("suffix", [".parquet", ".gpkg"])
def test_typed_columns_read_as_text(tmp_path, suffix):
    path = tmp_path / f"typed{suffix}"
    frame = typed_frame()
    if suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.drop(columns=["kind"]).to_file(path, driver="GPKG")
    events = read_events(path).events
    assert len(events) == 4
    assert events["count"].tolist() == ["1", "", "3", "4"]
    assert events["ratio"].tolist()[:2] == ["0.1", ""]
    assert float(events["ratio"].iloc[2]) == 1e-05
    if suffix == ".parquet":
        assert events["flag"].tolist() == ["True", "False", "", "True"]
        assert events["day"].tolist()[:2] == ["2024-01-01", "2024-01-02"]
        assert events["kind"].tolist() == ["a", "b", "a", ""]
    assert events["when"].str.startswith("2024-01-18 10:00").all()  # pandas' text for times


def test_geoparquet_row_column_kept_and_errors_reject(tmp_path):
    # bordermap's own output carries a ``row`` column; it must not stand in for the
    # reader's row numbers (an error then failed to reject its row)
    frame = typed_frame(3)
    frame.insert(0, "row", [10, 20, 30])
    frame["fatalities"] = ["1", "many", "2"]
    frame.to_parquet(tmp_path / "own.parquet")
    table = read_events(tmp_path / "own.parquet")
    assert table.events["row"].tolist() == [1, 3]
    assert table.events["row_original"].tolist() == ["10", "30"]
    assert table.rejects["row"].tolist() == [2]
    assert table.rejects["kind"].tolist() == ["bad_fatalities"]


def test_geoparquet_covering_bbox_is_not_an_attribute(tmp_path):
    path = tmp_path / "covered.parquet"
    typed_frame(2).to_parquet(path, write_covering_bbox=True)
    assert "bbox" in pq.read_schema(path).names
    table = read_events(path)
    assert "bbox" not in table.events.columns
    assert "geometry_wkt" not in table.rejects.columns or len(table.rejects) == 0


@pytest.mark.parametrize(("group", "chunk"), [(3, 5), (7, 3), (25, 5)])
def test_geoparquet_row_groups_and_chunks_number_every_row(tmp_path, group, chunk):
    n = 23
    frame = typed_frame(1).loc[[0] * n].reset_index(drop=True)
    frame["event_id"] = [f"e{i}" for i in range(n)]
    path = tmp_path / "groups.parquet"
    frame.to_parquet(path, row_group_size=group)
    chunks = EventChunks(path, chunksize=chunk)
    parts, seen = [], []
    for table in chunks:
        parts.append(table.events)
        seen.append(chunks.bytes_read)
    rows = pd.concat(parts)["row"].tolist()
    assert rows == list(range(1, n + 1))
    assert max(len(p) for p in parts) <= chunk
    assert seen == sorted(seen) and seen[-1] == path.stat().st_size


def test_keep_rows_is_a_boolean_index():
    frame = pd.DataFrame(
        {
            "text": pd.Series(["a", None, "c", "d"], dtype="str"),
            "nullable": pd.Series(["p", None, "q", "r"], dtype="string"),
            "n": pd.array([1, None, 3, 4], dtype="Int64"),
            "x": [0.5, 1.5, np.nan, 2.0],
            "when": pd.to_datetime(["2024-01-01", None, "2024-01-03", "2024-01-04"]),
            "obj": np.array([shapely.Point(0, 0), None, shapely.Point(1, 1), None], dtype=object),
        },
        index=[7, 8, 9, 10],
    )
    for keep in ([True, False, True, False], [False] * 4, [True] * 4, [False, True, True, True]):
        mask = np.array(keep)
        got = keep_rows(frame, mask)
        pd.testing.assert_frame_equal(got, frame[mask])
    twin = frame.set_axis(["a", "a", "n", "x", "when", "obj"], axis=1)
    pd.testing.assert_frame_equal(keep_rows(twin, mask), twin[mask])


def test_province_codes_looked_up_once_per_pair(monkeypatch):
    names = pd.Series(["Baluchistan", "Sistan-Baluchestan", "Nowhere", "Baluchistan"] * 3)
    iso3 = pd.Series(["PAK", "IRN", "IRN", "IRN"] * 3)
    expected = checks.province_codes(names, iso3).to_numpy(dtype=object)
    calls = []
    real = checks.province_codes

    def counting(n, i):
        calls.append(len(n))
        return real(n, i)

    monkeypatch.setattr(checks, "province_codes", counting)
    got = checks._province_codes_of(names, iso3)
    assert calls == [4]
    assert [None if pd.isna(v) else v for v in got] == [None if pd.isna(v) else v for v in expected]


def test_split_province_and_country_are_still_merged(monkeypatch):
    left, right = shapely.box(60, 25, 61, 26), shapely.box(61, 25, 62, 26)
    frame = gpd.GeoDataFrame(
        {"adm1_code": ["XXX-1", "XXX-1"], "name_en": ["Split", "Split"]},
        geometry=[left, right],
        crs="EPSG:4326",
    )
    monkeypatch.setattr(checks.layers, "provinces", lambda countries: frame)
    monkeypatch.setattr(checks.layers, "countries", lambda iso3: frame)
    checks._provinces.cache_clear()
    checks._country.cache_clear()
    try:
        table, polys = checks._provinces("XXX")
        assert len(table) == 2 and list(polys) == ["XXX-1"]
        assert shapely.contains_xy(polys["XXX-1"], [60.5, 61.5], [25.5, 25.5]).all()
        assert shapely.contains_xy(checks._country("XXX"), [60.5, 61.5], [25.5, 25.5]).all()
    finally:
        checks._provinces.cache_clear()
        checks._country.cache_clear()


_TOKENS = st.sampled_from(
    ["1", "-2.5", "+.5", "1e3", "1E-2", "007", "unknown", "inf", "-inf", "nan", "1_0", "0x1",
     "26,96", " 3 ", "", "1.", ".", "e5", "\u0661"]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_TOKENS, st.none()), min_size=1, max_size=30))
def test_parse_numbers_mixed_columns_match_pandas(values):
    nums, bad, comma = parse_numbers(pd.Series(values, dtype="str"))
    text = pd.Series(values, dtype="object").astype("string").str.strip()
    present = text.notna() & (text != "")
    reference = pd.to_numeric(text.where(present), errors="coerce").astype("float64")
    plain = ~comma
    np.testing.assert_array_equal(nums.to_numpy()[plain], reference.to_numpy()[plain])
    assert (bad == (present & reference.isna() & ~pd.Series(comma)).to_numpy()).all()


def test_text_bytes_counts_fields_and_separators():
    table = pa.table({"a": ["1", "22"], "b": ["x", ""]})
    assert text_bytes(table) == len("1,x\n22,\n")
    assert Position(done=5, total=10).fraction == 0.5 and Position(done=11, total=10).fraction == 1


def _acled_like(path, n=30):
    lines = ["id,lat,lon,notes"]
    lines += [f'e{i},{SARAVAN[1]},{SARAVAN[0]},"note {i}, quoted"' for i in range(n)]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("kind", ["arrow", "pandas", "gzip"])
def test_bytes_read_grows_to_the_file_size(tmp_path, kind):
    path = _acled_like(tmp_path / "e.csv", n=20_000)  # more than pandas' read buffer
    if kind == "pandas":  # a row with a surplus field sends the reader to pandas
        path.write_text(path.read_text() + f"x,{SARAVAN[1]},{SARAVAN[0]},n,surplus\n")
    if kind == "gzip":
        gz = tmp_path / "e.csv.gz"
        gz.write_bytes(gzip.compress(path.read_bytes()))
        path = gz
    stream = EventStream(path, rejects=None)
    stream.options = stream.options.of(stream.options, chunksize=5_000)
    seen = []
    for _ in stream:
        seen.append(stream.bytes_read)
    size = path.stat().st_size
    assert len(seen) >= 4 and seen == sorted(seen)
    assert 0 < seen[0] < size
    assert seen[-1] == pytest.approx(size, rel=0.1)


def test_bytes_read_unknown_for_seed_events():
    stream = EventStream(None)
    stream.read_all()
    assert stream.bytes_read is None


def test_geoparquet_metadata_still_checked(tmp_path):
    path = tmp_path / "bad.parquet"
    typed_frame(1).to_parquet(path)
    table = pq.read_table(path)
    meta = json.loads(table.schema.metadata[b"geo"])
    meta["columns"]["geometry"]["encoding"] = "point"
    table = table.replace_schema_metadata({b"geo": json.dumps(meta).encode()})
    pq.write_table(table, path)
    with pytest.raises(Exception, match="need WKB"):
        read_events(path)


_TEXTS = st.lists(
    st.one_of(
        st.none(), st.text(alphabet=st.sampled_from(["a", " ", "\t", "\u00a0", "é", "\n", "x"]))
    ),
    min_size=1,
    max_size=20,
)


@settings(max_examples=200, deadline=None)
@given(_TEXTS)
def test_text_skips_strip_only_when_nothing_to_strip(values):
    from geo.io.layouts import _text

    raw = pd.DataFrame({"c": pd.Series(values, dtype="str")})
    got = _text(raw, "c")
    stripped = raw["c"].str.strip()
    expected = stripped.mask(stripped == "")
    assert got.isna().tolist() == expected.isna().tolist()
    assert got.dropna().tolist() == expected.dropna().tolist()


def test_country_lookups_per_distinct_value_match_per_row():
    from geo import country_codes
    from geo.io import layouts

    names = pd.Series(["Iran", "pakistan ", None, "Atlantis", "IRN", "", "Iran"] * 5, dtype="str")
    numeric = pd.Series(["364", "586.0", None, "x", "0364", ""] * 5, dtype="str")
    pd.testing.assert_series_equal(
        layouts.iso3_from_name(names), country_codes.iso3_from_name(names)
    )
    pd.testing.assert_series_equal(
        layouts.iso3_from_numeric(numeric), country_codes.iso3_from_numeric(numeric)
    )


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "c", "", "d e"])), max_size=12),
        min_size=1,
        max_size=6,
    )
)
def test_duplicate_ids_name_the_first_row_across_chunks(chunks):
    seen = checks.DuplicateIds()
    first_row: dict[str, int] = {}
    row = 1
    for ids in chunks:
        rows = list(range(row, row + len(ids)))
        row += len(ids)
        got = seen.check(pd.Series(ids, dtype="str"), pd.Series(rows, dtype="int64"))
        expected = []
        for key, r in zip(("" if i is None else i for i in ids), rows, strict=True):
            expected.append(first_row.get(key, 0))
            first_row.setdefault(key, r)
        assert got.tolist() == expected


def test_row_longer_than_a_parse_block_is_read_in_order(tmp_path):
    from geo.io.arrowtext import BLOCK_BYTES, arrow_chunks
    from geo.io.layouts import known_names
    from geo.io.text import sniff_text

    long = "x" * (BLOCK_BYTES + (1 << 20))  # longer than a block of the fast reader
    lines = ["id,lat,lon,notes"]
    lines += [f"a{i},{SARAVAN[1]},{SARAVAN[0]},n" for i in range(5)]
    lines += [f"big,{SARAVAN[1]},{SARAVAN[0]},{long}"]
    lines += [f"b{i},{SARAVAN[1]},{SARAVAN[0]},n" for i in range(5)]
    path = tmp_path / "long.csv"
    path.write_text("\n".join(lines) + "\n")
    chunks = list(arrow_chunks(str(path), sniff_text(path, known_names()), 4, {}))
    assert [len(c) for c, _ in chunks] == [4, 4, 3]  # no fallback to pandas
    table = read_events(path)
    assert table.rows_read == 11
    assert table.events["row"].tolist() == [1, 2, 3, 4, 5, 7, 8, 9, 10, 11]
    assert table.rejects["kind"].tolist() == ["field_too_long"]
    assert table.rejects["row"].tolist() == [6]
