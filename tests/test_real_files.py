"""A real-world-shaped ACLED export through ``bordermap analyze``: the answers, not just the parse.

The file (:mod:`tests.acled_like`) holds cross-border strikes coded only in
``actor1``, former-FATA towns stated in Khyber Pakhtunkhwa, offshore events and
province-level events. It is tried as exported, with Excel's day-first dates,
zipped, and with placeholder coordinates mixed in.
"""

from __future__ import annotations

import zipfile

import numpy as np
import pandas as pd
import pytest

from geo.cli.main import cli
from geo.proximity import AT_SEA
from geo.zones import SPANS_BANDS
from tests.acled_like import acled_rows, expected, to_csv

N = 200


def _analyse(runner, tmp_path, path, *extra):
    out, rejects = tmp_path / "out.csv", tmp_path / "rejects.csv"
    args = ["analyze", "--events", str(path), "--pair", "nearest", "--out", str(out)]
    result = runner.invoke(cli, [*args, "--rejects", str(rejects), *extra])
    return result, out, rejects


def _check_answers(table: pd.DataFrame) -> None:
    truth = pd.DataFrame(expected(N))
    assert len(table) == N
    assert table["location"].tolist() == truth["location"].tolist()
    assert table["province"].tolist() == truth["province"].tolist()
    assert table["attacker"].fillna("none").tolist() == truth["attacker"].fillna("none").tolist()
    kind = truth["kind"]
    strikes = table[kind.eq("strike").to_numpy()]
    assert (strikes["attacker_basis"] == "inferred").all()
    assert strikes["incursion_km"].notna().all() and (strikes["incursion_km"] > 0).all()
    assert (strikes["attacker"] != strikes["side"]).all()
    offshore = table[kind.eq("offshore").to_numpy()]
    assert offshore["offshore"].astype(str).str.lower().eq("true").all()
    assert offshore["side"].isin(["IRN", "PAK"]).all() and not (table["side"] == AT_SEA).any()
    area = table[kind.eq("province").to_numpy()]
    assert area["border_distance_km"].isna().all()  # no point answer for a whole province
    whole = area["border_distance_min_km"] >= area["zone_min_km"]
    whole &= area["border_distance_max_km"] <= area["zone_max_km"]
    assert (whole | (area["zone"] == SPANS_BANDS)).all()
    # the stated admin1 is the user's column, untouched
    assert table["admin1"].tolist() == [r["admin1"] for r in acled_rows(N)]


def test_acled_export_gets_strikes_provinces_coasts_and_areas_right(runner, tmp_path):
    path = tmp_path / "acled_afpak.csv"
    path.write_bytes(to_csv(acled_rows(N)))
    result, out, _ = _analyse(runner, tmp_path, path)
    assert result.exit_code == 0, result.output
    _check_answers(pd.read_csv(out))
    # current provinces: no FATA, no duplicate Uruzgan/Parwan, so no province mismatch
    assert "admin1_mismatch" not in result.output
    assert "country_mismatch" not in result.output  # offshore events keep their country


def test_excel_day_first_re_save_needs_dayfirst_and_then_agrees(runner, tmp_path):
    path = tmp_path / "acled_excel.csv"
    path.write_bytes(to_csv(acled_rows(N), dayfirst=True))
    result, _, _ = _analyse(runner, tmp_path, path)
    assert result.exit_code != 0  # every row rejected is never a success
    assert "--dayfirst" in result.output
    result, out, _ = _analyse(runner, tmp_path, path, "--dayfirst", "--overwrite")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    _check_answers(table)
    dates = pd.to_datetime(table["event_date"])
    original = pd.to_datetime([r["event_date"] for r in acled_rows(N)])
    assert (dates.dt.date.to_numpy() == original.date).all()


def test_zipped_export_reads_as_the_plain_one(runner, tmp_path):
    path = tmp_path / "acled_afpak.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("acled_afpak.csv", to_csv(acled_rows(N)))
        z.writestr("README.txt", "ACLED terms of use")
    result, out, _ = _analyse(runner, tmp_path, path)
    assert result.exit_code == 0, result.output
    _check_answers(pd.read_csv(out))


@pytest.mark.parametrize(("lat", "lon"), [("0", "0"), ("0.0", "0.0"), ("-999", "-999")])
def test_placeholder_coordinates_are_rejected_by_their_own_kind(runner, tmp_path, lat, lon):
    rows = acled_rows(N)
    bad = [3, 77, 150]
    for i in bad:
        rows[i] = {**rows[i], "latitude": lat, "longitude": lon, "country": ""}
    path = tmp_path / "acled_placeholders.csv"
    path.write_bytes(to_csv(rows))
    result, out, rejects = _analyse(runner, tmp_path, path)
    assert result.exit_code == 0, result.output
    table, problems = pd.read_csv(out), pd.read_csv(rejects)
    ids = [rows[i]["event_id_cnty"] for i in bad]
    flagged = problems[problems["event_id"].isin(ids)]
    assert sorted(flagged["event_id"]) == sorted(ids)
    assert (flagged["kind"] == "placeholder_coordinates").all()
    assert not table["event_id_cnty"].isin(ids).any()
    assert len(table) == N - len(bad)  # every other row kept
    assert np.isfinite(table["border_distance_max_km"]).all()
