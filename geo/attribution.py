"""Which state carried out an event: stated in ``attacker_iso3`` or inferred from actor names.

ACLED has no attacker column: it names the acting state's forces in
``actor1`` (and in ``assoc_actor_1``), for example ``Military Forces of
Pakistan (2018-)`` or ``Police Forces of Iran (1989-) Border Guard``. UCDP
GED names the government in ``side_a`` (``Government of Pakistan``). A state
named there is the event's attacker; where that state is not the country the
event lies in, the event is a cross-border strike.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame(
...     {
...         "actor1": ["Military Forces of Pakistan (2018-)", "Taliban", None],
...         "side_a": [None, None, "Government of Iran"],
...     }
... )
>>> attacker, basis = attribute_attacker(frame)
>>> attacker.tolist(), basis.tolist()
(['PAK', None, 'IRN'], ['inferred', None, 'inferred'])
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from geo.country_codes import iso3_from_name

__all__ = ["ACTOR_COLUMNS", "STATE_FORCES", "attribute_attacker", "state_of_actor"]

#: Columns read for an inferred attacker, in order of preference.
ACTOR_COLUMNS = ("actor1", "assoc_actor_1", "side_a")

#: How a state's own forces are named in ACLED and UCDP actor columns.
STATE_FORCES = re.compile(
    r"""^\s*(?:
        (?:military|police|security|armed|naval|border|special)\s+forces
        | air\s+force | navy | army | government
    )\s+of\s+(?P<state>.+?)
    \s*(?:\(\d{4}\s*-\s*(?:\d{4})?\)|$)""",
    re.IGNORECASE | re.VERBOSE,
)

_CODE = re.compile(r"^[A-Z]{3}$")


def state_of_actor(name) -> str | None:
    """ISO3 of the state whose forces an actor name denotes, or None.

    Parameters
    ----------
    name : str or None
        One actor name; ACLED lists several associated actors separated by
        ``;`` and UCDP several governments by ``,``: the first state wins.

    Returns
    -------
    str or None

    Examples
    --------
    >>> state_of_actor("Military Forces of the Democratic Republic of Congo (2019-)")
    'COD'
    >>> state_of_actor("Air Force of Iran (1989-)"), state_of_actor("Baloch Separatists")
    ('IRN', None)
    """
    if not isinstance(name, str):
        return None
    for part in re.split(r"[;,]", name):
        found = STATE_FORCES.match(part)
        if not found:
            continue
        state = re.sub(r"^the\s+", "", found.group("state").strip(), flags=re.IGNORECASE)
        code = iso3_from_name(pd.Series([state])).iloc[0]
        if isinstance(code, str):
            return code
    return None


def _stated(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return ``attacker_iso3`` where it is a three-letter code (else None), and where it is."""
    if "attacker_iso3" not in frame:
        return np.full(len(frame), None, dtype=object), np.zeros(len(frame), dtype=bool)
    text = frame["attacker_iso3"].astype("string").str.strip().str.upper()
    ok = text.str.fullmatch(_CODE.pattern).fillna(False).to_numpy(dtype=bool)
    return np.where(ok, text.to_numpy(dtype=object, na_value=None), None), ok


def _inferred(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return the state named in the actor columns (else None), and where one is."""
    out = np.full(len(frame), None, dtype=object)
    found = np.zeros(len(frame), dtype=bool)
    for column in ACTOR_COLUMNS:
        if column not in frame:
            continue
        todo = np.flatnonzero(~found)
        if not len(todo):
            break
        # each distinct name is looked up once; rows take their name's state by code
        codes, names = pd.factorize(frame[column])
        states = np.array([*(state_of_actor(name) for name in names), None], dtype=object)
        named = np.append(np.array([s is not None for s in states[:-1]], dtype=bool), False)
        out[todo] = states[codes[todo]]  # code -1 (missing) takes the trailing None
        found[todo] = named[codes[todo]]
    return out, found


def attribute_attacker(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Find the attacking state of each event and how it was found.

    Parameters
    ----------
    frame : DataFrame
        Events; read are ``attacker_iso3`` (stated) and, where that is empty,
        :data:`ACTOR_COLUMNS` (inferred).

    Returns
    -------
    attacker : numpy.ndarray of object
        ISO3 code, or None.
    basis : numpy.ndarray of object
        ``"stated"``, ``"inferred"`` or None (no attacker).
    """
    stated, is_stated = _stated(frame)
    inferred, is_inferred = _inferred(frame)
    attacker = np.where(is_stated, stated, inferred).astype(object)
    basis = np.where(is_stated, "stated", np.where(is_inferred, "inferred", None)).astype(object)
    return attacker, basis
