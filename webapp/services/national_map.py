"""The national map: every project's validated observations, counted on the server in grid cells by zoom.

A request names a viewport (``west,south,east,north`` in degrees) and a zoom. The viewport is widened to
whole tiles of that zoom (Web-Mercator tiles: ``360 / 2**zoom`` degrees wide) and the database counts
the observations in cells of a quarter tile (64 screen pixels) with one ``GROUP BY`` on the snapped
position; no observation is fetched to be counted in Python. From :data:`POINTS_FROM_ZOOM` on, the
ordinary observations of the viewport come as points instead, when there are not too many.

Privacy (README « Partners, public map and follow-up »): only validated observations; a theme marked
``sensitive`` in any stored form is never a point and never places a cell at its mean position (the
cell's centre is used); at point zooms those reports are counted per square of the partners' fixed
200 m grid (``geodata.privacy``) and squares of fewer than 3 are left out; a cell of fewer than 3
observations is shown without its count (« non détaillé »).

Answers are cached in the process per (data version, zoom, tiles, filters). The data version is a
stamp the database keeps by triggers (``webapp/models/data_version.py``), read with one statement per
request, so a cache is never used after any server process (on any host) changed the data.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, column, func, select, table

from geodata.privacy import DEFAULT_CELL_M, DEFAULT_MIN_COUNT, aggregate
from webapp.errors import DomainError, NotFound
from webapp.extensions import db
from webapp.models import DataVersion, FormVersion, Observation, ObservationCell, Project, Walk
from webapp.models.enums import ModerationStatus
from webapp.models.observation_cell import BASE_ZOOM
from webapp.services import forms

#: Zooms the map may ask for (Leaflet's national view is about 6; streets from 15).
MIN_ZOOM, MAX_ZOOM = 2, 19
#: Cells per tile side: a cell is 64 pixels wide on screen (256-pixel tiles).
CELLS_PER_TILE = 4
#: From this zoom the ordinary observations come as points (when at most :data:`MAX_POINTS`).
POINTS_FROM_ZOOM = 15
#: More points than this in the viewport and cells are sent instead (the map stays light).
MAX_POINTS = 3000
#: Largest viewport accepted, in tiles of its zoom per side (a 4K screen is 15 tiles wide).
MAX_TILES_PER_SIDE = 24
#: Latitude limit of Web-Mercator tiles.
MAX_LAT = 85.0511
#: Cached answers kept per process, and how long one may live at most (a safety net only: the data
#: version is what keeps answers right).
CACHE_ENTRIES, CACHE_SECONDS = 512, 300.0
#: Decimal places of positions in the answer (about 1 m).
PRECISION = 5


@dataclass(frozen=True)
class Viewport:
    """A validated request: zoom and the tile range covering the viewport, with its filters."""

    zoom: int
    #: Tile columns and rows (column from -180°, row from the south), inclusive.
    x0: int
    y0: int
    x1: int
    y1: int
    theme: str | None = None
    project: str | None = None

    @property
    def tile_deg(self) -> float:
        return 360.0 / float(2**self.zoom)

    @property
    def cell_deg(self) -> float:
        return self.tile_deg / CELLS_PER_TILE

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """West, south, east, north of the snapped viewport (whole tiles)."""
        t = self.tile_deg
        return (self.x0 * t - 180.0, self.y0 * t - 90.0, (self.x1 + 1) * t - 180.0, (self.y1 + 1) * t - 90.0)


def _bad(message: str, field: str) -> DomainError:
    return DomainError(message, details={"field": field})


def parse_viewport(args: Mapping[str, str]) -> Viewport:
    """Check ``bbox``, ``zoom`` and the optional ``theme``/``project`` filters; DomainError (400) if bad."""
    raw_zoom = args.get("zoom", "")
    if not raw_zoom.strip().isdigit():
        raise _bad("Le niveau de zoom doit être un nombre entier.", "zoom")
    zoom = int(raw_zoom)
    if not MIN_ZOOM <= zoom <= MAX_ZOOM:
        raise _bad(f"Le niveau de zoom doit être compris entre {MIN_ZOOM} et {MAX_ZOOM}.", "zoom")
    parts = args.get("bbox", "").split(",")
    try:
        if len(parts) != 4:
            raise ValueError
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise _bad("Le cadre doit être « ouest,sud,est,nord » en degrés.", "bbox") from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise _bad("Le cadre doit être « ouest,sud,est,nord » en degrés.", "bbox")
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise _bad("Le cadre doit aller d'ouest en est et du sud au nord, dans les limites du globe.", "bbox")
    south, north = max(south, -MAX_LAT), min(north, MAX_LAT)
    tile = 360.0 / 2**zoom
    last = 2**zoom - 1
    x0, x1 = int((west + 180) // tile), min(int((east + 180) // tile), last)
    y0, y1 = int((south + 90) // tile), min(int((north + 90) // tile), last)
    if x1 - x0 + 1 > MAX_TILES_PER_SIDE or y1 - y0 + 1 > MAX_TILES_PER_SIDE:
        raise _bad("Ce cadre est trop grand pour ce niveau de zoom.", "bbox")
    theme = (args.get("theme") or "").strip() or None
    project = (args.get("project") or "").strip() or None
    for name, value in (("theme", theme), ("project", project)):
        if value is not None and (len(value) > 80 or not value.replace("-", "").replace("_", "").isalnum()):
            raise _bad("Ce filtre n'existe pas.", name)
    return Viewport(zoom, x0, y0, x1, y1, theme, project)


# --- the data version and the cache -----------------------------------------------------------------

_SEQUENCE = table("observations_version_seq", column("last_value"))


def data_version() -> int:
    """The observations' version stamp (one statement; see ``webapp/models/data_version.py``)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return int(db.session.execute(select(_SEQUENCE.c.last_value)).scalar_one())
    value = db.session.execute(
        select(DataVersion.version).where(DataVersion.name == "observations")
    ).scalar_one_or_none()
    return int(value or 0)


