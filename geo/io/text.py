"""Delimited text: sniff encoding, delimiter and header; read in chunks of strings.

Every value comes back as a string (``""`` when empty), so nothing is lost or
guessed here; :mod:`geo.io.layouts` parses numbers and dates and reports the
rows it cannot parse. Rows are numbered 1, 2, ... after the header (a quoted
newline does not start a new row).
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geo.errors import InputError
from geo.io.arrowtext import NeedsFallback, Position, arrow_chunks, short_rows
from geo.io.limits import MAX_COLUMNS, MAX_HEADER_BYTES, limit_text
from geo.io.splitting import check_all_rows_read, split_error

__all__ = [
    "BAD_FIELDS",
    "GED_COLUMNS",
    "SHORT",
    "SURPLUS",
    "TextLayout",
    "iter_text_chunks",
    "sniff_text",
]

SAMPLE_BYTES = 1 << 16

# The 49 columns of UCDP GED releases 20.1 to 25.1; some were published without a header.
GED_COLUMNS = (
    "id relid year active_year code_status type_of_violence conflict_dset_id conflict_new_id "
    "conflict_name dyad_dset_id dyad_new_id dyad_name side_a_dset_id side_a_new_id side_a "
    "side_b_dset_id side_b_new_id side_b number_of_sources source_article source_office "
    "source_date source_headline source_original where_prec where_coordinates "
    "where_description adm_1 adm_2 latitude longitude geom_wkt priogrid_gid country "
    "country_id region event_clarity date_prec date_start date_end deaths_a deaths_b "
    "deaths_civilians deaths_unknown best high low gwnoa gwnob"
).split()

# Name of the column that records rows with more fields than the header (their field count).
BAD_FIELDS = "_bordermap_fields"
# Name of the column that keeps those rows' surplus fields, joined by the delimiter.
SURPLUS = "_bordermap_surplus"
#: Bookkeeping column: the field count of a row shorter than the header, else "".
SHORT = "_bordermap_short"
_MARK = "\x00bordermap-extra\x00"

_DELIMITERS = (",", ";", "\t", "|")
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]{1,3}")


@dataclass
class TextLayout:
    """What :func:`sniff_text` found out about a delimited file.

    Attributes
    ----------
    encoding : str
        Codec passed to the parser (``utf-8-sig``, ``utf-16``, or a Windows code
        page such as ``cp1252`` for a file that is not UTF-8).
    delimiter : str
        One of ``,`` ``;`` tab ``|``.
    header : list of str or None
        Column names from the first row; None when the file has no header row.
    names : list of str
        Column names used (the header, or :data:`GED_COLUMNS`).
    notes : list of str
        File-level remarks (encoding fallbacks, a missing header row).
    """

    encoding: str
    delimiter: str
    header: list[str] | None
    names: list[str]
    notes: list[str] = field(default_factory=list)


def _decode_sample(path: str, head: bytes) -> tuple[str, str, list[str]]:
    """Choose a codec from the first bytes; return (codec, sample text, notes)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", head[3:].decode("utf-8", "replace"), []
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return "utf-16", head.decode("utf-16", "replace"), []
        except UnicodeError as exc:
            raise InputError(path, None, None, f"bad UTF-16 text: {exc}") from None
    if b"\x00" in head:
        codec = _utf16_without_bom(head)
        if codec is None:
            raise InputError(
                path, None, None, "binary content (NUL bytes): not a delimited text file"
            )
        return codec, head.decode(codec, "replace"), [f"no byte-order mark: read as {codec}"]
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        text = decoder.decode(head, final=False)
        return "utf-8-sig", text, []
    except UnicodeDecodeError:
        pass
    if _UTF8_MULTIBYTE.search(head):
        note = "mixed encodings: bytes that are not UTF-8 are replaced by U+FFFD"
        return "utf-8-sig", head.decode("utf-8", "replace"), [note]
    codec = _legacy_codec(head)
    note = f"not UTF-8: decoded as {codec} ({_LEGACY[codec]}, detected by charset-normalizer)"
    return codec, head.decode(codec, "replace"), [note]


#: Windows code pages a file that is not UTF-8 may be in, and what they are for.
_LEGACY = {"cp1252": "Windows Latin-1", "cp1251": "Windows Cyrillic", "cp1256": "Windows Arabic"}


def _legacy_codec(head: bytes) -> str:
    """Pick the Windows code page that reads ``head`` best (cp1252 when unsure)."""
    from charset_normalizer import from_bytes  # only files that are not UTF-8 need it

    best = from_bytes(head, cp_isolation=list(_LEGACY)).best()
    return best.encoding if best is not None and best.encoding in _LEGACY else "cp1252"


def _utf16_without_bom(head: bytes) -> str | None:
    """Name the UTF-16 byte order of mostly-ASCII text whose every other byte is NUL."""
    even, odd = head[0::2], head[1::2]
    if len(odd) < 8:
        return None
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _first_rows(text: str, delimiter: str, limit: int = 20) -> list[list[str]]:
    # the sample may end inside a row: parse complete lines only
    cut = text.rfind("\n")
    body = text if cut < 0 else text[: cut + 1]
    try:
        rows = list(csv.reader(io.StringIO(body), delimiter=delimiter))[:limit]
    except csv.Error:
        return []
    return [r for r in rows if r]


