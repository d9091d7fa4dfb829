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
from geo.io.report import strike_pairs_text
from geo.proximity import ANALYSIS_COLUMNS, summarize
from geo.theatre import Theatre
from geo.zones import zone_categories

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
    # area-level events have no point distance, but a range; only those far at sea have none
    measured = frame["border_distance_min_km"].notna()
    assert (measured | (frame["side"] == geo.proximity.AT_SEA)).all() and measured.mean() > 0.9


def test_the_dask_engine_needs_events_and_an_out_folder(runner, tmp_path, events_csv):
    no_events = runner.invoke(cli, ["analyze", "--engine", "dask", "--out", str(tmp_path / "o")])
    assert no_events.exit_code == 2 and "needs --events" in no_events.output
    no_out = runner.invoke(cli, ["analyze", "--engine", "dask", "--events", str(events_csv)])
    assert no_out.exit_code == 2 and "needs --out" in no_out.output
    assert not (tmp_path / "o").exists()
    # a file's name is refused before any cluster starts, and no folder takes it
    for name in ("dk.csv", "dk.GeoJSON", "dk.gpkg"):
        as_file = runner.invoke(
            cli,
            [
                "analyze",
                "--engine",
                "dask",
                "--events",
                str(events_csv),
                "--out",
                str(tmp_path / name),
            ],
        )
        assert as_file.exit_code == 2, as_file.output
        assert "writes a folder of GeoParquet partitions" in as_file.output
        assert not (tmp_path / name).exists()


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
    order = zone_categories(theatre.zones_km)
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


# --- one large CSV in byte-range partitions ---------------------------------------

import csv  # noqa: E402
import io  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from http.server import HTTPServer, SimpleHTTPRequestHandler  # noqa: E402

from geo.dask.parts import resolve_duplicates  # noqa: E402
from geo.dask.split import byte_ranges  # noqa: E402
from geo.io.events import read_events  # noqa: E402


