from __future__ import annotations

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic
from hypothesis import given
from hypothesis import strategies as st
from shapely import LineString, MultiLineString

from geo.geodesy import geodesic_inverse, geodesic_km, line_length_km

lat = st.floats(-89.9, 89.9)
lon = st.floats(-180, 180)


@given(lon, lat, lon, lat)
def test_geodesic_km_matches_geographiclib(lon1, lat1, lon2, lat2):
    exact = Geodesic.WGS84.Inverse(lat1, lon1, lat2, lon2)["s12"] / 1000
    assert geodesic_km(lon1, lat1, lon2, lat2) == pytest.approx(exact, abs=1e-6)


def test_geodesic_km_broadcasts_and_keeps_shape():
    out = geodesic_km(np.zeros((2, 3)), 0, 1, 0)
    assert out.shape == (2, 3)
    assert np.allclose(out, 111.3195, atol=1e-3)


def test_geodesic_inverse_azimuth_east():
    az, back, m = geodesic_inverse(0, 0, 1, 0)
    assert float(az) == pytest.approx(90)
    assert float(back) == pytest.approx(-90)
    assert float(m) == pytest.approx(111319.49, abs=0.01)


def test_nan_propagates():
    assert np.isnan(geodesic_km(np.nan, 0, 1, 0))


def test_line_length_sums_edges_and_parts():
    one = LineString([(60, 27), (61, 27), (61, 28)])
    expected = geodesic_km(60, 27, 61, 27) + geodesic_km(61, 27, 61, 28)
    assert line_length_km(one) == pytest.approx(float(expected))
    assert line_length_km(MultiLineString([one, one])) == pytest.approx(2 * float(expected))
