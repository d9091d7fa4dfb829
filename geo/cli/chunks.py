"""Reading the events a command names and analysing them, chunk by chunk.

``map``, ``plot`` and ``export`` need every analysed event at once
(:func:`analysed_events`); ``analyze`` writes each chunk as it goes
(:func:`analyse_chunk`). Both measure the theatre's sites the same way.
"""

from __future__ import annotations

import contextlib

from geo.cli.options import report_read

__all__ = ["analyse_chunk", "analysed_and_prepared", "analysed_events", "theatre_sites"]


@contextlib.contextmanager
def analysed_events(events, read_options, rejects, theatre, **options):
    """Read the events the options name and analyse them once against ``theatre``.

    A context manager: the ``--rejects`` file is published when the block
    that uses the events (drawing, writing) succeeds, and never after a
    failure. Keyword options (as :func:`analysed_and_prepared`):
    ``overwrite`` and ``quiet``; ``site_columns=False`` leaves out the
    ``dist_<site>_km`` columns (one exact geodesic per event and site), for
    outputs that never show them: the map and the figure draw the sites, not
    the distances to them; ``points=False`` builds no point geometry (a
    million cost about a second): the events keep their
    ``longitude``/``latitude`` columns.

    Yields
    ------
    geopandas.GeoDataFrame or pandas.DataFrame
        Output of :func:`geo.proximity.analyze`; a plain DataFrame when
        ``points`` is false.
    """
    with analysed_and_prepared(events, read_options, rejects, theatre, **options) as (found, _):
        yield found


@contextlib.contextmanager
def analysed_and_prepared(
    events,
    read_options,
    rejects,
    theatre,
    *,
    overwrite: bool,
    quiet: bool,
    site_columns: bool = True,
    points: bool = True,
    prepare=None,
):
    """Read and analyse the events as :func:`analysed_events`; ``prepare`` each chunk too.

    ``prepare`` (a function of one analysed chunk) runs on the thread that
    analysed the chunk, while the next ones are read and analysed, so work a
    command does per event (the map's text tables) is off the main thread.

    Yields
    ------
    (analyzed, prepared)
        The analysed events, as :func:`analysed_events` yields them, and the
        list of ``prepare(chunk)`` in the chunks' order (empty without
        ``prepare``).
    """
    import geopandas as gpd
    import pandas as pd

    from geo.io.options import ReadOptions
    from geo.io.prefetch import map_ahead, prefetch
    from geo.io.stream import EventStream

    read_options = ReadOptions.of(read_options, points=points)
    stream = EventStream(events, read_options, rejects=rejects, overwrite=overwrite)
    # chunk by chunk, the next one read and checked while two are analysed
    sites = theatre_sites(theatre) if site_columns else []

    def work(chunk):
        result = analyse_chunk(chunk, theatre, sites)
        return result, (prepare(result) if prepare is not None else None)

    with stream.publishing():
        done = list(map_ahead(work, prefetch(stream)))
        report_read(stream, quiet=quiet)
        parts = [part for part, _ in done]
        analyzed = parts[0]
        if len(parts) > 1:
            analyzed = pd.concat(parts, ignore_index=True)
            if points:
                analyzed = gpd.GeoDataFrame(analyzed, crs="EPSG:4326")
            analyzed.attrs = dict(parts[0].attrs)
        yield analyzed, [extra for _, extra in done] if prepare is not None else []


def theatre_sites(theatre) -> list[tuple[str, float, float]]:
    """Return the theatre's sites as ``(name, lon, lat)``, resolved once (one gazetteer read)."""
    return [(name, x, y) for name, (x, y) in theatre.site_points.items()]


def analyse_chunk(chunk, theatre, sites: list[tuple[str, float, float]]):
    """Analyse one chunk of events and add its ``dist_<site>_km`` columns.

    Parameters
    ----------
    chunk : geopandas.GeoDataFrame
        Events from :class:`geo.io.stream.EventStream`.
    theatre : geo.theatre.Theatre
    sites : list of (name, lon, lat)
        From :func:`theatre_sites`; none adds no column.

    Returns
    -------
    geopandas.GeoDataFrame
        :func:`geo.proximity.analyze`'s output and one column per site.
    """
    from geo.proximity import analyze, site_distances

    result = analyze(chunk, theatre)
    if sites:
        near = site_distances(result, sites)
        result[near.columns] = near
    return result
