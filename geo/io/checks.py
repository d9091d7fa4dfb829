"""Checks on normalised event chunks: coordinates against the stated country and province.

Every country of the embedded layers is checked for containment; only the
outlines and provinces of the countries a file states (and, for a point
outside its country, of the countries whose box holds it) are loaded, each
once per process. Rows stating a code that names no embedded country are
counted, never flagged. Every check is vectorised over a chunk.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from geo import layers
from geo.country_codes import EMBEDDED, countries_at
from geo.errors import LayerError
from geo.gazetteer import province_codes
from geo.io.idhash import hash_ids
from geo.io.layouts import problems_frame
from geo.io.limits import MAX_FIELD_BYTES, limit_text
from geo.io.options import FAR_KM
from geo.nearest import line_index
from geo.placement import TERRITORIAL_SEA_KM

#: A point at sea this close to its stated country is kept with a warning (200 nautical miles).
EXCLUSIVE_ZONE_KM = 200 * 1.852

__all__ = [
    "FAR_KM",
    "PLACEHOLDER_POINTS",
    "PLACEHOLDER_VALUES",
    "DuplicateIds",
    "check_admin1",
    "check_coordinates",
    "check_field_sizes",
    "embedded_codes",
]

#: (lat, lon) points that mark "no location" in exports: Null Island and its kin.
PLACEHOLDER_POINTS = ((0.0, 0.0), (1.0, 1.0), (-1.0, -1.0))
#: Sentinel numbers standing for "unknown" in a coordinate (all beyond +-180).
PLACEHOLDER_VALUES = (999.0, 9999.0, 99999.0, 999999.0)

# Beyond this distance from the stated country an event is rejected; closer it is a warning
# (events near a border are what bordermap is for, and town points can sit across the line).


@functools.cache
def embedded_codes() -> list[str]:
    """ISO3 of every embedded country, read once per process."""
    return list(EMBEDDED)


@functools.cache
def _country(iso3: str):
    """Return the prepared outline of one embedded country (loaded on first use)."""
    parts = layers.countries([iso3]).geometry.to_numpy()
    # one valid outline is used as it is (a union would only rebuild it, 0.1 s for IRN)
    one = len(parts) == 1 and bool(shapely.is_valid(parts[0]))
    geom = parts[0] if one else shapely.union_all(parts)
    shapely.prepare(geom)
    return geom


@functools.cache
def _provinces(iso3: str) -> tuple[pd.DataFrame, dict[str, object]]:
    """Provinces of one country: the table, and prepared polygons by ``adm1_code``."""
    try:
        frame = layers.provinces(countries=[iso3])
    except LayerError:  # a country without admin-1 polygons
        frame = layers.provinces(countries=[])
    # a province split over several rows is merged; most come as one row (no union needed)
    merged = (
        frame if frame["adm1_code"].is_unique else frame.dissolve(by="adm1_code", as_index=False)
    )
    polys = {}
    for code, geom in zip(merged["adm1_code"], merged.geometry, strict=True):
        shapely.prepare(geom)
        polys[code] = geom
    return frame.drop(columns="geometry"), polys


def _which_country(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    found = np.full(len(lon), "", dtype=object)
    for iso3 in countries_at(lon, lat):
        todo = found == ""
        if not todo.any():
            break
        hit = np.zeros(len(lon), dtype=bool)
        hit[todo] = shapely.contains_xy(_country(iso3), lon[todo], lat[todo])
        found[hit] = iso3
    return found


def _km_outside(poly, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Exact geodesic km from points (outside ``poly``) to its outline."""
    if len(lon) == 0:
        return np.zeros(0)
    return line_index(shapely.boundary(poly)).nearest(lon, lat).distance_km


_NOT_TEXT = ("row", "_bordermap_geometry")


def check_field_sizes(raw: pd.DataFrame, ids: pd.Series) -> list[pd.DataFrame]:
    """Reject rows with a field longer than ``MAX_FIELD_BYTES`` (``field_too_long``).

    Lengths come from Arrow's offsets, so the check costs almost nothing per row.
    """
    problems = []
    taken = np.zeros(len(raw), dtype=bool)
    for col in raw.columns:
        if col in _NOT_TEXT or not pd.api.types.is_string_dtype(raw[col].dtype):
            continue
        try:
            lengths = pc.binary_length(pa.array(raw[col].array, from_pandas=True))
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            continue  # not text after all
        if (pc.max(lengths).as_py() or 0) <= MAX_FIELD_BYTES:
            continue
        long = lengths.to_numpy(zero_copy_only=False) > MAX_FIELD_BYTES
        long &= ~taken
        taken |= long
        problems.append(
            problems_frame(
                raw["row"],
                ids,
                long,
                "field_too_long",
                col,
                "error",
                f"field longer than {limit_text('MAX_FIELD_BYTES')} bytes",
            )
        )
    return problems


