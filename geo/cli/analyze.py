"""``bordermap analyze``: proximity of every event to a border."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import click
import geopandas as gpd
import numpy as np
import pandas as pd

from geo.atomic import atomic_path
from geo.cli.dask_engine import engine_options, run_dask
from geo.cli.eventsio import event_options, iter_events_for_cli
from geo.cli.options import (
    check_out,
    format_opt,
    out_opt,
    overwrite_opt,
    pair_opt,
    quiet_opt,
    zones_opt,
)
from geo.errors import InputError

__all__ = ["analyze", "render_table"]

_TABLE_ROWS = 40


def _read_border(path: Path) -> gpd.GeoDataFrame:
    import pyogrio

    try:
        frame = pyogrio.read_dataframe(path)
    except Exception as exc:  # GDAL's own message names the problem
        raise InputError(str(path), None, None, f"cannot read as a vector layer: {exc}") from exc
    if frame.empty:
        raise InputError(str(path), None, None, "holds no features")
    if frame.crs is None:
        raise InputError(str(path), None, "geometry", "has no CRS; save it with EPSG:4326")
    return frame


def _interval(row: pd.Series) -> str:
    lo, hi = row["border_distance_min_km"], row["border_distance_max_km"]
    if row["distance_basis"] in ("province", "country"):
        return f"{lo:.0f}-{hi:.0f} ({row['distance_basis']})"
    if row["distance_basis"] == "point":
        return f"{row['border_distance_km']:.1f}"
    return f"{row['border_distance_km']:.1f} ({lo:.0f}-{hi:.0f})"


def render_table(
    head: gpd.GeoDataFrame | None,
    border_label: str,
    border_km: float,
    total: int,
    summaries: dict[tuple[str, ...], pd.DataFrame],
    strikes: pd.DataFrame | None,
) -> str:
    """Human-readable report: events, zones by side, provinces and strike pairs.

    Parameters
    ----------
    head : GeoDataFrame or None
        The first analysed rows (output of :func:`geo.proximity.analyze`).
    border_label : str
        Name of the border, e.g. ``"IRN-PAK"``.
    border_km : float
        Its geodesic length.
    total : int
        Number of events analysed.
    summaries : dict
        :func:`geo.proximity.summarize` tables keyed by their grouping columns.
    strikes : DataFrame or None
        Analysed cross-border strikes, for :func:`geo.proximity.strike_pairs`.

    Returns
    -------
    str
    """
    from geo.proximity import strike_pairs

    buf = io.StringIO()
    w = buf.write
    w(f"Border {border_label}: {border_km:.1f} km (geodesic, WGS84); {total:,} events\n\n")
    if head is None or head.empty:
        w("no events\n")
        return buf.getvalue()
    shown = head.head(_TABLE_ROWS)
    table = pd.DataFrame(
        {
            "event": shown["event_id"] if "event_id" in shown else shown.index,
            "date": pd.to_datetime(shown["event_date"]).dt.strftime("%Y-%m-%d")
            if "event_date" in shown
            else "",
            "location": shown["location"] if "location" in shown else "",
            "side": shown["side"].fillna("-"),
            "province": shown["admin1"].fillna("-"),
            "border km (range)": shown.apply(_interval, axis=1),
            "zone": shown["zone"].astype(str),
            "bearing": shown["bearing_to_border_deg"].map(
                lambda b: "-" if np.isnan(b) else f"{b:.0f}°"
            ),
            "incursion km": shown["incursion_km"].map(lambda d: "" if np.isnan(d) else f"{d:.1f}"),
        }
    )
    for col in [c for c in shown.columns if c.startswith("dist_") and c.endswith("_km")]:
        table[col.removeprefix("dist_").removesuffix("_km") + " km"] = shown[col].round(0)
    w(table.to_string(index=False))
    w("\n")
    if total > len(shown):
        w(f"... {total - len(shown):,} more rows; use --format csv|json|geojson for all\n")
    titles = {("zone", "side"): "zone and side", ("admin1_iso3", "admin1"): "province"}
    for keys, frame in summaries.items():
        w(f"\nEvents and fatalities by {titles.get(keys, ', '.join(keys))}\n")
        w(frame.to_string(index=False))
        w("\n")
    pairs = strike_pairs(strikes) if strikes is not None and len(strikes) else pd.DataFrame()
    if not pairs.empty:
        w("\nStrike and counter-strike\n")
        w(pairs.round({"distance_km": 1}).to_string(index=False))
        w("\n")
    return buf.getvalue()


def _plain(analyzed: gpd.GeoDataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(analyzed.drop(columns=analyzed.geometry.name))
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].astype(object)
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = frame[col].dt.strftime("%Y-%m-%d")
    return frame


class _EchoSink:
    """Standard output through click, so CliRunner and pipes both see it."""

    def write(self, text: str) -> None:
        click.echo(text, nl=False)


class _Writer:
    """Write analysed chunks in one format as they come, so memory stays bounded."""

    def __init__(self, fmt: str, sink, label: str) -> None:
        self.fmt, self.sink, self.label = fmt, sink, label
        self.first = True
        self.head: list[gpd.GeoDataFrame] = []
        self.summaries: dict[tuple[str, ...], list[pd.DataFrame]] = {}
        self.strikes: list[gpd.GeoDataFrame] = []
        self.rows = 0
        self.km = float("nan")

    def add(self, analyzed: gpd.GeoDataFrame) -> None:
        from geo.proximity import summarize

        self.km = analyzed.attrs.get("border_length_km", self.km)
        self.rows += len(analyzed)
        if self.fmt == "table":
            if sum(len(h) for h in self.head) < _TABLE_ROWS:
                self.head.append(analyzed.head(_TABLE_ROWS))
            for keys in (("zone", "side"), ("admin1_iso3", "admin1")):
                self.summaries.setdefault(keys, []).append(summarize(analyzed, keys))
            self.strikes.append(analyzed[analyzed["incursion_km"].notna()])
            return
        plain = _plain(analyzed)
        if self.fmt == "csv":
            self.sink.write(plain.to_csv(index=False, header=self.first))
            self.first = False
        elif self.fmt == "json":
            body = plain.to_json(orient="records", force_ascii=False)[1:-1]
            if body:
                self.sink.write(("[\n" if self.first else ",\n") + body)
                self.first = False
        else:
            frame = gpd.GeoDataFrame(plain, geometry=analyzed.geometry.to_numpy(), crs="EPSG:4326")
            feats = json.loads(frame.to_json(na="null", drop_id=True))["features"]
            if feats:
                text = ",\n".join(json.dumps(f, ensure_ascii=False) for f in feats)
                self.sink.write(
                    ('{"type":"FeatureCollection","features":[\n' if self.first else ",\n") + text
                )
                self.first = False

    def close(self) -> None:
        if self.fmt == "json":
            self.sink.write("[]\n" if self.first else "\n]\n")
        elif self.fmt == "geojson":
            self.sink.write(
                '{"type":"FeatureCollection","features":[]}\n' if self.first else "\n]}\n"
            )
        elif self.fmt == "table":
            head = pd.concat(self.head) if self.head else None
            summaries = {
                k: pd.concat(v).groupby(list(k), observed=True, dropna=False).sum().reset_index()
                for k, v in self.summaries.items()
            }
            strikes = pd.concat(self.strikes) if self.strikes else None
            self.sink.write(render_table(head, self.label, self.km, self.rows, summaries, strikes))


@click.command()
@engine_options
@event_options
@click.option(
    "--border",
    "border_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A line or polygon file GDAL reads (GeoJSON, GeoPackage, Shapefile) instead of --pair.",
)
@pair_opt
@zones_opt
@click.option(
    "--sites",
    default="Chabahar,Gwadar Port",
    show_default=True,
    help="Gazetteer places to measure every event to (comma-separated; empty for none).",
)
@format_opt
@out_opt
@overwrite_opt
@quiet_opt
def analyze(
    border_path,
    pair,
    zones_km,
    sites,
    fmt,
    out,
    overwrite,
    quiet,
    engine,
    scheduler,
    **event_kwargs,
) -> None:
    """Distance, nearest border point, side, province and zone of every event.

    With no arguments, analyses the embedded January 2024 events against the
    Iran-Pakistan border and prints a table. Large files are read, analysed
    and written in chunks, so memory stays bounded.
    """
    from geo import layers
    from geo.proximity import analyze, site_distances

    check_out(out, overwrite)
    if border_path is not None:
        border, label = _read_border(border_path), border_path.name
    else:
        border, label = None, "-".join(layers.parse_pair(pair))
        layers.border(pair)  # an unknown pair fails here, naming the pairs that exist
    if engine == "dask":
        return run_dask(
            scheduler,
            border=border,
            label=label,
            pair=pair,
            zones_km=zones_km,
            sites=[s.strip() for s in sites.split(",") if s.strip()],
            fmt=fmt,
            out=out,
            overwrite=overwrite,
            quiet=quiet,
            **event_kwargs,
        )
    chunks = iter_events_for_cli(quiet=quiet, overwrite=overwrite, **event_kwargs)
    with contextlib.ExitStack() as stack:
        if out is None:
            sink = _EchoSink()
        else:
            tmp = stack.enter_context(atomic_path(out))
            sink = stack.enter_context(open(tmp, "w", encoding="utf-8", newline=""))
        writer = _Writer(fmt, sink, label)
        site_names = [s.strip() for s in sites.split(",") if s.strip()]
        for events in chunks:
            result = analyze(events, border, pair=pair, zones_km=zones_km)
            if site_names:
                near = site_distances(result, site_names)
                result[near.columns] = near
            writer.add(result)
            if not quiet and writer.rows >= 200_000:
                click.echo(f"\ranalysed {writer.rows:,} events", err=True, nl=False)
        if not quiet and writer.rows >= 200_000:
            click.echo("", err=True)
        writer.close()