class _Cache:
    """A small LRU of JSON answers, shared by the threads of one process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: OrderedDict[tuple[Any, ...], tuple[float, bytes]] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> bytes | None:
        with self.lock:
            found = self.entries.get(key)
            if found is None or time.monotonic() - found[0] > CACHE_SECONDS:
                return None
            self.entries.move_to_end(key)
            return found[1]

    def put(self, key: tuple[Any, ...], body: bytes) -> None:
        with self.lock:
            self.entries[key] = (time.monotonic(), body)
            self.entries.move_to_end(key)
            while len(self.entries) > CACHE_ENTRIES:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


_cache = _Cache()


def clear_cache() -> None:
    """Forget every cached answer of this process (tests, benchmarks)."""
    _cache.clear()


# --- the answer ----------------------------------------------------------------------------------------


def national_sensitive_themes() -> frozenset[str]:
    """Theme keys marked sensitive in any stored form: never points anywhere on the national map."""
    found: set[str] = set()
    for form in db.session.scalars(select(FormVersion)):
        found |= forms.parsed(form).sensitive_themes
    return frozenset(found)


@dataclass(frozen=True)
class Choice:
    """One option of the page's filters: a project (slug, name) or a theme (key, label, colour)."""

    value: str
    label: str
    color: str = ""
    sensitive: bool = False


def filter_options(lang: str = "fr") -> tuple[list[Choice], list[Choice]]:
    """Projects (by name) and themes of every stored form (newest versions first), for the filters."""
    projects = [
        Choice(slug, name)
        for slug, name in db.session.execute(select(Project.slug, Project.name).order_by(Project.name))
    ]
    themes: dict[str, Choice] = {}
    stored = db.session.scalars(select(FormVersion).order_by(FormVersion.key, FormVersion.version.desc()))
    sensitive: set[str] = set()
    definitions = [forms.parsed(form) for form in stored]
    for definition in definitions:
        sensitive |= definition.sensitive_themes
    for definition in definitions:
        for theme in definition.themes:
            if theme.key not in themes:
                themes[theme.key] = Choice(
                    theme.key, theme.label.get(lang), theme.color, theme.key in sensitive
                )
    return projects, sorted(themes.values(), key=lambda c: c.label.casefold())


