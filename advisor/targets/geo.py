"""Great-circle distance, the basis of every latency estimate between a site and a zone.

Latency rules turn distance into round-trip time (fibre speed x route factor), so the
distance must be computed the same way everywhere: haversine on a spherical Earth. It works on
scalars and on numpy arrays alike, so facts can compute one distance per server at once.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

#: Mean Earth radius (IUGG), km. The spherical error (<0.5 %) is far below route inflation.
EARTH_RADIUS_KM = 6371.0088

Coordinate = float | npt.ArrayLike


def great_circle_km(
    lat1: Coordinate, lon1: Coordinate, lat2: Coordinate, lon2: Coordinate
) -> float | np.ndarray:
    """Haversine distance in km between points given in decimal degrees.

    Scalars in, float out; arrays (or Series) in, a float ndarray out (NaN where any input is
    missing), broadcast like numpy.
    """
    phi1, lam1, phi2, lam2 = (
        np.radians(np.asarray(value, dtype="float64")) for value in (lat1, lon1, lat2, lon2)
    )
    h = (
        np.sin((phi2 - phi1) / 2.0) ** 2
        + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2.0) ** 2
    )
    km = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return float(km) if np.ndim(km) == 0 else km
