"""A compact binary event table for maps of many events (the WebGL layer).

:func:`pack_events` turns the arrays of
:func:`geo.mapping.features.event_columns` into a small JSON header (the
escaped text tables, days, colours, popup rows) and one gzip-compressed,
base64-encoded block of typed arrays: coordinates as ``int32`` in units of
1e-5 degree, distances as ``int32`` tenths of a kilometre, fatalities as
``float32``, and the smallest unsigned integer type for every code column
(colour, day, uncertainty, each dictionary-encoded text column). The page
decodes the block once with the browser's own ``DecompressionStream`` into
typed-array views (:class:`geo.mapping.elements.EventData`), in the same
shape as the JSON table of small maps, so popups are built and escaped by
the same script.

Examples
--------
>>> import numpy as np
>>> head, blob = pack_arrays({"day": np.array([0, 2, -1], dtype="int32")})
>>> head
[{'key': 'day', 'type': 'i4', 'offset': 0, 'length': 3}]
>>> len(unpack_arrays(head, blob)["day"])
3
"""

from __future__ import annotations

import base64
import gzip
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from geo.geodesy import workers
from geo.mapping.lod import draw_order

__all__ = [
    "COORD_SCALE",
    "DISTANCE_SCALE",
    "gzip_slices",
    "pack_arrays",
    "pack_events",
    "unpack_arrays",
]

#: Degrees per unit of the packed coordinates (about 1 m).
COORD_SCALE = 1e-5
#: Kilometres per unit of the packed distances.
DISTANCE_SCALE = 0.1
#: Integer stored for a missing scaled value.
MISSING = -(2**31)
# numpy dtype -> JavaScript typed array, by short name
_TYPES = {"u1": "Uint8", "u2": "Uint16", "u4": "Uint32", "i4": "Int32", "f4": "Float32"}
# smallest slice worth a thread of its own when compressing
_SLICE_BYTES = 256 * 1024


def gzip_slices(data: bytes, level: int = 1, slices: int | None = None) -> bytes:
    """Compress ``data`` into one gzip member, its slices deflated on threads.

    Each slice is an independent raw deflate stream ended by a sync flush
    (the last by the final block), so their concatenation is one valid
    deflate stream, as ``pigz`` writes it; zlib releases the GIL, so the
    slices compress in parallel. A slice cannot refer back into the one
    before, which costs a fraction of a percent in size.

    Parameters
    ----------
    data : bytes
    level : int
        zlib compression level.
    slices : int, optional
        Default: one per CPU (:func:`geo.geodesy.workers`), at least 256 KiB each.

    Returns
    -------
    bytes
        A gzip file (modification time 0) that :func:`gzip.decompress` and
        browsers' ``DecompressionStream("gzip")`` read.

    Examples
    --------
    >>> data = bytes(range(256)) * 5000
    >>> gzip.decompress(gzip_slices(data, slices=3)) == data
    True
    """
    if slices is None:
        slices = min(workers(), len(data) // _SLICE_BYTES)
    if slices <= 1:
        return gzip.compress(data, compresslevel=level, mtime=0)
    view = memoryview(data)
    bounds = np.linspace(0, len(data), slices + 1).astype(int)

    def deflate(i: int) -> bytes:
        raw = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
        last = i == slices - 1
        body = raw.compress(view[bounds[i] : bounds[i + 1]])
        return body + raw.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)

    with ThreadPoolExecutor(slices) as pool:
        body = b"".join(pool.map(deflate, range(slices)))
    # header: magic, deflate, no flags, mtime 0, extra flags (4: fastest; 2: best), OS unknown
    head = (
        b"\x1f\x8b\x08\x00" + bytes(4) + bytes([4 if level <= 1 else 2 if level >= 9 else 0, 255])
    )
    tail = struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)
    return head + body + tail


def _scaled(values: np.ndarray, scale: float) -> np.ndarray:
    """``values / scale`` rounded to ``int32``; NaN (and overflow) as :data:`MISSING`."""
    q = np.round(np.asarray(values, dtype="float64") / scale)
    ok = np.isfinite(q) & (np.abs(q) < 2**31 - 1)
    return np.where(ok, q, MISSING).astype("int32")


