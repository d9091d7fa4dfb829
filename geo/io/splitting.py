"""Why a delimited file cannot be split into rows, and at which row.

The text reader's parsers say little when a quote is out of place: these
helpers find the row again with the csv module (only on that error path)
and word the error in one line. :func:`check_all_rows_read` also catches
the one case where pandas' Python parser drops a record without a word.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

from geo.errors import InputError

__all__ = ["check_all_rows_read", "split_error"]


def _line_of(message: str) -> int | None:
    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else None


_UNCLOSED = ("unexpected end of data", "EOF inside string")


def _records(path: str, layout, *, strict: bool = False) -> Iterator[list[str]]:
    """Yield the file's records as the csv module splits them (blank lines skipped)."""
    limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)  # a long field is not a split error here
    try:
        with open(path, encoding=layout.encoding, errors="replace", newline="") as fh:
            for fields in csv.reader(fh, delimiter=layout.delimiter, strict=strict):
                if fields:  # blank lines are skipped, as by the parser
                    yield fields
    finally:
        csv.field_size_limit(limit)


def _unclosed_quote_row(path: str, layout) -> int | None:
    """Return the data row whose quoted field is never closed (the last row read)."""
    try:
        rows = sum(1 for _ in _records(path, layout)) - (layout.header is not None)
    except (csv.Error, OSError, UnicodeError):
        return None
    return rows if rows > 0 else None


def _bad_quote_row(path: str, layout) -> int | None:
    """Return the data row where a strict reader meets a quote in the wrong place."""
    rows = 0
    try:
        for _ in _records(path, layout, strict=True):
            rows += 1
    except csv.Error:
        return max(rows + 1 - (layout.header is not None), 1)
    except (OSError, UnicodeError):
        return None
    return None


def split_error(path: str, layout, exc: Exception) -> InputError:
    """Word ``exc``, met while splitting ``path`` into rows, as one line naming the row.

    Parameters
    ----------
    path : str
    layout : geo.io.text.TextLayout
        The file's encoding, delimiter and header.
    exc : Exception
        The parser's error.

    Returns
    -------
    InputError
    """
    message = str(exc)
    row = _line_of(message)
    if any(text in message for text in _UNCLOSED):
        row = _unclosed_quote_row(path, layout)
        message = "a quoted field is not closed before the end of the file; fix the quote"
    elif row is None and "expected after '\"'" in message:
        row = _bad_quote_row(path, layout)
        message = "a quote in the wrong place: double it, or quote the whole field"
    return InputError(path, row, None, _clean(message))


def check_all_rows_read(path: str, layout, read: int) -> None:
    """Fail, naming the row, when pandas' Python parser dropped a record without a word.

    It does so for a record whose quoted field runs over a line break into a
    row with too many fields (a stray quote): every record is counted again
    with the csv module, and a shortfall is an error rather than a loss.

    Parameters
    ----------
    path : str
    layout : geo.io.text.TextLayout
    read : int
        Data rows the parser returned.

    Raises
    ------
    InputError
        When the file holds more rows than were read.
    """
    records, suspect = 0, None
    try:
        for records, fields in enumerate(_records(path, layout), start=1):
            joined = len(fields) != len(layout.names) and any("\n" in f for f in fields)
            if suspect is None and joined:
                suspect = records
    except (csv.Error, OSError, UnicodeError):
        return  # the csv module cannot count them either: the parser's rows stand
    records -= layout.header is not None
    if read < records:
        row = None if suspect is None else suspect - (layout.header is not None)
        raise InputError(
            path,
            row,
            None,
            f"{records - read} of {records} rows could not be split: a quote opened in one "
            "row closes in a later one; fix the quote (nothing was written)",
        )


def _clean(exc: Exception | str) -> str:
    text = " ".join(str(exc).split())
    return f"cannot split into rows: {text[:200]}"
