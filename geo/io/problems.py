"""Problems found in event rows: one frame layout, and messages that stay one line.

Every reader and check reports through :func:`problems_frame`, so a problem
always has the columns of :data:`PROBLEM_COLUMNS`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.io.text import BAD_FIELDS, SHORT, SURPLUS

__all__ = ["PROBLEM_COLUMNS", "listed_columns", "problems_frame", "row_width_problems"]

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


def row_width_problems(raw: pd.DataFrame, ids: pd.Series, width: int) -> list[pd.DataFrame]:
    """Rows shorter than the header (warning) and longer (error, the surplus quoted).

    Parameters
    ----------
    raw : DataFrame
        A chunk as read, with ``row`` and the text reader's bookkeeping columns
        (:data:`geo.io.text.SHORT`, the field count of a short row;
        :data:`~geo.io.text.BAD_FIELDS`, of a long row; :data:`~geo.io.text.SURPLUS`,
        a long row's extra fields); absent columns report nothing.
    ids : Series
        Event ids of the rows.
    width : int
        Fields in the header.

    Returns
    -------
    list of DataFrame
    """
    short, count, surplus = SHORT, BAD_FIELDS, SURPLUS
    fields = {c: raw[c].to_numpy(dtype=object) for c in (short, count, surplus) if c in raw}
    found = []
    for kind, severity, col, tail in (
        ("short_row", "warning", short, lambda m: ["the missing ones read as empty"] * m.sum()),
        (
            "extra_fields",
            "error",
            count,
            lambda m: [f"surplus {t[:40]!r}" for t in fields[surplus][m]],
        ),
    ):
        if col in fields and (fields[col] != "").any():
            found.append(
                problems_frame(
                    raw["row"],
                    ids,
                    fields[col] != "",
                    kind,
                    None,
                    severity,
                    lambda m, col=col, tail=tail: [
                        f"row has {n} fields, the header has {width}; {t}"
                        for n, t in zip(fields[col][m], tail(m), strict=True)
                    ],
                )
            )
    return found
