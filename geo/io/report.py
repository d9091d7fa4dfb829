"""Text reports: the ``analyze`` table and the ``events check`` report.

:func:`check_file` reads a whole event file and gathers every problem by
kind; :func:`render_check` and :func:`render_analysis` turn a report into the
text the CLI prints.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from geo.io.events import PROBLEM_KINDS, EventChunks
from geo.io.options import ReadOptions
from geo.io.results import summary_line
from geo.proximity import strike_pairs
from geo.summaries import COUNTS

__all__ = [
    "TABLE_ROWS",
    "check_file",
    "render_analysis",
    "render_check",
    "strike_pairs_text",
    "summary_text",
]

#: Rows of events the ``analyze`` table shows before its summaries.
TABLE_ROWS = 40
_TITLES = {
    ("zone", "side"): "zone and side",
    ("province_iso3", "province"): "province",
    ("border_pair", "zone", "side"): "nearest border pair, zone and side",
    ("border_pair",): "nearest border pair",
}
_PROBLEM_FIELDS = ["row", "event_id", "field", "message"]


def check_file(
    path: str | Path,
    options: ReadOptions | None = None,
    on_chunk: Callable[[int, int], object] | None = None,
) -> dict:
    """Read an event file and report every problem, grouped by kind.

    Parameters
    ----------
    path : path-like
        The event file.
    options : ReadOptions, optional
        How to read it.
    on_chunk : callable, optional
        Called with the rows and bytes read so far after each chunk (a
        progress bar, which can then tell the time left).

    Returns
    -------
    dict
        ``file``, ``format``, ``rows``, ``kept``, ``rejected``, ``summary``,
        ``notes`` and ``problems`` (kind to ``severity``, ``count`` and
        ``rows``: row, event_id, field, message), plain values ready for JSON.

    Raises
    ------
    InputError
        When the file cannot be read.
    """
    rows = kept = placed = 0
    found, notes, read_as = [], [], ""
    # the report counts and lists problems: no point geometries are built
    chunks = EventChunks(path, ReadOptions.of(options, points=False))
    for table in chunks:
        rows, kept = rows + table.rows_read, kept + len(table.events)
        found.append(table.problems)
        notes, read_as = table.notes, table.fmt
        placed += int((table.events["placement_method"] == "gazetteer").sum())
        if on_chunk is not None:
            on_chunk(rows, chunks.bytes_read)
    problems = pd.concat(found, ignore_index=True)
    if placed:
        rows_word = "row" if placed == 1 else "rows"
        notes = [*notes, f"{placed} {rows_word} placed from their location name (gazetteer)"]
    order = list(PROBLEM_KINDS)
    kinds = sorted(problems["kind"].unique(), key=lambda k: order.index(k) if k in order else 99)
    grouped = {}
    for kind in kinds:
        group = problems.loc[problems["kind"] == kind, ["severity", *_PROBLEM_FIELDS]]
        listed = group[_PROBLEM_FIELDS].astype(object)
        grouped[kind] = {
            "severity": group["severity"].iloc[0],
            "count": len(group),
            "rows": listed.where(listed.notna(), None).to_dict(orient="records"),
        }
    return {
        "file": str(path),
        "format": read_as,
        "rows": rows,
        "kept": kept,
        "rejected": rows - kept,
        "summary": summary_line(str(path), rows, kept, problems),
        "notes": notes,
        "problems": grouped,
    }


def render_check(report: dict) -> str:
    """Render a :func:`check_file` report as text: the summary, then each kind with its rows."""
    lines = [report["summary"]]
    lines += [f"note: {note}" for note in report["notes"]]
    for kind, group in report["problems"].items():
        effect = "error, row rejected" if group["severity"] == "error" else "warning"
        lines.append("")
        lines.append(
            f"{kind}: {group['count']} ({effect}) - {PROBLEM_KINDS.get(kind, ('', ''))[1]}"
        )
        rows = pd.DataFrame(group["rows"], columns=_PROBLEM_FIELDS).fillna("").astype(str)
        keys = _PROBLEM_FIELDS[:3]
        widths = {c: max(len(c), *(rows[c].str.len().tolist() or [0])) for c in keys}
        lines.append("  " + "  ".join(c.ljust(widths[c]) for c in keys) + "  message")
        for rec in rows.itertuples(index=False):
            cells = [str(v).ljust(widths[c]) for c, v in zip(keys, rec[:3], strict=True)]
            lines.append("  " + "  ".join(cells) + "  " + rec[3])
    return "\n".join(lines)


def _interval(row: pd.Series) -> str:
    lo, hi = row["border_distance_min_km"], row["border_distance_max_km"]
    if row["distance_basis"] in ("province", "country"):
        return f"{lo:.0f}-{hi:.0f} ({row['distance_basis']})"
    if row["distance_basis"] == "point":
        return f"{row['border_distance_km']:.1f}"
    return f"{row['border_distance_km']:.1f} ({lo:.0f}-{hi:.0f})"


def _attackers(shown: pd.DataFrame) -> pd.Series:
    """Show the attacking state, marked ``*`` where it was inferred from the actor names."""
    if "attacker" not in shown:
        return pd.Series("", index=shown.index)
    mark = np.where(shown["attacker_basis"].astype("string").fillna("") == "inferred", "*", "")
    return shown["attacker"].astype("string").fillna("") + mark


def _event_rows(shown: pd.DataFrame) -> pd.DataFrame:
    per_pair = shown.attrs.get("border_pair") == "nearest" and "border_pair" in shown
    table = pd.DataFrame(
        {
            "event": shown["event_id"] if "event_id" in shown else shown.index,
            "date": pd.to_datetime(shown["event_date"]).dt.strftime("%Y-%m-%d").fillna("-")
            if "event_date" in shown
            else "",
            "location": shown["location"].astype("string").fillna("")
            if "location" in shown
            else "",
            **({"border": shown["border_pair"].fillna("-")} if per_pair else {}),
            "side": shown["side"].fillna("-"),
            "province": shown["province"].fillna("-"),
            "border km (range)": shown.apply(_interval, axis=1),
            "zone": shown["zone"].astype(str),
            "bearing": shown["bearing_to_border_deg"].map(
                lambda b: "-" if np.isnan(b) else f"{b:.0f}°"
            ),
            "attacker": _attackers(shown),
            "incursion km": shown["incursion_km"].map(lambda d: "" if np.isnan(d) else f"{d:.1f}"),
        }
    )
    for col in [c for c in shown.columns if c.startswith("dist_") and c.endswith("_km")]:
        table[col.removeprefix("dist_").removesuffix("_km") + " km"] = shown[col].round(0)
    return table


def render_analysis(
    head: pd.DataFrame | None,
    border_label: str,
    border_km: float,
    total: int,
    summaries: dict[tuple[str, ...], pd.DataFrame],
    strikes: pd.DataFrame | None,
) -> str:
    """Human-readable report: events, zones by side, provinces and strike pairs.

    Parameters
    ----------
    head : DataFrame or None
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
    buf = io.StringIO()
    w = buf.write
    if border_label == "nearest":
        w(f"Nearest land border of any pair ({border_km:,.1f} km of borders, geodesic, WGS84)")
        w(f"; {total:,} events\n\n")
    else:
        w(f"Border {border_label}: {border_km:.1f} km (geodesic, WGS84); {total:,} events\n\n")
    if head is None or head.empty:
        w("no events\n")
        return buf.getvalue()
    shown = head.head(TABLE_ROWS)
    w(_event_rows(shown).to_string(index=False))
    w("\n")
    if "attacker_basis" in shown and (shown["attacker_basis"] == "inferred").any():
        w("* attacker inferred from the actor names (actor1, assoc_actor_1, side_a)\n")
    if total > len(shown):
        w(f"... {total - len(shown):,} more rows; use --format csv|json|geojson for all\n")
    for keys, frame in summaries.items():
        w(f"\nEvents and fatalities by {_TITLES.get(keys, ', '.join(keys))}\n")
        w(summary_text(frame))
        w("\n")
    pairs = strike_pairs(strikes) if strikes is not None and len(strikes) else pd.DataFrame()
    w(strike_pairs_text(pairs))
    return buf.getvalue()


