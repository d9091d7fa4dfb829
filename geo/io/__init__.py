"""Readers behind :mod:`geo.events`: text sniffing, table layouts, vector files, checks.

- :mod:`geo.io.text` decodes and splits delimited text in chunks;
- :mod:`geo.io.codes` maps country names and numeric codes to ISO3;
- :mod:`geo.io.layouts` turns ACLED, UCDP and plain tables into the event schema;
- :mod:`geo.io.vector` reads GeoJSON, GeoPackage, Shapefile, FlatGeobuf, GeoParquet;
- :mod:`geo.io.checks` finds every problem in a normalised chunk;
- :mod:`geo.io.pipeline` runs those steps chunk by chunk (:class:`~geo.io.pipeline.ChunkReader`).

Use :func:`geo.events.read_events` and :func:`geo.events.iter_event_chunks`;
these modules are internal.
"""

from __future__ import annotations
