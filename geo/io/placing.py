"""Place rows without coordinates by their location name, and say so row by row.

Every row placed from the gazetteer gets a ``placed_by_name`` warning naming
the name asked, the place chosen and its score, so an analyst can review
each guess; rows that stay unplaced are ``missing_coordinates`` errors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.gazetteer import NOT_FOUND, not_found_message, place_many
from geo.io.layouts import problems_frame

__all__ = ["place_by_name"]


def place_by_name(norm: pd.DataFrame, bad_coords: np.ndarray) -> list[pd.DataFrame]:
    """Fill missing coordinates from the gazetteer, in place; report every row placed or not.

    Parameters
    ----------
    norm : pandas.DataFrame
        A normalised chunk (``latitude``, ``longitude``, ``location``, ``iso3``,
        ``country``, ``admin1``, ``geo_precision``, ``placement_*``).
    bad_coords : numpy.ndarray of bool
        Rows whose coordinates were given but unreadable (never placed by name).

    Returns
    -------
    list of pandas.DataFrame
        ``placed_by_name`` warnings (row, id, name, place chosen, score) and
        ``missing_coordinates`` errors.
    """
    no_lat, no_lon = norm["latitude"].isna().to_numpy(), norm["longitude"].isna().to_numpy()
    # one coordinate stated, the other empty: the stated one is not thrown away for a
    # place found by name; the row is rejected (as a file with one coordinate column is)
    half = (no_lat != no_lon) & ~bad_coords
    missing = no_lat & no_lon & ~bad_coords
    problems = [_half_coordinates(norm, half, no_lat)] if half.any() else []
    if not missing.any():
        return problems
    named = missing & norm["location"].notna().to_numpy()
    unplaced = missing & ~named
    if named.any():
        idx = np.flatnonzero(named)
        found = place_many(
            norm["location"].iloc[idx],
            # an unknown stated country must not fall back to the embedded region
            country=norm["iso3"].iloc[idx].fillna(norm["country"].iloc[idx]),
            admin1=norm["admin1"].iloc[idx],
        )
        ok = found["latitude"].notna().to_numpy()
        hit = idx[ok]
        cols = norm.columns
        norm.iloc[hit, cols.get_loc("latitude")] = found["latitude"].to_numpy()[ok]
        norm.iloc[hit, cols.get_loc("longitude")] = found["longitude"].to_numpy()[ok]
        stated = norm["geo_precision"].iloc[hit].fillna(1).to_numpy(dtype="int64")
        gaz = found["precision"].to_numpy(dtype="int64")[ok]
        norm.iloc[hit, cols.get_loc("geo_precision")] = np.maximum(stated, gaz)
        norm.iloc[hit, cols.get_loc("placement_method")] = "gazetteer"
        norm.iloc[hit, cols.get_loc("placement_score")] = found["score"].to_numpy()[ok]
        problems.append(_placed_by_name(norm, hit, found[ok]))
        lost = idx[~ok]
        if len(lost):
            mask = np.zeros(len(norm), dtype=bool)
            mask[lost] = True
            text = pd.Series("", index=norm.index, dtype="string")
            text.iloc[lost] = _not_found(norm, lost)
            problems.append(
                problems_frame(
                    norm["row"],
                    norm["event_id"],
                    mask,
                    "missing_coordinates",
                    "location",
                    "error",
                    text,
                )
            )
    problems.append(
        problems_frame(
            norm["row"],
            norm["event_id"],
            unplaced,
            "missing_coordinates",
            "latitude",
            "error",
            "no coordinates and no location name",
        )
    )
    return problems


#: Most distinct unplaced names per chunk whose message says where else they exist.
MAX_ELSEWHERE = 200


def _not_found(norm: pd.DataFrame, lost: np.ndarray) -> list[str]:
    """Say, for each unplaced row, that its name was not found, or in which countries it is."""
    names = norm["location"].iloc[lost].astype(str).to_numpy()
    stated = norm["iso3"].iloc[lost].fillna(norm["country"].iloc[lost]).to_numpy(dtype=object)
    said: dict[tuple, str] = {}
    for key in zip(names, stated, strict=True):
        if key not in said:
            name, country = key
            country = country if isinstance(country, str) and country else None
            reason = NOT_FOUND
            if country is not None and len(said) < MAX_ELSEWHERE:
                reason = not_found_message(name, country=country)
            said[key] = f"no coordinates; location {name!r}: {reason}"
    return [said[key] for key in zip(names, stated, strict=True)]


def _half_coordinates(norm: pd.DataFrame, half: np.ndarray, no_lat: np.ndarray) -> pd.DataFrame:
    """Errors for rows that state one coordinate and leave the other empty."""
    found = []
    for empty, given, rows in (
        ("latitude", "longitude", half & no_lat),
        ("longitude", "latitude", half & ~no_lat),
    ):
        text = [
            f"{empty} is empty but {given} is {v:g}: give both coordinates, or neither to "
            "place the event by its location name"
            for v in norm.loc[rows, given]
        ]
        found.append(
            problems_frame(
                norm["row"], norm["event_id"], rows, "bad_coordinates", empty, "error",
                lambda _m, text=text: text,
            )
        )  # fmt: skip
    return pd.concat(found, ignore_index=True)


def _placed_by_name(norm: pd.DataFrame, hit: np.ndarray, found: pd.DataFrame) -> pd.DataFrame:
    """One warning per row whose coordinates came from the gazetteer, for review."""
    mask = np.zeros(len(norm), dtype=bool)
    mask[hit] = True
    asked = norm["location"].iloc[hit].astype(str).to_numpy()
    text = pd.Series("", index=norm.index, dtype="string")
    text.iloc[hit] = [
        f"placed by name {a!r} at {n!r} ({la:.4f}, {lo:.4f}), score {s:.0f}"
        for a, n, la, lo, s in zip(
            asked,
            found["name"].astype(str),
            found["latitude"],
            found["longitude"],
            found["score"],
            strict=True,
        )
    ]
    return problems_frame(
        norm["row"], norm["event_id"], mask, "placed_by_name", "location", "warning", text
    )
