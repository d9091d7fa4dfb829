"""One error hierarchy for bordermap.

Library code raises these; the CLI group turns them into one-line messages
with the exit code each class carries. Nothing here prints or exits.
"""

from __future__ import annotations

__all__ = [
    "BordermapError",
    "InputError",
    "LayerError",
    "OutputExistsError",
    "ParameterError",
    "SourceError",
]


class BordermapError(Exception):
    """Base class of every error bordermap raises on purpose.

    Attributes
    ----------
    exit_code : int
        Exit status the CLI uses for this error (2: usage or unreadable input).
    """

    exit_code = 2


class InputError(BordermapError, ValueError):
    """A problem in a user's input, located by file, row and field.

    Parameters
    ----------
    path : str
        File (or other source) the value came from.
    row : int or None
        1-based data row number, or None when the problem is not row-specific.
    field : str or None
        Column or option name.
    problem : str
        What is wrong, in a few words.

    Examples
    --------
    >>> str(InputError("events.csv", 3, "latitude", "not a number: 'abc'"))
    "events.csv: row 3, field 'latitude': not a number: 'abc'"
    >>> str(InputError("events.csv", None, None, "empty file"))
    'events.csv: empty file'
    """

    def __init__(self, path: str, row: int | None, field: str | None, problem: str) -> None:
        self.path, self.row, self.field, self.problem = str(path), row, field, problem
        where = [self.path]
        if row is not None:
            where.append(f" row {row}")
        if field is not None:
            where.append(f"{',' if row is not None else ''} field {field!r}")
        head = where[0] + (":" + "".join(where[1:]) if len(where) > 1 else "")
        super().__init__(f"{head}: {problem}")

    def __reduce__(self):
        # rebuild from the four parts, so the error survives a trip between processes
        return (type(self), (self.path, self.row, self.field, self.problem))


class ParameterError(BordermapError, ValueError):
    """A bad value for a library parameter, named as the Python API spells it.

    The CLI maps the parameter to its option (``res`` to ``--res``), so the
    library never speaks in command-line flags.

    Parameters
    ----------
    param : str
        Name of the function parameter, such as ``"res"`` or ``"zones_km"``.
    problem : str
        What is wrong, in a few words.

    Examples
    --------
    >>> str(ParameterError("res", "must be a positive number of degrees: -1"))
    'res: must be a positive number of degrees: -1'
    """

    def __init__(self, param: str, problem: str) -> None:
        self.param, self.problem = param, problem
        super().__init__(f"{param}: {problem}")

    def __reduce__(self):
        return (type(self), (self.param, self.problem))


class LayerError(BordermapError, KeyError):
    """An unknown embedded layer, country or border pair; the message lists what exists."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class OutputExistsError(BordermapError, FileExistsError):
    """Refusal to replace an existing output file without ``overwrite``.

    Examples
    --------
    >>> str(OutputExistsError("maps/a.html"))
    'maps/a.html exists and overwrite is not set'
    """

    def __init__(self, path: str) -> None:
        self.path = str(path)
        super().__init__(f"{path} exists and overwrite is not set")

    def __reduce__(self):
        return (type(self), (self.path,))

    def __str__(self) -> str:
        return f"{self.path} exists and overwrite is not set"


class SourceError(BordermapError):
    """A pinned upstream source could not be fetched or failed its checksum."""
