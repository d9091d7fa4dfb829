"""Tests for geo.io.idhash: the id hashes behind duplicate detection."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from geo.io.idhash import hash_ids


def _ids(n, seed=0):
    rng = np.random.default_rng(seed)
    prefixes = np.array(["PAK", "IRN", "SDN", "TCD", "UKR", ""])
    return [f"{prefixes[i % 6]}{v}" for i, v in enumerate(rng.integers(0, 10**9, n))]


def test_an_id_hashes_the_same_whatever_array_holds_it():
    ids = _ids(5000)
    whole = hash_ids(pa.array(ids))
    # a slice (non-zero offset), a large_string array, a chunked array, a pandas
    # Series and a plain list of the same texts: the same hashes
    assert (hash_ids(pa.array(ids)[1000:3000]) == whole[1000:3000]).all()
    assert (hash_ids(pa.array(ids, pa.large_string())) == whole).all()
    chunked = pa.chunked_array([pa.array(ids[:10]), pa.array(ids[10:])])
    assert (hash_ids(chunked) == whole).all()
    assert (hash_ids(pd.Series(ids, dtype="string[pyarrow]")) == whole).all()
    assert (hash_ids(np.array(ids, dtype=object)) == whole).all()


@pytest.mark.parametrize("width", [5, 7, 8, 9, 16, 36, 64, 65, 200])
def test_distinct_ids_of_any_length_get_distinct_hashes(width):
    # equal lengths and mixed ones (every tenth id one byte shorter)
    ids = [f"{i:05d}".rjust(width - (i % 10 == 0), "x") for i in range(20000)]
    assert len(set(ids)) == len(ids)
    hashes = hash_ids(ids)
    assert len(np.unique(hashes)) == len(ids)
    assert (hash_ids(ids[::-1])[::-1] == hashes).all()


def test_missing_ids_hash_as_the_empty_text_and_prefixes_differ():
    h = hash_ids(pa.array(["a", None, "", "a\0", "ab", "a"]))
    assert h[1] == h[2]
    assert h[0] == h[5]
    # a trailing zero byte and a longer id are not the same id
    assert len({h[0], h[2], h[3], h[4]}) == 4


def test_integer_ids_hash_as_their_text():
    assert (hash_ids(pd.Series([7, 12, 7])) == hash_ids(["7", "12", "7"])).all()


def test_no_ids():
    assert hash_ids(pa.array([], pa.string())).dtype == np.uint64
    assert len(hash_ids([])) == 0
