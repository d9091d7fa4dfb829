"""The core analysis mapped over dask-geopandas partitions, lazily.

Nothing here measures anything: every partition goes through
:func:`geo.proximity.analyze`, the engine the local CLI uses, inside
``map_partitions``. This module only arranges the work:

- :func:`analyze` maps that kernel over a ``dask_geopandas.GeoDataFrame``
  and returns one, lazily, with its ``meta``; the theatre and the province
  layer are broadcast to the workers once (:func:`geo.dask.workers.broadcast`);
- :func:`site_distances` adds the distance to each site of the theatre;
- :func:`summarize` counts events and fatalities per group with a Dask
  groupby over per-partition tables; :func:`order_summary` sorts the result
  as the local engine does;
- :func:`strike_rows` keeps the cross-border strikes, few enough for the
  client to pair with :func:`geo.proximity.strike_pairs`.

Examples
--------
>>> import dask_geopandas, geo
>>> theatre = geo.Theatre.from_pair("IRN-PAK")
>>> events = dask_geopandas.from_geopandas(geo.seed_events(), npartitions=2)
>>> lazy = analyze(events, theatre)
>>> type(lazy).__name__, "border_distance_km" in lazy.columns
('GeoDataFrame', True)
>>> local = geo.analyze(geo.seed_events(), theatre)["border_distance_km"]
>>> lazy.compute(scheduler="sync")["border_distance_km"].equals(local)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dask.dataframe as dd
import dask_geopandas
import geopandas as gpd
import pandas as pd

from geo import proximity
from geo.dask.workers import broadcast, conform, points_meta, relay, text_columns
from geo.errors import InputError
from geo.sites import Site
from geo.summaries import COUNTS
from geo.theatre import Theatre, as_theatre
from geo.zones import DEFAULT_ZONES_KM, zone_categories

__all__ = [
    "STRIKE_COLUMNS",
    "analyze",
    "order_summary",
    "site_distances",
    "strike_rows",
    "summarize",
]

#: Columns :func:`geo.proximity.strike_pairs` may read; only these travel to the client.
STRIKE_COLUMNS = (
    "event_id",
    "event_date",
    "location",
    "attacker",
    "attacker_basis",
    "side",
    "incursion_km",
    "incursion_border",
)


def _analyze_part(
    part: gpd.GeoDataFrame,
    theatre: Theatre,
    provinces: gpd.GeoDataFrame | None,
    dtypes: dict[str, Any],
) -> gpd.GeoDataFrame:
    with relay():
        out = proximity.analyze(part, theatre, provinces=provinces)
    return conform(out, dtypes)


def analyze(
    events: dask_geopandas.GeoDataFrame,
    theatre: Theatre | str | None = None,
    *,
    provinces: gpd.GeoDataFrame | None = None,
) -> dask_geopandas.GeoDataFrame:
    """Lazy :func:`geo.proximity.analyze` of every partition of a dask frame.

    Parameters
    ----------
    events : dask_geopandas.GeoDataFrame
        Points with a CRS (EPSG:4326 or one that transforms to it).
    theatre : Theatre or str, optional
        As for :func:`geo.proximity.analyze` (the default theatre if None).
    provinces : GeoDataFrame, optional
        Admin-1 polygons to use. By default each worker reads, from its own
        installed layers and once per process, only the provinces of the
        countries its events may lie in. The theatre (and ``provinces`` when
        given) is broadcast to the workers once.

    Returns
    -------
    dask_geopandas.GeoDataFrame
        Same partitions, rows and index, plus :data:`geo.proximity.ANALYSIS_COLUMNS`.

    Raises
    ------
    InputError
        No CRS, before anything is computed.
    LayerError
        An unknown pair, before anything is computed.
    """
    if events.crs is None:
        raise InputError("events", None, "geometry", "has no CRS; set EPSG:4326")
    if not events.crs.equals("EPSG:4326"):
        events = events.to_crs("EPSG:4326")
    theatre = as_theatre(theatre)
    provs = provinces
    # running the kernel on two fake rows gives the exact output schema
    sample = proximity.analyze(points_meta(events), theatre, provinces=provs)
    meta = text_columns(sample.iloc[:0])
    return events.map_partitions(
        _analyze_part,
        broadcast(theatre),
        None if provs is None else broadcast(provs),
        meta.dtypes.to_dict(),
        meta=meta,
        align_dataframes=False,
    )


def _sites_part(
    part: gpd.GeoDataFrame, sites: list[Site], dtypes: dict[str, Any]
) -> gpd.GeoDataFrame:
    with relay():
        near = proximity.site_distances(part, sites)
    out = part.copy()
    out[near.columns] = near
    return conform(out, dtypes)


def site_distances(
    analyzed: dask_geopandas.GeoDataFrame, sites: Sequence[Site]
) -> dask_geopandas.GeoDataFrame:
    """Add one ``dist_<site>_km`` column per site.

    Each partition goes through :func:`geo.proximity.site_distances`.

    Parameters
    ----------
    analyzed : dask_geopandas.GeoDataFrame
    sites : sequence
        Gazetteer names or ``(name, lon, lat)`` (a theatre's ``sites``); an
        unknown name raises here, before computing.

    Returns
    -------
    dask_geopandas.GeoDataFrame
    """
    chosen = [s for s in sites if s]
    if not chosen:
        return analyzed
    meta = text_columns(_sites_part(points_meta(analyzed), chosen, {}).iloc[:0])
    return analyzed.map_partitions(
        _sites_part, chosen, meta.dtypes.to_dict(), meta=meta, align_dataframes=False
    )


def _partial_summary(part: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    table = proximity.summarize(part, keys)
    for key in keys:
        table[key] = table[key].astype(object).where(table[key].notna(), None)
    return table


def summarize(analyzed: dd.DataFrame, by: str | Sequence[str] = ("zone", "side")) -> dd.DataFrame:
    """Events and fatalities per group, aggregated by Dask across partitions.

    Each partition is reduced by :func:`geo.proximity.summarize`; a Dask
    groupby-sum (a tree reduction) combines those small tables, so no node
    ever holds more than a few partial tables.

    Parameters
    ----------
    analyzed : dask.dataframe.DataFrame
        Output of :func:`analyze`.
    by : str or sequence of str
        Grouping columns.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy; the grouping columns and :data:`geo.summaries.COUNTS`. Compute it
        and pass it to :func:`order_summary` for the local engine's row order.

    Raises
    ------
    InputError
        For a grouping column the frame does not have.
    """
    keys = [by] if isinstance(by, str) else list(by)
    missing = [k for k in keys if k not in analyzed.columns]
    if missing:
        raise InputError(
            "summary", None, missing[0], f"no such column; have {list(analyzed.columns)}"
        )
    meta = pd.DataFrame(
        {
            **{k: pd.Series(dtype=object) for k in keys},
            **{count: pd.Series(dtype="int64") for count in COUNTS},
        }
    )
    parts = analyzed.map_partitions(_partial_summary, keys, meta=meta, align_dataframes=False)
    grouped = parts.groupby(keys, dropna=False, sort=False)[list(COUNTS)].sum()
    return grouped.reset_index()


def _strikes_of(part: gpd.GeoDataFrame, columns: list[str]) -> gpd.GeoDataFrame:
    return part.loc[part["incursion_km"].notna(), columns]


def strike_rows(analyzed: dask_geopandas.GeoDataFrame) -> dask_geopandas.GeoDataFrame:
    """Cross-border strikes only, with the columns :func:`geo.proximity.strike_pairs` reads.

    Strikes are few, so the client can pair them:
    ``geo.proximity.strike_pairs(strike_rows(analyzed).compute())`` equals
    ``strike_pairs`` of the whole computed frame.

    Parameters
    ----------
    analyzed : dask_geopandas.GeoDataFrame
        Output of :func:`analyze`.

    Returns
    -------
    dask_geopandas.GeoDataFrame
        Lazy; the rows with an ``incursion_km``.
    """
    columns = [c for c in STRIKE_COLUMNS if c in analyzed.columns] + [analyzed.geometry.name]
    meta = analyzed._meta[columns]
    return analyzed.map_partitions(_strikes_of, columns, meta=meta, align_dataframes=False)


def order_summary(
    table: pd.DataFrame, zones_km: Sequence[float] = DEFAULT_ZONES_KM
) -> pd.DataFrame:
    """Sort a computed summary as the local engine does (zones innermost first).

    Parameters
    ----------
    table : pandas.DataFrame
        A computed :func:`summarize`.
    zones_km : sequence of float
        The theatre's zone edges.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> t = pd.DataFrame({"zone": [">100 km", "0-10 km"], "events": [1, 2]})
    >>> order_summary(t)["zone"].tolist()
    ['0-10 km', '>100 km']
    """
    table = table.copy()
    keys = [c for c in table.columns if c not in ("events", "fatalities")]
    if "zone" in table:
        table["zone"] = pd.Categorical(
            table["zone"], categories=zone_categories(zones_km), ordered=True
        )
    return table.sort_values(keys, na_position="last", kind="stable").reset_index(drop=True)
