"""Print the tables of ``layers/PROVENANCE.md`` from the built store.

Run ``python -m tools.provenance`` after ``make layers`` and paste its output
into PROVENANCE.md: the bridges over 5 km per pair, the worst tiling figures,
the lengths beside the CIA World Factbook, which country each disputed area
falls in, the overlaps still drawn in two outlines, and the store's size.
"""

from __future__ import annotations

import pandas as pd
import shapely

from geo import layers
from geo.layers import LAYERS_DIR
from geo.layers.store import WORLD, read_table
from tools.admin1_changes import load_changes
from tools.overlaps import measure_overlaps

__all__ = ["DISPUTED", "FACTBOOK_KM", "main", "markdown"]

#: CIA World Factbook land-boundary lengths (km).
FACTBOOK_KM = {
    "AFG-IRN": 921,
    "AFG-PAK": 2670,
    "BGD-MMR": 271,
    "COD-RWA": 221,
    "IRN-IRQ": 1599,
    "IRN-PAK": 959,
    "IRQ-SYR": 599,
    "KHM-THA": 817,
    "MEX-USA": 3155,
    "NOR-RUS": 191,
    "RUS-UKR": 1944,
    "SDN-TCD": 1403,
}

#: A representative point (lon, lat) of each disputed area.
DISPUTED = {
    "Kashmir: Srinagar (Indian-administered)": (74.80, 34.08),
    "Kashmir: Gilgit (Pakistani-administered)": (74.31, 35.92),
    "Kashmir: Aksai Chin (Chinese-administered)": (79.30, 35.20),
    "Western Sahara: Laayoune (west of the berm)": (-13.20, 27.15),
    "Western Sahara: Tifariti (east of the berm)": (-10.60, 26.10),
    "Crimea: Simferopol": (34.10, 44.95),
    "Crimea: Sevastopol": (33.52, 44.60),
    "West Bank: Ramallah": (35.20, 31.90),
    "Golan Heights: Katzrin": (35.69, 32.99),
    "Abyei: Abyei town": (28.44, 9.59),
    "Nagorno-Karabakh: Stepanakert": (46.75, 39.82),
    "Durand Line, east side: Peshawar": (71.58, 34.01),
    "Durand Line, west side: Jalalabad": (70.45, 34.43),
}


def markdown(frame: pd.DataFrame) -> str:
    """Render a frame as a Markdown table.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    str
    """
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * len(frame.columns)
    rows = ["| " + " | ".join(map(str, r)) + " |" for r in frame.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def _bridges() -> str:
    bridges = read_table("bridges.csv")
    long = bridges[bridges["km"] > 5].sort_values(["pair", "km"], ascending=[True, False])
    per_pair = long.groupby("pair")["km"].agg(
        lambda k: ", ".join(f"{v:.1f}" for v in sorted(k, reverse=True))
    )
    table = per_pair.reset_index().rename(columns={"km": "bridges over 5 km (km)"})
    return f"{len(long)} bridges over 5 km on {len(per_pair)} pairs.\n\n" + markdown(table)


def _tiling(worst: int = 15) -> str:
    tiling = read_table("tiling.csv")
    totals = (
        f"Over all {len(tiling)} countries: gaps {tiling['gap_km2'].sum():.2f} km², overlaps "
        f"{tiling['overlap_km2'].sum():.2f} km², outside {tiling['outside_km2'].sum():.2f} km²; "
        f"{int((tiling[['gap_km2', 'overlap_km2']].max(axis=1) <= 0.01).sum())} countries at "
        "or under 0.01 km² for both."
    )
    tiling["worst_km2"] = tiling[["gap_km2", "overlap_km2", "outside_km2"]].max(axis=1)
    top = tiling.sort_values("worst_km2", ascending=False).head(worst)
    return totals + "\n\n" + markdown(top.drop(columns="worst_km2"))


def _factbook() -> str:
    table = layers.border_table().set_index("pair")
    rows = [
        {
            "pair": pair,
            "km": f"{table.loc[pair, 'length_km']:.1f}",
            "bridged km": f"{table.loc[pair, 'bridged_km']:.1f}",
            "parts": int(table.loc[pair, "parts"]),
            "Factbook km": km,
            "difference": f"{100 * (table.loc[pair, 'length_km'] / km - 1):+.1f}%",
        }
        for pair, km in FACTBOOK_KM.items()
        if pair in table.index
    ]
    return markdown(pd.DataFrame(rows))


def _disputed() -> str:
    table = layers.country_table()
    rows = []
    for label, (lon, lat) in DISPUTED.items():
        point = shapely.Point(lon, lat)
        boxes = table[
            (table["west"] <= lon)
            & (table["east"] >= lon)
            & (table["south"] <= lat)
            & (table["north"] >= lat)
        ]
        inside = layers.countries(list(boxes["iso3"]))
        hits = inside.loc[inside.contains(point), "iso3"].tolist()
        rows.append({"area (point)": f"{label} ({lon}, {lat})", "in": ", ".join(hits) or "none"})
    return markdown(pd.DataFrame(rows))


def _changes() -> str:
    """List the reorganisations applied to Natural Earth and the unit each gives."""
    table = load_changes(LAYERS_DIR / "curated" / "admin1_changes.csv")
    rows = []
    for change in table.itertuples(index=False):
        built = layers.provinces([change.iso3]).set_index("adm1_code")
        rows.append(
            {
                "iso3": change.iso3,
                "change": change.change,
                "Natural Earth units": ", ".join(change.old_units),
                "unit in the layers": f"{change.new_unit} {built.loc[change.new_unit, 'name_en']}",
                "effective": change.effective,
            }
        )
    return markdown(pd.DataFrame(rows))


def _overlaps() -> str:
    """List the areas still drawn in two outlines (those overlaps.csv does not settle)."""
    countries = layers.countries()
    found = measure_overlaps(countries["iso3"].to_numpy(), countries.geometry.to_numpy(), 10.0)
    return f"{len(found)} pairs share 10 km² or more.\n\n" + markdown(found)


def _size() -> str:
    files = [p for p in WORLD.rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    by_layer = {}
    for p in files:
        key = p.relative_to(WORLD).parts[0]
        by_layer[key] = by_layer.get(key, 0) + p.stat().st_size
    rows = [{"part": k, "MB": f"{v / 1e6:.1f}"} for k, v in sorted(by_layer.items())]
    return f"{len(files)} files, {total / 1e6:.1f} MB in all.\n\n" + markdown(pd.DataFrame(rows))


def main() -> int:
    """Print every generated section."""
    for title, section in (
        ("Bridges", _bridges),
        ("Tiling", _tiling),
        ("Admin-1 reorganisations", _changes),
        ("Factbook", _factbook),
        ("Disputed areas", _disputed),
        ("Overlaps left as drawn", _overlaps),
        ("Store size", _size),
    ):
        print(f"### {title}\n\n{section()}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