def messy_csv(path: Path, n: int, seed: int = 3) -> Path:
    """Rows whose notes hold quoted newlines, commas and quotes; repeated and empty ids."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"EV{i}" for i in range(n)], dtype=object)
    ids[rng.choice(n, n // 20)] = ids[rng.choice(n, n // 20)]  # repeats anywhere in the file
    ids[rng.choice(n, 5)] = ""
    pieces = ["shelling", ", near the road", '\n"quoted" line', "\r\nmore", ""]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["event_id", "event_date", "latitude", "longitude", "fatalities", "notes"])
        for i in range(n):
            note = "".join(rng.choice(pieces, rng.integers(0, 4)))
            writer.writerow(
                [
                    ids[i],
                    f"2024-01-{1 + i % 28:02d}" if i % 97 else "not a date",
                    f"{rng.uniform(24.5, 31.5):.5f}",
                    f"{rng.uniform(58.0, 67.0):.5f}",
                    int(rng.integers(0, 9)),
                    note,
                ]
            )
    return path


def parse_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


@pytest.mark.parametrize("blocksize", [7, 61, 500, 4096])
def test_byte_ranges_hold_every_row_once_even_inside_quoted_newlines(tmp_path, blocksize):
    path = messy_csv(tmp_path / "e.csv", 400)
    data = path.read_bytes()
    ranges = byte_ranges(path, ",", blocksize=blocksize)
    assert ranges is not None and len(ranges) > 1
    header = data[: ranges[0][0]]
    got = [row for a, b in ranges for row in parse_rows(header + data[a:b])[1:]]
    assert got == parse_rows(data)[1:]
    # some nominal block edge fell inside a quoted field, so the re-sync was needed
    edges = range(ranges[0][0], len(data), blocksize)
    assert any(data[:edge].count(b'"') % 2 for edge in edges)


def test_a_quote_inside_an_unquoted_field_keeps_the_file_whole(tmp_path):
    path = tmp_path / "e.csv"
    rows = [f"E{i},2024-01-02,27.1,62.{i},0,{'5'} of rain\n" for i in range(50)]
    rows[20] = 'E20,2024-01-02,27.1,62.2,0,5" of rain\n'
    path.write_text("event_id,event_date,latitude,longitude,fatalities,notes\n" + "".join(rows))
    assert byte_ranges(path, ",", blocksize=64) is None
    assert len(geo.dask.plan_parts([path], ReadOptions(), blocksize=64)) == 1


def read_parts(path: Path, blocksize: int, *paths: Path):
    with dask.config.set(scheduler="sync"):
        data = geo.dask.read_dataset(path if not paths else str(path), blocksize=blocksize)
        tables = dask.compute(*data.tables)
    events = pd.concat([t.events for t in tables], ignore_index=True)
    rejects = pd.concat([t.rejects for t in tables], ignore_index=True)
    return data, events, rejects


def test_partitions_of_one_csv_read_exactly_as_the_local_reader(tmp_path):
    path = messy_csv(tmp_path / "e.csv", 3000)
    local = read_events(path)
    data, events, rejects = read_parts(path, 20_000)
    assert len(data.parts) >= 4
    pd.testing.assert_frame_equal(pd.DataFrame(events), pd.DataFrame(local.events))
    pd.testing.assert_frame_equal(rejects, local.rejects)
    assert len(events) + len(rejects) == 3000
    dups = rejects[rejects["kind"].str.contains("duplicate_id")]
    first = dups["reason"].str.extract(r"already at row (\d+)")[0].astype(int)
    # the first occurrence sits in another partition for some of them
    starts = np.cumsum([0] + [int(t.rows_read) for t in dask.compute(*data.tables)])
    part_of = np.searchsorted(starts, np.asarray(dups["row"]), side="left")
    first_part = np.searchsorted(starts, first.to_numpy(), side="left")
    assert (part_of != first_part).sum() >= 10
    assert rejects["event_id"].str.startswith("row-").sum() == 0  # empty ids became row-<n>
    assert events["event_id"].str.fullmatch(r"row-\d+").sum() >= 1


def test_an_id_repeated_in_a_later_file_is_rejected_as_the_local_rule_says(tmp_path):
    (tmp_path / "parts").mkdir()
    a = "event_id,event_date,latitude,longitude\nx1,2024-01-02,27.1,62.1\nx2,2024-01-02,27.2,62.2\n"
    b = "event_id,event_date,latitude,longitude\nx3,2024-01-03,27.3,62.3\nx2,2024-01-03,27.4,62.4\n"
    (tmp_path / "parts" / "a.csv").write_text(a)
    (tmp_path / "parts" / "b.csv").write_text(b)
    with dask.config.set(scheduler="sync"):
        data = geo.dask.read_dataset(str(tmp_path / "parts" / "*.csv"))
        tables = dask.compute(*data.tables)
    assert [len(t.events) for t in tables] == [2, 1]
    (reject,) = tables[1].rejects.itertuples()
    assert reject.kind == "duplicate_id" and reject.row == 2
    assert "already at row 2" in reject.reason and reject.source_file.endswith("b.csv")


def test_resolve_duplicates_numbers_rows_within_each_file():
    from geo.dask.parts import Part, PartIds, _hash

    h = _hash(np.array(["a", "b", "c"], dtype=object))
    empty = np.zeros(0, "int64")
    parts = [Part("f", 0, (0, 1)), Part("f", 0, (1, 2)), Part("g", 1)]
    ids = [
        PartIds(3, h, np.array([1, 2, 3]), empty),
        PartIds(2, h[2:], np.array([2]), np.array([1])),
        PartIds(1, h[:1], np.array([1]), empty),
    ]
    plans = resolve_duplicates(parts, ids)
    assert [p.offset for p in plans] == [0, 3, 0]
    assert plans[1].seeds.to_dict("list") == {"local": [2], "first_row": [3]}
    assert plans[2].seeds.to_dict("list") == {"local": [1], "first_row": [1]}
    assert plans[0].seeds.empty


def strike_csv(path: Path, n: int = 3000, seed: int = 5) -> Path:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "event_id": [f"S{i}" for i in range(n)],
            "event_date": (
                pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 90, n), unit="D")
            ).strftime("%Y-%m-%d"),
            "latitude": rng.uniform(25.0, 30.0, n).round(5),
            "longitude": rng.uniform(60.0, 65.0, n).round(5),
            "fatalities": rng.integers(0, 5, n),
            "attacker_iso3": rng.choice(["IRN", "PAK", ""], n),
            "location": [f"place {i % 50}" for i in range(n)],
        }
    )
    frame.to_csv(path, index=False)
    return path


def test_strike_pairs_on_dask_equal_the_local_table(tmp_path):
    path = strike_csv(tmp_path / "s.csv")
    theatre = Theatre.from_pair("IRN-PAK", sites=())
    with dask.config.set(scheduler="sync"):
        done = geo.dask.run(path, tmp_path / "out", theatre, blocksize=30_000)
    assert done.parts >= 4
    local = geo.proximity.strike_pairs(geo.proximity.analyze(read_events(path).events, theatre))
    assert len(local) >= 5
    pd.testing.assert_frame_equal(done.strike_pairs, local)
    report = __import__("geo.cli.dask_engine", fromlist=["render_report"]).render_report(done)
    assert "Strike and counter-strike" in report
    # the same section as the local engine's: the first pairs, then how many more
    assert report.endswith(strike_pairs_text(local))


# --- faults: one line, non-zero exit, nothing half-written --------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_garbage_scheduler_address_is_one_line(runner, tmp_path, events_csv):
    result = dask_cli(runner, events_csv, tmp_path / "out", "--scheduler", "garbage")
    assert result.exit_code == 2
    assert "not a Dask address" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


@pytest.fixture
def silent_tcp():
    """A TCP listener that accepts and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the test's server must not write to stderr
        pass


