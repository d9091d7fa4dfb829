"""One palette for the whole theatre: the map, the figure and the QGIS styles use it.

A country keeps its colour across every output of a theatre: the theatre's
two countries take :data:`PAIR_COLOURS` in order (Iran red, Pakistan blue in
the default theatre), every other attacker its own slot of :data:`PALETTE`
(the same from map to map); attackers beyond the palette share
:data:`OTHER_COLOUR` ("Other attackers"), and events with no attacker take the
lighter :data:`NO_ATTACKER_COLOUR`.

Examples
--------
>>> attacker_colours(["PAK", "USA", "", "IRN"], ("IRN", "PAK"))
{'IRN': '#d62728', 'PAK': '#1668b0', 'USA': '#12a3b4', '': '#a6a6a6'}
>>> zone_ramp(3)
['#4a3b78', '#9488b3', '#ddd6ee']
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable, Sequence

__all__ = [
    "BACKGROUND",
    "BORDER_COLOUR",
    "COUNTRY_FILL",
    "COUNTRY_OUTLINE",
    "FATALITY_SAMPLES",
    "NO_ATTACKER_COLOUR",
    "NO_ATTACKER_LABEL",
    "OTHER_COLOUR",
    "PAIR_COLOURS",
    "PALETTE",
    "SIDE_RAMPS",
    "ZONE_FAR",
    "ZONE_NEAR",
    "attacker_colours",
    "attacker_label",
    "blend",
    "fatality_labels",
    "frame_colours",
    "legend_order",
    "other_attackers_label",
    "zone_ramp",
]

#: Sea, and wherever no tile loads, so the vector layers alone read as a map.
BACKGROUND = "#d3dbe3"
#: Land of the theatre's two countries, and of their neighbours.
COUNTRY_FILL = {"pair": "#f6f3ec", "other": "#e8e5de"}
COUNTRY_OUTLINE = "#7a7a7a"
BORDER_COLOUR = "#1d1d1d"
#: Distance zones, nearest band darkest, one ramp for both sides.
ZONE_NEAR, ZONE_FAR = "#4a3b78", "#ddd6ee"
#: Zone ramps per side where the two sides are drawn apart (figure), near to far.
SIDE_RAMPS = (("#5b4a91", "#e6e0f2"), ("#1f7f74", "#dcefeb"))
#: The theatre's first and second country, as attackers.
PAIR_COLOURS = ("#d62728", "#1668b0")
#: Other attackers, in sorted order of their codes.
PALETTE = ("#2a9d3a", "#e07b00", "#8c564b", "#c4469c", "#12a3b4", "#6b6b00")
#: Attackers beyond the palette, together (a dark grey).
OTHER_COLOUR = "#4d4d4d"
#: Events with no attacker stated or inferred (a light grey, apart from the dark one).
NO_ATTACKER_COLOUR = "#a6a6a6"
#: Their label in every legend: the map, the figure and the QGIS style.
NO_ATTACKER_LABEL = "No attacker stated or inferred"


#: Tolls the size keys show; markers stop growing at about the last, so it reads "50+".
FATALITY_SAMPLES = (0, 10, 50)


def fatality_labels(samples: Sequence[int] = FATALITY_SAMPLES) -> list[str]:
    """Labels of a size key: the samples, the last (where markers stop growing) with a ``+``.

    Examples
    --------
    >>> fatality_labels()
    ['0', '10', '50+']
    """
    return [*(str(n) for n in samples[:-1]), f"{samples[-1]}+"]


def legend_order(counts: dict[str, int], countries: Sequence[str] = ()) -> list[str]:
    """Order of the attackers in every legend: the theatre's states, then the rest by events.

    Ties keep the theatre's order for its states, and the code's for the rest.

    Examples
    --------
    >>> legend_order({"USA": 3, "IRN": 1, "PAK": 1, "AFG": 3}, ("PAK", "IRN"))
    ['PAK', 'IRN', 'AFG', 'USA']
    """
    countries = tuple(countries)

    def key(code: str):
        if code in countries:
            return (0, -counts[code], countries.index(code), "")
        return (1, -counts[code], 0, code)

    return sorted(counts, key=key)


def attacker_label(code: str, names: dict[str, str], countries: Sequence[str] = ()) -> str:
    """How every legend names an attacker: the theatre's countries as state forces.

    Examples
    --------
    >>> attacker_label("PAK", {"PAK": "Pakistan"}, ("IRN", "PAK"))
    'Pakistan (state forces)'
    >>> attacker_label("USA", {}, ("IRN", "PAK"))
    'USA'
    """
    name = str(names.get(code, code))
    return f"{name} (state forces)" if code in countries else name


def other_attackers_label(count: int) -> str:
    """Legend label of the attackers beyond the palette, the same in every output.

    Examples
    --------
    >>> other_attackers_label(1), other_attackers_label(3)
    ('Other attackers (1 more)', 'Other attackers (3 more)')
    """
    return f"Other attackers ({count} more)"


def attacker_colours(codes: Iterable[str], pair: Sequence[str] = ()) -> dict[str, str]:
    """Colour of every attacker code, the same in every output of a theatre.

    Parameters
    ----------
    codes : iterable of str
        Attacker codes (ISO3 or names); empty or missing means none coded.
    pair : sequence of str
        The theatre's countries, which take :data:`PAIR_COLOURS` in order.

    Returns
    -------
    dict of str to str
        Code to ``#rrggbb``: the pair first (:data:`PAIR_COLOURS`), then the
        other codes sorted, each in its own slot of :data:`PALETTE` (the same
        in every map, figure and GeoPackage, whatever other codes are
        present, unless two share a slot), then ``""`` for events with no
        attacker.

    Examples
    --------
    >>> attacker_colours([], ())
    {'': '#a6a6a6'}
    """
    colours = dict(zip(pair, PAIR_COLOURS, strict=False))
    seen = {str(c) for c in codes if isinstance(c, str) and c and c not in colours}
    used: set[str] = set()
    for code in sorted(seen):
        # each code starts from its own slot, so Russia keeps its colour from map to
        # map whoever else is there; a taken slot passes to the next free one
        i = zlib.crc32(code.encode()) % len(PALETTE)
        for step in range(len(PALETTE)):
            if PALETTE[(i + step) % len(PALETTE)] not in used:
                i = (i + step) % len(PALETTE)
                break
        colours[code] = PALETTE[i]
        used.add(PALETTE[i])
    colours[""] = NO_ATTACKER_COLOUR
    return colours


def frame_colours(codes: Iterable[str], pair: Sequence[str] = ()) -> dict[str, str]:
    """Colours of a frame's attackers, as the map's legend gives them.

    The pair keeps :data:`PAIR_COLOURS`; the most frequent other attackers
    (as many as :data:`PALETTE` has colours; ties by code) take their
    :func:`attacker_colours`; any rarer one is :data:`OTHER_COLOUR` ("other
    attackers"). The map, the figure and the GeoPackage's style all call
    this on the same events, so an attacker has one colour in all three.

    Parameters
    ----------
    codes : iterable of str
        The attacker of every event (repeated: frequency matters).
    pair : sequence of str

    Returns
    -------
    dict of str to str
        Every code present, and ``""``.

    Examples
    --------
    >>> frame_colours(["RUS", "RUS", "BLR", ""], ("UKR",))["BLR"] in PALETTE
    True
    """
    counts = Counter(str(c) for c in codes if isinstance(c, str) and c)
    others = sorted((c for c in counts if c not in pair), key=lambda c: (-counts[c], c))
    colours = attacker_colours(others[: len(PALETTE)], pair)
    for code in others[len(PALETTE) :]:
        colours[code] = OTHER_COLOUR
    return colours


def blend(near: str, far: str, t: float) -> str:
    """Colour a fraction ``t`` of the way from ``near`` to ``far``, as ``#rrggbb``.

    Examples
    --------
    >>> blend("#000000", "#ffffff", 0.5)
    '#808080'
    """
    a = [int(near[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(far[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))


def zone_ramp(n: int, near: str = ZONE_NEAR, far: str = ZONE_FAR) -> list[str]:
    """``n`` colours from ``near`` (the band at the border) to ``far``.

    Examples
    --------
    >>> zone_ramp(1)
    ['#4a3b78']
    """
    return [blend(near, far, i / max(n - 1, 1)) for i in range(n)]
