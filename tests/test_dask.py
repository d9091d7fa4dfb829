"""The dask engine against the local one: same rows, same values, same rejects."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

if os.environ.get("CI") != "true":  # the dask extra is optional locally; on CI it must be there
    pytest.importorskip("dask_geopandas")

import dask
import dask_geopandas
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from distributed import Client, LocalCluster

import geo
import geo.dask
from geo import layers
from geo.cli.main import cli
from geo.io.options import ReadOptions
from geo.proximity import ANALYSIS_COLUMNS, summarize
from geo.theatre import Theatre
from geo.zones import zone_labels

N_EVENTS = 200_000


def synthetic(n: int, seed: int = 9) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    lon = rng.uniform(57.0, 68.0, n)
    lat = rng.uniform(24.0, 32.0, n)
    return gpd.GeoDataFrame(
        {
            "event_id": [f"E{i}" for i in range(n)],
            "geo_precision": rng.integers(1, 4, n),
            "fatalities": rng.integers(0, 5, n),
            "attacker_iso3": rng.choice(["IRN", "PAK", ""], n),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


@pytest.fixture(scope="module")
def theatre() -> Theatre:
    return Theatre.from_pair("IRN-PAK")


@pytest.fixture(scope="module")
def client():
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as c,
    ):
        yield c


def assert_same(local: pd.DataFrame, other: pd.DataFrame) -> None:
    assert list(other.columns) == list(local.columns)
    assert len(other) == len(local)
    for col in local.columns:
        a, b = local[col], other[col]
        if pd.api.types.is_float_dtype(a):
            np.testing.assert_allclose(
                b.to_numpy(float),
                a.to_numpy(float),
                rtol=1e-12,
                atol=1e-9,
                equal_nan=True,
                err_msg=col,
            )
        elif col == "geometry":
            assert a.geom_equals(b).all()
        else:
            left = a.astype(object).where(a.notna(), None).tolist()
            right = b.astype(object).where(b.notna(), None).tolist()
            assert left == right, col


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Sending large graph")  # the test's own 200k frame
def test_library_engines_agree_on_200k_events(client, theatre):
    events = synthetic(N_EVENTS)
    local = geo.proximity.analyze(events, theatre)
    lazy = geo.dask.analyze(dask_geopandas.from_geopandas(events, npartitions=4), theatre)
    assert isinstance(lazy, dask_geopandas.GeoDataFrame)  # nothing computed yet
    assert set(ANALYSIS_COLUMNS) <= set(lazy.columns)
    result = lazy.compute()
    assert result.index.equals(local.index)
    assert_same(local, result)
    assert (local["incursion_km"].notna()).sum() > 1000  # strikes were measured too
    by_zone = geo.dask.summarize(lazy, ("zone", "side")).compute()
    expected = summarize(local, ("zone", "side"))
    merged = geo.dask.order_summary(by_zone, theatre.zones_km).merge(
        expected.astype({"zone": object}), on=["zone", "side"], how="outer", suffixes=("", "_l")
    )
    assert (merged["events"] == merged["events_l"]).all()
    assert merged["events"].sum() == N_EVENTS


def test_layers_are_scattered_once_to_every_worker(client, theatre):
    provinces = layers.provinces(["AFG", "IRN", "PAK"])
    shared = geo.dask.broadcast(provinces)
    holders = client.who_has([shared])[shared.key]
    assert len(holders) == 2
    events = dask_geopandas.from_geopandas(synthetic(2000), npartitions=8)
    lazy = geo.dask.analyze(events, theatre, provinces=provinces)
    graph = dict(lazy.__dask_graph__())
    # eight tasks refer to one scattered key; no task carries the polygons itself
    assert shared.key not in graph or len(graph) > 8
    assert sum(isinstance(v, gpd.GeoDataFrame) for v in graph.values()) == 0
    assert len(lazy.compute()) == 2000


def test_without_a_client_the_layers_are_one_graph_key():
    events = dask_geopandas.from_geopandas(synthetic(500), npartitions=5)
    with dask.config.set(scheduler="sync"):
        lazy = geo.dask.analyze(events, "IRN-PAK", provinces=layers.provinces(["IRN", "PAK"]))
        graph = lazy.__dask_graph__()
        provinces = [
            k for k in graph if str(k[0] if isinstance(k, tuple) else k).startswith("GeoDataFrame-")
        ]
        assert len(provinces) == 1
        assert len(lazy.compute()) == 500


def test_a_user_line_theatre_gives_the_local_sides():
    line = gpd.GeoDataFrame(geometry=[shapely.LineString([(61, 24), (63, 32)])], crs=4326)
    theatre = Theatre.from_border(line, name="ridge", zones_km=(50,))
    events = synthetic(400)
    local = geo.proximity.analyze(events, theatre)
    with dask.config.set(scheduler="sync"):  # build and compute on one scheduler
        lazy = geo.dask.analyze(dask_geopandas.from_geopandas(events, npartitions=3), theatre)
        result = lazy.compute()
    assert set(result["side"].dropna()) == {"left", "right"}
    assert_same(local, result)


def test_a_frame_without_crs_is_refused():
    frame = dask_geopandas.from_geopandas(
        synthetic(10).set_crs(None, allow_override=True), npartitions=1
    )
    with pytest.raises(geo.errors.InputError, match="no CRS"):
        geo.dask.analyze(frame, theatre=None)


# --- the CLI: rejects and files ------------------------------------------------------

CSV = """event_id,event_date,latitude,longitude,fatalities,geo_precision
a1,2024-01-16,27.37,62.33,2,1
a2,2024-01-18,,,0,1
a3,2024-01-18,27.9,62.0,1,2
a3,2024-01-19,27.1,61.9,0,1
a5,2024-01-20,95.0,61.0,0,1
a6,not a date,27.5,62.8,0,1
a7,2024-01-21,26.1,63.2,x,1
a8,2024-01-22,25.5,61.5,3,3
"""


def dask_cli(runner, events, out, *extra):
    """Run ``bordermap analyze --engine dask --events EVENTS --out OUT [extra]``."""
    args = ["analyze", "--engine", "dask", "--events", str(events), "--out", str(out), *extra]
    return runner.invoke(cli, args)


@pytest.fixture
def events_csv(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(CSV)
    return path


@pytest.mark.slow  # starts a LocalCluster
def test_rejects_are_the_same_with_both_engines(runner, tmp_path, events_csv):
    local = runner.invoke(
        cli,
        [
            "analyze",
            "--events",
            str(events_csv),
            "--format",
            "csv",
            "--out",
            str(tmp_path / "local.csv"),
            "--rejects",
            str(tmp_path / "local_rejects.csv"),
        ],
    )
    assert local.exit_code == 0, local.output
    dask_run = dask_cli(
        runner, events_csv, tmp_path / "out", "--rejects", str(tmp_path / "dask_rejects.csv")
    )
    assert dask_run.exit_code == 0, dask_run.output
    want = pd.read_csv(tmp_path / "local_rejects.csv", dtype=str, keep_default_na=False)
    got = pd.read_csv(tmp_path / "dask_rejects.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(got, want)
    assert len(want) >= 4
    kept_local = pd.read_csv(tmp_path / "local.csv", dtype={"event_id": str})
    kept_dask = gpd.read_parquet(tmp_path / "out")
    assert kept_dask["event_id"].tolist() == kept_local["event_id"].tolist()
    np.testing.assert_allclose(kept_dask["border_distance_km"], kept_local["border_distance_km"])
    assert len(kept_dask) + len(got) == CSV.count("\n") - 1  # every row is somewhere
    line = f"{len(kept_dask) + len(got)} rows read, {len(kept_dask)} kept, {len(got)} rejected"
    assert line in dask_run.output


@pytest.mark.slow  # starts a LocalCluster
def test_a_glob_of_files_keeps_every_row_and_names_its_file(runner, tmp_path, events_csv):
    lines = CSV.splitlines(keepends=True)
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "a.csv").write_text("".join(lines[:5]))
    (tmp_path / "parts" / "b.csv").write_text(lines[0] + "".join(lines[5:]))
    result = dask_cli(
        runner,
        tmp_path / "parts" / "*.csv",
        tmp_path / "out",
        "-q",
        "--rejects",
        str(tmp_path / "rejects.csv"),
    )
    assert result.exit_code == 0, result.output
    kept = gpd.read_parquet(tmp_path / "out")
    rejects = pd.read_csv(tmp_path / "rejects.csv", dtype=str)
    assert len(kept) + len(rejects) == 8
    assert set(kept["source_file"]) | set(rejects["source_file"]) == {
        str(tmp_path / "parts" / "a.csv"),
        str(tmp_path / "parts" / "b.csv"),
    }
    assert "2 file(s)" in result.output and "2 GeoParquet partitions" in result.output


def test_dask_output_refuses_to_replace_and_rejects_other_formats(runner, tmp_path, events_csv):
    (tmp_path / "out").mkdir()
    refused = dask_cli(runner, events_csv, tmp_path / "out")
    assert refused.exit_code == 2
    assert "exists; add --overwrite" in refused.output
    assert "Traceback" not in refused.output
    wrong = dask_cli(runner, events_csv, tmp_path / "out", "--overwrite", "--format", "csv")
    assert wrong.exit_code == 2 and "--format" in wrong.output
    local_dir = runner.invoke(
        cli, ["analyze", "--events", str(events_csv), "--out", str(tmp_path / "out"), "--overwrite"]
    )
    assert local_dir.exit_code == 2 and "is a folder" in local_dir.output
    no_dask = runner.invoke(cli, ["analyze", "--scheduler", "tcp://127.0.0.1:8786"])
    assert no_dask.exit_code == 2 and "needs --engine dask" in no_dask.output


def test_strict_stops_at_the_first_problem_on_a_worker(runner, tmp_path, events_csv):
    result = dask_cli(runner, events_csv, tmp_path / "out", "--strict")
    assert result.exit_code == 2
    assert "row 2" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.slow  # starts a LocalCluster
def test_a_folder_of_parquet_runs_through_the_command(runner, tmp_path):
    events = synthetic(3000)
    events.iloc[:1500].to_parquet(tmp_path / "part.0.parquet")
    events.iloc[1500:].to_parquet(tmp_path / "part.1.parquet")
    done = dask_cli(runner, tmp_path, tmp_path / "result")
    assert done.exit_code == 0, done.output
    assert "3,000 events from 2 file(s)" in done.stdout
    assert "3000 rows read, 3000 kept, 0 rejected" in done.stderr
    out = dask_geopandas.read_parquet(tmp_path / "result")
    assert out.npartitions == 2
    frame = out.compute()
    assert len(frame) == 3000 and frame.crs.equals("EPSG:4326")
    assert frame["border_distance_km"].notna().all()


def test_the_dask_engine_needs_events_and_an_out_folder(runner, tmp_path, events_csv):
    no_events = runner.invoke(cli, ["analyze", "--engine", "dask", "--out", str(tmp_path / "o")])
    assert no_events.exit_code == 2 and "needs --events" in no_events.output
    no_out = runner.invoke(cli, ["analyze", "--engine", "dask", "--events", str(events_csv)])
    assert no_out.exit_code == 2 and "needs --out" in no_out.output
    assert not (tmp_path / "o").exists()


def test_run_measures_to_the_theatre_sites_and_orders_its_zones(tmp_path, events_csv):
    theatre = Theatre.from_pair("IRN-PAK", zones_km=(20, 200), sites=("Gwadar Port",))
    with dask.config.set(scheduler="sync"):
        done = geo.dask.run(
            events_csv, tmp_path / "out", theatre, options=ReadOptions(), rejects=None
        )
    frame = gpd.read_parquet(tmp_path / "out")
    assert "dist_gwadar_port_km" in frame and "dist_chabahar_km" not in frame
    assert frame["dist_gwadar_port_km"].between(0, 2000).all()
    zones = done.summaries[("zone", "side")]["zone"].astype(str).tolist()
    order = zone_labels(theatre.zones_km)
    assert set(zones) <= set(order) and zones == sorted(zones, key=order.index)
    assert done.border_label == "IRN-PAK" and done.border_km == pytest.approx(theatre.length_km)
    assert done.rows == done.kept + done.rejected and done.workers == 0
    with pytest.raises(geo.errors.OutputExistsError):
        geo.dask.run(events_csv, tmp_path / "out", theatre)


def test_read_dataset_takes_read_options(tmp_path):
    (tmp_path / "e.csv").write_text("id,LAT,LON\na,27.37,62.33\nb,27.1,61.9\n")
    data = geo.dask.read_dataset(tmp_path / "e.csv", ReadOptions(lat_col="LAT"), lon_col="LON")
    frame = data.events.compute(scheduler="sync")
    assert frame["event_id"].tolist() == ["a", "b"]
    assert data.files == [tmp_path / "e.csv"]
