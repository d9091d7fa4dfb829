"""Parse text values of event files: numbers (with decimal commas) and dates.

Both parsers are vectorised over a column of strings and return masks of the
values they could not read, so the caller can name every bad row.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.io.limits import DATE_MAX, DATE_MIN

__all__ = [
    "date_order_hint",
    "dates_out_of_range",
    "holds_empty",
    "may_contain_byte",
    "parse_dates",
    "parse_numbers",
    "per_distinct",
    "trimmed",
]

# Unambiguous formats, tried in turn (a time or zone after an ISO date is dropped first).
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y%m%d",
    "%d.%m.%Y",
    "%d %B %Y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%Y/%m/%d",
)
# Tried only when the caller says the day comes first (Excel's re-saved ACLED dates).
_DAYFIRST_FORMATS = (
    "%d/%m/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d-%m-%Y",
)
_ZONE = r"(?<=\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$"
_SLASHED = r"(\d{1,2})[/-](\d{1,2})[/-]\d{4}(?:[ T].*)?"


_PLAIN_NUMBER = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"


def _fast_floats(text: pd.Series) -> pd.Series | None:
    """Arrow's cast for the plain numbers, pandas only for the rest; None when not text.

    A column of plain numbers is cast at once; otherwise the plain ones still
    go through Arrow and only the others (``inf``, ``unknown``...) through
    :func:`pandas.to_numeric`.
    """
    try:
        strings = pa.array(text, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return None
    try:
        values = pc.cast(strings, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        plain = pc.fill_null(pc.match_substring_regex(strings, _PLAIN_NUMBER), False)
        values = pc.cast(pc.if_else(plain, strings, None), pa.float64())
        rest = pc.invert(plain).to_numpy(zero_copy_only=False) & text.notna().to_numpy(bool)
        nums = values.to_numpy(zero_copy_only=False).copy()
        if rest.any():
            nums[rest] = pd.to_numeric(text[rest], errors="coerce").astype("float64")
        return pd.Series(nums, index=text.index, dtype="float64")
    return pd.Series(values.to_numpy(zero_copy_only=False), index=text.index, dtype="float64")


def parse_numbers(values: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Parse text to float; return (numbers, bad mask, decimal-comma mask).

    Empty values are NaN and not bad; ``"26,96"`` is 26.96 with the comma flagged.

    Examples
    --------
    >>> nums, bad, comma = parse_numbers(pd.Series(["1.5", "26,96", "x", None]))
    >>> nums.tolist()[:2], bad.tolist(), comma.tolist()
    ([1.5, 26.96], [False, False, True, False], [False, True, False, False])
    """
    text = values if pd.api.types.is_string_dtype(values.dtype) else values.astype("string")
    text = text.str.strip()
    present = text.notna() & (text != "")
    nums = _fast_floats(text.where(present))
    if nums is None:
        nums = pd.to_numeric(text.where(present), errors="coerce").astype("float64")
    failed = present & nums.isna()
    comma = np.zeros(len(text), dtype=bool)
    if failed.any():
        candidates = text[failed]
        decimal = candidates.str.fullmatch(r"[+-]?\d+,\d+").fillna(False).astype(bool)
        if decimal.any():
            fixed = pd.to_numeric(candidates[decimal].str.replace(",", ".", regex=False))
            nums.loc[fixed.index] = fixed.astype("float64")
            comma[text.index.get_indexer(fixed.index)] = True
    bad = (present & nums.isna()).to_numpy(dtype=bool)
    return nums, bad, comma