def cells_json(viewport: Viewport) -> bytes:
    """The compact JSON answer for a viewport (cached per data version)."""
    version = data_version()
    bind = db.session.get_bind()
    key = (str(bind.engine.url), version, viewport)
    body = _cache.get(key)
    if body is None:
        body = json.dumps(_answer(viewport, version), separators=(",", ":")).encode()
        _cache.put(key, body)
    return body


def _walk_ids(slug: str) -> list[int]:
    ids = db.session.scalars(
        select(Walk.id).join(Project, Project.id == Walk.project_id).where(Project.slug == slug)
    ).all()
    if not ids and db.session.scalar(select(Project.id).where(Project.slug == slug)) is None:
        raise NotFound("Projet introuvable.", details={"project": slug})
    return list(ids)


def _answer(viewport: Viewport, version: int) -> dict[str, Any]:
    west, south, east, north = viewport.bounds
    sensitive = national_sensitive_themes()
    walk_ids = _walk_ids(viewport.project) if viewport.project is not None else None
    answer: dict[str, Any] = {
        "version": version,
        "zoom": viewport.zoom,
        "bbox": [round(v, 6) for v in (west, south, east, north)],
        "cell": viewport.cell_deg,
        "min_count": DEFAULT_MIN_COUNT,
    }
    filters = [Observation.moderation_status == ModerationStatus.VALIDATED.value]
    if viewport.theme is not None:
        filters.append(Observation.theme == viewport.theme)
    if walk_ids is not None:
        filters.append(Observation.walk_id.in_(walk_ids))
    if viewport.zoom >= POINTS_FROM_ZOOM:
        points = _points([*filters, *_inside(west, south, east, north)], sensitive)
        if points is not None:
            answer["kind"] = "points"
            answer["points"] = points
            answer["sensitive"] = _sensitive_squares(viewport, filters, sensitive)
            return answer
    answer["kind"] = "cells"
    if viewport.zoom <= BASE_ZOOM:
        answer["cells"] = _stored_cells(viewport, walk_ids, sensitive)
    else:
        answer["cells"] = _cells(viewport, [*filters, *_inside(west, south, east, north)], sensitive)
    return answer


def _cell_row(
    size: float, cx: float, cy: float, count: int, n_sensitive: int, mean_x: float, mean_y: float
) -> list[Any]:
    masked = count < DEFAULT_MIN_COUNT
    if masked or n_sensitive:
        # The cell's centre: a mean of few points, or of sensitive reports, would tell where they are.
        lon, lat = (float(cx) + 0.5) * size - 180.0, (float(cy) + 0.5) * size - 90.0
    else:
        lon, lat = float(mean_x), float(mean_y)
    return [round(lon, PRECISION), round(lat, PRECISION), None if masked else int(count)]


def _stored_cells(
    viewport: Viewport, walk_ids: list[int] | None, sensitive: frozenset[str]
) -> list[list[Any]]:
    """Cells up to :data:`BASE_ZOOM`, added up from ``observation_cells`` (one GROUP BY, no point read)."""
    factor = 2 ** (BASE_ZOOM - viewport.zoom)
    per_tile = CELLS_PER_TILE * factor  # stored cells per tile side at this zoom
    c = ObservationCell
    gx, gy = c.gx // factor, c.gy // factor
    n = func.sum(c.n)
    n_sensitive: ColumnElement[Any] = (
        func.sum(case((c.theme.in_(sorted(sensitive)), c.n), else_=0)) if sensitive else func.sum(0)
    )
    stmt = (
        select(gx, gy, n, n_sensitive, func.sum(c.sum_x), func.sum(c.sum_y))
        .where(
            c.gx >= viewport.x0 * per_tile,
            c.gx < (viewport.x1 + 1) * per_tile,
            c.gy >= viewport.y0 * per_tile,
            c.gy < (viewport.y1 + 1) * per_tile,
            c.n > 0,
        )
        .group_by(gx, gy)
    )
    if viewport.theme is not None:
        stmt = stmt.where(c.theme == viewport.theme)
    if walk_ids is not None:
        stmt = stmt.where(c.walk_id.in_(walk_ids))
    out = [
        _cell_row(viewport.cell_deg, cx, cy, int(count), int(ns or 0), sx / count, sy / count)
        for cx, cy, count, ns, sx, sy in db.session.execute(stmt)
        if count
    ]
    out.sort(key=lambda row: (row[0], row[1]))
    return out


