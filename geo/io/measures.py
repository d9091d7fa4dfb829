"""The numeric columns of the event schema: coordinates and fatalities, with their problems.

Each function parses one column of a raw chunk (text as read) and appends the
problems it finds to ``problems`` (frames of :func:`geo.io.problems.problems_frame`):
errors reject the row, warnings keep it.
"""

from __future__ import annotations

import re
import shlex

import numpy as np
import pandas as pd

from geo.io.limits import MAX_FATALITIES
from geo.io.problems import problems_frame, quoted_messages
from geo.io.values import parse_numbers

__all__ = ["coordinate_column", "fatalities_column", "unread_tolls"]


def coordinate_column(raw: pd.DataFrame, col: str | None, ids, problems: list) -> pd.Series | float:
    """Parse a latitude or longitude column (NaN when the file has none).

    Problems: ``bad_coordinates`` (not a number; an error) and
    ``decimal_comma`` (``27,5`` read as 27.5; a warning).
    """
    if col is None or col not in raw.columns:
        return np.nan
    rows = raw["row"]
    nums, bad, comma = parse_numbers(raw[col])
    problems.append(
        problems_frame(
            rows,
            ids,
            bad,
            "bad_coordinates",
            col,
            "error",
            quoted_messages(raw[col], "not a number: "),
        )
    )
    problems.append(
        problems_frame(
            rows,
            ids,
            comma,
            "decimal_comma",
            col,
            "warning",
            quoted_messages(raw[col], "decimal comma read as a point: "),
        )
    )
    return nums


def fatalities_column(
    raw: pd.DataFrame, col: str | None, ids, problems: list, *, counted: bool = False
) -> pd.Series:
    """Parse a fatalities column as whole numbers (``Int64``; missing when empty).

    Parameters
    ----------
    raw : DataFrame
        The chunk as read, with its ``row`` numbers.
    col : str or None
        The fatalities column; none gives missing counts.
    ids : Series
        Event ids, for the problems.
    problems : list
        Problems found are appended.
    counted : bool
        The layout counts every event (ACLED, UCDP): an empty count is an
        ``empty_fatalities`` warning (the event is kept, its count unknown,
        not zero), since totals would silently leave it out.

    Returns
    -------
    pandas.Series
        ``Int64``; rows with a ``bad_fatalities`` error are missing.
    """
    if col is None or col not in raw.columns:
        return pd.Series(pd.NA, index=raw.index, dtype="Int64")
    nums, bad, comma = parse_numbers(raw[col])
    bad = bad | comma
    whole = nums.isna() | (
        (nums >= 0) & (nums <= MAX_FATALITIES) & np.isfinite(nums) & (nums == nums.round())
    )
    bad = bad | ~whole.to_numpy(dtype=bool)
    problems.append(
        problems_frame(
            raw["row"],
            ids,
            bad,
            "bad_fatalities",
            col,
            "error",
            quoted_messages(raw[col], f"not a whole number from 0 to {MAX_FATALITIES}: "),
        )
    )
    if counted:
        empty = nums.isna().to_numpy(dtype=bool) & ~bad
        problems.append(
            problems_frame(
                raw["row"],
                ids,
                empty,
                "empty_fatalities",
                col,
                "warning",
                "empty; the count is unknown (not zero) and left out of totals",
            )
        )
    return nums.where(~pd.Series(bad, index=nums.index)).round().astype("Int64")


_TOLL_LIKE = re.compile(r"kill|dead|death|fatal|casualt", re.IGNORECASE)


def unread_tolls(columns: list[str], mapping: dict) -> list[str]:
    """Note a column that looks like a toll when no fatalities column was found.

    Examples
    --------
    >>> unread_tolls(["id", "lat", "lon", "killed_total"], {"fatalities": None})[0][-42:]
    'name it with --fatalities-col killed_total'
    >>> unread_tolls(["id", "lat", "lon"], {"fatalities": None})
    []
    """
    if mapping.get("fatalities") is not None:
        return []
    like = [str(c) for c in columns if _TOLL_LIKE.search(str(c))]
    if not like:
        return []
    return [
        f"no fatalities column (tried fatalities, deaths), so every toll is unknown; {like[0]} "
        f"looks like one: name it with --fatalities-col {shlex.quote(like[0])}"
    ]
