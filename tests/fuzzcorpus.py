"""Generate a corpus of mangled event files for tests/test_fuzz.py (seeded, so reproducible).

``python -m tests.fuzzcorpus FOLDER`` writes it to a folder, for trying by hand.
Each family mangles a real-looking ACLED file, GeoJSON, GeoPackage or
GeoParquet the way files break in practice: random bytes, truncation, NUL
bytes, invalid UTF-8, UTF-16 without a BOM, very long lines, very many
columns, deep or broken JSON, corrupt SQLite, fake Parquet, zip bombs,
NaN and infinite coordinates, duplicate headers.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import shapely

from geo.io.layouts import ACLED_CURRENT

__all__ = ["FAMILIES", "generate"]


def acled_text(rows: int = 20, seed: int = 0) -> str:
    """A small valid ACLED export (31 columns) with realistic notes."""
    rng = random.Random(seed)
    lines = [",".join(ACLED_CURRENT)]
    for i in range(rows):
        values = {c: "" for c in ACLED_CURRENT}
        values.update(
            event_id_cnty=f"PAK{i}",
            event_date="2024-01-18",
            year="2024",
            time_precision="1",
            event_type="Explosions/Remote violence",
            sub_event_type="Air/drone strike",
            actor1="Military Forces of Iran (1989-)",
            iso="586",
            country="Pakistan",
            admin1="Balochistan",
            location="Panjgur",
            latitude=f"{26.96 + rng.random() / 10:.4f}",
            longitude=f"{64.09 + rng.random() / 10:.4f}",
            geo_precision="1",
            source="Dawn",
            notes='"On 18 January 2024, a strike hit a village, killing 2, the ""army"" said."',
            fatalities=str(rng.randint(0, 9)),
        )
        lines.append(",".join(values[c] for c in ACLED_CURRENT))
    return "\n".join(lines) + "\n"


def _random_bytes(rng: random.Random, i: int) -> tuple[str, bytes]:
    size = rng.choice([1, 7, 100, 4096, 70000])
    return f"random{i}.csv", rng.randbytes(size)


def _truncated(rng: random.Random, i: int) -> tuple[str, bytes]:
    data = acled_text(seed=i).encode()
    return f"truncated{i}.csv", data[: rng.randrange(1, len(data))]


def _nul_bytes(rng: random.Random, i: int) -> tuple[str, bytes]:
    data = bytearray(acled_text(seed=i).encode())
    for _ in range(rng.randint(1, 5)):
        data.insert(rng.randrange(len(data)), 0)
    return f"nul{i}.csv", bytes(data)


def _invalid_utf8(rng: random.Random, i: int) -> tuple[str, bytes]:
    data = bytearray(acled_text(seed=i).encode())
    for _ in range(rng.randint(1, 10)):
        data[rng.randrange(len(data))] = rng.choice([0x80, 0xC3, 0xFF, 0xE2, 0x96])
    return f"badutf8_{i}.csv", bytes(data)


def _utf16_no_bom(rng: random.Random, i: int) -> tuple[str, bytes]:
    codec = rng.choice(["utf-16-le", "utf-16-be"])
    return f"utf16_{i}.csv", acled_text(seed=i).encode(codec)


def _long_line(rng: random.Random, i: int) -> tuple[str, bytes]:
    text = "id,lat,lon,notes\na,27.37,62.33," + "x" * (5 << 20 if i == 0 else 2 << 20) + "\n"
    return f"longline{i}.csv", text.encode()


def _wide(rng: random.Random, i: int) -> tuple[str, bytes]:
    n = 100_001 + i
    if i % 2:
        text = "id,lat,lon\na,27.37,62.33\n" + ",".join("1" for _ in range(n)) + "\n"
    else:
        text = ",".join(f"c{k}" for k in range(n)) + "\n" + ",".join("1" for _ in range(n)) + "\n"
    return f"wide{i}.csv", text.encode()


def _deep_json(rng: random.Random, i: int) -> tuple[str, bytes]:
    depth = rng.choice([100, 1000, 100_000])
    return f"deep{i}.geojson", ("[" * depth + "]" * depth).encode()


def _bad_geojson(rng: random.Random, i: int) -> tuple[str, bytes]:
    good = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "a"},
                "geometry": {"type": "Point", "coordinates": [62.33, 27.37]},
            }
        ],
    }
    text = json.dumps(good)
    kind = i % 4
    if kind == 0:
        text = text[: rng.randrange(1, len(text))]
    elif kind == 1:
        text = text.replace(
            "[62.33, 27.37]", rng.choice(["[NaN, 27]", "[1e999, 0]", '["x"]', "[]"])
        )
    elif kind == 2:
        text = text.replace('"Point"', rng.choice(['"Nope"', "null", "3"]))
    else:
        text = '{"type": "FeatureCollection", "features": ' + rng.choice(["3", "{}", "[1]"]) + "}"
    return f"bad{i}.geojson", text.encode()


def _gpkg_bytes() -> bytes:
    frame = gpd.GeoDataFrame(
        {"event_id": ["a", "b"]},
        geometry=[shapely.Point(62.33, 27.37), shapely.Point(64.09, 26.96)],
        crs="EPSG:4326",
    )
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "e.gpkg"
        frame.to_file(path, driver="GPKG")
        return path.read_bytes()


def _corrupt_gpkg(rng: random.Random, i: int) -> tuple[str, bytes]:
    data = bytearray(_GPKG.get())
    if i % 3 == 0:
        data = data[: rng.randrange(100, len(data))]
    elif i % 3 == 1:
        for _ in range(rng.randint(1, 200)):
            data[rng.randrange(100, len(data))] = rng.randrange(256)
    else:
        data = bytearray(b"SQLite format 3\x00" + rng.randbytes(rng.choice([10, 5000])))
    return f"corrupt{i}.gpkg", bytes(data)


def _fake_parquet(rng: random.Random, i: int) -> tuple[str, bytes]:
    body = rng.randbytes(rng.choice([0, 10, 3000]))
    return f"fake{i}.parquet", b"PAR1" + body + (b"PAR1" if i % 2 else b"")


def _zip_bomb(rng: random.Random, i: int) -> tuple[str, bytes]:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("events.csv", "w", force_zip64=True) as fh:
            fh.write(b"id,lat,lon\n")
            for _ in range(100):
                fh.write(b"0" * (1 << 20))
    return f"bomb{i}.zip", buf.getvalue()


def _gzip_bomb(rng: random.Random, i: int) -> tuple[str, bytes]:
    raw = b"id,lat,lon\n" + b"1" * (100 << 20)
    return f"bomb{i}.csv.gz", gzip.compress(raw, compresslevel=9)


def _bad_zip(rng: random.Random, i: int) -> tuple[str, bytes]:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("events.csv", acled_text(seed=i))
    data = buf.getvalue()
    if i % 2:
        data = data[: rng.randrange(4, len(data))]
    else:
        data = data[:40] + rng.randbytes(20) + data[60:]
    return f"broken{i}.zip", data


def _bad_gzip(rng: random.Random, i: int) -> tuple[str, bytes]:
    data = gzip.compress(acled_text(seed=i).encode())
    return f"broken{i}.csv.gz", data[: rng.randrange(2, len(data))]


def _odd_coordinates(rng: random.Random, i: int) -> tuple[str, bytes]:
    values = ["nan", "NaN", "inf", "-inf", "1e999", "-1e999", "Infinity", "1e308", ""]
    text = "id,lat,lon\n" + "".join(
        f"r{k},{rng.choice(values)},{rng.choice(values)}\n" for k in range(5)
    )
    return f"coords{i}.csv", text.encode()


def _duplicate_headers(rng: random.Random, i: int) -> tuple[str, bytes]:
    header = rng.choice(["lat,lat,lon", "id,id,lat,lon", "latitude,lat,lon,longitude", ",,,"])
    width = header.count(",") + 1
    rows = "".join(",".join(["27.37"] * width) + "\n" for _ in range(3))
    return f"dupheader{i}.csv", (header + "\n" + rows).encode()


class _Lazy:
    def __init__(self, make: Callable[[], bytes]) -> None:
        self.make, self.value = make, None

    def get(self) -> bytes:
        if self.value is None:
            self.value = self.make()
        return self.value


_GPKG = _Lazy(_gpkg_bytes)

#: family name -> (maker, how many files)
FAMILIES: dict[str, tuple[Callable[[random.Random, int], tuple[str, bytes]], int]] = {
    "random_bytes": (_random_bytes, 60),
    "truncated": (_truncated, 40),
    "nul_bytes": (_nul_bytes, 20),
    "invalid_utf8": (_invalid_utf8, 30),
    "utf16_no_bom": (_utf16_no_bom, 10),
    "long_line": (_long_line, 2),
    "wide": (_wide, 2),
    "deep_json": (_deep_json, 6),
    "bad_geojson": (_bad_geojson, 30),
    "corrupt_gpkg": (_corrupt_gpkg, 30),
    "fake_parquet": (_fake_parquet, 12),
    "zip_bomb": (_zip_bomb, 1),
    "gzip_bomb": (_gzip_bomb, 1),
    "bad_zip": (_bad_zip, 12),
    "bad_gzip": (_bad_gzip, 10),
    "odd_coordinates": (_odd_coordinates, 25),
    "duplicate_headers": (_duplicate_headers, 12),
}


def generate(folder: Path, seed: int = 17) -> dict[str, list[Path]]:
    """Write every family's files into ``folder``; return the paths by family."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, list[Path]] = {}
    for family, (make, count) in FAMILIES.items():
        rng = random.Random(f"{seed}-{family}")
        for i in range(count):
            name, data = make(rng, i)
            path = folder / name
            path.write_bytes(data)
            out.setdefault(family, []).append(path)
    return out


if __name__ == "__main__":
    made = generate(Path(sys.argv[1]))
    print(sum(len(v) for v in made.values()), "files")
