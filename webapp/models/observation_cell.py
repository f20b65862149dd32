"""Validated observations counted per fine grid cell, walk and theme: what the national map adds up.

The cell is a quarter of a Web-Mercator tile of zoom :data:`BASE_ZOOM` (``360 / 2**BASE_ZOOM / 4``
degrees, about 1.2 km × 0.8 km in France), numbered from -180° and -90°. Every coarser zoom's cells are
exact unions of these (the grids are nested by powers of two), so the national map of a million
observations adds up a few thousand rows instead of reading a million points.

Database triggers (migration ``f3a4b5c6d70b``) keep the rows right whatever writes observations
(ingest, moderation, correction, purge, erasure, deletions): a validated observation counts once in
its cell; leaving the validated status, moving, changing theme or walk moves the count. Rows that fall
to zero stay (the map leaves them out).
"""

from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import Model

#: Zoom whose quarter-tiles are the stored cells (the map reads observations themselves beyond it).
BASE_ZOOM = 13
#: Side of a stored cell, in degrees (an exact binary fraction, so snapping is exact).
BASE_CELL_DEG = 360.0 / 2**BASE_ZOOM / 4


class ObservationCell(Model):
    __tablename__ = "observation_cells"

    #: Cell column: ``floor((lon + 180) / BASE_CELL_DEG)``.
    gx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: Cell row: ``floor((lat + 90) / BASE_CELL_DEG)``.
    gy: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    walk_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    theme: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: Validated observations of that walk and theme in the cell.
    n: Mapped[int] = mapped_column(Integer, default=0)
    #: Sums of their longitudes and latitudes (the mean position of a cell without sensitive reports).
    sum_x: Mapped[float] = mapped_column(Float, default=0.0)
    sum_y: Mapped[float] = mapped_column(Float, default=0.0)