def parse_dates(
    values: pd.Series, *, dayfirst: bool = False, date_format: str | None = None
) -> tuple[pd.Series, np.ndarray]:
    """Parse dates in the unambiguous formats ACLED and UCDP use; return (dates, bad mask).

    Day/month order is never guessed: ``03/04/2024`` is bad unless ``dayfirst``
    says the day comes first. ISO datetimes keep their calendar day (the
    time and zone are dropped). Dates outside :data:`geo.io.limits.DATE_MIN`
    to ``DATE_MAX`` are bad (see :func:`dates_out_of_range`).

    Parameters
    ----------
    values : pandas.Series
        Text.
    dayfirst : bool
        Also read ``16/01/2024`` and ``16-01-2024`` as day, month, year.
    date_format : str, optional
        A :func:`time.strptime` format; when given, the only one tried.

    Examples
    --------
    >>> d, bad = parse_dates(pd.Series(["2024-01-16", "16 January 2024", "03/04/2024", None]))
    >>> [str(x)[:10] for x in d], bad.tolist()
    (['2024-01-16', '2024-01-16', 'NaT', 'NaT'], [False, False, True, True])
    >>> d, bad = parse_dates(pd.Series(["2024-01-16T23:00:00Z", "20240116", "16.01.2024"]))
    >>> [str(x)[:10] for x in d], bad.tolist()
    (['2024-01-16', '2024-01-16', '2024-01-16'], [False, False, False])
    >>> parse_dates(pd.Series(["16/01/2024"]), dayfirst=True)[0].dt.day.tolist()
    [16]
    >>> parse_dates(pd.Series(["9999-12-31", "0001-01-01"]))[1].tolist()
    [True, True]
    """
    text = values if pd.api.types.is_string_dtype(values.dtype) else values.astype("string")
    # a chunk holds few distinct dates: each is parsed once, then spread over its rows
    codes, uniques = pd.factorize(text)
    if len(uniques) < len(text) // 2:
        distinct, _ = parse_dates(
            pd.Series(uniques, dtype=text.dtype), dayfirst=dayfirst, date_format=date_format
        )
        # a missing value's code, -1, takes the NaT appended last
        found = np.append(distinct.to_numpy(), np.datetime64("NaT", "ns"))[codes]
        out = pd.Series(found, index=values.index, dtype="datetime64[ns]")
        return out, out.isna().to_numpy(dtype=bool)
    text = text.str.strip()
    timed = text.str.len() > 16  # only a date with a time can carry a zone
    if timed.any():
        text = text.where(~timed, text[timed].str.replace(_ZONE, "", regex=True))
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    todo = text.notna() & (text != "")
    if date_format is not None:
        formats: tuple[str, ...] = (date_format,)
    else:
        formats = _DATE_FORMATS + (_DAYFIRST_FORMATS if dayfirst else ())
    for fmt in formats:
        if not todo.any():
            break
        parsed = _in_range(pd.to_datetime(text[todo], format=fmt, errors="coerce"))
        ok = parsed.notna()
        if ok.any():
            out.loc[ok[ok].index] = parsed[ok].astype("datetime64[ns]")
            todo.loc[ok[ok].index] = False
    return out, out.isna().to_numpy(dtype=bool)


def _in_range(parsed: pd.Series) -> pd.Series:
    """NaT where a date lies outside DATE_MIN..DATE_MAX (they would not fit nanoseconds)."""
    if not pd.api.types.is_datetime64_any_dtype(parsed.dtype):
        return pd.Series(pd.NaT, index=parsed.index, dtype="datetime64[ns]")
    return parsed.where((parsed >= DATE_MIN) & (parsed <= DATE_MAX))


def dates_out_of_range(values: pd.Series) -> np.ndarray:
    """Which values are ISO-like dates outside DATE_MIN..DATE_MAX (``9999-12-31``).

    Examples
    --------
    >>> dates_out_of_range(pd.Series(["9999-12-31", "2024-01-16", "x"])).tolist()
    [True, False, False]
    """
    text = values.astype("string").str.strip()
    year = pd.to_numeric(text.str.extract(r"^(\d{4})-\d{2}-\d{2}", expand=False), "coerce")
    return ((year < DATE_MIN.year) | (year > DATE_MAX.year)).fillna(False).to_numpy(dtype=bool)


def date_order_hint(values: pd.Series) -> str | None:
    """Say which day/month order slashed dates such as ``16/01/2024`` seem to use.

    Returns ``"day-first"`` when some first part exceeds 12, ``"month-first"``
    when some second part does, ``"ambiguous"`` for slashed dates where
    neither does, else None.

    Examples
    --------
    >>> date_order_hint(pd.Series(["03/04/2024", "16/01/2024"]))
    'day-first'
    >>> date_order_hint(pd.Series(["01/16/2024"])), date_order_hint(pd.Series(["x"]))
    ('month-first', None)
    >>> date_order_hint(pd.Series(["03/04/2024"]))
    'ambiguous'
    """
    parts = values.astype("string").str.strip().str.extract(_SLASHED)
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[1], errors="coerce")
    if (first > 12).any() and not (second > 12).any():
        return "day-first"
    if (second > 12).any() and not (first > 12).any():
        return "month-first"
    return "ambiguous" if first.notna().any() else None