def pack_arrays(columns: dict[str, np.ndarray], level: int = 1) -> tuple[list[dict], str]:
    """Concatenate typed columns (each 4-byte aligned), gzip and base64 them.

    Parameters
    ----------
    columns : dict of str to numpy.ndarray
        One-dimensional arrays of ``uint8/16/32``, ``int32`` or ``float32``
        (other widths are converted to the nearest of these).
    level : int
        gzip compression level (1: a few percent larger than 6, six times faster).

    Returns
    -------
    head : list of dict
        ``key``, ``type`` (``u1 u2 u4 i4 f4``), byte ``offset`` and ``length``.
    blob : str
        base64 of the gzip stream.
    """
    head, chunks, offset = [], [], 0
    for key, values in columns.items():
        array = np.ascontiguousarray(values)
        if array.dtype.kind == "f":
            array = array.astype("<f4")
        elif array.dtype.kind == "i" and array.dtype.itemsize != 4:
            array = array.astype("<i4")
        elif array.dtype.kind in "ub" and array.dtype.itemsize > 4:
            array = array.astype("<u4")
        elif array.dtype.kind == "b":
            array = array.astype("u1")
        kind = f"{array.dtype.kind}{array.dtype.itemsize}"
        head.append({"key": key, "type": kind, "offset": offset, "length": len(array)})
        data = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
        pad = -len(data) % 4
        chunks.append(data + b"\0" * pad)
        offset += len(data) + pad
    blob = gzip_slices(b"".join(chunks), level=level)
    return head, base64.b64encode(blob).decode("ascii")


def unpack_arrays(head: list[dict], blob: str) -> dict[str, np.ndarray]:
    """Inverse of :func:`pack_arrays` (what the page does, for tests)."""
    raw = gzip.decompress(base64.b64decode(blob))
    return {
        h["key"]: np.frombuffer(raw, dtype=f"<{h['type']}", count=h["length"], offset=h["offset"])
        for h in head
    }


def pack_events(columns: dict) -> tuple[dict, str]:
    """Split an event table into a JSON header and a packed block of its arrays.

    Parameters
    ----------
    columns : dict
        From :func:`geo.mapping.features.event_columns`.

    Returns
    -------
    header : dict
        Everything but the arrays (text tables, days, colours, fields,
        ``pair``, ``size``); ``lod``, how many rows to draw
        at each zoom; and ``packed``: the layout of the block and the scales
        of ``lat``, ``lon`` and ``distance_km``. Rows are in drawing order
        (:func:`geo.mapping.lod.draw_order`), not the input's.
    blob : str
        base64 gzip block from :func:`pack_arrays`.
    """
    order, counts = draw_order(columns["lat"], columns["lon"], columns["day"])
    unc_codes, unc_table = columns["uncertainty_km"]
    arrays = {
        "lat": _scaled(columns["lat"], COORD_SCALE),
        "lon": _scaled(columns["lon"], COORD_SCALE),
        "colour": columns["colour"],
        "day": columns["day"].astype("int32"),
        "fatalities": columns["fatalities"].astype("float32"),
        "distance_km": _scaled(columns["distance_km"], DISTANCE_SCALE),
        "incursion_km": _scaled(columns["incursion_km"], DISTANCE_SCALE),
        "uncertainty_km": unc_codes,
    }
    for key, (codes, _table) in columns["text"].items():
        arrays[f"text.{key}"] = codes
    head, blob = pack_arrays({key: np.asarray(a)[order] for key, a in arrays.items()})
    header = {
        k: v for k, v in columns.items() if k not in {*arrays, "legend", "text", "uncertainty_km"}
    }
    header["lod"] = counts
    header["uncertainty_table"] = unc_table
    header["text_tables"] = {key: table for key, (_codes, table) in columns["text"].items()}
    header["packed"] = {
        "columns": head,
        "scales": {
            "lat": COORD_SCALE,
            "lon": COORD_SCALE,
            "distance_km": DISTANCE_SCALE,
            "incursion_km": DISTANCE_SCALE,
        },
        "missing": MISSING,
    }
    return header, blob