def _choose_delimiter(text: str) -> str:
    best, best_score = ",", (0, 0)
    for delim in _DELIMITERS:
        rows = _first_rows(text, delim)
        if not rows:
            continue
        width = len(rows[0])
        consistent = sum(len(r) == width for r in rows)
        score = (consistent if width > 1 else 0, width)
        if score > best_score:
            best, best_score = delim, score
    return best


def _looks_like_ged_row(row: list[str]) -> bool:
    if len(row) != len(GED_COLUMNS):
        return False
    year, violence = row[2].strip(), row[5].strip()
    return row[0].strip().isdigit() and year.isdigit() and violence in {"1", "2", "3"}


def sniff_text(path: str | Path, known_names: set[str]) -> TextLayout:
    """Find the codec, delimiter and header row of a delimited text file.

    Parameters
    ----------
    path : path-like
        The file.
    known_names : set of str
        Lower-case column names of the layouts we know; a first row with none
        of them may be a header-less UCDP GED file.

    Returns
    -------
    TextLayout

    Raises
    ------
    InputError
        When the file is empty or binary.
    """
    path = str(path)
    head = _read_head(path)
    codec, text, notes = _decode_sample(path, head)
    if not text.strip():
        raise InputError(path, None, None, "empty file: no header and no rows")
    delimiter = _choose_delimiter(text)
    rows = _first_rows(text, delimiter, limit=1) or [text.splitlines()[0].split(delimiter)]
    first = [name.strip().lstrip("\ufeff") for name in rows[0]]
    if not {n.lower() for n in first} & known_names and _looks_like_ged_row(first):
        notes.append("no header row: read with the UCDP GED column order")
        return TextLayout(codec, delimiter, None, list(GED_COLUMNS), notes)
    if len(first) > MAX_COLUMNS:
        raise InputError(
            path, None, None, f"{len(first):,} columns in the header; {limit_text('MAX_COLUMNS')}"
        )
    names = _unique_names(first)
    if names != first:
        renamed = [f"{a!r} as {b!r}" for a, b in zip(first, names, strict=True) if a != b]
        notes.append(f"duplicate column names renamed: {', '.join(renamed[:5])}")
    return TextLayout(codec, delimiter, first, names, notes)


def _read_head(path: str) -> bytes:
    """Read the sample, extended to the end of the header line (up to MAX_HEADER_BYTES)."""
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE_BYTES)
        while b"\n" not in head and len(head) < MAX_HEADER_BYTES:
            more = fh.read(SAMPLE_BYTES)
            if not more:
                return head
            head += more
    if b"\n" not in head:
        raise InputError(
            path, None, None, f"header line longer than {limit_text('MAX_HEADER_BYTES')} bytes"
        )
    return head


def _unique_names(names: list[str]) -> list[str]:
    """Rename repeated or empty column names as pandas does (``x``, ``x.1``, ``x.2``).

    Examples
    --------
    >>> _unique_names(["id", "lat", "id", "", "id"])
    ['id', 'lat', 'id.1', 'Unnamed: 3', 'id.2']
    """
    seen: set[str] = set()
    out = []
    for i, name in enumerate(names):
        base = name or f"Unnamed: {i}"
        candidate, n = base, 0
        while candidate in seen:
            n += 1
            candidate = f"{base}.{n}"
        seen.add(candidate)
        out.append(candidate)
    return out


class _Utf8Watch(io.RawIOBase):
    """Pass bytes through unchanged, remembering whether any were not valid UTF-8."""

    def __init__(self, raw: io.BufferedReader) -> None:
        self.raw = raw
        self.invalid = False
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        if not self.invalid and data:
            try:
                self._decoder.decode(data, final=False)
            except UnicodeDecodeError:
                self.invalid = True
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.raw.close()
        super().close()


def _read_kwargs(layout: TextLayout) -> dict:
    # One more name than the header: a row with one surplus field fills it instead of
    # making pandas take the first column for an index (row width is never inferred
    # from a data row). Empty surplus fields (a trailing delimiter) lose nothing.
    kwargs = dict(
        sep=layout.delimiter,
        dtype=str,
        keep_default_na=False,
        na_values=[],
        skip_blank_lines=True,
        quotechar='"',
        doublequote=True,
        encoding=layout.encoding,
        encoding_errors="replace",
        names=[*layout.names, SURPLUS],
        header=None,
        skiprows=0 if layout.header is None else 1,
        index_col=False,
    )
    return kwargs


def _extra_fields(width: int, delimiter: str):
    def handler(fields: list[str]) -> list[str]:
        if not any(fields[width:]):
            return [*fields[:width], ""]
        tail = delimiter.join(fields[width:])
        return [*fields[:width], f"{_MARK}{len(fields)}{_MARK}{tail}"]

    return handler


