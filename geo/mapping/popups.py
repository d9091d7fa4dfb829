"""The text of the map's popups: escaped, factorised columns, chunk by chunk or whole.

Every text a popup shows is HTML-escaped once per distinct value and carried
as integer codes into a table of those texts (:func:`factorize_codes`);
:func:`event_text` builds every column of a table, and
:func:`merge_event_text` joins the columns of consecutive chunks, so a large
table's text can be built while the next chunks are still being analysed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo.io.layouts import EXTRA, SCHEMA
from geo.mapping.text import html_text
from geo.proximity import ANALYSIS_COLUMNS
from geo.zones import SPANS_BANDS

__all__ = [
    "EVENT_FIELDS",
    "MAX_EXTRA_COLUMNS",
    "event_text",
    "factorize_codes",
    "factorize_text",
    "floats",
    "merge_event_text",
]

# Popup rows: (column, label). Values are escaped; labels are our own text.
# ``admin1`` is the province the input states, shown untouched beside the
# computed ``province``.
EVENT_FIELDS = (
    ("sub_event_type", "Event"),
    ("actor1", "Actor 1"),
    ("actor2", "Actor 2"),
    ("admin1", "Stated province"),
    ("source", "Source"),
)
_BASE_COLUMNS = {"geometry", "source_url", "latitude", "longitude", "row"}
# Columns shown in their own popup rows or not at all; the rest are extras.
_KNOWN_COLUMNS = frozenset(_BASE_COLUMNS | set(SCHEMA) | set(EXTRA) | set(ANALYSIS_COLUMNS))
MAX_EXTRA_COLUMNS = 6


def factorize_text(values: pd.Series) -> tuple[list[int], list[str]]:
    """Codes and a table of distinct escaped strings (missing values become ``''``).

    Parameters
    ----------
    values : pandas.Series

    Returns
    -------
    codes : list of int
    table : list of str
        HTML-escaped; ``table[codes[i]]`` is row ``i``.
    """
    codes, table = factorize_codes(values)
    return codes.tolist(), table


def factorize_codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """As :func:`factorize_text`, with the codes as the smallest unsigned integer array.

    Parameters
    ----------
    values : pandas.Series

    Returns
    -------
    codes : numpy.ndarray of uint8, uint16 or uint32
    table : list of str
        HTML-escaped, one per distinct ``str`` of the values.
    """
    # factorised in the column's own type (Arrow strings: in C++), escaped once per value
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    table = [str(html_text(u)) for u in uniques]
    if (codes < 0).any():  # missing values: one more entry, ''
        codes = np.where(codes < 0, len(table), codes)
        table.append("")
    # distinct values may share a text (1 and "1"): one table entry each is harmless
    return codes.astype(np.min_scalar_type(max(len(table) - 1, 0))), table


def floats(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Return a column as float64 (NaN where missing or not a number; all NaN when absent)."""
    if column not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64")


def _factorize_rows(parts: pd.DataFrame, render) -> tuple[np.ndarray, list[str]]:
    """Codes of the distinct rows of ``parts`` and ``render(*row)`` of each, escaped."""
    if parts.empty:
        return np.zeros(len(parts), dtype="uint8"), []
    # one integer key per row, column by column (re-factorised so it stays below n**2)
    key = np.zeros(len(parts), dtype="int64")
    for column in parts.columns:
        codes, uniques = pd.factorize(parts[column], use_na_sentinel=True)
        key = pd.factorize(key * (len(uniques) + 1) + (codes + 1))[0].astype("int64")
    # factorize numbers rows by first appearance: a row is the first of its kind
    # exactly when its key exceeds every key before it
    seen = np.maximum.accumulate(np.concatenate([[-1], key[:-1]]))
    first = np.flatnonzero(key > seen)
    rows = parts.iloc[first].itertuples(index=False)
    table = [str(html_text(render(*row))) for row in rows]
    return key.astype(np.min_scalar_type(max(len(table) - 1, 0))), table


def _km(value: float) -> str:
    return f"{value:,.1f}".rstrip("0").rstrip(".")


