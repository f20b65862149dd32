"""Personal data: the retention purge and the group-level record of minors' consent.

After a project's retention period (counted from each observation's capture), precise points, photos
and free text go; what aggregates need stays (walk, zone, theme, polarity, feeling, choice answers,
the participant's anonymous profile). The point is moved to the centre of its grid cell
(``geodata.privacy``), so maps keep an approximate density without the exact place. Purging twice
changes nothing the second time. Logs carry counts only, never text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import func, select

from geodata.privacy import cell_of
from mobile_forms import get_definition
from webapp.errors import Conflict, ValidationError
from webapp.extensions import db
from webapp.models import Observation, Photo, Project, User, Walk, WalkConsent
from webapp.models.base import utcnow
from webapp.services import photos as photo_files

logger = logging.getLogger(__name__)

#: Answer types holding free text, removed by the purge.
TEXT_FIELD_TYPES = {"short_text", "long_text"}
#: Grid used for purged points (metres).
PURGE_CELL_M = 200


@dataclass
class PurgeReport:
    """What one purge run did (or would do, for a dry run), per project slug."""

    observations: dict[str, int] = field(default_factory=dict)
    photos: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def total_observations(self) -> int:
        return sum(self.observations.values())

    @property
    def total_photos(self) -> int:
        return sum(self.photos.values())


def _months_before(moment: datetime, months: int) -> datetime:
    year, month = divmod(moment.month - 1 - months, 12)
    year += moment.year
    month += 1
    # Clamp the day for short months (31 March minus one month is 28/29 February).
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _without_text(observation: Observation) -> dict:
    try:
        definition = get_definition(observation.form_key, observation.form_version)
    except KeyError:
        return {}
    kept = {}
    for key, value in (observation.answers or {}).items():
        try:
            field_type = definition.field(key).type
        except KeyError:
            continue
        if field_type not in TEXT_FIELD_TYPES:
            kept[key] = value
    return kept


def purge_expired(
    *, now: datetime | None = None, dry_run: bool = False, project: Project | None = None
) -> PurgeReport:
    """Purge observations older than their project's retention period; commits unless ``dry_run``."""
    from flask import current_app

    now = now or utcnow()
    report = PurgeReport(dry_run=dry_run)
    removed_files: list[str] = []
    projects = (
        [project] if project is not None else db.session.scalars(select(Project).order_by(Project.id)).all()
    )
    for current in projects:
        cutoff = _months_before(now, current.retention_months)
        expired = db.session.scalars(
            select(Observation)
            .join(Observation.walk)
            .where(
                Walk.project_id == current.id,
                Observation.captured_at < cutoff,
                Observation.purged_at.is_(None),
            )
            .order_by(Observation.id)
        ).all()
        photo_count = 0
        for observation in expired:
            point = db.session.execute(
                select(func.ST_X(Observation.location), func.ST_Y(Observation.location)).where(
                    Observation.id == observation.id
                )
            ).one()
            centre = cell_of(point[0], point[1], PURGE_CELL_M).centre()
            observation.location = from_shape(Point(*centre), srid=4326)
            observation.accuracy_m = None
            observation.note = ""
            observation.proposal = ""
            observation.answers = _without_text(observation)
            observation.purged_at = now
            for photo in list(observation.photos):
                removed_files.append(photo.stored_name)
                db.session.delete(photo)
                photo_count += 1
        report.observations[current.slug] = len(expired)
        report.photos[current.slug] = photo_count
        logger.info(
            "purge %s project=%s cutoff=%s observations=%d photos=%d",
            "dry-run" if dry_run else "done",
            current.id,
            cutoff.date().isoformat(),
            len(expired),
            photo_count,
        )
    if dry_run:
        db.session.rollback()
        return report
    db.session.commit()
    # Files go only once the rows are gone for good.
    photo_files.remove_files(current_app.config["PHOTO_DIR"], removed_files)
    return report


def count_photos() -> int:
    """How many photos are stored."""
    return db.session.scalar(select(func.count(Photo.id))) or 0


def record_minors_consent(
    walk: Walk, *, minors_count: int, recorded_by: User | None, note: str = ""
) -> WalkConsent:
    """Record that parental authorisations for the walk's minors were collected (no identities); commits."""
    if minors_count < 1:
        raise ValidationError("Indiquez le nombre de mineurs.", details={"minors_count": "min_1"})
    if db.session.get(WalkConsent, walk.id) is not None:
        raise Conflict("Les autorisations de cette marche sont déjà enregistrées.")
    consent = WalkConsent(
        walk_id=walk.id,
        minors_count=minors_count,
        recorded_by_id=recorded_by.id if recorded_by else None,
        note=note,
    )
    db.session.add(consent)
    db.session.commit()
    return consent
