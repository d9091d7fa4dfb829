"""``bordermap map``: render the interactive map to one HTML file."""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import click

from geo.cli import chunks, options
from geo.io.atomic import check_distinct_outputs, check_out
from geo.io.options import ReadOptions

__all__ = ["DEFAULT_OUT", "map_cmd"]

DEFAULT_OUT = Path("maps") / "bordermap.html"


@click.command("map")
@options.event_options
@options.pair_opt
@options.border_opt
@options.sites_opt
@options.file_out_opt(DEFAULT_OUT, "HTML file to write.")
@click.option(
    "--offline",
    is_flag=True,
    help="Inline every script and stylesheet: one file that works with no network "
    "(tiles stay optional).",
)
@click.option("--title", default=None, help="Title shown on the map (default: the border's name).")
@options.zones_opt
@options.overwrite_opt
@options.quiet_opt
def map_cmd(
    events: Path | None,
    read_options: ReadOptions,
    rejects: Path | None,
    pair: str,
    border_path: Path | None,
    sites: tuple[str, ...] | None,
    out: Path,
    offline: bool,
    title: str | None,
    zones_km: tuple[float, ...],
    overwrite: bool,
    quiet: bool,
) -> None:
    """Render events along a border as an interactive map (HTML).

    With no options it maps the embedded January 2024 theatre to
    maps/bordermap.html. Open the file in a browser: events sized by
    fatalities and coloured by attacker, distance zones, provinces, lines to
    the nearest border point, cross-border strikes, a legend and a day-by-day
    time slider. Above 1,000 events markers cluster; above 20,000 they are
    drawn with WebGL from a compact binary table (a million events make a
    page of about 22 MB), with a heatmap overview layer.
    """
    if out.suffix.lower() not in (".html", ".htm"):
        shown = repr(out.suffix) if out.suffix else "a name without a suffix"
        raise click.BadParameter(f"{out}: write a .html file, not {shown}", param_hint="--out")
    check_distinct_outputs(events=events, out=out, rejects=rejects)
    check_out(out, overwrite)  # refuse before the slow part, not after it
    theatre = options.build_theatre(pair, zones_km, border_path, sites, single="the map")
    # folium and the region's layers load on a thread while the events are read and
    # analysed (and only when a map is drawn, to keep `bordermap --help` fast)
    with ThreadPoolExecutor(1, thread_name_prefix="bordermap-preload") as pool:
        ready = pool.submit(_preload, theatre)
        with chunks.analysed_and_prepared(
            events,
            read_options,
            rejects,
            theatre,
            overwrite=overwrite,
            quiet=quiet,
            site_columns=False,
            points=False,
            prepare=functools.partial(_popup_text, names=theatre.names),
        ) as (analyzed, texts):
            render_map, save_map, merge_event_text = ready.result()
            text = merge_event_text(texts) if texts else None
            m = render_map(analyzed, theatre, title=title, offline=offline, event_text=text)
            save_map(m, out, overwrite=overwrite)
    if not quiet:
        size = out.stat().st_size / 1e6
        kind = "self-contained " if offline else ""
        click.echo(
            f"wrote {kind}map of {len(analyzed):,} events to {out} ({size:.1f} MB)", err=True
        )


def _preload(theatre):
    """Import the map module and load the theatre's layers; return the functions used."""
    import geo.mapping
    from geo.mapping.popups import merge_event_text

    geo.mapping.preload(theatre)
    return geo.mapping.render_map, geo.mapping.save_map, merge_event_text


def _popup_text(chunk, names):
    """Build the popups' text of an analysed chunk, as a WebGL map shows it (no notes)."""
    from geo.mapping.popups import event_text  # lazily: it loads folium

    return event_text(chunk, names=names, details=False)
