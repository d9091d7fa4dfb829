"""The fast path for delimited text: pyarrow's streaming, multithreaded CSV reader.

It reads a well-formed UTF-8 file (every row as wide as the header) into
chunks of Arrow-backed strings, exactly like :func:`geo.io.text.iter_text_chunks`
does with pandas. At the first row it cannot take as it is (a row of another
width, bytes that are not UTF-8) it raises :class:`NeedsFallback` with the
number of rows already yielded, and the pandas readers carry on from there,
so every row is still read once and numbered the same way.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

__all__ = ["NeedsFallback", "arrow_chunks"]

#: Bytes pyarrow parses per block (one thread each).
BLOCK_BYTES = 16 << 20


class NeedsFallback(Exception):
    """The fast path stopped; ``rows`` data rows were yielded before it did."""

    def __init__(self, rows: int, reason: str) -> None:
        self.rows = rows
        super().__init__(reason)


def _options(layout, block_bytes: int):
    names = list(layout.names)
    read = pacsv.ReadOptions(
        column_names=names,
        skip_rows=0 if layout.header is None else 1,
        block_size=block_bytes,
        use_threads=True,
    )
    parse = pacsv.ParseOptions(
        delimiter=layout.delimiter,
        quote_char='"',
        double_quote=True,
        newlines_in_values=True,
        ignore_empty_lines=True,
    )
    convert = pacsv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string()),
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
        null_values=[],
        check_utf8=True,
    )
    return read, parse, convert


def _frame(table: pa.Table, start: int, extra: dict[str, str]) -> pd.DataFrame:
    frame = table.to_pandas(
        types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=float("nan"))}.get
    )
    frame.columns = [str(c) for c in frame.columns]
    for name, value in extra.items():
        frame[name] = value
    if "row" in frame.columns:
        frame = frame.rename(columns={"row": "row_original"})
    frame.insert(0, "row", pd.RangeIndex(start + 1, start + 1 + len(frame)))
    return frame


def arrow_chunks(
    path: str, layout, chunksize: int, extra: dict[str, str], block_bytes: int = BLOCK_BYTES
) -> Iterator[tuple[pd.DataFrame, bool]]:
    """Yield (chunk, False) of exactly ``chunksize`` rows (the last may be shorter).

    Parameters
    ----------
    path : str
        The file.
    layout : geo.io.text.TextLayout
        Its delimiter, header and names (UTF-8 only).
    chunksize : int
        Rows per chunk.
    extra : dict
        Constant columns to add to every chunk (the reader's bookkeeping columns).

    Raises
    ------
    NeedsFallback
        At the first row this reader cannot take; nothing of that block is yielded.
    """
    if not layout.encoding.startswith("utf-8"):
        raise NeedsFallback(0, f"encoding {layout.encoding}")
    done = 0
    pending: list[pa.RecordBatch] = []
    held = 0
    try:
        reader = pacsv.open_csv(path, *_options(layout, block_bytes))
        for batch in reader:
            pending.append(batch)
            held += batch.num_rows
            while held >= chunksize:
                table = pa.Table.from_batches(pending)
                yield _frame(table.slice(0, chunksize), done, extra), False
                done += chunksize
                rest = table.slice(chunksize)
                pending, held = rest.to_batches(), rest.num_rows
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeError) as exc:
        raise NeedsFallback(done, str(exc)) from None
    if held:
        yield _frame(pa.Table.from_batches(pending), done, extra), False
