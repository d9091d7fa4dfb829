from __future__ import annotations

import pickle

from geo.errors import InputError, OutputExistsError


def test_errors_survive_pickling_between_processes():
    err = pickle.loads(pickle.dumps(InputError("e.csv", 3, "latitude", "not a number")))
    assert str(err) == "e.csv: row 3, field 'latitude': not a number" and err.row == 3
    assert str(pickle.loads(pickle.dumps(OutputExistsError("x.gpkg")))).startswith("x.gpkg exists")