def check_coordinates(frame: pd.DataFrame, *, far_km: float = FAR_KM) -> list[pd.DataFrame]:
    """Range, swap and country checks for rows that have both coordinates.

    Parameters
    ----------
    frame : pandas.DataFrame
        Normalised events (``row, event_id, iso3, latitude, longitude``).
    far_km : float
        Distance outside the stated country beyond which a row is rejected.

    Returns
    -------
    list of pandas.DataFrame
        Problems: ``placeholder_coordinates`` (one of :data:`PLACEHOLDER_POINTS`,
        a pole, or a sentinel of :data:`PLACEHOLDER_VALUES` such as -999),
        ``out_of_range``, ``swapped_coordinates`` and ``far_outside_country``
        (errors), ``country_mismatch`` (warning).
    """
    rows, ids = frame["row"], frame["event_id"]
    lat = frame["latitude"].to_numpy(dtype="float64")
    lon = frame["longitude"].to_numpy(dtype="float64")
    iso3 = frame["iso3"].astype(object).fillna("").to_numpy(dtype=object)
    placeholder = _placeholder(lat, lon)
    have = ~(np.isnan(lat) | np.isnan(lon)) & ~placeholder
    in_range = (
        have & np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    )
    swapped, outside = _swapped_or_outside(lon, lat, iso3, have, in_range)
    out_of_range = have & ~in_range & ~swapped
    lat_bad = ~(np.abs(lat) <= 90)

    def range_text(mask):
        return [
            f"coordinates out of range: lat {a}, lon {o}"
            for a, o in zip(lat[mask], lon[mask], strict=True)
        ]

    def swap_text(mask):
        return [
            f"latitude and longitude look swapped: (lat {o}, lon {a}) lies in {c}, "
            "the given point does not"
            for a, o, c in zip(lat[mask], lon[mask], iso3[mask], strict=True)
        ]

    problems = [
        problems_frame(
            rows,
            ids,
            placeholder,
            "placeholder_coordinates",
            "latitude",
            "error",
            lambda m: [
                f"placeholder point (lat {a}, lon {o}), not a place"
                for a, o in zip(lat[m], lon[m], strict=True)
            ],
        ),
        # name the field that is out of range (latitude when both are)
        problems_frame(
            rows, ids, out_of_range & lat_bad, "out_of_range", "latitude", "error", range_text
        ),
        problems_frame(
            rows, ids, out_of_range & ~lat_bad, "out_of_range", "longitude", "error", range_text
        ),
        problems_frame(rows, ids, swapped, "swapped_coordinates", "latitude", "error", swap_text),
    ]
    outside &= in_range
    if outside.any():
        problems += _outside_country(frame, lon, lat, iso3, outside, far_km)
    return problems


