"""Problems found in event rows: one frame layout, and messages that stay one line.

Every reader and check reports through :func:`problems_frame`, so a problem
always has the columns of :data:`PROBLEM_COLUMNS`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["PROBLEM_COLUMNS", "listed_columns", "problems_frame"]

PROBLEM_COLUMNS = ["row", "event_id", "kind", "field", "severity", "message"]


def listed_columns(columns: list, limit: int = 20) -> str:
    """List column names for a one-line message: printable, each short, at most ``limit``.

    Examples
    --------
    >>> listed_columns(["id", "la  t", "x" * 50], limit=2)
    'id, la t, ... (3 in all)'
    """
    shown = [" ".join(str(c).split())[:30] or repr(str(c)) for c in columns[:limit]]
    more = f", ... ({len(columns)} in all)" if len(columns) > limit else ""
    return ", ".join(shown) + more


def problems_frame(
    rows: pd.Series, ids: pd.Series, mask, kind: str, field: str | None, severity: str, message
) -> pd.DataFrame:
    """Problems for the rows where ``mask`` is true.

    ``message`` is a str, a Series aligned with ``rows``, or a callable taking
    the boolean mask and returning the messages of those rows only (so text is
    built for problem rows alone).
    """
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    where = np.flatnonzero(mask)
    if callable(message):
        msg = np.asarray(message(mask), dtype=object)
    elif isinstance(message, pd.Series):
        msg = message.to_numpy(dtype=object)[where]
    else:
        msg = message
    return pd.DataFrame(
        {
            "row": np.asarray(rows)[where],
            "event_id": pd.Series(ids).iloc[where].astype(object).fillna("").to_numpy(),
            "kind": kind,
            "field": field,
            "severity": severity,
            "message": msg,
        }
    )
