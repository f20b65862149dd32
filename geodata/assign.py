"""Assign positions to zones (QPV or custom) in process, with a Shapely STRtree.

The rule, which the database service reproduces in SQL:

* a point belongs to every zone whose polygon *covers* it, boundary included
  (``covers``, not ``contains``), tested in planar WGS84 lon/lat like PostGIS
  ``ST_Covers(geometry, geometry)`` on SRID 4326;
* among those zones the winner is the one with the smallest ``(rank, code, zone_id)``,
  compared as (integer, code point string, integer); rank 0 is a QPV of the project's
  list year, rank 1 a custom zone of the project;
* no covering zone gives ``-1`` ("hors zone"), and so does a non-finite coordinate.

A point on the boundary shared by two zones is covered by both, so it always gets the same
deterministic winner whichever engine computes it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

__all__ = ["NO_ZONE", "ZoneIndex", "ZoneShape"]

#: Zone id returned for a position covered by no zone.
NO_ZONE = -1

_POLYGONAL = ("Polygon", "MultiPolygon")
_CHUNK = 262_144
#: A zone spanning more cells than this is kept out of the grid (see _BoxGrid).
_MAX_CELLS = 1024
#: Up to this many zones, one position is tested against their boxes in a plain loop: numpy's
#: per-call cost (about a microsecond for each array operation) outweighs the loop's.
_FEW_ZONES = 64


@dataclass(frozen=True, slots=True)
class ZoneShape:
    """One zone as the index needs it: identity, priority and polygon in EPSG:4326."""

    zone_id: int  #: primary key of the zone row; returned by assign()
    rank: int  #: 0 = QPV of the project's list year, 1 = custom zone; lower wins
    code: str  #: zone code, the tie-break between zones of the same rank
    geometry: BaseGeometry  #: Polygon or MultiPolygon, lon/lat

    @property
    def priority(self) -> tuple[int, str, int]:
        """Return the sort key of the boundary rule: smaller wins."""
        return (self.rank, self.code, self.zone_id)


class ZoneIndex:
    """A spatial index over zones answering "which zone is this position in?"."""

    def __init__(self, zones: Sequence[ZoneShape]) -> None:
        """Build the index; zone ids must be unique, geometries non-empty polygons."""
        seen: set[int] = set()
        for zone in zones:
            if zone.zone_id in seen:
                raise ValueError(f"zone_id {zone.zone_id} appears twice")
            if zone.zone_id == NO_ZONE:
                raise ValueError(f"zone_id {NO_ZONE} is reserved for 'no zone'")
            if zone.geometry.geom_type not in _POLYGONAL or zone.geometry.is_empty:
                raise ValueError(f"zone {zone.code!r} ({zone.zone_id}) is not a non-empty polygon")
            seen.add(zone.zone_id)
        # The tree holds zones in priority order, so the winner among the zones covering a
        # point is simply the smallest tree index: one np.minimum.at, no per-point sorting.
        self._zones: tuple[ZoneShape, ...] = tuple(sorted(zones, key=lambda z: z.priority))
        self._ids = np.array([z.zone_id for z in self._zones], dtype=np.int64)
        self._geoms = np.array([z.geometry for z in self._zones], dtype=object)
        # Prepared geometries make each point-in-polygon test logarithmic in the vertex count.
        shapely.prepare(self._geoms)
        self._tree = shapely.STRtree(self._geoms)
        # The zones' boxes as columns: one position is tested against them all at once, cheaper than
        # making a Point to query the tree with.
        bounds = shapely.bounds(self._geoms) if self._zones else np.empty((0, 4))
        self._xmin, self._ymin, self._xmax, self._ymax = (
            np.ascontiguousarray(bounds[:, i]) for i in range(4)
        )
        self._grid = _BoxGrid(bounds) if self._zones else None
        # The same boxes as plain floats, with each zone's id and prepared polygon, in priority order.
        self._few: tuple[tuple[float, float, float, float, int, BaseGeometry], ...] | None = (
            tuple(
                (float(b[0]), float(b[1]), float(b[2]), float(b[3]), z.zone_id, z.geometry)
                for b, z in zip(bounds, self._zones, strict=True)
            )
            if len(self._zones) <= _FEW_ZONES
            else None
        )

    def __len__(self) -> int:
        return len(self._zones)

    @property
    def zones(self) -> tuple[ZoneShape, ...]:
        """Return the indexed zones, in priority order."""
        return self._zones

    def assign(self, lons: npt.ArrayLike, lats: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Return, for each lon/lat position, the winning zone id or -1 (NO_ZONE)."""
        x = np.asarray(lons, dtype=np.float64)
        y = np.asarray(lats, dtype=np.float64)
        if x.shape != y.shape or x.ndim != 1:
            raise ValueError(f"lons and lats must be 1-D arrays of one length, got {x.shape} and {y.shape}")
        result = np.full(x.shape[0], NO_ZONE, dtype=np.int64)
        if not self._zones:
            return result
        # Chunks bound the memory of the temporary Point objects (about 100 bytes each).
        for start in range(0, x.shape[0], _CHUNK):
            stop = min(start + _CHUNK, x.shape[0])
            result[start:stop] = self._assign_chunk(x[start:stop], y[start:stop])
        return result

    def _assign_chunk(self, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        result = np.full(x.shape[0], NO_ZONE, dtype=np.int64)
        finite = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        if finite.size == 0 or self._grid is None:
            return result
        xs, ys = x[finite], y[finite]
        # Candidate (point, zone) pairs from the grid of the zones' boxes — plain arithmetic on the
        # coordinates, no Point object made — then the boxes themselves, then the exact test. For a
        # point, "the polygon intersects it" is the same relation as "the polygon covers it"
        # (boundary included); the prepared intersects_xy is vectorised.
        point_idx, tree_idx = self._grid.candidates(xs, ys)
        inside = (
            (self._xmin[tree_idx] <= xs[point_idx])
            & (xs[point_idx] <= self._xmax[tree_idx])
            & (self._ymin[tree_idx] <= ys[point_idx])
            & (ys[point_idx] <= self._ymax[tree_idx])
        )
        point_idx, tree_idx = point_idx[inside], tree_idx[inside]
        hit = shapely.intersects_xy(self._geoms[tree_idx], xs[point_idx], ys[point_idx])
        point_idx, tree_idx = point_idx[hit], tree_idx[hit]
        if point_idx.size:
            best = np.full(xs.shape[0], len(self._zones), dtype=np.int64)
            np.minimum.at(best, point_idx, tree_idx)
            won = best < len(self._zones)
            result[finite[won]] = self._ids[best[won]]
        return result

    def assign_one(self, lon: float, lat: float) -> int:
        """Return the winning zone id for one position, or -1 (NO_ZONE).

        The rule of :meth:`assign` without its arrays and chunks (one position per request on ingest).
        """
        if not self._zones or not (math.isfinite(lon) and math.isfinite(lat)):
            return NO_ZONE
        if self._few is not None:
            # priority order: the first zone covering the position wins
            for xmin, ymin, xmax, ymax, zone_id, geometry in self._few:
                if xmin <= lon <= xmax and ymin <= lat <= ymax and shapely.intersects_xy(geometry, lon, lat):
                    return zone_id
            return NO_ZONE
        boxed = (self._xmin <= lon) & (lon <= self._xmax) & (self._ymin <= lat) & (lat <= self._ymax)
        tree_idx = np.flatnonzero(boxed)
        if tree_idx.size == 0:
            return NO_ZONE
        tree_idx = tree_idx[shapely.intersects_xy(self._geoms[tree_idx], lon, lat)]
        return int(self._ids[tree_idx.min()]) if tree_idx.size else NO_ZONE

    def zones_at(self, lon: float, lat: float) -> list[ZoneShape]:
        """Return every zone covering a position, winner first (for explanations and debugging)."""
        if not (np.isfinite(lon) and np.isfinite(lat)):
            return []
        tree_idx = self._tree.query(shapely.points(lon, lat), predicate="covered_by")
        return [self._zones[i] for i in sorted(int(i) for i in tree_idx)]


class _BoxGrid:
    """A uniform grid over the zones' bounding boxes: for a position, the zones whose box may hold it.

    The cell side is the median side of the boxes, so a zone spans a few cells; each occupied cell
    lists its zones (sorted keys and offsets, searched with ``np.searchsorted``). A zone spanning more
    than :data:`_MAX_CELLS` cells (a commune-wide custom zone among QPV) is kept apart and tested by
    its box alone. Cell numbers come from ``floor((x - x0) / side)``, monotonic in x, so a position
    inside a box always falls in one of the cells listed for it, boundary included.
    """

    def __init__(self, bounds: npt.NDArray[np.float64]) -> None:
        sides = np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
        self._x0, self._y0 = float(bounds[:, 0].min()), float(bounds[:, 1].min())
        self._side = max(float(np.median(sides)), 1e-9)
        cx0, cy0 = self._cell(bounds[:, 0], bounds[:, 1])
        cx1, cy1 = self._cell(bounds[:, 2], bounds[:, 3])
        self._nx, self._ny = int(cx1.max()) + 1, int(cy1.max()) + 1
        spans = (cx1 - cx0 + 1) * (cy1 - cy0 + 1)
        self._big = np.flatnonzero(spans > _MAX_CELLS)
        keys: list[npt.NDArray[np.int64]] = []
        zones: list[npt.NDArray[np.int64]] = []
        for i in np.flatnonzero(spans <= _MAX_CELLS):
            gx, gy = np.meshgrid(np.arange(cx0[i], cx1[i] + 1), np.arange(cy0[i], cy1[i] + 1))
            keys.append((gx * self._ny + gy).ravel())
            zones.append(np.full(gx.size, i, dtype=np.int64))
        all_keys = np.concatenate(keys) if keys else np.empty(0, dtype=np.int64)
        all_zones = np.concatenate(zones) if zones else np.empty(0, dtype=np.int64)
        order = np.lexsort((all_zones, all_keys))
        all_keys, self._zone_of = all_keys[order], all_zones[order]
        self._keys, self._starts, self._counts = np.unique(all_keys, return_index=True, return_counts=True)

    def _cell(
        self, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        return (
            np.floor((x - self._x0) / self._side).astype(np.int64),
            np.floor((y - self._y0) / self._side).astype(np.int64),
        )

    def candidates(
        self, xs: npt.NDArray[np.float64], ys: npt.NDArray[np.float64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(point index, zone index) pairs whose box may hold the point (finite coordinates)."""
        cx, cy = self._cell(xs, ys)
        on_grid = np.flatnonzero((cx >= 0) & (cx < self._nx) & (cy >= 0) & (cy < self._ny))
        point_parts: list[npt.NDArray[np.int64]] = []
        zone_parts: list[npt.NDArray[np.int64]] = []
        if on_grid.size and self._keys.size:
            keys = cx[on_grid] * self._ny + cy[on_grid]
            pos = np.minimum(np.searchsorted(self._keys, keys), self._keys.size - 1)
            found = self._keys[pos] == keys
            points, pos = on_grid[found], pos[found]
            counts = self._counts[pos]
            total = int(counts.sum())
            if total:
                ends = np.cumsum(counts)
                within = np.arange(total, dtype=np.int64) - np.repeat(ends - counts, counts)
                point_parts.append(np.repeat(points, counts))
                zone_parts.append(self._zone_of[np.repeat(self._starts[pos], counts) + within])
        # zones too big for the grid: every point on the grid is a candidate, their boxes decide
        for i in self._big:
            point_parts.append(on_grid)
            zone_parts.append(np.full(on_grid.size, i, dtype=np.int64))
        if not point_parts:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty
        return np.concatenate(point_parts), np.concatenate(zone_parts)
