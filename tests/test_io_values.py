"""Property tests of the value parsers in geo/io/values.py."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.io.values import (
    holds_empty,
    may_contain_byte,
    parse_dates,
    parse_numbers,
    trimmed,
)

finite = st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)


@settings(deadline=None)
@given(st.lists(finite, max_size=20))
def test_parse_numbers_reads_back_what_repr_wrote(values):
    nums, bad, comma = parse_numbers(pd.Series([repr(v) for v in values], dtype="object"))
    assert np.allclose(nums.to_numpy(), values, rtol=0, atol=0) if values else True
    assert not bad.any() and not comma.any()


@settings(deadline=None)
@given(st.lists(st.integers(-99999, 99999), min_size=1), st.integers(1, 99))
def test_parse_numbers_decimal_comma_is_flagged(ints, frac):
    text = pd.Series([f"{i},{frac:02d}" for i in ints])
    nums, bad, comma = parse_numbers(text)
    assert comma.all() and not bad.any()
    expected = [float(f"{i}.{frac:02d}") for i in ints]
    assert np.allclose(nums.to_numpy(), expected)


@settings(deadline=None)
@given(st.lists(st.text(max_size=12), max_size=20))
def test_parse_numbers_never_raises_and_masks_agree(texts):
    series = pd.Series(texts, dtype="object")
    nums, bad, comma = parse_numbers(series)
    assert len(nums) == len(bad) == len(comma) == len(texts)
    assert not (bad & comma).any()
    assert nums[bad].isna().all()
    empty = series.str.strip().eq("").to_numpy()
    assert not bad[empty].any()  # empty is missing, not bad


@settings(deadline=None)
@given(st.lists(st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31)), max_size=15))
def test_parse_dates_iso_round_trip(dates):
    parsed, bad = parse_dates(pd.Series([d.isoformat() for d in dates], dtype="object"))
    assert not bad.any()
    assert [p.date() for p in parsed] == dates


@settings(deadline=None)
@given(st.lists(st.text(max_size=14), max_size=20))
def test_parse_dates_never_raises(texts):
    parsed, bad = parse_dates(pd.Series(texts, dtype="object"))
    assert len(parsed) == len(bad) == len(texts)
    assert parsed[bad].isna().all() and parsed[~bad].notna().all()


_DATE_TEXTS = st.sampled_from(
    ["2024-01-16", " 2024-01-16 ", "16 January 2024", "16/01/2024", "03/04/2024", "20240116",
     "2024-01-16T23:30:00+05:00", "2024-13-01", "9999-12-31", "", "  ", "x", None]
)  # fmt: skip


@settings(deadline=None)
@given(
    st.lists(_DATE_TEXTS, min_size=2, max_size=40),
    st.booleans(),
    st.sampled_from(["object", "str"]),
)
def test_repeated_dates_parse_as_each_would_alone(texts, dayfirst, dtype):
    # a chunk with repeats parses each distinct text once: the result must not change
    parsed, bad = parse_dates(pd.Series(texts * 3, dtype=dtype), dayfirst=dayfirst)
    for i, text in enumerate(texts * 3):
        one, one_bad = parse_dates(pd.Series([text], dtype=dtype), dayfirst=dayfirst)
        assert bad[i] == one_bad[0], text
        assert (pd.isna(parsed.iloc[i]) and pd.isna(one.iloc[0])) or parsed.iloc[i] == one.iloc[0]
    assert parsed.dtype == "datetime64[ns]"


def test_parse_dates_never_guesses_day_month_order():
    _, bad = parse_dates(pd.Series(["03/04/2024", "2024-04-03"]))
    assert bad.tolist() == [True, False]


def _arrow_column(values: list, pieces: int, offset: int = 0) -> pd.Series:
    """An Arrow-backed text column in ``pieces`` chunks, each a slice of a larger array."""
    import pyarrow as pa

    step = max(1, len(values) // pieces)
    chunks = []
    for i in range(0, len(values), step):
        part = ["pad"] * offset + values[i : i + step] + ["pad\n"]
        chunks.append(pa.array(part, pa.large_string()).slice(offset, len(part) - offset - 1))
    array = pd.arrays.ArrowStringArray(pa.chunked_array(chunks, pa.large_string()))
    return pd.Series(array)


@given(
    st.lists(st.one_of(st.none(), st.text(alphabet="ab \n", max_size=4)), max_size=30),
    st.integers(1, 4),
    st.integers(0, 3),
)
@settings(max_examples=200, deadline=None)
def test_buffer_checks_agree_with_the_values(values, pieces, offset):
    """The byte-level shortcuts see exactly the values of sliced, chunked Arrow columns."""
    column = _arrow_column(values, pieces, offset)
    assert [None if pd.isna(v) else v for v in column.tolist()] == values
    assert holds_empty(column) == ("" in values)
    assert may_contain_byte(column, ord("\n")) == any(v and "\n" in v for v in values)
    stripped = all(v is None or v == v.strip() for v in values)
    assert trimmed(column) == stripped
    # other backings are never skipped
    assert holds_empty(pd.Series(values, dtype=object))
    assert may_contain_byte(pd.Series(values, dtype=object), ord("\n"))
