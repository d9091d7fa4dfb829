"""Limits on what the event readers accept: every bound in one place, named in its error.

A file beyond a limit is refused with an :class:`~geo.errors.InputError`
that names the limit, instead of running out of time or memory. A value
beyond a limit rejects its row with the reason.

Examples
--------
>>> MAX_COLUMNS, MAX_FIELD_BYTES // 2**20
(10000, 1)
"""

from __future__ import annotations

import pandas as pd

__all__ = [
    "DATE_MAX",
    "DATE_MIN",
    "MAX_COLUMNS",
    "MAX_COMPRESSION_RATIO",
    "MAX_DECOMPRESSED_BYTES",
    "MAX_FATALITIES",
    "MAX_FIELD_BYTES",
    "MAX_HEADER_BYTES",
    "MIN_RATIO_CHECK_BYTES",
    "limit_text",
]

#: Columns a table may have (ACLED has 31, UCDP GED 49).
MAX_COLUMNS = 10_000
#: Bytes the header line may take before it is refused.
MAX_HEADER_BYTES = 1 << 20
#: Bytes one field may hold (ACLED notes are a few kB).
MAX_FIELD_BYTES = 1 << 20
#: Bytes a compressed event file (.gz, .zip member) may expand to.
MAX_DECOMPRESSED_BYTES = 8 << 30
#: How many times its compressed size a file may expand to (CSV: about 5 to 20)...
MAX_COMPRESSION_RATIO = 200
#: ...once past this many bytes (small files may compress better).
MIN_RATIO_CHECK_BYTES = 64 << 20
#: Earliest and latest event date accepted; others reject their row.
DATE_MIN = pd.Timestamp("1900-01-01")
DATE_MAX = pd.Timestamp("2200-12-31")
#: Largest number of fatalities accepted for one event.
MAX_FATALITIES = 10_000_000


def limit_text(name: str) -> str:
    """Name a limit and its value, for error messages.

    Examples
    --------
    >>> limit_text("MAX_COLUMNS")
    'limit MAX_COLUMNS = 10000'
    """
    return f"limit {name} = {globals()[name]}"
