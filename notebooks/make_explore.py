"""Write ``notebooks/explore.ipynb`` from the cells below, with no outputs.

Edit the cells here, then run ``.venv/bin/python notebooks/make_explore.py``;
``tests/test_notebook.py`` checks that the committed notebook matches.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
TARGET = HERE / "explore.ipynb"


def md(text: str) -> tuple[str, str]:
    """Tag ``text`` as a Markdown cell."""
    return ("md", text)


def code(text: str) -> tuple[str, str]:
    """Tag ``text`` as a code cell."""
    return ("code", text)


CELLS = [
    md("""\
# January 2024 on the Iran\u2013Pakistan border

On 16 January 2024 Iran struck what it called Jaish al-Adl bases at Koh-e-Sabz in
Panjgur district, Pakistan. Two days later Pakistan struck Baluch separatists near
Saravan, in Iran's Sistan and Baluchestan, while Iran began an air-defence drill from
Chabahar. The day before the Panjgur strike, Iran had fired missiles at Erbil and
Idlib; on 3 January bombs had killed 95 people in Kerman.

This notebook retraces that fortnight with `geo`: the border, the strikes, how far
each fell from the line, the zones they fell in, a map, a figure for a paper and a
GeoPackage for GIS. Everything runs offline from the embedded layers."""),
    md("## The layers"),
    code("""\
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

import geo
from geo.geodesy import line_length_km
from geo.proximity import strike_pairs, summarize

pd.set_option("display.precision", 1)
countries = geo.countries()
provinces = geo.provinces(countries=["IRN", "PAK"])
border = geo.border("IRN", "PAK")
print(f"{len(countries)} countries, {len(provinces)} provinces of Iran and Pakistan, "
      f"{len(geo.places())} gazetteer entries")
countries.drop(columns="geometry")"""),
    md("""\
## How long is the border?

The CIA World Factbook gives 959 km; the article this project started from said about
900 km. Measured along the embedded line, on the WGS84 ellipsoid:"""),
    code("""\
measured_km = line_length_km(border.geometry.iloc[0])
print(f"Measured IRN-PAK border: {measured_km:.1f} km (geodesic, WGS84)")
pd.DataFrame({
    "source": ["bordermap, measured", "CIA World Factbook", "seed article"],
    "length_km": [measured_km, 959.0, 900.0],
}).assign(difference_pct=lambda t: 100 * (t["length_km"] / measured_km - 1))"""),
    md("""\
## The strikes

The seed events follow the ACLED layout. The Panjgur strike is coded to Panjgur town
with precision 2: reports named only the district. The gazetteer knows the village
they named, Koh-e-Sabz, and finds other spellings too."""),
    code("""\
events = geo.seed_events()
events[["event_id", "event_date", "location", "actor1", "attacker_iso3", "fatalities",
        "geo_precision"]]"""),
    code("""\
koh = geo.place("Koh-e-Sabz", country="PAK")
print(f"{koh['name']}: {koh['kind']} in {koh['admin1']}, "
      f"{koh['latitude']:.2f} N {koh['longitude']:.2f} E (precision {koh['precision']})")
geo.geocode(["Chah Bahar", "Sarawan", "Panjgur"])[
    ["query", "name", "kind", "iso3", "admin1", "precision", "score"]]"""),
    md("""\
## How close to the border?

`geo.analyze` measures every event against the theatre's border: the geodesic distance to the
nearest border point, with the interval the location precision allows, the side and
province it lies in, its zone and, for a cross-border strike, how deep it went."""),
    code("""\
theatre = geo.Theatre.from_pair("IRN-PAK")  # the border, its zones and sites: built once
analyzed = geo.analyze(events, theatre)
analyzed[["location", "side", "province", "border_distance_km", "border_distance_min_km",
          "border_distance_max_km", "zone", "incursion_km"]]"""),
    code("""\
strike_pairs(analyzed)[["first_location", "second_location", "days_between", "distance_km"]]"""),
    md("""\
## The interactive map

Events sized by fatalities and coloured by attacker, with the zones, provinces and a
day-by-day slider. `offline=True` inlines every script, so it draws with no network."""),
    code("""\
m = geo.render_map(analyzed, theatre, offline=True)
m"""),
    md("## Events by zone"),
    code("""\
summarize(analyzed, by=("zone", "side"))"""),
    md("""\
## A figure for the paper

A Lambert conformal conic projection fitted to the border, a scale bar measured on
the ellipsoid and an arrow to true north; Kerman, Erbil and Idlib go to the inset."""),
    code("""\
%matplotlib inline
fig = geo.plot(analyzed, theatre)
fig"""),
    md("""\
## A GeoPackage for GIS

Every layer of the analysis, styled for QGIS, with provenance. It goes to a temporary
folder here; give any path you like."""),
    code("""\
work = Path(tempfile.mkdtemp(prefix="bordermap-"))
gpkg = geo.export_gpkg(work / "january-2024.gpkg", analyzed, theatre)
print(f"wrote {gpkg.name}: {gpkg.stat().st_size / 1e6:.1f} MB")
pd.DataFrame(pyogrio.list_layers(gpkg), columns=["layer", "geometry"])"""),
    md("""\
## A second border, and the nearest border of any pair

Any pair works the same way (codes in either order, or names). The events here are
**synthetic**: points drawn at random within 60 km of the Afghanistan-Pakistan border,
not real incidents. Sites default to towns near the border. `"nearest"` measures each
event to its nearest land border of any pair and names it in `border_pair`."""),
    code("""\
import numpy as np
import shapely

second = geo.Theatre.from_pair("PAK-AFG")
rng = np.random.default_rng(7)
ring = shapely.buffer(second.line, 0.5)  # about 50 km, in degrees: only to draw points
xy = []
while len(xy) < 40:
    x, y = rng.uniform(ring.bounds[0], ring.bounds[2]), rng.uniform(ring.bounds[1], ring.bounds[3])
    if ring.contains(shapely.Point(x, y)):
        xy.append((x, y))
synthetic = gpd.GeoDataFrame(
    {"event_id": [f"SYN{i:03d}" for i in range(len(xy))], "fatalities": 0,
     "event_date": pd.Timestamp("2024-01-01"), "location": "synthetic"},
    geometry=[shapely.Point(p) for p in xy], crs="EPSG:4326")
second_analyzed = geo.analyze(synthetic, second)
print(second.label, [name for name, *_ in second.sites])
summarize(second_analyzed, ("zone", "side"))"""),
    code("""\
nearest = geo.analyze(synthetic, "nearest")
summarize(nearest, ("border_pair", "side"))"""),
]


def build() -> nbformat.NotebookNode:
    """Assemble the notebook, outputs empty."""
    cells = [new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in CELLS]
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i:02d}"
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def main() -> int:
    """Write the notebook; exit 0."""
    nbformat.validate(nb := build())
    TARGET.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    print(f"wrote {TARGET}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
