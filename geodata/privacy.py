"""Privacy of sensitive locations: snap points to a fixed Lambert-93 grid and hide sparse cells.

Reports of a sensitive theme (street harassment in the default grid: the forms mark which) must never
be shown to partners or the public at their exact place.
They are counted per square cell of a grid fixed in Lambert-93 (EPSG:2154), 100 to 250 m wide; a cell
with fewer than ``min_count`` reports is left out. The grid is deterministic: the same point always
falls in the same cell, so repeated views cannot be averaged to recover it (random jitter can).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from shapely.geometry import Polygon, box

from geodata.crs import METRIC_SRID, from_metric, transformer

#: Allowed cell sizes, in metres.
MIN_CELL_M, MAX_CELL_M = 100, 250
#: Default cell size and the smallest count a shown cell may hold.
DEFAULT_CELL_M, DEFAULT_MIN_COUNT = 200, 3


@dataclass(frozen=True, order=True)
class GridCell:
    """One cell of the grid, named by its south-west corner in Lambert-93 metres."""

    x0: int  #: easting of the south-west corner (a multiple of ``size_m``)
    y0: int  #: northing of the south-west corner (a multiple of ``size_m``)
    size_m: int  #: side of the cell

    def polygon(self) -> Polygon:
        """The cell's outline in lon/lat (EPSG:4326)."""
        return from_metric(box(self.x0, self.y0, self.x0 + self.size_m, self.y0 + self.size_m), METRIC_SRID)

    def centre(self) -> tuple[float, float]:
        """The cell's centre as (lon, lat): where its count is drawn."""
        lon, lat = transformer(METRIC_SRID, 4326).transform(
            self.x0 + self.size_m / 2, self.y0 + self.size_m / 2
        )
        return (lon, lat)


@dataclass(frozen=True)
class CellCount:
    """How many reports fall in one cell."""

    cell: GridCell
    count: int


def _check_size(size_m: int) -> None:
    if not MIN_CELL_M <= size_m <= MAX_CELL_M:
        raise ValueError(f"cell size must be between {MIN_CELL_M} and {MAX_CELL_M} m, got {size_m}")


def cell_of(lon: float, lat: float, size_m: int = DEFAULT_CELL_M) -> GridCell:
    """The grid cell containing a point."""
    _check_size(size_m)
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValueError("coordinates must be finite numbers")
    x, y = transformer(4326, METRIC_SRID).transform(lon, lat)
    return GridCell(int(math.floor(x / size_m) * size_m), int(math.floor(y / size_m) * size_m), size_m)


def aggregate(
    points: Iterable[tuple[float, float]], *, size_m: int = DEFAULT_CELL_M, min_count: int = DEFAULT_MIN_COUNT
) -> list[CellCount]:
    """Counts per cell, leaving out cells with fewer than ``min_count`` points; sorted by cell."""
    if min_count < 1:
        raise ValueError("min_count must be at least 1")
    counts = Counter(cell_of(lon, lat, size_m) for lon, lat in points)
    return [CellCount(cell, n) for cell, n in sorted(counts.items()) if n >= min_count]


# --- what partners and the public see ------------------------------------------------------------
# Which themes are sensitive is not known here: the forms say it (``Theme.sensitive``), and the web
# app hands the resulting points or keys to the helpers below.


def cell_id(cell: GridCell) -> str:
    """A stable name for a cell (its south-west corner and size in Lambert-93 metres)."""
    return f"L93-{cell.size_m}-{cell.x0}-{cell.y0}"


def cells_geojson(cells: Iterable[CellCount], *, precision: int = 6) -> dict[str, Any]:
    """Cells as a FeatureCollection of squares (lon/lat) with ``count``, ``size_m``, ``centre`` and ``cell``.

    Every coordinate in it is a cell corner or a cell centre: nothing of the points inside remains
    but their number.
    """
    features = []
    for item in cells:
        outline = item.cell.polygon()
        ring = [[round(x, precision), round(y, precision)] for x, y in outline.exterior.coords]
        lon, lat = item.cell.centre()
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {
                    "cell": cell_id(item.cell),
                    "count": item.count,
                    "size_m": item.cell.size_m,
                    "centre": [round(lon, precision), round(lat, precision)],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def sensitive_cells_geojson(
    points: Iterable[tuple[float, float]],
    *,
    size_m: int = DEFAULT_CELL_M,
    min_count: int = DEFAULT_MIN_COUNT,
) -> dict[str, Any]:
    """The cells partners and the public see of sensitive reports (:func:`aggregate`, then squares)."""
    return cells_geojson(aggregate(points, size_m=size_m, min_count=min_count))


def masked_cells(counts: Sequence[int], *, min_count: int = DEFAULT_MIN_COUNT) -> frozenset[int] | None:
    """Which cells of a table of counts to mask so that none can be recomputed from the rest.

    A table shows counts whose total is known (shown beside it, or elsewhere on the page). Cells with
    ``0 < count < min_count`` are masked (primary suppression). Masking one cell alone is useless: the
    total minus the shown cells gives it back. So more cells are masked, smallest first (secondary
    suppression), until at least two are masked and their sum exceeds their number: all a reader then
    knows is that each masked cell holds at least 1 and that together they hold the masked sum, which
    leaves every masked cell at least two possible values. Masked cells must therefore all read the
    same way (« moins de 3 » would tell a secondary cell apart). Empty cells (0) are not masked.

    Returns the positions (indices into ``counts``) to mask, or None when no masking is safe (a table
    whose only non-empty cell is small): such a table must not be shown at all.
    """
    masked = {i for i, n in enumerate(counts) if 0 < n < min_count}
    if not masked:
        return frozenset()
    candidates = sorted((n, i) for i, n in enumerate(counts) if n > 0 and i not in masked)

    def safe() -> bool:
        total = sum(counts[i] for i in masked)
        return len(masked) >= 2 and total > len(masked)

    while not safe() and candidates:
        masked.add(candidates.pop(0)[1])
    return frozenset(masked) if safe() else None


def recoverable_cells(shown: Sequence[int | None], total: int) -> list[int]:
    """Positions of masked cells (``None``) whose value a reader can work out from the shown ones.

    What a reader knows: every masked cell holds at least 1, and all cells add up to ``total``. A masked
    cell is recoverable when only one value fits it. Used by tests to prove :func:`masked_cells` safe.
    """
    hidden = [i for i, n in enumerate(shown) if n is None]
    rest = total - sum(n for n in shown if n is not None)
    if len(hidden) == 1:
        return hidden
    # each masked cell can hold 1 … rest - (others); unique only when rest == number of masked cells
    return hidden if hidden and rest == len(hidden) else []
