"""Map data: the observations, zones, routes and stops a map shows, as GeoJSON FeatureCollections.

The folium builders of :mod:`geodata.maps` take these plain dicts; nothing here knows about folium.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy import case, func, literal, select

from geodata.convert import shape_to_geojson
from webapp.extensions import db
from webapp.models import Observation, Photo, Project, Walk
from webapp.models.enums import Polarity
from webapp.services import zones as zones_service
from webapp.services.observation_filter import ObservationFilter, apply_filter


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


def label_for_staff(
    observations: dict[str, Any], walks: Sequence[Walk], *, moderation_url: Any = None
) -> dict[str, Any]:
    """Add to each point, for the team's maps, its walk's title and date and a link to it in moderation.

    ``moderation_url(walk_id, observation_id)`` gives the link. Partner and public maps never get these.
    """
    by_id = {w.id: w for w in walks}
    for feat in observations.get("features", []):
        p = feat["properties"]
        walk = by_id.get(p.get("walk_id"))
        if walk is None:
            continue
        p["walk"] = walk.title
        p["date"] = walk.walk_date.strftime("%d/%m/%Y") if walk.walk_date else None
        if moderation_url is not None and p.get("id") is not None:
            p["moderation_url"] = moderation_url(walk.id, p["id"])
    return observations


def zones_geojson(project: Project, f: ObservationFilter | None = None) -> dict[str, Any]:
    """The project's zones with, when ``f`` is given, observation counts and the share of problems."""
    stats: dict[int, tuple[int, int]] = {}
    if f is not None:
        negative = func.sum(case((Observation.polarity == Polarity.NEGATIVE, 1), else_=0))
        for zone_id, n, neg in db.session.execute(
            apply_filter(
                select(Observation.zone_id, func.count(Observation.id), negative), replace(f, zone_id=None)
            )
            .where(Observation.zone_id.is_not(None))
            .group_by(Observation.zone_id)
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
