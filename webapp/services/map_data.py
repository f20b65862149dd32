"""Map data: the observations, zones, routes and stops a map shows, as GeoJSON FeatureCollections.

The folium builders of :mod:`geodata.maps` take these plain dicts; nothing here knows about folium.
:func:`cached_map` keeps what a page made of them (its rendered map) per project data stamp.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from geoalchemy2.shape import to_shape
from sqlalchemy import Integer, case, cast, func, literal, select

from geodata.convert import shape_to_geojson
from geodata.map_style import CELL_M, POLARITIES, CellSet, PointSet, cell_steps, round_point
from webapp.extensions import db
from webapp.models import Observation, ObservationFacts, Photo, Project, Walk
from webapp.models.enums import Polarity
from webapp.services import data_stamps
from webapp.services import zones as zones_service
from webapp.services.observation_filter import (
    ObservationFilter,
    apply_filter,
    conditions_without_joins,
)

_POLARITY_INDEX = {code: i for i, code in enumerate(POLARITIES)}

T = TypeVar("T")

#: Rendered maps by (project, data stamp, filter, what else they show). A 10,000-point map is about
#: 0.4 MB of text and a cell map of 100,000 about 1 MB: a few dozen entries at most.
_maps = data_stamps.StampedCache(size=32)


def cached_map(f: ObservationFilter, key: Hashable, build: Callable[[], T]) -> T:
    """What ``build`` makes of the observations ``f`` selects (a page's rendered map), made once per
    project data stamp (:mod:`webapp.services.data_stamps`), filter and ``key`` in each server process.

    ``key`` holds everything else the map shows that the stamp does not follow: the zones' version,
    the routes and titles of its walks, the language, the layer kind and the URLs written into it. A
    hit costs one primary-key read of the stamp: no observation, zone or route is read, nothing is
    drawn. The value is shared between requests: it must not be changed (or hold a request's nonce).
    """
    if f.project_id is None:
        return build()
    return _maps.get_or_compute((f.project_id, data_stamps.current(f.project_id), f, key), build)


def _theme_indexer(themes: list[str]) -> Any:
    """``index(key)``: the position of a theme in ``themes``, appending keys the forms do not know."""
    positions = {key: i for i, key in enumerate(themes)}

    def index(key: str) -> int:
        if key not in positions:
            positions[key] = len(themes)
            themes.append(key)
        return positions[key]

    return index


def point_rows(f: ObservationFilter, theme_keys: Sequence[str], sensitive: Collection[str]) -> PointSet:
    """Matching observations as compact rows ``[lon, lat, theme index, polarity index, id]``, in one query.

    No text: the map fetches a point's popup when it is clicked (:func:`observation_details`).
    Sensitive themes' coordinates are rounded coarsely (``map_style.SENSITIVE_DECIMALS``).
    """
    themes = list(theme_keys)
    index = _theme_indexer(themes)
    stmt = select(
        Observation.id,
        Observation.theme,
        Observation.polarity,
        func.ST_X(Observation.location),
        func.ST_Y(Observation.location),
    ).where(*conditions_without_joins(f))
    rows = []
    for obs_id, theme, polarity, x, y in db.session.execute(stmt):
        lon, lat = round_point(x, y, theme in sensitive)
        rows.append([lon, lat, index(theme), _POLARITY_INDEX.get(polarity, 2), obs_id])
    return PointSet(themes=themes, rows=rows)


def cell_rows(
    f: ObservationFilter,
    theme_keys: Sequence[str],
    *,
    lat0: float,
    cell_m: float = CELL_M,
    leave_out: Collection[str] = (),
) -> CellSet:
    """Matching observations counted per square cell and theme by the database: one ``GROUP BY``.

    The grid (cells of about ``cell_m`` metres near latitude ``lat0``) is computed in SQL, on
    SpatiaLite and PostGIS alike (``floor`` of the coordinate over the step); no point is fetched.
    ``leave_out``: themes not counted at all (the partners' and public maps leave out sensitive ones).
    """
    dlon, dlat = cell_steps(lat0, cell_m)
    ix = cast(func.floor(func.ST_X(Observation.location) / dlon), Integer).label("ix")
    iy = cast(func.floor(func.ST_Y(Observation.location) / dlat), Integer).label("iy")
    negative = func.sum(case((Observation.polarity == Polarity.NEGATIVE, 1), else_=0))
    stmt = (
        select(ix, iy, Observation.theme, func.count(), negative)
        .where(*conditions_without_joins(f))
        .where(*([Observation.theme.not_in(sorted(leave_out))] if leave_out else []))
        .group_by(ix, iy, Observation.theme)
    )
    themes = list(theme_keys)
    index = _theme_indexer(themes)
    rows, total = [], 0
    for cx, cy, theme, n, neg in db.session.execute(stmt):
        rows.append([int(cx), int(cy), index(theme), int(n), int(neg or 0)])
        total += int(n)
    return CellSet(themes=themes, dlon=dlon, dlat=dlat, rows=rows, total=total)


def sensitive_heat(f: ObservationFilter, sensitive: Collection[str]) -> list[list[float]]:
    """The team's heat map of sensitive reports: ``[lat, lon, count]`` per point of a 1e-3 degree lattice.

    Counted by the database (one ``GROUP BY``): no sensitive report's exact place is fetched or sent.
    """
    if not sensitive or (f.theme is not None and f.theme not in sensitive):
        return []
    gx = cast(func.floor(func.ST_X(Observation.location) * 1000 + 0.5), Integer)
    gy = cast(func.floor(func.ST_Y(Observation.location) * 1000 + 0.5), Integer)
    stmt = (
        select(gx, gy, func.count())
        .where(*conditions_without_joins(f), Observation.theme.in_(sorted(sensitive)))
        .group_by(gx, gy)
    )
    return [[y / 1000, x / 1000, int(n)] for x, y, n in db.session.execute(stmt)]


def observation_details(
    project: Project,
    observation_id: int,
    *,
    photo_url: Any = None,
    moderation_url: Any = None,
    statuses: Collection[str] | None = None,
    hidden_themes: Collection[str] = (),
) -> list[Any] | None:
    """One observation's popup fields for the team's maps (``map_style.PointSet`` details), or None.

    ``[walk title, walk date, feeling, note, proposal, photo url, moderation link, id]``; None when
    the observation is not one of the project's — or, with ``statuses``, not in one of them now, or of
    one of ``hidden_themes`` (the debrief room's map: validated observations of themes the room may
    read, whatever changed since its page was drawn).
    """
    query = (
        select(Observation, Walk)
        .join(Walk, Walk.id == Observation.walk_id)
        .where(Observation.id == observation_id, Walk.project_id == project.id)
    )
    if statuses is not None:
        query = query.where(Observation.moderation_status.in_(list(statuses)))
    if hidden_themes:
        query = query.where(Observation.theme.not_in(list(hidden_themes)))
    row = db.session.execute(query).first()
    if row is None:
        return None
    obs, walk = row
    photo = None
    if photo_url is not None:
        name = db.session.scalar(
            select(Photo.stored_name).where(Photo.observation_id == obs.id).order_by(Photo.id).limit(1)
        )
        photo = photo_url(name) if name else None
    return [
        walk.title,
        walk.walk_date.strftime("%d/%m/%Y") if walk.walk_date else None,
        obs.feeling,
        obs.note,
        obs.proposal,
        photo,
        moderation_url(walk.id, obs.id) if moderation_url is not None else None,
        obs.id,
    ]


def observations_geojson(
    f: ObservationFilter, *, photo_url: Any = None, limit: int | None = None, with_text: bool = True
) -> dict[str, Any]:
    """Matching observations as a FeatureCollection for ``geodata.maps`` (text is escaped there).

    ``with_text=False`` leaves notes and proposals out (for maps that aggregate points anyway).
    """
    text = (Observation.note, Observation.proposal) if with_text else (literal(""), literal(""))
    stmt = apply_filter(
        select(
            Observation.id,
            Observation.theme,
            Observation.polarity,
            Observation.feeling,
            *text,
            func.ST_X(Observation.location),
            func.ST_Y(Observation.location),
            Observation.walk_id,
        ),
        f,
    ).order_by(Observation.id)
    if limit:
        stmt = stmt.limit(limit)
    rows = db.session.execute(stmt).all()
    photos: dict[int, str] = {}
    if photo_url is not None and rows and len(rows) <= 5000:
        for obs_id, name in db.session.execute(
            select(Photo.observation_id, Photo.stored_name).where(
                Photo.observation_id.in_([r[0] for r in rows])
            )
        ):
            photos.setdefault(obs_id, photo_url(name))
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [x, y]},
                "properties": {
                    "id": obs_id,
                    "theme": theme,
                    "polarity": polarity,
                    "feeling": feeling,
                    "note": note,
                    "proposal": proposal,
                    "photo_url": photos.get(obs_id),
                    "walk_id": walk_id,
                },
            }
            for obs_id, theme, polarity, feeling, note, proposal, x, y, walk_id in rows
        ],
    }


def zones_geojson(project: Project, f: ObservationFilter | None = None) -> dict[str, Any]:
    """The project's zones with, when ``f`` is given, observation counts and the share of problems."""
    stats: dict[int, tuple[int, int]] = {}
    if f is not None:
        facts = ObservationFacts
        negative = func.sum(case((facts.polarity == Polarity.NEGATIVE, 1), else_=0))
        for zone_id, n, neg in db.session.execute(
            select(facts.zone_id, func.count(), negative)
            .where(*conditions_without_joins(replace(f, zone_id=None), facts), facts.zone_id.is_not(None))
            .group_by(facts.zone_id)
        ):
            stats[zone_id] = (n, int(neg or 0))
    features = []
    for zone in zones_service.list_zones(project):
        n, neg = stats.get(zone.id, (0, 0))
        features.append(
            {
                "type": "Feature",
                "geometry": shape_to_geojson(to_shape(zone.area), precision=6),
                "properties": {
                    "id": zone.id,
                    "name": zone.name,
                    "code": zone.code,
                    "kind": zone.kind,
                    "count": n,
                    "negative_share": round(100 * neg / n) if n else 0,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def routes_geojson(walks: Sequence[Walk]) -> dict[str, Any]:
    """The planned routes of these walks."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": shape_to_geojson(to_shape(w.route), precision=6),
                "properties": {"id": w.id, "title": w.title},
            }
            for w in walks
            if w.route is not None
        ],
    }


def stops_geojson(walk: Walk) -> dict[str, Any]:
    """The stops of a walk, in order."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": shape_to_geojson(to_shape(s.location), precision=6),
                "properties": {"position": s.position, "name": s.name},
            }
            for s in walk.stops
        ],
    }
