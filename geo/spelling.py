"""How names are compared: the normalised form and the spelling-insensitive loose key.

Pure functions on strings, shared by the gazetteer (:mod:`geo.gazetteer`) and
the build of its name index (``tools/world_places.py``), so the layers store
exactly the forms the gazetteer compares.
"""

from __future__ import annotations

import re

from geo.country_codes import normalise_name

__all__ = ["loose_key", "normalise"]

#: Connecting words dropped from a loose key.
_STOP = {"and", "va", "e", "i", "of", "the", "al", "el", "province", "ostan"}

#: Arabic-script letters written differently in Arabic, Persian, Urdu and Pashto, read alike:
#: Arabic yeh, alef maksura, Pashto and Urdu yeh as Persian yeh (U+06CC); Arabic kaf as
#: keheh (U+06A9); teh marbuta, heh with yeh, heh goal, heh doachashmee as heh (U+0647);
#: the tatweel (U+0640) dropped.
_ARABIC_FOLD = str.maketrans(
    {
        **dict.fromkeys("\u064a\u0649\u06d0\u06d2", "\u06cc"),
        "\u0643": "\u06a9",
        **dict.fromkeys("\u0629\u06c0\u06c1\u06be", "\u0647"),
        "\u0640": None,
    }
)


def normalise(name: str) -> str:
    """Return the normalised form names are matched on.

    :func:`geo.country_codes.normalise_name` (lower case, no diacritics or
    punctuation), with the Arabic-script letters that Persian, Urdu and
    Pashto write differently read alike (Arabic yeh and kaf as the Persian
    letters, the Urdu heh goal as heh): Quetta in Arabic letters matches
    its Persian spelling.

    Examples
    --------
    >>> normalise("\u0643\u0648\u064a\u062a\u0647") == normalise("\u06a9\u0648\u06cc\u062a\u0647")
    True
    >>> normalise("Zāhedān")
    'zahedan'
    """
    return normalise_name(str(name).translate(_ARABIC_FOLD))


def loose_key(name: str) -> str:
    """Return the spelling-insensitive key of a name.

    Examples
    --------
    >>> loose_key("Sistan-Baluchestan") == loose_key("Sistan and Baluchistan")
    True
    >>> loose_key("Sarawan") == loose_key("Saravan"), loose_key("Kerman") == loose_key("Karaman")
    (True, False)
    """
    words = [w for w in normalise(name).split() if w not in _STOP]
    text = "".join(words).replace("w", "v").replace("kh", "k").replace("ou", "u")
    text = re.sub(r"[aeiouy]+", "a", text)
    return re.sub(r"(.)\1+", r"\1", text)