@pytest.fixture
def http_server():
    server = HTTPServer(("127.0.0.1", 0), QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("server", ["silent_tcp", "http_server"])
def test_a_scheduler_that_is_not_dask_fails_within_the_connect_timeout(
    runner, tmp_path, events_csv, server, request
):
    address = request.getfixturevalue(server)
    start = time.monotonic()
    with dask.config.set({"bordermap.connect-timeout": "2s"}):
        result = dask_cli(runner, events_csv, tmp_path / "out", "--scheduler", address)
    assert time.monotonic() - start < 20
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert address in result.output
    assert not (tmp_path / "out").exists()


def cli_process(*args: str, env: dict | None = None, **kwargs) -> subprocess.Popen:
    command = [str(Path(sys.executable).with_name("bordermap")), *args]
    merged = {**os.environ, **(env or {})}
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=merged, **kwargs
    )


def assert_one_line_failure(proc: subprocess.Popen, out: Path, timeout: float = 180) -> str:
    stdout, stderr = proc.communicate(timeout=timeout)
    assert proc.returncode not in (0, None), stdout + stderr
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}")]
    return lines[0]


@pytest.mark.slow  # starts worker processes
def test_a_local_cluster_that_cannot_start_is_one_line(tmp_path, events_csv):
    proc = cli_process(
        "analyze", "--engine", "dask", "--events", str(events_csv), "--out", str(tmp_path / "out"),
        env={"DASK_TEMPORARY_DIRECTORY": "/proc/no-such-folder/x"},
    )  # fmt: skip
    line = assert_one_line_failure(proc, tmp_path / "out")
    assert "cannot start a local Dask cluster" in line


