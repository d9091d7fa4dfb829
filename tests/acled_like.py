"""A 200-row ACLED export of the Afghanistan-Pakistan-Iran frontier, shaped like the real one.

The rows use ACLED's 31 columns, its actor names (``Military Forces of
Pakistan (2018-)``), its precision codes and its habit of stating the
province. Every row is built from a place whose answer is known:

- ``strike``: a cross-border strike coded only in ``actor1`` (Barmal and
  Khost by Pakistan, Panjgur by Iran, Saravan by Pakistan);
- ``fata``: towns of the former tribal areas, stated in Khyber Pakhtunkhwa;
- ``offshore``: a point in the sea within 12 nautical miles of the coast;
- ``province``: ``geo_precision`` 3, only the province known;
- ``plain``: precise events inside each of the three countries.
"""

from __future__ import annotations

import csv
import io

import numpy as np

COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]

PAK_ARMY = "Military Forces of Pakistan (2018-)"
IRN_IRGC = "Military Forces of Iran (1989-) Islamic Revolutionary Guard Corps"
AFG_ARMY = "Military Forces of Afghanistan (2021-)"

# kind, country, iso numeric, admin1 as ACLED states it, location, lon, lat, precision, actor1,
# the expected province and the expected attacker
PLACES = [
    (
        "strike",
        "Afghanistan",
        4,
        "Paktika",
        "Barmal",
        69.283,
        32.680,
        1,
        PAK_ARMY,
        "Paktika",
        "PAK",
    ),
    ("strike", "Afghanistan", 4, "Khost", "Sepera", 69.700, 33.250, 2, PAK_ARMY, "Khost", "PAK"),
    (
        "strike",
        "Pakistan",
        586,
        "Balochistan",
        "Panjgur",
        64.094,
        26.965,
        2,
        IRN_IRGC,
        "Balochistan",
        "IRN",
    ),
    (
        "strike",
        "Iran",
        364,
        "Sistan and Baluchestan",
        "Saravan",
        62.334,
        27.371,
        2,
        PAK_ARMY,
        "Sistan and Baluchestan",
        "PAK",
    ),
    (
        "fata",
        "Pakistan",
        586,
        "Khyber Pakhtunkhwa",
        "Wana",
        69.576,
        32.299,
        1,
        "Tehreek-i-Taliban Pakistan (TTP)",
        "Khyber Pakhtunkhwa",
        None,
    ),
    (
        "fata",
        "Pakistan",
        586,
        "Khyber Pakhtunkhwa",
        "Miran Shah",
        70.070,
        33.001,
        1,
        PAK_ARMY,
        "Khyber Pakhtunkhwa",
        "PAK",
    ),
    (
        "fata",
        "Pakistan",
        586,
        "Khyber Pakhtunkhwa",
        "Mir Ali",
        70.268,
        32.960,
        1,
        "Unidentified Armed Group (Pakistan)",
        "Khyber Pakhtunkhwa",
        None,
    ),
    (
        "fata",
        "Pakistan",
        586,
        "Khyber Pakhtunkhwa",
        "Khar",
        71.523,
        34.723,
        1,
        "Protesters (Pakistan)",
        "Khyber Pakhtunkhwa",
        None,
    ),
    (
        "fata",
        "Pakistan",
        586,
        "Khyber Pakhtunkhwa",
        "Landi Kotal",
        71.146,
        34.098,
        1,
        "Police Forces of Pakistan (2018-)",
        "Khyber Pakhtunkhwa",
        "PAK",
    ),
    (
        "fata",
        "Pakistan",
        586,
        "Khyber Pakhtunkhwa",
        "Parachinar",
        70.098,
        33.899,
        1,
        "Rioters (Pakistan)",
        "Khyber Pakhtunkhwa",
        None,
    ),
    (
        "offshore",
        "Iran",
        364,
        "Sistan and Baluchestan",
        "Chabahar",
        60.620,
        25.275,
        1,
        "Military Forces of Iran (1989-) Navy",
        "Sistan and Baluchestan",
        "IRN",
    ),
    (
        "offshore",
        "Pakistan",
        586,
        "Balochistan",
        "Gwadar",
        62.330,
        25.090,
        1,
        "Unidentified Armed Group (Pakistan)",
        "Balochistan",
        None,
    ),
    (
        "province",
        "Pakistan",
        586,
        "Balochistan",
        "Balochistan",
        65.300,
        28.300,
        3,
        "Baloch Liberation Army",
        "Balochistan",
        None,
    ),
    (
        "province",
        "Afghanistan",
        4,
        "Nangarhar",
        "Nangarhar",
        70.500,
        34.300,
        3,
        AFG_ARMY,
        "Nangarhar",
        "AFG",
    ),
    (
        "plain",
        "Iran",
        364,
        "Sistan and Baluchestan",
        "Zahedan",
        60.863,
        29.496,
        1,
        "Jaish al-Adl",
        "Sistan and Baluchestan",
        None,
    ),
    (
        "plain",
        "Afghanistan",
        4,
        "Kandahar",
        "Spin Boldak",
        66.398,
        31.006,
        1,
        AFG_ARMY,
        "Kandahar",
        "AFG",
    ),
    (
        "plain",
        "Afghanistan",
        4,
        "Daykundi",
        "Nili",
        66.140,
        33.722,
        1,
        "Unidentified Armed Group (Afghanistan)",
        "Daykundi",
        None,
    ),
    (
        "plain",
        "Afghanistan",
        4,
        "Panjshir",
        "Bazarak",
        69.516,
        35.313,
        1,
        "National Resistance Front",
        "Panjshir",
        None,
    ),
]

