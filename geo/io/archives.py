"""Event files inside containers: ``.gz``, ``.zip`` (ACLED and UCDP ship zips) and ``.xlsx``.

:func:`unpack` turns such a file into a plain file in a temporary folder, so
the readers see text or a vector file as usual. Decompression is bounded by
:data:`geo.io.limits.MAX_DECOMPRESSED_BYTES` and by a ratio to the compressed
size (:data:`geo.io.limits.MAX_COMPRESSION_RATIO`), so a zip bomb is refused
after a few megabytes, never written out. A zipped Shapefile is left to GDAL.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from geo.errors import InputError
from geo.io.limits import (
    MAX_COMPRESSION_RATIO,
    MAX_DECOMPRESSED_BYTES,
    MIN_RATIO_CHECK_BYTES,
    limit_text,
)

__all__ = ["DATA_SUFFIXES", "Source", "Unpacked", "container_of", "remove", "unpack"]

_GZIP = b"\x1f\x8b"
_ZIP = b"PK\x03\x04"
_EMPTY_ZIP = b"PK\x05\x06"
#: Members of an archive that hold events (anything else is documentation).
DATA_SUFFIXES = (
    ".csv",
    ".tsv",
    ".txt",
    ".xlsx",
    ".geojson",
    ".json",
    ".gpkg",
    ".parquet",
    ".fgb",
    ".gz",
)
_CHUNK = 1 << 20


@dataclass
class Unpacked:
    """A plain file standing for a container, and how to name it in messages.

    Attributes
    ----------
    path : pathlib.Path
        The file to read (in a temporary folder).
    label : str
        ``archive.zip:member.csv``, for messages.
    note : str
        A file-level remark (what was unpacked).
    """

    path: Path
    label: str
    note: str


#: Suffixes of compressions Arrow would open by name and bordermap does not read.
_OTHER_COMPRESSIONS = (".bz2", ".lz4", ".zst", ".zstd", ".br", ".brotli", ".xz", ".lzma")


def container_of(path: Path) -> str | None:
    """Name the container a file is (``gz``, ``zip``, ``xlsx``), or None for a plain file.

    A zip holding a Shapefile is not a container here: GDAL reads it as it is.
    """
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head.startswith(_GZIP):
        return "gz"
    suffix = Path(path).suffix.lower()
    # Arrow's CSV reader decompresses by suffix: a name that promises a
    # compression must hold it, and only gzip and zip are read
    if suffix in (".gz", ".gzip"):
        raise InputError(str(path), None, None, "named .gz but not gzip-compressed")
    if suffix in _OTHER_COMPRESSIONS:
        raise InputError(
            str(path),
            None,
            None,
            f"{suffix} files are not read: decompress it, or compress it as .zip or .gz",
        )
    if not head.startswith((_ZIP, _EMPTY_ZIP)):
        return None
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(str(path), None, None, f"not a readable zip file: {exc}") from None
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.lower().endswith(".shp") for n in names):
        return None
    return "zip"


def _copy_bounded(src, dst, label: str, packed: int) -> None:
    """Copy a decompressing stream, refusing more than the limits allow."""
    cap = min(MAX_DECOMPRESSED_BYTES, max(MIN_RATIO_CHECK_BYTES, packed * MAX_COMPRESSION_RATIO))
    name = "MAX_DECOMPRESSED_BYTES" if cap == MAX_DECOMPRESSED_BYTES else "MAX_COMPRESSION_RATIO"
    total = 0
    while True:
        block = src.read(_CHUNK)
        if not block:
            return
        total += len(block)
        if total > cap:
            raise InputError(
                label,
                None,
                None,
                f"expands beyond {cap:,} bytes from {packed:,} ({limit_text(name)}): "
                "refused as a possible zip bomb",
            )
        dst.write(block)


def _gunzip(path: Path, folder: Path) -> Unpacked:
    name = Path(path.name)
    while name.suffix.lower() in (".gz", ".gzip", *_OTHER_COMPRESSIONS):
        name = Path(name.stem)  # Arrow must not decompress the result again by its name
    target = folder / (str(name) or "events")
    try:
        with gzip.open(path, "rb") as src, open(target, "wb") as dst:
            _copy_bounded(src, dst, str(path), path.stat().st_size)
    except InputError:
        raise
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(str(path), None, None, f"not a readable gzip file: {exc}") from None
    return Unpacked(target, str(path), f"decompressed from gzip ({path.name})")


def _data_members(zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    members = [
        m
        for m in zf.infolist()
        if not m.is_dir()
        and not m.filename.startswith("__MACOSX/")
        and not PurePosixPath(m.filename).name.startswith(".")
    ]
    data = [m for m in members if m.filename.lower().endswith(DATA_SUFFIXES)]
    # a README.txt beside a CSV is documentation
    tables = [m for m in data if not m.filename.lower().endswith(".txt")]
    return tables or data


def _unzip(path: Path, folder: Path) -> Unpacked:
    try:
        with zipfile.ZipFile(path) as zf:
            found = _data_members(zf)
            if len(found) != 1:
                listed = ", ".join(m.filename for m in zf.infolist()[:20]) or "none"
                what = "no data member" if not found else f"{len(found)} data members"
                raise InputError(
                    str(path), None, None, f"{what} to read; members: {listed}; unzip the one"
                )
            member = found[0]
            label = f"{path}:{member.filename}"
            target = folder / PurePosixPath(member.filename).name
            with zf.open(member) as src, open(target, "wb") as dst:
                _copy_bounded(src, dst, label, max(member.compress_size, 1))
    except InputError:
        raise
    except (
        zipfile.BadZipFile,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
        zlib.error,
    ) as exc:
        raise InputError(str(path), None, None, f"not a readable zip file: {exc}") from None
    return Unpacked(target, label, f"read {member.filename} from the zip file")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _xlsx_to_csv(path: Path, folder: Path, sheet: str | None) -> Unpacked:
    from python_calamine import CalamineWorkbook  # only workbooks need it

    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
        if sheet is not None and sheet not in names:
            raise InputError(str(path), None, "layer", f"no sheet {sheet!r}; sheets: {names}")
        chosen = sheet or names[0]
        rows = book.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    except InputError:
        raise
    except Exception as exc:  # calamine raises its own types for damaged workbooks
        text = " ".join(str(exc).split())[:200]
        raise InputError(str(path), None, None, f"not a readable workbook: {text}") from None
    target = folder / f"{path.stem}.csv"
    with open(target, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        for row in rows:
            writer.writerow([_cell(v) for v in row])
    note = f"read sheet {chosen!r} of the workbook"
    if len(names) > 1:
        note += f" ({len(names)} sheets: {', '.join(names)}; choose one with --layer)"
    return Unpacked(target, str(path), note)


def unpack(path: Path, folder: Path, kind: str, layer: str | None = None) -> Unpacked:
    """Write the content of a container file as a plain file in ``folder``.

    Parameters
    ----------
    path : pathlib.Path
        The container.
    folder : pathlib.Path
        An empty temporary folder (the caller removes it).
    kind : {'gz', 'zip', 'xlsx'}
        From :func:`container_of`.
    layer : str, optional
        The sheet of a workbook to read (default: the first).

    Returns
    -------
    Unpacked

    Raises
    ------
    InputError
        When the container is damaged, holds no single data member, or would
        expand beyond the limits.
    """
    if kind == "gz":
        return _gunzip(path, folder)
    if kind == "zip":
        return _unzip(path, folder)
    return _xlsx_to_csv(path, folder, layer)


def remove(folder: Path) -> None:
    """Remove a temporary folder made for :func:`unpack` (ignoring what is already gone)."""
    shutil.rmtree(folder, ignore_errors=True)


class Source:
    """The file behind an event path: itself, or its content unpacked to a temporary folder.

    Parameters
    ----------
    path : path-like
        What the user gave.
    layer : str, optional
        Sheet of a workbook.

    Attributes
    ----------
    path : pathlib.Path
        The file to read.
    label : str
        How messages name it (the user's path, with the member of a zip).
    notes : list of str
        What was unpacked.

    Raises
    ------
    InputError
        When the path is missing, not a regular file (a FIFO or a device:
        reading it could block for ever), or a damaged container.
    """

    def __init__(self, path: str | Path, layer: str | None = None) -> None:
        given = Path(path)
        self.path, self.label, self.notes = given, str(given), []
        self._folder: Path | None = None
        if given.is_dir():
            if not any(given.glob("*.shp")):
                raise InputError(str(given), None, None, "a directory without a Shapefile")
            return  # a Shapefile folder, for GDAL
        if not given.exists():
            raise InputError(str(given), None, None, "no such file")
        if not given.is_file():
            raise InputError(
                str(given), None, None, "not a regular file (a FIFO, device or socket); give a file"
            )
        kind = container_of(given)
        if kind is None:
            return
        self._folder = Path(tempfile.mkdtemp(prefix=".bordermap-unpack-"))
        try:
            found = unpack(given, self._folder, kind, layer)
        except BaseException:
            self.close()
            raise
        self.path, self.label, self.notes = found.path, found.label, [found.note]

    def relabel(self, exc: InputError) -> InputError:
        """Return ``exc`` naming the user's file instead of the temporary one."""
        if self._folder is None or exc.path != str(self.path):
            return exc
        return InputError(self.label, exc.row, exc.field, exc.problem)

    def close(self) -> None:
        """Remove the temporary folder, if any."""
        if self._folder is not None:
            remove(self._folder)
            self._folder = None
