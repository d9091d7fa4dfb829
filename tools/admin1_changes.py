"""Bring Natural Earth admin-1 up to date, and make province names unique per country.

Two steps, both applied by :func:`tools.build_layers.build_provinces`:

1. :func:`apply_changes` applies the dated, cited reorganisations of
   ``layers/curated/admin1_changes.csv`` (one row per new unit: the Natural
   Earth ``adm1_code`` values it takes over, the code it keeps, its names, the
   kind of change, the date it took effect and the source). A ``merge`` gives
   every old unit the new unit's code and fields, so the polygons dissolve
   into one; a ``rename`` gives a polygon the name of the unit it really is
   (and clears its HASC code, which belonged to the unit it was mistaken for);
   a ``transfer`` moves units Natural Earth files under another country to
   ``iso3`` (as ``layers/curated/overlaps.csv`` gives their land), under a
   new code of that country.
2. :func:`unique_names` settles the names that are still shared within a
   country (Natural Earth names a city and the region around it alike: Cork
   the county and Cork the city): a province whose local ``name`` differs
   from the shared English name takes it, then the type is added ("Cork
   (City)"), then, as a last resort, the ``adm1_code``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["CHANGE_COLUMNS", "CHANGE_KINDS", "apply_changes", "load_changes", "unique_names"]

CHANGE_COLUMNS = [
    "iso3",
    "old_units",
    "new_unit",
    "name",
    "name_en",
    "iso_3166_2",
    "change",
    "effective",
    "source",
]
CHANGE_KINDS = ("merge", "rename", "transfer")


def load_changes(path: Path) -> pd.DataFrame:
    """Read and check the reorganisation table.

    Parameters
    ----------
    path : pathlib.Path
        ``layers/curated/admin1_changes.csv``.

    Returns
    -------
    pandas.DataFrame
        :data:`CHANGE_COLUMNS`; ``old_units`` split into lists.

    Raises
    ------
    ValueError
        For a missing column, an unknown kind of change, a row without a date
        or source, or a new unit that is not among its old units.
    """
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in CHANGE_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path.name}: missing column(s) {', '.join(missing)}")
    table["old_units"] = table["old_units"].str.split("|")
    for row, change in enumerate(table.itertuples(index=False), start=2):
        if change.change not in CHANGE_KINDS:
            raise ValueError(
                f"{path.name}, row {row}, change: {change.change!r} is not one of {CHANGE_KINDS}"
            )
        if not change.effective or not change.source:
            raise ValueError(f"{path.name}, row {row}: every change needs its date and source")
        if change.change == "transfer":
            if not change.new_unit.startswith(f"{change.iso3}-"):
                raise ValueError(
                    f"{path.name}, row {row}, new_unit: a unit transferred to "
                    f"{change.iso3} needs a code starting {change.iso3}-"
                )
        elif change.new_unit not in change.old_units:
            raise ValueError(
                f"{path.name}, row {row}, new_unit: {change.new_unit} not in old_units"
            )
    return table[CHANGE_COLUMNS]


def apply_changes(ne: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """Natural Earth rows with each reorganisation applied (before they are dissolved).

    Parameters
    ----------
    ne : DataFrame
        Admin-1 rows with ``adm1_code``, ``adm0_a3``, ``name``, ``name_en``,
        ``iso_3166_2`` (and any other fields).
    changes : DataFrame
        From :func:`load_changes`.

    Returns
    -------
    DataFrame
        A copy; every old unit of a change carries the new unit's code and
        fields, with the names the table gives (an empty cell keeps the field).

    Examples
    --------
    >>> ne = pd.DataFrame(
    ...     {
    ...         "adm1_code": ["X-1", "X-2"],
    ...         "adm0_a3": "XXX",
    ...         "name": ["A", "B"],
    ...         "name_en": ["A", "B"],
    ...         "iso_3166_2": ["X-A", "X-B"],
    ...     }
    ... )
    >>> change = pd.DataFrame(
    ...     [
    ...         {
    ...             "iso3": "XXX",
    ...             "old_units": ["X-1", "X-2"],
    ...             "new_unit": "X-1",
    ...             "name": "",
    ...             "name_en": "AB",
    ...             "iso_3166_2": "",
    ...             "change": "merge",
    ...         }
    ...     ]
    ... )
    >>> apply_changes(ne, change)[["adm1_code", "name", "name_en"]].values.tolist()
    [['X-1', 'A', 'AB'], ['X-1', 'A', 'AB']]
    """
    out = ne.copy()
    for change in changes.itertuples(index=False):
        rows = out["adm1_code"].isin(change.old_units).to_numpy()
        if not rows.any():
            continue
        source = change.old_units[0] if change.change == "transfer" else change.new_unit
        base = out.loc[out["adm1_code"] == source].iloc[0].drop("geometry", errors="ignore")
        if change.change == "transfer":
            base["adm1_code"], base["adm0_a3"] = change.new_unit, change.iso3
        for field in ("name", "name_en", "iso_3166_2"):
            value = getattr(change, field)
            if value:
                base[field] = value
        if change.change in ("rename", "transfer") and "code_hasc" in base:
            base["code_hasc"] = ""  # the polygon's HASC code was the other unit's
        for field, value in base.items():
            out.loc[rows, field] = value
    return out


def unique_names(provinces: pd.DataFrame) -> pd.DataFrame:
    """Provinces of one country with every ``name_en`` made unique.

    Each group of provinces sharing a name is settled in turn: when their
    types all differ, the type is added ("Cork (County)", "Cork (City)");
    otherwise a province whose local ``name`` differs and is unique takes it
    ("Sofia" and "Grad Sofiya"); a name still shared gets its type, then its
    ``adm1_code``.

    Parameters
    ----------
    provinces : DataFrame
        ``adm1_code``, ``name``, ``name_en``, ``type_en`` of one country.

    Returns
    -------
    DataFrame
        A copy with unique ``name_en``.

    Examples
    --------
    >>> frame = pd.DataFrame(
    ...     {
    ...         "adm1_code": ["B-1", "B-2", "B-3"],
    ...         "name": ["Sofia", "Grad Sofiya", "Pleven"],
    ...         "name_en": ["Sofia", "Sofia", "Pleven"],
    ...         "type_en": ["Province", "Province", "Province"],
    ...     }
    ... )
    >>> unique_names(frame)["name_en"].tolist()
    ['Sofia', 'Grad Sofiya', 'Pleven']
    """
    out = provinces.copy()
    shared = out["name_en"].duplicated(keep=False)
    if not shared.any():
        return out
    types = out["type_en"].fillna("").str.strip()
    by_type = (
        shared & (types != "") & ~out.assign(_t=types).duplicated(["name_en", "_t"], keep=False)
    )
    by_type &= by_type.groupby(out["name_en"]).transform("all")
    out.loc[by_type, "name_en"] = out["name_en"] + " (" + types + ")"
    shared = out["name_en"].duplicated(keep=False)
    local = out["name"].where(out["name"].str.strip() != "", out["name_en"])
    unique_local = ~local.duplicated(keep=False) & ~local.isin(out.loc[~shared, "name_en"])
    take = shared & unique_local & (local != out["name_en"])
    out.loc[take, "name_en"] = local[take]
    for suffix in (types, out["adm1_code"]):
        still = out["name_en"].duplicated(keep=False)
        label = suffix.where(suffix != "", out["adm1_code"])
        out.loc[still, "name_en"] = out.loc[still, "name_en"] + " (" + label[still] + ")"
    return out
