"""The popups' text columns, built whole or chunk by chunk (geo/mapping/popups.py)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from geo.mapping import features
from geo.mapping.popups import event_text, merge_event_text
from geo.proximity import analyze

from .mapbrowser import synthetic_events
from .test_mapping import PAYLOADS, THEATRE


def _decoded(text: dict) -> dict[str, list[str]]:
    return {key: [table[c] for c in codes.tolist()] for key, (codes, table) in text.items()}


@pytest.fixture(scope="module")
def analyzed():
    events = synthetic_events(3000, seed=11)
    # hostile text, blanks and a value met only in the last chunk
    events.loc[events.index[::7], "actor1"] = PAYLOADS[0]
    events.loc[events.index[::5], "actor2"] = None
    events.loc[events.index[-3:], "source"] = "Only at the end"
    return analyze(events, THEATRE)


@pytest.mark.parametrize("cuts", [[1000, 2000], [1, 2999], [0, 1500, 1500]])
def test_text_built_by_chunks_is_the_text_built_whole(analyzed, cuts):
    names = THEATRE.names
    whole_text, whole_fields = event_text(analyzed, names=names)
    bounds = [0, *cuts, len(analyzed)]
    parts = [event_text(analyzed.iloc[a:b], names=names) for a, b in itertools.pairwise(bounds)]
    text, fields = merge_event_text(parts)
    assert fields == whole_fields
    assert _decoded(text) == _decoded(whole_text)
    for key, (codes, table) in text.items():
        assert len(set(table)) == len(table), key  # one entry per distinct text
        assert codes.dtype == np.min_scalar_type(max(len(table) - 1, 0)), key
    assert "&lt;script&gt;" in " ".join(text["actor1"][1])  # escaped, as whole


def test_event_columns_take_the_text_built_by_chunks(analyzed):
    names = THEATRE.names
    parts = [event_text(analyzed.iloc[i : i + 700], names=names) for i in range(0, 3000, 700)]
    columns = dict(pair_label="IRN\u2013PAK", names=names, countries=THEATRE.countries)
    given = features.event_columns(analyzed, details=False, text=merge_event_text(parts), **columns)
    built = features.event_columns(analyzed, details=False, **columns)
    assert _decoded(given["text"]) == _decoded(built["text"])
    assert given["fields"] == built["fields"]
    assert (given["colour"] == built["colour"]).all() and given["legend"] == built["legend"]
