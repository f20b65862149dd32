"""Observations: recording one (the zone is assigned on arrival) and reading them back."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import func, select

from geodata.shapes import check_lonlat
from webapp.errors import ValidationError
from webapp.extensions import db
from webapp.models import Observation, Participant, Walk
from webapp.models.base import utcnow
from webapp.models.enums import LocationSource, ModerationStatus, Polarity
from webapp.services import zones


def record_observation(
    walk: Walk,
    *,
    client_uuid: uuid.UUID,
    lon: float,
    lat: float,
    theme: str,
    polarity: str,
    form_key: str,
    form_version: int,
    participant: Participant | None = None,
    subtheme: str | None = None,
    feeling: int | None = None,
    note: str = "",
    proposal: str = "",
    answers: dict[str, Any] | None = None,
    accuracy_m: float | None = None,
    location_source: str = LocationSource.GPS,
    captured_at: datetime | None = None,
    moderation_status: str = ModerationStatus.PENDING,
    commit: bool = True,
) -> Observation:
    """Store an observation and give it its zone."""
    try:
        check_lonlat(lon, lat)
    except ValueError as error:
        raise ValidationError(str(error), details={"location": "invalid"}) from error
    if polarity not in set(Polarity):
        raise ValidationError("Polarité inconnue.", details={"polarity": "unknown_choice"})
    observation = Observation(
        client_uuid=client_uuid,
        walk=walk,
        participant=participant,
        location=from_shape(Point(lon, lat), srid=4326),
        accuracy_m=accuracy_m,
        location_source=location_source,
        zone_id=zones.find_zone_id(walk.project, lon, lat),
        theme=theme,
        subtheme=subtheme,
        polarity=polarity,
        feeling=feeling,
        note=note,
        proposal=proposal,
        answers=answers or {},
        form_key=form_key,
        form_version=form_version,
        moderation_status=moderation_status,
        captured_at=captured_at or utcnow(),
    )
    db.session.add(observation)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return observation


def count_observations(walk: Walk | None = None) -> int:
    """How many observations (of one walk, or in all)."""
    stmt = select(func.count(Observation.id))
    if walk is not None:
        stmt = stmt.where(Observation.walk_id == walk.id)
    return db.session.scalar(stmt) or 0
