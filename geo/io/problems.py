"""Problems found in event rows: one frame layout, and messages that stay one line.

Every reader and check reports through :func:`problems_frame`, so a problem
always has the columns of :data:`PROBLEM_COLUMNS`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from geo.io.text import BAD_FIELDS, SHORT, SURPLUS
from geo.io.values import may_contain_byte

__all__ = [
    "PROBLEM_COLUMNS",
    "listed_columns",
    "merged_row_problems",
    "problems_frame",
    "quoted_messages",
    "row_width_problems",
]

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


def quoted_messages(values: pd.Series, prefix: str = ""):
    """Build ``prefix'value'`` messages lazily, for the masked rows only.

    The result is a ``message`` for :func:`problems_frame`.
    """

    def build(mask: np.ndarray) -> np.ndarray:
        picked = values.iloc[np.flatnonzero(mask)].astype(object).fillna("").astype(str)
        return (prefix + "'" + picked.str.slice(0, 40) + "'").to_numpy(dtype=object)

    return build


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


def merged_row_problems(
    raw: pd.DataFrame, ids: pd.Series, names: list[str], delimiter: str
) -> list[pd.DataFrame]:
    r"""Fields that swallowed the rows after them through a stray quote (errors).

    A quote that opens a field and is closed only in a later row joins the
    rows in between into this field; when it closes in the same column, the
    joined record even has the right width, and one event silently takes
    the next one's last fields. The sign: the field's last line holds a
    delimiter for each field before it (at least three), as the start of a
    row does. The row is rejected, so its text, the swallowed rows
    included, is kept in the rejects.

    Parameters
    ----------
    raw : DataFrame
        A chunk of a delimited file as read (strings), with ``row``.
    ids : Series
        Event ids of the rows.
    names : list of str
        The file's columns in order.
    delimiter : str

    Returns
    -------
    list of DataFrame

    Examples
    --------
    >>> raw = pd.DataFrame(
    ...     {"row": [1], "id": ["a"], "x": ["1"], "y": ["2"], "notes": ["said\nb,3,4,she said"]}
    ... )
    >>> merged_row_problems(raw, raw["id"], ["id", "x", "y", "notes"], ",")[0]["kind"].tolist()
    ['merged_rows']
    """
    found = []
    for position, name in enumerate(names):
        if name not in raw or not pd.api.types.is_string_dtype(raw[name].dtype):
            continue
        values = raw[name]
        if not may_contain_byte(values, ord("\n")):
            continue
        broken = values.str.contains("\n", regex=False).fillna(False).to_numpy(dtype=bool)
        if not broken.any():
            continue
        # the file's own last newline ends up in a quote left open to its end
        last = values[broken].str.rstrip("\r\n").str.rsplit("\n", n=1).str[-1]
        count = last.str.count(re.escape(delimiter)).fillna(0).to_numpy(dtype=int)
        joined = np.zeros(len(raw), dtype=bool)
        joined[np.flatnonzero(broken)[count >= max(3, position)]] = True
        if joined.any():
            found.append(
                problems_frame(
                    raw["row"],
                    ids,
                    joined,
                    "merged_rows",
                    name,
                    "error",
                    lambda m, values=values: [
                        f"a quote opened in this field closes only {n:,} line"
                        f"{'s' if n != 1 else ''} later (or never), swallowing the rows "
                        "between (a line break, then a row's worth of fields); fix the quote"
                        for n in values[m].str.rstrip("\r\n").str.count("\n").astype(int)
                    ],
                )
            )
    return found
