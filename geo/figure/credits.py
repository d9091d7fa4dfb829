"""Credit lines of a figure: the embedded layers, and the events as the user's data names them.

The events are credited to whoever the data says reported them: the most
frequent names in its ``source`` column (ACLED lists several per event,
separated by ``;``), and the file they came from. Only the embedded seed
events are bordermap's curation; that credit is never given to user data.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"source": ["Dawn; Khaama Press", "Dawn", "Pajhwok", None]})
>>> events_credit(frame, "acled.csv")
'Events: acled.csv; reported by Dawn (2), Khaama Press (1), Pajhwok (1).'
>>> events_credit(pd.DataFrame({"x": [1]}), None)
'Events: source not stated.'
"""

from __future__ import annotations

import pandas as pd

__all__ = ["LAYERS_CREDIT", "SEED_EVENTS", "events_credit"]

LAYERS_CREDIT = (
    "Borders and countries \u00a9 OpenStreetMap contributors (ODbL) via geo-maps; "
    "provinces: Natural Earth; places: GeoNames (CC BY 4.0)."
)
#: How the embedded seed events are named as the events' origin.
SEED_EVENTS = "bordermap curation of AP/Reuters reporting (CC BY 4.0)"
#: Most reporting sources a caption names.
TOP_SOURCES = 3


def _sources(frame: pd.DataFrame) -> pd.Series:
    """Count each reporting source once per event that names it, most frequent first."""
    if "source" not in frame:
        return pd.Series(dtype="int64")
    names = frame["source"].astype("string").str.split(";").explode().str.strip()
    names = names[names.notna() & (names != "")]
    # most frequent first; ties by name, so the caption does not depend on row order
    counts = names.value_counts()
    order = sorted(counts.index, key=lambda name: (-counts[name], name))
    return counts[order]


def events_credit(frame: pd.DataFrame, origin: str | None) -> str:
    """Credit the events: where they came from and who reported them.

    Parameters
    ----------
    frame : pandas.DataFrame
        The events; a ``source`` column names who reported each one.
    origin : str or None
        Where the events came from: a file name, or :data:`SEED_EVENTS`
        (which is then the whole credit).

    Returns
    -------
    str
        One sentence, starting ``Events:``.
    """
    if origin == SEED_EVENTS:  # our curation names its sources itself
        return f"Events: {SEED_EVENTS}."
    counts = _sources(frame)
    reported = ", ".join(f"{name} ({n})" for name, n in counts.iloc[:TOP_SOURCES].items())
    others = len(counts) - TOP_SOURCES
    if others > 0:
        reported += f" and {others} other source{'s' if others > 1 else ''}"
    parts = [p for p in (origin, f"reported by {reported}" if reported else "") if p]
    return "Events: " + ("; ".join(parts) if parts else "source not stated") + "."