@pytest.fixture
def remote_cluster(tmp_path):
    """A scheduler and two single-threaded workers in their own process groups."""
    port = free_port()
    dask_bin = str(Path(sys.executable).with_name("dask"))
    scheduler = subprocess.Popen(
        [dask_bin, "scheduler", "--port", str(port), "--no-dashboard"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    workers = subprocess.Popen(
        [dask_bin, "worker", f"tcp://127.0.0.1:{port}", "--nworkers", "2", "--nthreads", "1",
         "--no-dashboard"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    address = f"tcp://127.0.0.1:{port}"
    with Client(address, timeout="30s") as client:
        client.wait_for_workers(2, timeout=60)
    yield address, scheduler, workers
    for proc in (workers, scheduler):
        with __import__("contextlib").suppress(ProcessLookupError):
            os.killpg(proc.pid, 9)
        proc.wait()


def wait_for_work(address: str, timeout: float = 60) -> None:
    """Return once the cluster is busy with the run's tasks."""
    deadline = time.monotonic() + timeout
    with Client(address, timeout="10s") as client:
        while time.monotonic() < deadline:
            if client.processing() and any(client.processing().values()):
                return
            time.sleep(0.2)
    raise AssertionError("the run never started")


@pytest.mark.slow
@pytest.mark.parametrize("lost", ["scheduler", "workers"])
def test_a_lost_scheduler_or_all_workers_is_one_line(tmp_path, remote_cluster, lost):
    address, scheduler, workers = remote_cluster
    events = messy_csv(tmp_path / "e.csv", 40_000)
    out = tmp_path / "out"
    proc = cli_process(
        "analyze", "--engine", "dask", "--scheduler", address, "--events", str(events),
        "--out", str(out), "--rejects", str(tmp_path / "rejects.csv"), "--sites", "",
        env={"DASK_BORDERMAP__BLOCKSIZE": "200KiB", "DASK_BORDERMAP__NO_WORKERS": "3"},
    )  # fmt: skip
    wait_for_work(address)
    os.killpg((scheduler if lost == "scheduler" else workers).pid, 9)
    line = assert_one_line_failure(proc, out)
    assert ("scheduler" in line) if lost == "scheduler" else ("worker" in line)
    assert not (tmp_path / "rejects.csv").exists()


@pytest.mark.slow
def test_results_lost_with_their_workers_before_the_fetch_are_one_error(
    remote_cluster, monkeypatch
):
    from geo.dask import cluster

    address, _, workers = remote_cluster
    watch = cluster._watch

    def watch_then_lose_the_workers(client, futures, no_workers_s):
        watch(client, futures, no_workers_s)
        if workers.poll() is None:  # the race that hung a run in CI: every task had
            os.killpg(workers.pid, 9)  # finished, and the workers holding the
            workers.wait()  # results died before they were fetched
            while cluster._workers(client):
                time.sleep(0.1)

    monkeypatch.setattr(cluster, "_watch", watch_then_lose_the_workers)
    started = time.monotonic()
    with Client(address, timeout="10s"), dask.config.set({"bordermap.no-workers": "1s"}):
        with pytest.raises(cluster.ClusterError, match="no Dask worker left for 1 s"):
            cluster.compute(*[dask.delayed(sum)([i, 1]) for i in range(4)])
    assert time.monotonic() - started < 60


@pytest.mark.slow
def test_a_worker_killed_mid_run_is_retried_or_fails_cleanly(tmp_path):
    psutil = pytest.importorskip("psutil")
    events = messy_csv(tmp_path / "e.csv", 40_000)
    out, rejects = tmp_path / "out", tmp_path / "rejects.csv"
    proc = cli_process(
        "analyze", "--engine", "dask", "--events", str(events), "--out", str(out),
        "--rejects", str(rejects), "--sites", "",
        env={"DASK_BORDERMAP__BLOCKSIZE": "200KiB"},
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".out.tmp-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)
    workers = [
        p
        for p in psutil.Process(proc.pid).children(recursive=True)
        if "spawn_main" in " ".join(p.cmdline())
    ]
    assert workers, "no worker process found"
    workers[0].kill()
    _, stderr = proc.communicate(timeout=300)
    assert "Traceback" not in stderr, stderr
    if proc.returncode == 0:  # the task was retried on a new worker: the output is whole
        kept = gpd.read_parquet(out)
        got = pd.read_csv(rejects, dtype=str, keep_default_na=False)
        assert len(kept) + len(got) == 40_000
        assert f"40000 rows read, {len(kept)} kept" in stderr
    else:
        assert len([line for line in stderr.splitlines() if line.strip()]) == 1
        assert not out.exists() and not rejects.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temporaries_of_a_killed_run_are_removed_and_live_ones_kept(tmp_path):
    from geo.dask.outputs import remove_stale

    out = tmp_path / "out"
    stale = tmp_path / f".out.tmp-{dead_pid()}-0123abcd"
    live = tmp_path / f".out.tmp-{os.getpid()}-0123abcd"
    other = tmp_path / f".other.tmp-{dead_pid()}-0123abcd"
    for folder in (stale, live, other):
        folder.mkdir()
    assert remove_stale(out) == [stale]
    assert live.exists() and other.exists() and not stale.exists()


def test_a_folder_that_appears_during_the_run_is_never_replaced(tmp_path):
    from geo.dask.outputs import replace_dir

    done = tmp_path / ".out.tmp"
    done.mkdir()
    (done / "part.0.parquet").write_text("new")
    target = tmp_path / "out"
    target.mkdir()
    (target / "theirs.txt").write_text("keep me")
    with pytest.raises(geo.errors.OutputExistsError):
        replace_dir(done, target, overwrite=False)
    assert (target / "theirs.txt").read_text() == "keep me"
    replace_dir(done, target, overwrite=True)
    assert [p.name for p in target.iterdir()] == ["part.0.parquet"]


def test_dask_errors_name_the_users_file_and_an_empty_file_fails(runner, tmp_path):
    """Problems found in the sample of first rows name the user's file, as locally."""
    clash = tmp_path / "mine.csv"
    clash.write_text("event_id,latitude,longitude,zone\na1,27.37,62.33,north\n")
    result = dask_cli(runner, clash, tmp_path / "out1")
    assert result.exit_code != 0
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"Error: {clash}: ") and "sample" not in line and "zone" in line
    header_only = tmp_path / "empty.csv"
    header_only.write_text("event_id,latitude,longitude\n")
    result = dask_cli(runner, header_only, tmp_path / "out2")
    assert result.exit_code == 1 and "no events remain" in result.stderr
    assert "Empty DataFrame" not in result.output
