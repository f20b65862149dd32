"""Anchor of bulk re-assignment: the classification alone, with the vectorised STRtree.

Coordinates already in two numpy arrays; one Shapely STRtree of the zones' prepared polygons, queried
with a Point per position, then one vectorised exact test (``intersects_xy``) of the candidate pairs and
the lowest-priority winner per point — the plain way to classify points with Shapely 2, and what the
product did before it looked candidates up in a grid of the zones' boxes (``geodata.assign``). No
database read, no write.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely

from geodata.assign import NO_ZONE, ZoneIndex


class StrtreeClassifier:
    """The zones of an index (kept in its priority order), in an STRtree of prepared polygons."""

    def __init__(self, index: ZoneIndex) -> None:
        self._ids = np.array([z.zone_id for z in index.zones], dtype=np.int64)
        self._geoms = np.array([z.geometry for z in index.zones], dtype=object)
        shapely.prepare(self._geoms)
        self._tree = shapely.STRtree(self._geoms)

    def classify(self, lons: npt.NDArray[np.float64], lats: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        """The winning zone id of each point (-1 outside every zone)."""
        result = np.full(lons.shape[0], NO_ZONE, dtype=np.int64)
        point_idx, tree_idx = self._tree.query(shapely.points(lons, lats))
        hit = shapely.intersects_xy(self._geoms[tree_idx], lons[point_idx], lats[point_idx])
        point_idx, tree_idx = point_idx[hit], tree_idx[hit]
        best = np.full(lons.shape[0], len(self._ids), dtype=np.int64)
        np.minimum.at(best, point_idx, tree_idx)
        won = best < len(self._ids)
        result[won] = self._ids[best[won]]
        return result
