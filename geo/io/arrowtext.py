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
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

__all__ = [
    "BLOCK_BYTES",
    "TEXT",
    "NeedsFallback",
    "Position",
    "arrow_chunks",
    "short_rows",
    "text_bytes",
]

#: Bytes pyarrow parses per block (one thread each). Small blocks stay in the CPU's caches:
#: 2 MiB parses the ACLED file twice as fast as 16 MiB (wall and CPU time). A row longer
#: than a block is still read whole by the fast path (pyarrow extends the block).
BLOCK_BYTES = 2 << 20


class NeedsFallback(Exception):
    """The fast path stopped; ``rows`` data rows were yielded before it did."""

    def __init__(self, rows: int, reason: str) -> None:
        self.rows = rows
        super().__init__(reason)


@dataclass
class Position:
    """How far a reader has got in its file: ``done`` of ``total`` (bytes, or rows).

    Examples
    --------
    >>> Position(done=25, total=100).fraction
    0.25
    >>> Position().fraction is None
    True
    """

    done: int = 0
    total: int | None = None

    @property
    def fraction(self) -> float | None:
        """Share of the file read so far (0 to 1), or None when its size is unknown."""
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


def text_bytes(table: pa.Table) -> int:
    """Bytes the rows of ``table`` took as delimited text (without quotes): fields and separators.

    The streaming reader reads far ahead of what it has parsed, so its file
    position says little; this counts what was parsed.

    Examples
    --------
    >>> text_bytes(pa.table({"a": ["1", "22"], "b": ["x", ""]}))
    8
    """
    fields = sum(pc.sum(pc.binary_length(column)).as_py() or 0 for column in table.columns)
    return fields + table.num_rows * table.num_columns


def _parse_options(layout, invalid_row_handler=None) -> pacsv.ParseOptions:
    """How every Arrow pass splits the text: the layout's delimiter, RFC 4180 quotes."""
    return pacsv.ParseOptions(
        delimiter=layout.delimiter,
        quote_char='"',
        double_quote=True,
        newlines_in_values=True,
        ignore_empty_lines=True,
        invalid_row_handler=invalid_row_handler,
    )


def _options(layout, block_bytes: int):
    names = list(layout.names)
    read = pacsv.ReadOptions(
        column_names=names,
        skip_rows=0 if layout.header is None else 1,
        block_size=block_bytes,
        use_threads=True,
    )
    parse = _parse_options(layout)
    convert = pacsv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.large_string()),
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
        null_values=[],
        check_utf8=True,
    )
    return read, parse, convert


#: How chunks hold text: Arrow-backed strings, NaN for missing (read as large_string, no cast).
TEXT = pd.StringDtype("pyarrow", na_value=float("nan"))


def _frame(table: pa.Table, start: int, extra: dict[str, str]) -> pd.DataFrame:
    frame = table.to_pandas(types_mapper={pa.large_string(): TEXT}.get)
    frame.columns = [str(c) for c in frame.columns]
    for name, value in extra.items():
        constant = pa.repeat(pa.scalar(value, pa.large_string()), len(frame))
        frame[name] = pd.arrays.ArrowStringArray(constant, dtype=TEXT)
    if "row" in frame.columns:
        frame = frame.rename(columns={"row": "row_original"})
    frame.insert(0, "row", pd.RangeIndex(start + 1, start + 1 + len(frame)))
    return frame


def arrow_chunks(
    path: str,
    layout,
    chunksize: int,
    extra: dict[str, str],
    block_bytes: int = BLOCK_BYTES,
    position: Position | None = None,
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
    block_bytes : int
        Bytes parsed per block.
    position : Position, optional
        Updated before each chunk is yielded: bytes of the file parsed so far
        (an estimate that leaves out quotes; exact at the end).

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
    position = Position() if position is None else position
    if layout.header is not None:
        position.done += len(layout.delimiter.join(layout.header).encode()) + 1
    try:
        reader = pacsv.open_csv(path, *_options(layout, block_bytes))
        for batch in reader:
            pending.append(batch)
            held += batch.num_rows
            while held >= chunksize:
                table = pa.Table.from_batches(pending)
                chunk = table.slice(0, chunksize)
                position.done += text_bytes(chunk)
                yield _frame(chunk, done, extra), False
                done += chunksize
                rest = table.slice(chunksize)
                pending, held = rest.to_batches(), rest.num_rows
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeError) as exc:
        raise NeedsFallback(done, str(exc)) from None
    position.done = position.total or position.done  # the whole file, quotes and all
    if held:
        yield _frame(pa.Table.from_batches(pending), done, extra), False


def short_rows(path: str, layout) -> dict[int, int]:
    r"""Find the data rows with fewer fields than the header, and their field counts.

    pandas fills a short row's missing fields with empty strings, exactly as
    it reads empty fields, so the reader asks Arrow's parser, which sees
    every row's width: one pass on one thread (row numbers are known only
    then), reading no column's values. Rows are numbered from 1 as the
    reader numbers them (blank lines skipped, a quoted newline inside one
    row). An empty dict when Arrow cannot read the file at all.

    Parameters
    ----------
    path : str
    layout : geo.io.text.TextLayout

    Returns
    -------
    dict of int to int

    Examples
    --------
    >>> import tempfile, os
    >>> from types import SimpleNamespace
    >>> with tempfile.TemporaryDirectory() as d:
    ...     f = os.path.join(d, "t.csv")
    ...     _ = open(f, "w").write("a,b,c\n1,2,3\n\n4,5\n6,7,8,9\n")
    ...     short_rows(
    ...         f,
    ...         SimpleNamespace(
    ...             names=["a", "b", "c"], header=["a", "b", "c"], delimiter=",", encoding="utf-8"
    ...         ),
    ...     )
    {2: 2}
    """
    names = list(layout.names)
    found: dict[int, int] = {}

    def note(row) -> str:
        if row.number is not None and row.actual_columns < row.expected_columns:
            found[row.number - (1 if layout.header is not None else 0)] = row.actual_columns
        return "skip"

    encoding = layout.encoding
    # Arrow decodes a bad row's text as UTF-8 before calling ``note``, and a byte
    # that is not UTF-8 there escapes as a traceback; read as Latin-1, every
    # byte decodes, and fields split the same (delimiters, quotes and newlines
    # are ASCII, which never occurs inside a UTF-8 sequence)
    read = pacsv.ReadOptions(
        column_names=names,
        skip_rows=0 if layout.header is None else 1,
        use_threads=False,
        encoding="latin1" if encoding.lower().replace("-", "").startswith("utf8") else encoding,
    )
    parse = _parse_options(layout, note)
    convert = pacsv.ConvertOptions(include_columns=names[:1], column_types={names[0]: pa.binary()})
    try:
        pacsv.read_csv(path, read_options=read, parse_options=parse, convert_options=convert)
    except (pa.ArrowException, UnicodeError, LookupError, ValueError):
        return {}
    return found