def _analysis_text(frame: pd.DataFrame, names: dict[str, str]) -> dict[str, tuple]:
    """Attacker (with how it was found), zone (with its span) and distance interval."""
    text: dict[str, tuple] = {}
    if "attacker" in frame:
        basis = frame.get("attacker_basis", pd.Series("", index=frame.index))
        # factorised in the columns' own types; only the distinct rows become Python values
        parts = pd.DataFrame({"a": frame["attacker"].array, "b": pd.Series(basis).array})

        def attacker(a, b) -> str:
            if pd.isna(a) or not str(a).strip():
                return ""
            return f"{names.get(a, a)} ({b})" if isinstance(b, str) and b else str(names.get(a, a))

        text["attacker"] = _factorize_rows(parts, attacker)
    if "zone" in frame:
        lo, hi = floats(frame, "zone_min_km"), floats(frame, "zone_max_km")
        parts = pd.DataFrame({"z": frame["zone"].array, "lo": lo, "hi": hi})

        def zone(z, lo, hi) -> str:
            if pd.isna(z):
                return ""
            if z == SPANS_BANDS and np.isfinite(lo) and np.isfinite(hi):
                return f"{z} ({_km(lo)}\u2013{_km(hi)} km)"
            return str(z)

        text["zone"] = _factorize_rows(parts, zone)
    lo, hi = floats(frame, "border_distance_min_km"), floats(frame, "border_distance_max_km")
    area = np.isnan(floats(frame, "border_distance_km")) & np.isfinite(lo) & np.isfinite(hi)
    parts = pd.DataFrame({"lo": np.where(area, lo, np.nan), "hi": np.where(area, hi, np.nan)})
    text["distance_range"] = _factorize_rows(
        parts, lambda lo, hi: "" if np.isnan(lo) else f"{_km(lo)}\u2013{_km(hi)} km"
    )
    return text


def _event_text(
    frame: pd.DataFrame, details: bool, names: dict[str, str]
) -> tuple[dict[str, tuple], list[list[str]]]:
    """Escaped text columns (``(codes, table)``) and the popup rows (key, label)."""
    text: dict[str, tuple] = {}
    fields: list[list[str]] = []
    # the computed province; frames from before it had its own name carry it in admin1
    province = "province" if "province" in frame else "admin1"
    for column, label in EVENT_FIELDS:
        if column in frame and not (column == "admin1" and province == "admin1"):
            text[column] = factorize_codes(frame[column])
            fields.append([column, label])
    titles = frame["location"] if "location" in frame else pd.Series([""] * len(frame))
    text["title"] = factorize_codes(titles)
    if province in frame:
        text["province"] = factorize_codes(frame[province])
    if "side" in frame:
        text["side"] = factorize_codes(frame["side"])
    text.update(_analysis_text(frame, names))
    if "attacker" in text:
        fields.append(["attacker", "Attacker"])
    if details:
        if "notes" in frame:
            text["notes"] = factorize_codes(frame["notes"])
        extras = [c for c in frame.columns if str(c) not in _KNOWN_COLUMNS][:MAX_EXTRA_COLUMNS]
        for i, column in enumerate(extras):
            key = f"extra{i}"
            text[key] = factorize_codes(frame[column])
            fields.append([key, str(html_text(str(column)))])
    return text, fields


def event_text(
    frame: pd.DataFrame, *, names: dict[str, str] | None = None, details: bool = False
) -> tuple[dict[str, tuple], list[list[str]]]:
    """Build the escaped text columns of the events' popups, and the popup's rows.

    Parameters
    ----------
    frame : DataFrame
        Output of :func:`geo.proximity.analyze`, or a chunk of it.
    names : dict, optional
        ISO3 code to country name.
    details : bool
        Include notes and extra columns (off for very large tables).

    Returns
    -------
    text : dict
        Column to ``(codes, table)``: ``table[codes[i]]`` is row ``i``'s escaped text.
    fields : list of [key, label]
        The popup's rows.
    """
    return _event_text(frame, details, names or {})


def merge_event_text(
    parts: Sequence[tuple[dict[str, tuple], list[list[str]]]],
) -> tuple[dict[str, tuple], list[list[str]]]:
    """Join :func:`event_text` of consecutive chunks into that of the whole table.

    Each column's tables are merged by their text; each chunk's codes are
    renumbered into the merged table.

    Examples
    --------
    >>> a = ({"side": (np.array([0, 1, 0], dtype="u1"), ["IRN", "PAK"])}, [["side", "Side"]])
    >>> b = ({"side": (np.array([0, 0], dtype="u1"), ["AFG"])}, [["side", "Side"]])
    >>> text, fields = merge_event_text([a, b])
    >>> text["side"][0].tolist(), text["side"][1], fields
    ([0, 1, 0, 2, 2], ['IRN', 'PAK', 'AFG'], [['side', 'Side']])
    """
    first_text, fields = parts[0]
    merged = {}
    for key in first_text:
        index: dict[str, int] = {}
        codes = []
        for text, _fields in parts:
            part_codes, table = text[key]
            remap = np.array([index.setdefault(t, len(index)) for t in table], dtype=np.int64)
            codes.append(remap[part_codes] if len(table) else np.zeros(len(part_codes), np.int64))
        table = list(index)
        joined = np.concatenate(codes) if codes else np.zeros(0, np.int64)
        merged[key] = (joined.astype(np.min_scalar_type(max(len(table) - 1, 0))), table)
    return merged, fields
