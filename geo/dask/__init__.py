"""The dask engine: the core analysis mapped over dask-geopandas partitions.

The core (:mod:`geo.proximity`) knows nothing of dask; this package calls it
once per partition, with the theatre and the layers broadcast to the workers.
It needs the ``bordermap[dask]`` extra.

- :mod:`geo.dask.partitions`: :func:`analyze`, :func:`site_distances`,
  :func:`summarize`, :func:`order_summary` on a lazy frame;
- :mod:`geo.dask.dataset`: :func:`read_dataset` reads event files into an
  :class:`EventDataset`, one partition per file or per byte range of a large
  delimited file (:func:`expand_events`, :func:`plan_parts`);
- :mod:`geo.dask.split` cuts a file at row boundaries, quoted newlines
  respected; :mod:`geo.dask.parts` reads one part and finds duplicate ids
  across parts and files;
- :mod:`geo.dask.runner`: :func:`run` writes the output folder and returns a
  :class:`DatasetRun`;
- :mod:`geo.dask.cluster`: :func:`connect` opens a cluster, :func:`compute`
  watches a run on it; both fail as a one-line :class:`ClusterError`;
- :mod:`geo.dask.workers`: :func:`broadcast` and :class:`RelayedError`,
  shared by every task.
"""

from __future__ import annotations

from geo._lazy import lazy_module

_MODULES = {
    "geo.dask.partitions": (
        "analyze",
        "order_summary",
        "site_distances",
        "strike_rows",
        "summarize",
    ),
    "geo.dask.dataset": ("EventDataset", "expand_events", "plan_parts", "read_dataset"),
    "geo.dask.runner": ("DatasetRun", "run"),
    "geo.dask.cluster": ("ClusterError", "compute", "connect"),
    "geo.dask.workers": ("RelayedError", "broadcast"),
}
_NAMES = {name: module for module, names in _MODULES.items() for name in names}
__all__ = sorted(_NAMES)
_SUBMODULES = ["cluster", "dataset", "outputs", "partitions", "parts", "runner", "split", "workers"]
__getattr__, __dir__ = lazy_module(__name__, _NAMES, _SUBMODULES)
