"""Reading and writing: event files in, tables and files out, atomically.

Readers:

- :mod:`geo.io.events` reads and checks event files (:func:`read_events`,
  :func:`iter_event_chunks`), with :class:`ReadOptions` from :mod:`geo.io.options`;
- :mod:`geo.io.archives` opens ``.gz``, ``.zip`` and ``.xlsx`` files and refuses what
  is not a regular file;
- :mod:`geo.io.text` decodes and splits delimited text in chunks (the fast path is
  pyarrow's reader in :mod:`geo.io.arrowtext`);
- :mod:`geo.io.limits` holds every limit on input (columns, field size, decompressed
  size, dates), each named in its error;
- :mod:`geo.io.layouts` turns ACLED, UCDP and plain tables into the event schema;
- :mod:`geo.io.vector` reads GeoJSON, GeoPackage, Shapefile, FlatGeobuf, GeoParquet;
- :mod:`geo.io.checks` finds every problem in a normalised chunk;
- :mod:`geo.io.placing` places rows by their location name, one warning per row;
- :mod:`geo.io.pipeline` runs those steps chunk by chunk;
- :mod:`geo.io.border` reads a user's border file.

Writers:

- :mod:`geo.io.atomic` writes through a temporary file and refuses to replace
  a file without ``overwrite`` (the one place that rule lives);
- :mod:`geo.io.tables` writes analysed events as CSV, JSON or GeoJSON, chunk by chunk;
- :mod:`geo.io.report` renders the text reports of ``analyze`` and ``events check``.
"""

from __future__ import annotations

from geo._lazy import lazy_module

_NAMES = {
    **dict.fromkeys(("EventTable", "iter_event_chunks", "read_events"), "geo.io.events"),
    **dict.fromkeys(("ReadOptions",), "geo.io.options"),
    **dict.fromkeys(("atomic_path", "check_out"), "geo.io.atomic"),
    **dict.fromkeys(("read_border",), "geo.io.border"),
}
__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_module(
    __name__,
    _NAMES,
    [
        "archives",
        "arrowtext",
        "atomic",
        "border",
        "checks",
        "events",
        "layouts",
        "limits",
        "options",
        "pipeline",
        "placing",
        "problems",
        "report",
        "tables",
        "text",
        "vector",
    ],
)