def _split_surplus(frame: pd.DataFrame, width: int) -> pd.DataFrame:
    """Move surplus fields into :data:`SURPLUS` and their count into :data:`BAD_FIELDS`."""
    col = frame[SURPLUS].fillna("")
    extra = col != ""
    frame[BAD_FIELDS] = ""
    frame[SURPLUS] = ""
    if extra.any():
        text = col[extra].astype(str)
        marked = text.str.startswith(_MARK)
        counts = pd.Series(str(width + 1), index=text.index, dtype=object)
        if marked.any():
            parts = text[marked].str.slice(len(_MARK)).str.split(_MARK, n=1, expand=True)
            counts[marked] = parts[0]
            text[marked] = parts[1]
        frame.loc[extra, BAD_FIELDS] = counts
        frame.loc[extra, SURPLUS] = text
    names = [c for c in frame.columns if c not in (BAD_FIELDS, SURPLUS)]
    frame[names] = frame[names].fillna("")
    return frame


def iter_text_chunks(
    path: str | Path,
    layout: TextLayout,
    chunksize: int = 200_000,
    position: Position | None = None,
) -> Iterator[tuple[pd.DataFrame, bool]]:
    """Yield chunks of a delimited file as string DataFrames.

    Each chunk has a 1-based ``row`` column (data rows after the header) and a
    :data:`BAD_FIELDS` column, non-empty where a row had more fields than the
    header (its surplus fields are kept, joined, in the last column). The flag
    says whether bytes that are not valid UTF-8 were met (so the caller should
    look for U+FFFD in this chunk).

    Parameters
    ----------
    path : path-like
        The file.
    layout : TextLayout
        From :func:`sniff_text`.
    chunksize : int
        Rows per chunk.
    position : Position, optional
        Updated before each chunk is yielded: bytes of the file read so far, of ``total``.

    Yields
    ------
    (pandas.DataFrame, bool)

    Raises
    ------
    InputError
        When the text cannot be split into rows (the message names the line).
    """
    path = str(path)
    width = len(layout.names)
    position = Position() if position is None else position
    position.total = Path(path).stat().st_size
    try:
        yield from arrow_chunks(
            path, layout, chunksize, {BAD_FIELDS: "", SURPLUS: "", SHORT: ""}, position=position
        )
        return
    except NeedsFallback as stop:
        fast = stop.rows
    # pandas reads a missing field as an empty one: Arrow tells which rows are short
    short = short_rows(path, layout)
    # a row of another width, or bytes that are not UTF-8: pandas' C parser
    # carries on after the rows the fast path yielded
    read = functools.partial(_chunks, path, layout, chunksize, position=position, short=short)
    done = [0]
    try:
        yield from read(engine="c", skip=fast, counter=done)
        return
    except pd.errors.ParserError as exc:
        if "Expected" not in str(exc):
            raise split_error(path, layout, exc) from None
    except (csv.Error, ValueError, UnicodeError, OverflowError) as exc:
        raise split_error(path, layout, exc) from None
    # some row has more fields than the header: the C parser stops; the Python
    # parser can hand such rows to us, so re-read and skip what was yielded
    counter = [0]
    try:
        yield from read(
            engine="python",
            skip=max(done[0], fast),
            counter=counter,
            bad=_extra_fields(width, layout.delimiter),
        )
    except (pd.errors.ParserError, csv.Error, ValueError, UnicodeError, OverflowError) as exc:
        raise split_error(path, layout, exc) from None
    check_all_rows_read(path, layout, counter[0])


def _chunks(
    path, layout, chunksize, *, engine, skip, counter, bad="error", position=None, short=None
):
    width = len(layout.names)
    with open(path, "rb") as raw:
        legacy = not layout.encoding.startswith("utf")
        watch = None if legacy else _Utf8Watch(raw)
        stream = io.BufferedReader(watch) if watch is not None else raw
        kwargs = _read_kwargs(layout)
        kwargs.update(engine=engine, on_bad_lines=bad, chunksize=chunksize)
        if engine == "c":
            kwargs["low_memory"] = True
        # rows shorter than the names (every row, with the surplus slot) are expected
        warnings.filterwarnings("ignore", category=pd.errors.ParserWarning, module="geo.io.text")
        with pd.read_csv(stream, **kwargs) as reader:
            for chunk in reader:
                start = counter[0]
                counter[0] += len(chunk)
                chunk = chunk.reset_index(drop=True)
                chunk.columns = [str(c) for c in chunk.columns]
                chunk = _split_surplus(chunk, width)
                if "row" in chunk.columns:
                    chunk = chunk.rename(columns={"row": "row_original"})
                chunk.insert(0, "row", pd.RangeIndex(start + 1, start + 1 + len(chunk)))
                chunk[SHORT] = ""
                if short:
                    fields = chunk["row"].map(short)
                    hit = fields.notna().to_numpy()
                    chunk.loc[hit, SHORT] = fields[hit].astype(int).astype(str)
                if counter[0] <= skip:
                    continue
                if start < skip:
                    chunk = chunk[chunk["row"] > skip].reset_index(drop=True)
                invalid = legacy or watch.invalid
                if position is not None:
                    position.done = raw.tell()
                yield chunk, invalid
