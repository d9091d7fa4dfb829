"""``bordermap events check``: every problem in an event file, by row, grouped by kind."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from geo.cli.options import check_out, dumps_json, emit, out_opt, overwrite_opt, report_format_opt
from geo.events import EVENT_FORMATS, PROBLEM_KINDS, iter_event_chunks, summary_line

__all__ = ["events", "render_report"]


@click.group()
def events() -> None:
    """Read and check event files (ACLED, UCDP, CSV, GeoJSON, GeoPackage, GeoParquet...)."""


def render_report(report: dict) -> str:
    """Render a check report (see :func:`check`) as the ``table`` text."""
    lines = [report["summary"]]
    lines += [f"note: {note}" for note in report["notes"]]
    for kind, group in report["problems"].items():
        effect = "error, row rejected" if group["severity"] == "error" else "warning"
        lines.append("")
        lines.append(
            f"{kind}: {group['count']} ({effect}) - {PROBLEM_KINDS.get(kind, ('', ''))[1]}"
        )
        rows = pd.DataFrame(group["rows"], columns=["row", "event_id", "field", "message"])
        rows = rows.fillna("").astype(str)
        widths = {c: max(len(c), *(rows[c].str.len().tolist() or [0])) for c in rows.columns[:3]}
        lines.append("  " + "  ".join(c.ljust(widths[c]) for c in rows.columns[:3]) + "  message")
        for rec in rows.itertuples(index=False):
            cells = [
                str(v).ljust(widths[c]) for c, v in zip(rows.columns[:3], rec[:3], strict=True)
            ]
            lines.append("  " + "  ".join(cells) + "  " + rec[3])
    return "\n".join(lines)


@events.command("check")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--events-format",
    type=click.Choice(["auto", *EVENT_FORMATS]),
    default="auto",
    show_default=True,
    help="Force the format instead of detecting it.",
)
@click.option("--lat-col", default=None, help="Latitude column (default: detected).")
@click.option("--lon-col", default=None, help="Longitude column (default: detected).")
@click.option("--id-col", default=None, help="Event id column (default: detected).")
@report_format_opt
@out_opt
@overwrite_opt
@click.pass_context
def check(
    ctx: click.Context,
    file: Path,
    events_format: str,
    lat_col: str | None,
    lon_col: str | None,
    id_col: str | None,
    fmt: str,
    out: Path | None,
    overwrite: bool,
) -> None:
    """Report every problem in FILE with its row number and event id.

    Exit status: 0 no problems, 1 problems found, 2 unreadable file.
    """
    check_out(out, overwrite)
    chunks = iter_event_chunks(
        file,
        fmt=None if events_format == "auto" else events_format,
        lat_col=lat_col,
        lon_col=lon_col,
        id_col=id_col,
    )
    rows = kept = 0
    found, notes, read_as = [], [], ""
    placed = 0
    for table in chunks:
        rows, kept = rows + table.rows_read, kept + len(table.events)
        found.append(table.problems)
        notes, read_as = table.notes, table.fmt
        placed += int((table.events["placement_method"] == "gazetteer").sum())
    problems = pd.concat(found, ignore_index=True)
    if placed:
        notes = [*notes, f"{placed} rows placed from their location name (gazetteer)"]
    report = {
        "file": str(file),
        "format": read_as,
        "rows": rows,
        "kept": kept,
        "rejected": rows - kept,
        "summary": summary_line(str(file), rows, kept, problems),
        "notes": notes,
        "problems": {},
    }
    order = list(PROBLEM_KINDS)
    for kind in sorted(
        problems["kind"].unique(), key=lambda k: order.index(k) if k in order else 99
    ):
        group = problems[problems["kind"] == kind]
        report["problems"][kind] = {
            "severity": group["severity"].iloc[0],
            "count": len(group),
            "rows": group[["row", "event_id", "field", "message"]]
            .astype(object)
            .where(group[["row", "event_id", "field", "message"]].notna(), None)
            .to_dict(orient="records"),
        }
    emit(dumps_json(report) if fmt == "json" else render_report(report), out)
    if len(problems):
        ctx.exit(1)
