"""Kill -9 while replacing: does the target stay complete, and are temporaries cleaned?

Usage: python benchmarks/bench_kill9.py   (from the repository root)

For each writing command (export, map --offline, analyze --out, raster, plot)
one run creates the target; then six runs with ``--overwrite`` are killed with
SIGKILL 0, 10, 30, 100, 300 and 1000 ms after their hidden temporary appears.
After each kill the target is checked (SQLite ``PRAGMA integrity_check``,
``gdalinfo -checksum``, the HTML parser, the CSV's widths, the PNG's IEND);
a last normal run must remove the temporaries the kills left behind.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import faults
from tests.test_faults import _complete, _kill_while_writing

DELAYS_S = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0)


def main() -> None:
    for command, (base, suffix) in sorted(faults.WRITERS.items()):
        folder = Path(tempfile.mkdtemp())
        out = folder / f"target{suffix}"
        started = time.monotonic()
        assert faults.run([*base, "-q", "-o", str(out)]).returncode == 0
        took = time.monotonic() - started
        args = [*base, "-q", "-o", str(out), "--overwrite"]
        hits = intact = 0
        for delay in DELAYS_S:
            hits += _kill_while_writing(args, folder, delay)
            intact += _complete(command, out)
        left = [p for p in folder.iterdir() if p.name.startswith(".")]
        faults.run(args)
        after = [p for p in folder.iterdir() if p.name != out.name]
        print(
            f"{command}: run {took:.1f} s; {len(DELAYS_S)} kills, {hits} during the write, "
            f"target complete after {intact}/{len(DELAYS_S)}; hidden temporaries left "
            f"{len(left)}, after the next run {len(after)}",
            flush=True,
        )


if __name__ == "__main__":
    main()