def summary_text(frame: pd.DataFrame) -> str:
    """Render a summary table for the terminal, with ``-`` where nothing is known.

    A missing key (an event at no province) shows ``-``, and so do the
    fatalities of a group whose every toll is unknown: 0 would say no one died.

    Examples
    --------
    >>> table = pd.DataFrame(
    ...     {
    ...         "side": ["IRN", None],
    ...         "events": [2, 1],
    ...         "fatalities": [3, 0],
    ...         "fatalities_unknown": [1, 1],
    ...     }
    ... )
    >>> print(summary_text(table))
    side  events fatalities  fatalities_unknown
     IRN       2          3                   1
       -       1          -                   1
    """
    if frame.empty:
        return "(no events)"
    shown = frame.copy()
    for col in shown.columns:
        if col not in COUNTS:
            shown[col] = shown[col].astype(object).where(shown[col].notna(), "-")
    if set(COUNTS) <= set(shown):
        unknown = (shown["fatalities_unknown"] >= shown["events"]).to_numpy()
        if unknown.any():
            shown["fatalities"] = shown["fatalities"].astype(object).where(~unknown, "-")
    return shown.to_string(index=False)


def strike_pairs_text(pairs: pd.DataFrame) -> str:
    """Render the "Strike and counter-strike" section: the first pairs, and how many more.

    Parameters
    ----------
    pairs : DataFrame
        :func:`geo.proximity.strike_pairs` output; empty gives no section.

    Returns
    -------
    str
        Starting with a blank line, ending with a newline ("" when empty).
    """
    if pairs.empty:
        return ""
    text = "\nStrike and counter-strike\n"
    text += pairs.head(TABLE_ROWS).round({"distance_km": 1}).to_string(index=False) + "\n"
    if len(pairs) > TABLE_ROWS:
        more = len(pairs) - TABLE_ROWS
        text += f"... {more:,} more pairs (geo.proximity.strike_pairs gives them all)\n"
    return text