def _cells(viewport: Viewport, where: list[Any], sensitive: frozenset[str]) -> list[list[Any]]:
    """``[lon, lat, count]`` per non-empty cell beyond :data:`BASE_ZOOM`, counted from the observations
    of the viewport (found through the spatial index); ``count`` is null below the threshold (masked)."""
    size = viewport.cell_deg
    x, y = func.ST_X(Observation.location), func.ST_Y(Observation.location)
    gx, gy = func.floor((x + 180.0) / size), func.floor((y + 90.0) / size)
    with_sensitive = (
        func.sum(case((Observation.theme.in_(sorted(sensitive)), 1), else_=0)) if sensitive else func.sum(0)
    )
    rows = db.session.execute(
        select(gx, gy, func.count(), with_sensitive, func.avg(x), func.avg(y)).where(*where).group_by(gx, gy)
    ).all()
    out = [_cell_row(size, cx, cy, int(count), int(ns or 0), mx, my) for cx, cy, count, ns, mx, my in rows]
    out.sort(key=lambda row: (row[0], row[1]))
    return out


def _points(where: list[Any], sensitive: frozenset[str]) -> list[list[Any]] | None:
    """``[lon, lat, theme]`` of the ordinary observations, or None when there are too many."""
    x, y = func.ST_X(Observation.location), func.ST_Y(Observation.location)
    stmt = select(x, y, Observation.theme).where(*where)
    if sensitive:
        stmt = stmt.where(Observation.theme.not_in(sorted(sensitive)))
    rows = db.session.execute(stmt.order_by(Observation.id).limit(MAX_POINTS + 1)).all()
    if len(rows) > MAX_POINTS:
        return None
    return [[round(float(px), PRECISION), round(float(py), PRECISION), theme] for px, py, theme in rows]


_SPATIAL_INDEX = table(
    "SpatialIndex",
    column("f_table_name"),
    column("f_geometry_column"),
    column("search_frame"),
    column("rowid"),
)


def _inside(west: float, south: float, east: float, north: float) -> list[Any]:
    """Conditions: the observation lies in this box (west and south edges included), through the
    spatial index (PostGIS uses its GiST index for ``&&``; SpatiaLite must be asked for its R*Tree)."""
    x, y = func.ST_X(Observation.location), func.ST_Y(Observation.location)
    box = func.BuildMbr(west, south, east, north, 4326)
    if db.session.get_bind().dialect.name == "postgresql":
        indexed = Observation.location.op("&&")(func.ST_MakeEnvelope(west, south, east, north, 4326))
    else:
        indexed = Observation.id.in_(
            select(_SPATIAL_INDEX.c.rowid).where(
                _SPATIAL_INDEX.c.f_table_name == "observations",
                _SPATIAL_INDEX.c.f_geometry_column == "location",
                _SPATIAL_INDEX.c.search_frame == box,
            )
        )
    return [indexed, x >= west, x < east, y >= south, y < north]


def _sensitive_squares(viewport: Viewport, filters: list[Any], sensitive: frozenset[str]) -> list[list[Any]]:
    """Sensitive reports per square of the partners' 200 m grid, squares of fewer than 3 left out.

    The query reaches beyond the viewport so that a square on its edge is counted whole (a count that
    changed with the viewport would tell where its reports are); only squares centred inside are sent.
    """
    if not sensitive or (viewport.theme is not None and viewport.theme not in sensitive):
        return []
    west, south, east, north = viewport.bounds
    margin = 0.01  # degrees: more than a 200 m square's diagonal at any French latitude
    x, y = func.ST_X(Observation.location), func.ST_Y(Observation.location)
    wider = [
        *filters,
        *_inside(west - margin, south - margin, east + margin, north + margin),
        Observation.theme.in_(sorted(sensitive)),
    ]
    points = [(float(px), float(py)) for px, py in db.session.execute(select(x, y).where(*wider))]
    squares = []
    for found in aggregate(points, size_m=DEFAULT_CELL_M, min_count=DEFAULT_MIN_COUNT):
        lon, lat = found.cell.centre()
        if west <= lon < east and south <= lat < north:
            squares.append([round(lon, PRECISION), round(lat, PRECISION), found.count])
    return squares
