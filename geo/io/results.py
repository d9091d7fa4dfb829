"""What reading an event file gives: the table of events, rejects and problems, and tallies."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from geo.errors import BordermapError

__all__ = ["EventTable", "NoEventsError", "ProblemTally", "counted", "summary_line"]


class NoEventsError(BordermapError):
    """An event file left no event to work on: every row was rejected, or it had none.

    Raised after the rejects are written; exit status 1 (problems found in the data).

    Examples
    --------
    >>> str(NoEventsError("e.csv: 2 rows read, 0 kept, 2 rejected (2 bad_date)", "row 1: x"))
    'e.csv: 2 rows read, 0 kept, 2 rejected (2 bad_date); no events remain (first: row 1: x)'
    """

    exit_code = 1

    def __init__(self, summary: str, first: str | None = None) -> None:
        self.summary, self.first = summary, first
        tail = f" (first: {first})" if first else ""
        super().__init__(f"{summary}; no events remain{tail}")

    def __reduce__(self):
        return (type(self), (self.summary, self.first))


@dataclass
class EventTable:
    """Events read from one file, with what was rejected and why.

    Attributes
    ----------
    events : geopandas.GeoDataFrame
        Valid rows: ``row``, the :data:`SCHEMA` columns, ``where_prec``,
        ``source_format``, ``placement_method``, ``placement_score``, then the
        input's other columns; points in EPSG:4326.
    rejects : pandas.DataFrame
        Every rejected row as read (strings): ``row, event_id, kind, reason``
        then the input's columns.
    problems : pandas.DataFrame
        One line per problem: ``row, event_id, kind, field, severity, message``.
    path, fmt : str
        The file and the format it was read as.
    rows_read : int
        Data rows in the file; always ``len(events) + len(rejects)``.
    notes : list of str
        File-level remarks (encoding, header, countries that could not be checked).
    """

    events: gpd.GeoDataFrame
    rejects: pd.DataFrame
    problems: pd.DataFrame
    path: str
    fmt: str
    rows_read: int
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line: rows read, kept, rejected by kind, warnings."""
        return summary_line(self.path, self.rows_read, len(self.events), self.problems)


class ProblemTally:
    """Counts of rejected rows (by their first error) and of warnings, chunk after chunk.

    Keeps a few integers per kind, so a summary of any number of chunks costs
    no memory per row.
    """

    def __init__(self) -> None:
        self.rejected: dict[str, int] = {}
        self.warnings: dict[str, int] = {}
        self.first_error: str | None = None

    def add(self, problems: pd.DataFrame) -> None:
        """Count one chunk's problems."""
        errors = problems[problems["severity"] == "error"].drop_duplicates("row")
        if self.first_error is None and len(errors):
            first = errors.iloc[0]
            self.first_error = f"row {first['row']}, {first['field']}: {first['message']}"
        for kind, n in errors["kind"].value_counts().items():
            self.rejected[kind] = self.rejected.get(kind, 0) + int(n)
        warnings = problems[problems["severity"] == "warning"]
        for kind, n in warnings["kind"].value_counts().items():
            self.warnings[kind] = self.warnings.get(kind, 0) + int(n)

    def summary(self, path: str, rows: int, kept: int) -> str:
        """Build the one-line summary printed by the CLI.

        Examples
        --------
        >>> ProblemTally().summary("a.csv", 1, 1)
        'a.csv: 1 row read, 1 kept, 0 rejected'
        """
        text = f"{path}: {counted(rows, 'row')} read, {kept} kept, {rows - kept} rejected"
        if self.rejected:
            kinds = sorted(self.rejected.items(), key=lambda kv: -kv[1])
            text += " (" + ", ".join(f"{n} {k}" for k, n in kinds) + ")"
        if self.warnings:
            kinds = sorted(self.warnings.items(), key=lambda kv: -kv[1])
            total = sum(self.warnings.values())
            text += f"; {counted(total, 'warning')} (" + ", ".join(f"{n} {k}" for k, n in kinds)
            text += ")"
        return text


def counted(n: int, noun: str) -> str:
    """``n`` and ``noun``, plural unless ``n`` is one.

    Examples
    --------
    >>> counted(1, "warning"), counted(2, "row"), counted(0, "partition")
    ('1 warning', '2 rows', '0 partitions')
    """
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def summary_line(path: str, rows: int, kept: int, problems: pd.DataFrame) -> str:
    """Build the one-line summary printed by the CLI (see :meth:`EventTable.summary`)."""
    tally = ProblemTally()
    tally.add(problems)
    return tally.summary(path, rows, kept)
