from __future__ import annotations

import base64
import importlib.util
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOK = NOTEBOOKS / "explore.ipynb"


def _generator():
    spec = importlib.util.spec_from_file_location("make_explore", NOTEBOOKS / "make_explore.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _outputs(cell) -> tuple[str, dict]:
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    data = {}
    for o in cell.outputs:
        data.update(o.get("data", {}))
    return text, data


def _cell(nb, needle: str):
    return next(c for c in nb.cells if c.cell_type == "code" and needle in c.source)


def test_committed_notebook_is_stripped_and_matches_its_generator():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    built = _generator().build()
    assert [(c.cell_type, c.source) for c in nb.cells] == [
        (c.cell_type, c.source) for c in built.cells
    ], "run .venv/bin/python notebooks/make_explore.py"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    root = tmp_path_factory.mktemp("notebook")
    run, scratch, kernels = root / "run", root / "tmp", root / "kernels" / "bordermap-venv"
    for folder in (run, scratch, kernels):
        folder.mkdir(parents=True)
    # a kernel spec naming this interpreter: the notebook runs in the project's venv
    (kernels / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "bordermap (venv)",
                "language": "python",
            }
        )
    )
    specs = KernelSpecManager(kernel_dirs=[str(kernels.parent)])
    km = KernelManager(kernel_name="bordermap-venv", kernel_spec_manager=specs)
    assert km.kernel_spec.argv[0] == sys.executable
    patch = pytest.MonkeyPatch()
    patch.setenv("TMPDIR", str(scratch))
    # any HTTP(S) request from the notebook fails at once instead of reaching the network
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        patch.setenv(var, "http://127.0.0.1:9")
    patch.setenv("NO_PROXY", "")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    try:
        NotebookClient(nb, km=km, timeout=300, resources={"metadata": {"path": str(run)}}).execute()
    finally:
        patch.undo()
    return nb, run, scratch


@pytest.mark.slow
def test_notebook_runs_top_to_bottom_without_errors(executed):
    nb, run, _ = executed
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert list(run.iterdir()) == []  # nothing written where it runs


@pytest.mark.slow
def test_notebook_measures_the_border_near_the_shared_944_km(executed):
    nb, _, _ = executed
    text, data = _outputs(_cell(nb, "line_length_km(border"))
    km = float(re.search(r"Measured IRN-PAK border: ([\d.]+) km", text).group(1))
    assert km == pytest.approx(944.0, rel=0.03)
    assert "CIA World Factbook" in data["text/html"] and "seed article" in data["text/html"]


@pytest.mark.slow
def test_notebook_places_a_strike_by_name_and_analyses_proximity(executed):
    nb, _, _ = executed
    text, _ = _outputs(_cell(nb, 'geo.place("Koh-e-Sabz"'))
    assert text.startswith("Koh-e-Sabz: village in Balochistan, 26.90 N 63.75 E")
    _, data = _outputs(_cell(nb, "analyzed = geo.analyze(events, theatre)"))
    assert "<table" in data["text/html"] and "Sistan and Baluchestan" in data["text/html"]
    _, data = _outputs(_cell(nb, "summarize(analyzed"))
    assert "spans bands" in data["text/html"]  # Saravan: 45 km +- 25 km reaches three bands


@pytest.mark.slow
def test_notebook_shows_the_map_and_the_figure_inline(executed):
    nb, _, _ = executed
    _, data = _outputs(_cell(nb, "geo.render_map(analyzed, theatre"))
    html = data["text/html"]
    assert "<iframe" in html and "Saravan" in html
    # offline: scripts are inlined, none is fetched from a CDN
    assert "Leaflet 1.9.4" in html and "src=&quot;https://" not in html
    _, data = _outputs(_cell(nb, "geo.plot(analyzed, theatre)"))
    png = base64.b64decode(data["image/png"])
    assert png.startswith(b"\x89PNG") and len(png) > 50_000


@pytest.mark.slow
def test_notebook_exports_a_geopackage_to_a_temporary_folder(executed):
    nb, _, scratch = executed
    text, data = _outputs(_cell(nb, "geo.export_gpkg("))
    assert text.startswith("wrote january-2024.gpkg")
    assert "events" in data["text/html"] and "zones" in data["text/html"]
    written = list(scratch.glob("bordermap-*/january-2024.gpkg"))
    assert len(written) == 1 and written[0].stat().st_size > 100_000