def _placeholder(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Rows at one of :data:`PLACEHOLDER_POINTS`, at a pole, or with a sentinel number."""
    found = (np.abs(lat) == 90) | np.isin(np.abs(lat), PLACEHOLDER_VALUES)
    found |= np.isin(np.abs(lon), PLACEHOLDER_VALUES)
    for plat, plon in PLACEHOLDER_POINTS:
        found |= (lat == plat) & (lon == plon)
    return found


def _swapped_or_outside(lon, lat, iso3, have, in_range) -> tuple[np.ndarray, np.ndarray]:
    """Rows outside their stated country, split by whether the swapped point lies inside."""
    swapped = np.zeros(len(lat), dtype=bool)
    outside = np.zeros(len(lat), dtype=bool)
    known = set(embedded_codes())
    for code in pd.unique(iso3[have]):
        if code not in known:
            continue
        sel = (iso3 == code) & have
        poly = _country(code)
        idx = np.flatnonzero(sel)
        inside = np.zeros(len(idx), dtype=bool)
        ok = in_range[idx]
        inside[ok] = shapely.contains_xy(poly, lon[idx][ok], lat[idx][ok])
        miss = idx[~inside]
        flip_ok = np.isfinite(lat[miss]) & np.isfinite(lon[miss]) & (np.abs(lon[miss]) <= 90)
        flip = np.zeros(len(miss), dtype=bool)
        flip[flip_ok] = shapely.contains_xy(poly, lat[miss][flip_ok], lon[miss][flip_ok])
        swapped[miss[flip]] = True
        outside[miss[~flip]] = True
    return swapped, outside


def _outside_country(frame, lon, lat, iso3, outside, far_km: float) -> list[pd.DataFrame]:
    """How far outside its stated country each point lies: an error beyond ``far_km``."""
    rows, ids = frame["row"], frame["event_id"]
    idx = np.flatnonzero(outside)
    km = np.zeros(len(idx))
    for code in pd.unique(iso3[idx]):
        sub = iso3[idx] == code
        km[sub] = _km_outside(_country(code), lon[idx][sub], lat[idx][sub])
    actual = _which_country(lon[idx], lat[idx])
    # at sea within 12 nautical miles of the stated country: its territorial sea, no problem
    offshore = (actual == "") & (km <= TERRITORIAL_SEA_KM)
    idx, km, actual = idx[~offshore], km[~offshore], actual[~offshore]
    outside = np.zeros(len(frame), dtype=bool)
    outside[idx] = True
    where = np.where(actual == "", "at sea", "in " + actual.astype(str))
    text = pd.Series("", index=frame.index, dtype="string")
    text.iloc[idx] = [
        f"point lies {w}, {k:.1f} km outside the stated country {c}"
        for w, k, c in zip(where, km, iso3[idx], strict=True)
    ]
    far = np.zeros(len(frame), dtype=bool)
    # at sea within the stated country's 200-nautical-mile zone (ships, ports, strikes at sea)
    # is a warning; on another country's land, or farther out, the row is rejected
    limit = np.where(actual == "", EXCLUSIVE_ZONE_KM, far_km)
    far[idx[km > limit]] = True
    near = outside & ~far
    return [
        problems_frame(rows, ids, far, "far_outside_country", "iso3", "error", text),
        problems_frame(rows, ids, near, "country_mismatch", "iso3", "warning", text),
    ]


def check_admin1(frame: pd.DataFrame, valid: np.ndarray) -> list[pd.DataFrame]:
    """Warn where the stated province (resolved offline) does not contain the point.

    Parameters
    ----------
    frame : pandas.DataFrame
        Normalised events with ``admin1``, ``iso3`` and coordinates.
    valid : numpy.ndarray of bool
        Rows whose coordinates passed :func:`check_coordinates`.

    Returns
    -------
    list of pandas.DataFrame
        ``admin1_mismatch`` warnings, naming the province the point lies in.
    """
    sel = (
        valid
        & frame["admin1"].notna().to_numpy()
        & frame["iso3"].isin(embedded_codes()).to_numpy(bool)
    )
    if not sel.any():
        return []
    idx = np.flatnonzero(sel)
    codes = _province_codes_of(frame["admin1"].iloc[idx], frame["iso3"].iloc[idx])
    known = pd.notna(codes)
    idx, codes = idx[known], codes[known]
    if len(idx) == 0:
        return []
    table, polys = _stated_provinces(frame["iso3"].iloc[idx])
    lon = frame["longitude"].to_numpy(dtype="float64")[idx]
    lat = frame["latitude"].to_numpy(dtype="float64")[idx]
    inside = np.zeros(len(idx), dtype=bool)
    for code in pd.unique(codes):
        sub = np.flatnonzero(codes == code)
        inside[sub] = shapely.contains_xy(polys[code], lon[sub], lat[sub])
        out = sub[~inside[sub]]
        if len(out):  # offshore within 12 nautical miles of the stated province counts as in it
            at_sea = ~_in_any_province(lon[out], lat[out])
            close = _km_outside(polys[code], lon[out][at_sea], lat[out][at_sea])
            inside[out[at_sea][close <= TERRITORIAL_SEA_KM]] = True
    bad = idx[~inside]
    if len(bad) == 0:
        return []
    blon, blat = lon[~inside], lat[~inside]
    # the province each point does lie in: provinces of the countries around it too
    around = pd.Series([*countries_at(blon, blat), *frame["iso3"].iloc[idx].dropna().unique()])
    table, polys = _stated_provinces(around)
    names = dict(zip(table["adm1_code"], table["name_en"], strict=True))
    actual = np.full(len(bad), "no embedded province", dtype=object)
    todo = np.ones(len(bad), dtype=bool)
    for code, poly in polys.items():
        x0, y0, x1, y1 = poly.bounds
        near = todo & (blon >= x0) & (blon <= x1) & (blat >= y0) & (blat <= y1)
        if near.any():
            where = np.flatnonzero(near)
            hit = where[shapely.contains_xy(poly, blon[where], blat[where])]
            actual[hit] = names[code]
            todo[hit] = False
    mask = np.zeros(len(frame), dtype=bool)
    mask[bad] = True
    text = pd.Series("", index=frame.index, dtype="string")
    text.iloc[bad] = [
        f"stated admin1 {s!r} but the point lies in {a}"
        for s, a in zip(frame["admin1"].iloc[bad], actual, strict=True)
    ]
    return [
        problems_frame(
            frame["row"], frame["event_id"], mask, "admin1_mismatch", "admin1", "warning", text
        )
    ]


def _province_codes_of(names: pd.Series, iso3: pd.Series) -> np.ndarray:
    """:func:`~geo.gazetteer.province_codes`, looked up once per distinct (name, country)."""
    name_codes, _ = pd.factorize(names)
    iso3_codes, iso3_values = pd.factorize(iso3)
    key = (name_codes.astype("int64") + 1) * (len(iso3_values) + 1) + iso3_codes + 1
    _, first, where = np.unique(key, return_index=True, return_inverse=True)
    found = province_codes(
        names.iloc[first].reset_index(drop=True), iso3.iloc[first].reset_index(drop=True)
    ).to_numpy(dtype=object)
    return found[where.ravel()]


def _in_any_province(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Whether each point lies in a country outline (so, in some province) of the layers."""
    return _which_country(lon, lat) != ""


def _stated_provinces(iso3: pd.Series) -> tuple[pd.DataFrame, dict[str, object]]:
    """Provinces of the countries the rows state (each country loaded once per process)."""
    tables, polys = [], {}
    for code in sorted(iso3.dropna().astype(str).unique()):
        table, found = _provinces(code)
        tables.append(table)
        polys.update(found)
    return pd.concat(tables, ignore_index=True), polys


class DuplicateIds:
    """Remember event ids across chunks: 64-bit hash and first row, 16 bytes each, in sorted runs.

    Examples
    --------
    >>> seen = DuplicateIds()
    >>> seen.check(pd.Series(["a", "b", "a"]), pd.Series([1, 2, 3])).tolist()
    [0, 0, 1]
    >>> seen.check(pd.Series(["b", "c"]), pd.Series([4, 5])).tolist()
    [2, 0]
    >>> seen.check(pd.Series(["c"]), pd.Series([6])).tolist()
    [5]
    """

    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []

    def check(self, ids: pd.Series, rows: pd.Series) -> np.ndarray:
        """Return, per id, the row where it first appeared, or 0 if new; then remember them."""
        hashes = hash_ids(ids)  # from Arrow's buffers; missing ids hash as ""
        rows = np.asarray(rows, dtype="int64")
        # sorted once: searches in the runs go in order, equal ids sit together (first row first)
        order = np.argsort(hashes, kind="stable")
        keys, where = hashes[order], rows[order]
        first = np.zeros(len(keys), dtype="int64")
        for run_keys, run_rows in self._runs:
            pos = np.minimum(np.searchsorted(run_keys, keys), len(run_keys) - 1)
            hit = run_keys[pos] == keys
            first[hit] = run_rows[pos[hit]]
        # duplicates inside this chunk point at their group's first row
        leads = np.ones(len(keys), dtype=bool)
        leads[1:] = keys[1:] != keys[:-1]
        lead_at = np.maximum.accumulate(np.where(leads, np.arange(len(keys)), 0))
        inner = ~leads & (first == 0)
        first[inner] = where[lead_at[inner]]
        new = leads & (first == 0)
        if new.any():
            self._runs.append((keys[new], where[new]))
            self._merge()
        out = np.empty_like(first)
        out[order] = first
        return out

    def _merge(self) -> None:
        while len(self._runs) > 1 and len(self._runs[-1][0]) >= len(self._runs[-2][0]) // 2:
            (k2, r2), (k1, r1) = self._runs.pop(), self._runs.pop()
            keys = np.concatenate([k1, k2])
            where = np.concatenate([r1, r2])
            order = np.argsort(keys, kind="stable")
            self._runs.append((keys[order], where[order]))