KINDS = sorted({p[0] for p in PLACES})


def acled_rows(n: int = 200, *, seed: int = 7) -> list[dict]:
    """Rows of the export, cycling through :data:`PLACES` with small date and text variety.

    Coordinates are the places' own (ACLED gives one point per place), so the
    expected province and attacker of every row are those of its place.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        kind, country, iso, admin1, loc, lon, lat, prec, actor, _, _ = PLACES[i % len(PLACES)]
        day = int(rng.integers(1, 28))
        rows.append(
            {
                "event_id_cnty": f"{country[:3].upper()}{30000 + i}",
                "event_date": f"2024-03-{day:02d}",
                "year": 2024,
                "time_precision": 1,
                "disorder_type": "Political violence",
                "event_type": "Explosions/Remote violence" if kind == "strike" else "Battles",
                "sub_event_type": "Air/drone strike" if kind == "strike" else "Armed clash",
                "actor1": actor,
                "assoc_actor_1": "",
                "inter1": 8 if actor.startswith(("Military", "Police")) else 2,
                "actor2": "Civilians (" + country + ")",
                "assoc_actor_2": "",
                "inter2": 7,
                "interaction": 87,
                "civilian_targeting": "",
                "iso": iso,
                "region": "Caucasus and Central Asia" if iso == 364 else "Southern Asia",
                "country": country,
                "admin1": admin1,
                "admin2": "",
                "admin3": "",
                "location": loc,
                "latitude": f"{lat:.4f}",
                "longitude": f"{lon:.4f}",
                "geo_precision": prec,
                "source": ["Dawn", "Pajhwok Afghan News", "Radio Zamaneh", "Xinhua"][i % 4],
                "source_scale": "National",
                "notes": f'On {day} March 2024, near {loc}, "{kind}" (row {i}); unclear.',
                "fatalities": int(rng.integers(0, 9)),
                "tags": "",
                "timestamp": 1711000000 + i,
            }
        )
    return rows


def expected(n: int = 200) -> list[dict]:
    """Kind, location, expected province and attacker for each row of :func:`acled_rows`."""
    out = []
    for i in range(n):
        kind, _, _, _, loc, _, _, _, _, province, attacker = PLACES[i % len(PLACES)]
        out.append({"kind": kind, "location": loc, "province": province, "attacker": attacker})
    return out


def to_csv(rows: list[dict], *, dayfirst: bool = False, encoding: str = "utf-8") -> bytes:
    """The rows as an export file, optionally with Excel's day-first dates."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        if dayfirst:
            y, m, d = row["event_date"].split("-")
            row = {**row, "event_date": f"{d}/{m}/{y}"}
        writer.writerow(row)
    return buffer.getvalue().encode(encoding)
