"""The world gazetteer: GeoNames cities1000, admin-1 names and the curated sites."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["PLACE_COLUMNS", "build_places"]

PLACE_COLUMNS = [
    "place_id",
    "name",
    "alt_names",
    "kind",
    "iso3",
    "admin1",
    "precision",
    "source",
    "basis",
]


def _towns(cities: pd.DataFrame, iso3_of: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "place_id": "gn-"
            + cities["cc"]
            + "-"
            + cities["name"].str.replace(" ", "_")
            + "-"
            + cities["lat"].map("{:.3f}".format)
            + "-"
            + cities["lon"].map("{:.3f}".format),
            "name": cities["name"],
            "alt_names": "",
            "kind": "populated place",
            "iso3": cities["cc"].map(iso3_of).fillna(""),
            "latitude": cities["lat"].astype(float),
            "longitude": cities["lon"].astype(float),
            "precision": 1,
            "source": "geonames",
            "basis": "GeoNames cities1000",
        }
    )


def _admin1_places(provinces: gpd.GeoDataFrame) -> pd.DataFrame:
    reps = shapely.point_on_surface(provinces.geometry.to_numpy())
    alt = np.where(provinces["name"] != provinces["name_en"], provinces["name"], "")
    return pd.DataFrame(
        {
            "place_id": "adm1-" + provinces["adm1_code"],
            "name": provinces["name_en"],
            "alt_names": alt,
            "kind": "province",
            "iso3": provinces["adm0_a3"],
            "latitude": shapely.get_y(reps),
            "longitude": shapely.get_x(reps),
            "precision": 3,
            "source": "naturalearth",
            "basis": "Natural Earth admin-1, a point inside the province",
        }
    )


def build_places(
    cities: pd.DataFrame,
    sites: pd.DataFrame,
    provinces: gpd.GeoDataFrame,
    admin1: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """Gazetteer of the world, each place stamped with its country and province.

    Parameters
    ----------
    cities : DataFrame
        GeoNames cities1000 with ``lat, lon, name, admin1, admin2, cc``.
    sites : DataFrame
        ``layers/curated/sites.csv``.
    provinces : GeoDataFrame
        The built provinces of every country.
    admin1 : GeoDataFrame
        Natural Earth admin-1 (its ``iso_a2``/``adm0_a3`` give GeoNames' country codes).

    Returns
    -------
    GeoDataFrame
        ``place_id, name, alt_names, kind, iso3, admin1, precision, source, basis``,
        sorted by ``source`` then ``place_id``.
    """
    codes = admin1[admin1["iso_a2"].str.len() == 2].drop_duplicates("iso_a2")
    iso3_of = dict(zip(codes["iso_a2"], codes["adm0_a3"], strict=True))
    curated = sites.rename(columns={"site_id": "place_id"}).assign(source="curated")
    curated["place_id"] = "site-" + curated["place_id"]
    table = pd.concat(
        [curated, _towns(cities, iso3_of), _admin1_places(provinces)], ignore_index=True
    ).fillna({"alt_names": "", "iso3": ""})
    points = gpd.GeoDataFrame(
        table,
        geometry=gpd.points_from_xy(table["longitude"], table["latitude"]),
        crs="EPSG:4326",
    )
    zones = provinces[["name_en", "adm0_a3", "geometry"]].rename(
        columns={"name_en": "admin1", "adm0_a3": "in_iso3"}
    )
    joined = gpd.sjoin(points, zones, how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    joined["admin1"] = joined["admin1"].fillna("")
    known = joined["in_iso3"].notna()
    joined.loc[known, "iso3"] = joined.loc[known, "in_iso3"]
    out = joined[[*PLACE_COLUMNS, "geometry"]].drop_duplicates("place_id")
    out = out.sort_values(["source", "place_id"]).reset_index(drop=True)
    out["precision"] = out["precision"].astype("int32")
    return gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")
