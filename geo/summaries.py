"""Tables over analysed events: counts per group, and strike and counter-strike pairs.

Both take the output of :func:`geo.proximity.analyze` (also re-exported there).
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import InputError
from geo.geodesy import geodesic_km
from geo.placement import AT_SEA

#: The province of an event located only to its country, in summaries.
COUNTRY_ONLY = "(country only)"
#: The counts :func:`summarize` adds up per group: events, the fatalities stated, and the
#: events whose toll is not stated (an unknown toll is not a toll of 0).
COUNTS = ("events", "fatalities", "fatalities_unknown")

__all__ = ["COUNTRY_ONLY", "COUNTS", "strike_pairs", "summarize"]


def summarize(analyzed: pd.DataFrame, by: str | Iterable[str] = ("zone", "side")) -> pd.DataFrame:
    """Count events and fatalities per group.

    Parameters
    ----------
    analyzed : DataFrame
        Output of :func:`analyze`.
    by : str or iterable of str
        Grouping columns, e.g. ``"zone"``, ``("zone", "side")``, ``"province"``.

    Returns
    -------
    DataFrame
        The grouping columns, then :data:`COUNTS`: ``events``,
        ``fatalities`` (the sum of the stated tolls) and
        ``fatalities_unknown`` (events with no stated toll, all of them when
        the column is missing); empty groups of ordered zones are kept.

    Examples
    --------
    >>> frame = pd.DataFrame({"side": ["IRN", "IRN", "PAK"], "fatalities": [3, None, None]})
    >>> summarize(frame, "side").to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'side': 'IRN', 'events': 2, 'fatalities': 3, 'fatalities_unknown': 1},
     {'side': 'PAK', 'events': 1, 'fatalities': 0, 'fatalities_unknown': 1}]
    """
    keys = [by] if isinstance(by, str) else list(by)
    missing = [k for k in keys if k not in analyzed]
    if missing:
        raise InputError("summary", None, missing[0], f"no such column; have {list(analyzed)}")
    frame = pd.DataFrame({k: analyzed[k] for k in keys})
    if "side" in analyzed:  # events at sea have no province: they count as at sea there too
        sea = (analyzed["side"] == AT_SEA).to_numpy()
        for k in {"province", "province_iso3"} & set(keys):
            frame[k] = frame[k].astype(object).where(~sea, AT_SEA)
        # events located only to their country have no province: say so, in their country
        if "province" in keys and "distance_basis" in analyzed:
            country = (analyzed["distance_basis"] == "country").to_numpy()
            bare = frame["province"].isna().to_numpy() & ~sea & country
            frame["province"] = frame["province"].where(~bare, COUNTRY_ONLY)
            if "province_iso3" in keys:
                side = analyzed["side"].astype("string")
                known = bare & (side.str.len() == 3).fillna(False).to_numpy()
                frame["province_iso3"] = frame["province_iso3"].where(~known, side)
    frame["events"] = 1
    toll = (
        pd.to_numeric(analyzed["fatalities"], errors="coerce")
        if "fatalities" in analyzed
        else pd.Series(np.nan, index=analyzed.index)
    )
    frame["fatalities"] = toll.fillna(0).astype("int64").to_numpy()
    frame["fatalities_unknown"] = toll.isna().astype("int64").to_numpy()
    table = frame.groupby(keys, observed=True, dropna=False)[list(COUNTS)].sum()
    return table.reset_index()


def strike_pairs(analyzed: pd.DataFrame, *, max_days: int = 30) -> pd.DataFrame:
    """Tit-for-tat pairs: a cross-border strike and the first strike back.

    Strikes are ordered by day, then by row within a day. A strike is paired
    with the first strike back after it (within ``max_days``) when it is the
    latest strike that reply could answer: of several strikes before one
    reply, only the last is paired, so each strike opens at most one pair and
    each reply closes at most one (a reply may open the next pair). Two
    strikes in opposite directions on the same day make one pair, the earlier
    row first.

    Parameters
    ----------
    analyzed : DataFrame
        Output of :func:`analyze`, with ``event_date`` and ``attacker``.
    max_days : int
        Longest gap between a strike and the reply.

    Returns
    -------
    DataFrame
        ``first_event_id, second_event_id, first_attacker, second_attacker,
        first_location, second_location, days_between, distance_km``.
    """
    cols = [
        "first_event_id",
        "second_event_id",
        "first_attacker",
        "second_attacker",
        "first_location",
        "second_location",
        "days_between",
        "distance_km",
    ]
    need = {"event_date", "attacker", "side", "incursion_km"}
    if not need <= set(analyzed.columns):
        return pd.DataFrame(columns=cols)
    strikes = analyzed[analyzed["incursion_km"].notna()].copy()
    if strikes.empty:
        return pd.DataFrame(columns=cols)
    strikes["_date"] = pd.to_datetime(strikes["event_date"], errors="coerce")
    strikes["_id"] = strikes["event_id"] if "event_id" in strikes else strikes.index
    strikes["_loc"] = strikes["location"] if "location" in strikes else ""
    if isinstance(strikes, gpd.GeoDataFrame):
        strikes["_x"], strikes["_y"] = strikes.geometry.x, strikes.geometry.y
    else:  # analysed from their coordinates, without point geometries
        strikes["_x"], strikes["_y"] = strikes["longitude"], strikes["latitude"]
    strikes["_a"] = strikes["attacker"].astype(str)
    strikes["_s"] = strikes["side"].astype(str)
    base = strikes[["_id", "_date", "_a", "_s", "_loc", "_x", "_y"]].dropna(subset=["_date"])
    # one order of all strikes: by day, then by row within a day
    base = base.sort_values("_date", kind="stable")
    base["_t"] = np.arange(len(base))
    first = base.add_suffix("1")
    back = base.rename(columns={"_a": "_s", "_s": "_a"})
    merged = _first_replies(first, back, max_days)
    merged = merged[_answers_latest(first, back, merged)]
    # the reply's own attacker is the first strike's target
    merged["_a2"], merged["_s2"] = merged["_s1"], merged["_a1"]
    out = pd.DataFrame(
        {
            "first_event_id": merged["_id1"].to_numpy(),
            "second_event_id": merged["_id2"].to_numpy(),
            "first_attacker": merged["_a1"].to_numpy(),
            "second_attacker": merged["_a2"].to_numpy(),
            "first_location": merged["_loc1"].to_numpy(),
            "second_location": merged["_loc2"].to_numpy(),
            "days_between": merged["days_between"].to_numpy(dtype="int64"),
            "distance_km": geodesic_km(merged["_x1"], merged["_y1"], merged["_x2"], merged["_y2"]),
        }
    )
    return out.reset_index(drop=True)


def _first_replies(first: pd.DataFrame, back: pd.DataFrame, max_days: int) -> pd.DataFrame:
    """Each strike's first strike back: the next reverse strike, in time then file order.

    Found by a sorted as-of join on the strikes' rank (linear in the strikes,
    never all pairs). On one day, a strike listed later answers one listed
    earlier: the day gives no finer order.
    """
    merged = pd.merge_asof(
        first,
        back.add_suffix("2"),
        left_on="_t1",
        right_on="_t2",
        left_by=["_a1", "_s1"],
        right_by=["_a2", "_s2"],
        direction="forward",
        allow_exact_matches=False,
    ).dropna(subset=["_t2"])
    merged["days_between"] = (merged["_date2"] - merged["_date1"]).dt.days
    return merged[merged["days_between"] <= max_days]


def _answers_latest(first: pd.DataFrame, back: pd.DataFrame, merged: pd.DataFrame) -> np.ndarray:
    """Whether each pair's reply answers its strike: the latest against it before it.

    Earlier strikes the same reply would also be the first answer to are
    left unpaired.
    """
    keys = ["_t", "_a", "_s"]
    latest = pd.merge_asof(
        back[keys].add_suffix("2"),
        first[[f"{k}1" for k in keys]],
        left_on="_t2",
        right_on="_t1",
        left_by=["_a2", "_s2"],  # in ``back`` a reply's target is "_a", its attacker "_s"
        right_by=["_a1", "_s1"],
        direction="backward",
        allow_exact_matches=False,
    )
    answers = pd.Series(latest["_t1"].to_numpy(), index=latest["_t2"].to_numpy())
    return merged["_t2"].map(answers).to_numpy() == merged["_t1"].to_numpy()