def _arrow_buffers(values: pd.Series):
    """Each Arrow chunk's value offsets and data bytes, as numpy arrays; None when not Arrow."""
    if not isinstance(values.array, pd.arrays.ArrowStringArray):
        return None
    found = []
    for chunk in values.array.__arrow_array__().chunks:
        _, offsets_buffer, data_buffer = chunk.buffers()
        if len(chunk) == 0:
            continue
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(offsets_buffer, dtype=width)[
            chunk.offset : chunk.offset + len(chunk) + 1
        ]
        data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else None
        found.append((offsets, data, chunk.is_valid().to_numpy(zero_copy_only=False)))
    return found


def trimmed(values: pd.Series) -> bool:
    """Whether no Arrow-backed value can start or end with whitespace (so strip can be skipped).

    Looks at the first and last byte of each value in Arrow's buffers: ASCII
    whitespace is at most 0x20, other whitespace starts or ends with a byte of
    0x80 or more; either sends the column through ``str.strip``.

    Examples
    --------
    >>> trimmed(pd.Series(["a", "b c", None, ""], dtype="str"))
    True
    >>> trimmed(pd.Series(["a ", "b"], dtype="str")), trimmed(pd.Series(["\u00a0a"], dtype="str"))
    (False, False)
    >>> trimmed(pd.Series(["a"], dtype=object))
    False
    """
    buffers = _arrow_buffers(values)
    if buffers is None:
        return False
    for offsets, data, _valid in buffers:
        if data is None:
            continue
        start, end = offsets[:-1], offsets[1:]
        full = end > start
        edges = np.concatenate([data[start[full]], data[end[full] - 1]])
        if ((edges <= 0x20) | (edges >= 0x80)).any():
            return False
    return True


def holds_empty(values: pd.Series) -> bool:
    """Whether a column may hold an empty string (Arrow-backed columns are checked exactly).

    Reads the value lengths from Arrow's offsets, so a column with no empty
    value skips the masking that turns ``""`` into missing.

    Examples
    --------
    >>> holds_empty(pd.Series(["a", None], dtype="str"))
    False
    >>> holds_empty(pd.Series(["a", ""], dtype="str"))
    True
    >>> holds_empty(pd.Series(["a"], dtype=object))
    True
    """
    buffers = _arrow_buffers(values)
    if buffers is None:
        return True
    return any(((np.diff(offsets) == 0) & valid).any() for offsets, _data, valid in buffers)


def may_contain_byte(values: pd.Series, byte: int) -> bool:
    r"""Whether a column may hold ``byte`` (an ASCII code) in a value.

    False only when an Arrow-backed column's data holds no such byte at all:
    one scan of its buffer, instead of a search value by value.

    Examples
    --------
    >>> may_contain_byte(pd.Series(["a", "b"], dtype="str"), ord("\n"))
    False
    >>> may_contain_byte(pd.Series(["a\nb"], dtype="str"), ord("\n"))
    True
    """
    buffers = _arrow_buffers(values)
    if buffers is None:
        return True
    for offsets, data, _valid in buffers:
        if data is not None and (data[offsets[0] : offsets[-1]] == byte).any():
            return True
    return False


def per_distinct(lookup: Callable[[pd.Series], pd.Series]) -> Callable[[pd.Series], pd.Series]:
    """Wrap a column-to-column ``lookup`` to run once per distinct value, then spread the results.

    The country-code lookups map every row through a dictionary; a chunk holds
    few distinct countries, so factorising first (in Arrow) saves most of it.

    Examples
    --------
    >>> upper = per_distinct(lambda s: s.str.upper())
    >>> upper(pd.Series(["a", None, "a", "b"], dtype="string")).tolist()
    ['A', <NA>, 'A', 'B']
    """

    def run(values: pd.Series) -> pd.Series:
        codes, uniques = pd.factorize(values)
        found = lookup(pd.Series(uniques, dtype="string")).astype("string").array
        return pd.Series(found.take(codes, allow_fill=True), index=values.index)

    return run
