r"""One large delimited file cut into byte ranges that start and end at row boundaries.

A quoted field may hold newlines, so a newline is a row boundary only outside
quotes. Whether a byte lies inside quotes depends on the number of quote
characters before it in the whole file, which no single block knows. So
every block is scanned twice at once, once for each parity it may start
with (:func:`scan_block`, on the workers, in parallel), and
:func:`combine_scans` then walks the blocks in order, knowing the true parity
at each block's start from the ones before, and picks each block's first
boundary for that parity. The cut is exact for every file the CSV parser
reads the same way: a quote that opens a field must follow a delimiter, a
line end or another quote; a quote anywhere else (``5" of rain`` unquoted)
means the parity says nothing, and the file is left whole.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "e.csv"
>>> _ = path.write_bytes(b'id,notes\n1,"a\nb"\n2,x\n3,"c\n\nd"\n4,y\n')
>>> ranges = byte_ranges(path, ",", blocksize=8)
>>> [path.read_bytes()[a:b] for a, b in ranges]
[b'1,"a\nb"\n2,x\n', b'3,"c\n\nd"\n', b'4,y\n']
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["BlockScan", "byte_ranges", "combine_scans", "copy_part", "scan_block"]

_QUOTE, _NL, _CR = ord('"'), ord("\n"), ord("\r")
_STEP = 16 << 20  # bytes scanned at once: bounded memory whatever the block size


@dataclass(frozen=True)
class BlockScan:
    """What one block of a file says about its row boundaries, for both starting parities.

    Attributes
    ----------
    start, stop : int
        The block's byte range.
    odd : bool
        The block holds an odd number of quote characters.
    first : tuple of int
        Offset just after the block's first newline outside quotes, if the
        block starts outside quotes (``first[0]``) or inside them
        (``first[1]``); -1 when it has none.
    stray : tuple of bool
        A quote opens a field after something other than a delimiter, a line
        end or a quote, for each starting parity.
    """

    start: int
    stop: int
    odd: bool
    first: tuple[int, int]
    stray: tuple[bool, bool]


def scan_block(path: str | Path, start: int, stop: int, delimiter: str) -> BlockScan:
    """Scan ``[start, stop)`` of a file for quotes and row-ending newlines.

    Parameters
    ----------
    path : path-like
    start, stop : int
        Byte range (``start`` >= 1: the byte before it is read too).
    delimiter : str
        The field delimiter (one ASCII character).

    Returns
    -------
    BlockScan
    """
    allowed = np.array([ord(delimiter), _NL, _CR, _QUOTE], dtype=np.uint8)
    quotes = 0
    first = [-1, -1]
    stray = [False, False]
    with open(path, "rb") as fh:
        fh.seek(start - 1)
        prev = fh.read(1)
        pos = start
        while pos < stop:
            data = fh.read(min(_STEP, stop - pos))
            if not data:
                break
            arr = np.frombuffer(prev + data, dtype=np.uint8)
            body = arr[1:]
            qpos = np.flatnonzero(body == _QUOTE)
            # a quote at an even count (for that parity) opens a field
            opens_even = (quotes + np.arange(len(qpos))) % 2 == 0
            bad = ~np.isin(arr[qpos], allowed)
            for parity in (0, 1):
                opening = opens_even if parity == 0 else ~opens_even
                stray[parity] |= bool((opening & bad).any())
                if first[parity] < 0:
                    nl = np.flatnonzero(body == _NL)
                    before = quotes + np.searchsorted(qpos, nl)
                    outside = nl[(before + parity) % 2 == 0]
                    if len(outside):
                        first[parity] = pos + int(outside[0]) + 1
            quotes += len(qpos)
            prev = data[-1:]
            pos += len(data)
    return BlockScan(start, stop, bool(quotes % 2), (first[0], first[1]), (stray[0], stray[1]))


def combine_scans(scans: list[BlockScan], size: int) -> list[tuple[int, int]] | None:
    """Turn block scans, in file order, into row-aligned byte ranges.

    Parameters
    ----------
    scans : list of BlockScan
        Consecutive blocks; the first starts at a row boundary outside quotes.
    size : int
        File size in bytes.

    Returns
    -------
    list of (int, int) or None
        ``[start, stop)`` ranges covering the rows exactly once, or None when
        a stray quote makes the quote parity meaningless (read the file whole).
    """
    parity = 0
    cuts = [scans[0].start]
    for k, scan in enumerate(scans):
        if scan.stray[parity]:
            return None
        if k > 0 and scan.first[parity] > cuts[-1]:
            cuts.append(scan.first[parity])
        parity ^= scan.odd
    if cuts[-1] < size:
        cuts.append(size)
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def header_end(path: str | Path, delimiter: str, limit: int = 1 << 20) -> int:
    """Offset just after the header row (the first newline outside quotes).

    Returns
    -------
    int
        -1 when the first ``limit`` bytes hold no complete row.
    """
    with open(path, "rb") as fh:
        head = fh.read(limit)
    arr = np.frombuffer(head, dtype=np.uint8)
    quotes = np.cumsum(arr == _QUOTE)
    nl = np.flatnonzero((arr == _NL) & (quotes % 2 == 0))
    return int(nl[0]) + 1 if len(nl) else -1


def byte_ranges(
    path: str | Path,
    delimiter: str,
    *,
    blocksize: int = 64 << 20,
    start: int | None = None,
    scan: Callable[[list[tuple[int, int]]], list[BlockScan]] | None = None,
) -> list[tuple[int, int]] | None:
    """Cut the rows of a delimited file into ranges of about ``blocksize`` bytes.

    Parameters
    ----------
    path : path-like
    delimiter : str
    blocksize : int
        Target bytes per range.
    start : int, optional
        Where the rows begin (default: after the header row).
    scan : callable, optional
        Maps a list of ``(start, stop)`` blocks to their :class:`BlockScan`
        (for example in parallel on a cluster); by default, one after another here.

    Returns
    -------
    list of (int, int) or None
        See :func:`combine_scans`; None also when the header is not found.
    """
    size = os.path.getsize(path)
    begin = header_end(path, delimiter) if start is None else start
    if begin < 0:
        return None
    if begin >= size:
        return [(begin, size)]
    edges = [*range(begin, size, blocksize), size]
    blocks = list(itertools.pairwise(edges))
    if scan is None:
        scans = [scan_block(path, a, b, delimiter) for a, b in blocks]
    else:
        scans = scan(blocks)
    return combine_scans(scans, size)


def copy_part(path: str | Path, header: int, start: int, stop: int, target: str | Path) -> None:
    """Write a standalone file: the first ``header`` bytes, then bytes ``[start, stop)``.

    Parameters
    ----------
    path : path-like
        The whole file.
    header : int
        Bytes of the header row (0 for a file without one).
    start, stop : int
        The rows to copy.
    target : path-like
    """
    with open(path, "rb") as src, open(target, "wb") as dst:
        for offset, length in ((0, header), (start, stop - start)):
            src.seek(offset)
            while length > 0:
                chunk = src.read(min(_STEP, length))
                if not chunk:
                    break
                dst.write(chunk)
                length -= len(chunk)
