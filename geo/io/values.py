"""Parse text values of event files: numbers (with decimal commas) and dates.

Both parsers are vectorised over a column of strings and return masks of the
values they could not read, so the caller can name every bad row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["parse_dates", "parse_numbers"]

_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%d %B %Y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%Y/%m/%d",
)


def _fast_floats(text: pd.Series) -> pd.Series | None:
    """Arrow's cast when every value is a plain number; None to take the slow path."""
    try:
        values = pc.cast(pa.array(text, type=pa.string(), from_pandas=True), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return None
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


def parse_dates(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Parse dates in the unambiguous formats ACLED and UCDP use; return (dates, bad mask).

    Day/month order is never guessed: ``03/04/2024`` is bad, ``2024-04-03`` is not.

    Examples
    --------
    >>> d, bad = parse_dates(pd.Series(["2024-01-16", "16 January 2024", "03/04/2024", None]))
    >>> [str(x)[:10] for x in d], bad.tolist()
    (['2024-01-16', '2024-01-16', 'NaT', 'NaT'], [False, False, True, True])
    """
    text = values if pd.api.types.is_string_dtype(values.dtype) else values.astype("string")
    text = text.str.strip()
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    todo = text.notna() & (text != "")
    for fmt in _DATE_FORMATS:
        if not todo.any():
            break
        parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        ok = parsed.notna()
        if ok.any():
            out.loc[ok[ok].index] = parsed[ok].astype("datetime64[ns]")
            todo.loc[ok[ok].index] = False
    return out, out.isna().to_numpy(dtype=bool)
