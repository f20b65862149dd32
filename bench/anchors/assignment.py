"""Anchor of bulk re-assignment: the classification alone, vectorised.

Coordinates already in two numpy arrays, one STRtree of prepared polygons, one vectorised
point-in-polygon pass (``geodata.assign.ZoneIndex.assign``): no database read, no write.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from geodata.assign import ZoneIndex


def classify(
    index: ZoneIndex, lons: npt.NDArray[np.float64], lats: npt.NDArray[np.float64]
) -> npt.NDArray[np.int64]:
    """The winning zone id of each point (-1 outside every zone)."""
    return index.assign(lons, lats)
