"""Personal data: retention purge, a participant's own data, minors' consent, a project's privacy settings.

After a project's retention period (counted from each observation's capture), precise points, photos
and free text go; what aggregates need stays (walk, zone, theme, polarity, feeling, choice answers,
the participant's anonymous profile). Free text is found through the observation's own form version
(the stored definitions), and a report of a sensitive theme (marked so in its form: street harassment
in the default grid) keeps no more than its counts need: its sub-theme and other answers go too. The
point is moved to the centre of its grid cell (``geodata.privacy``), so maps keep an approximate
density without the exact place; the moderation log of those observations loses its copies of text
and points too. Purging twice changes nothing the
second time.

A participant holding a valid walk token may export everything stored about them and erase it
(observations, photos, moderation history, profile). Recommendations that cited an erased observation
stay, without that piece of evidence. Logs carry counts only, never text, codes or tokens.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import delete, func, select

from geodata.privacy import cell_of
from mobile_forms import FormDefinition
from webapp.errors import Conflict, NotFound, ValidationError
from webapp.extensions import db
from webapp.ids import parse_int
from webapp.models import (
    ModerationEvent,
    Observation,
    Participant,
    Photo,
    Project,
    User,
    Vote,
    Walk,
    WalkConsent,
    recommendation_observations,
)
from webapp.models.base import utcnow
from webapp.services import data_stamps, forms, photo_store
from webapp.services import photos as photo_files

logger = logging.getLogger(__name__)

#: Answer types holding free text, removed by the purge.
TEXT_FIELD_TYPES = {"short_text", "long_text"}
#: Grid used for purged points (metres).
PURGE_CELL_M = 200
#: Keys of the moderation log whose values copy what the participant wrote or where they stood.
LOGGED_PERSONAL_KEYS = ("note", "proposal", "location")
#: Allowed retention periods, in months.
MIN_RETENTION_MONTHS, MAX_RETENTION_MONTHS = 1, 120
#: Longest note of a consent record (where the forms are kept, say).
MAX_CONSENT_NOTE = 500
#: Largest group a consent record may count.
MAX_MINORS = 500


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


def _without_text(observation: Observation, definition: FormDefinition | None) -> dict:
    if definition is None:
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
    """Purge observations older than their project's retention period.

    ``dry_run`` only says so in the report and the log: the caller rolls back (the command's
    ``unit_of_work(dry_run=True)``). Photo files are deleted once the purge is committed.
    """
    now = now or utcnow()
    report = PurgeReport(dry_run=dry_run)
    removed_files: list[photo_store.Ref] = []
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
        sensitive = forms.project_sensitive_themes(current.id)
        definitions: dict[tuple[str, int], FormDefinition | None] = {}
        for observation in expired:
            form = (observation.form_key, observation.form_version)
            if form not in definitions:
                try:
                    definitions[form] = forms.definition(*form)
                except NotFound:
                    definitions[form] = None
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
            if observation.theme in sensitive:
                # what happened to someone, in detail, is not needed to count reports
                observation.subtheme = None
                observation.answers = {}
            else:
                observation.answers = _without_text(observation, definitions[form])
            observation.purged_at = now
            for photo in list(observation.photos):
                removed_files.append(photo_store.Ref(photo.id, photo.stored_name))
                db.session.delete(photo)
                photo_count += 1
        _scrub_moderation_log([o.id for o in expired])
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
    db.session.flush()
    # Bytes go with the rows (files once the rows are gone for good; never for a dry run: rolled back).
    photo_files.discard(removed_files)
    return report


def _scrub_moderation_log(observation_ids: list[int]) -> None:
    """Blank the copies of text and points the moderation log keeps for these observations."""
    if not observation_ids:
        return
    events = db.session.scalars(
        select(ModerationEvent).where(ModerationEvent.observation_id.in_(observation_ids))
    ).all()
    for event in events:
        changes = dict(event.changes or {})
        if any(key in changes for key in LOGGED_PERSONAL_KEYS):
            for key in LOGGED_PERSONAL_KEYS:
                if key in changes:
                    changes[key] = [None, None]
            event.changes = changes


def count_photos() -> int:
    """How many photos are stored."""
    return db.session.scalar(select(func.count(Photo.id))) or 0


def record_minors_consent(
    walk: Walk, *, minors_count: int, recorded_by: User | None, note: str = ""
) -> WalkConsent:
    """Record that parental authorisations for the walk's minors were collected (no identities)."""
    if not 1 <= minors_count <= MAX_MINORS:
        raise ValidationError(
            _l("Indiquez le nombre de mineurs : un nombre entier entre 1 et %(max)s.", max=MAX_MINORS),
            details={"minors_count": "out_of_range"},
        )
    if len((note or "").strip()) > MAX_CONSENT_NOTE:
        raise ValidationError(
            _l("La note dépasse %(max)s caractères : raccourcissez-la.", max=MAX_CONSENT_NOTE),
            details={"note": "too_long"},
        )
    if db.session.get(WalkConsent, walk.id) is not None:
        raise Conflict(_l("Les autorisations de cette marche sont déjà enregistrées."))
    consent = WalkConsent(
        walk_id=walk.id,
        minors_count=minors_count,
        recorded_by_id=recorded_by.id if recorded_by else None,
        note=(note or "").strip(),
    )
    db.session.add(consent)
    db.session.flush()
    return consent


@dataclass(frozen=True)
class ConsentRecord:
    """What the walk page shows of a consent record (no child's identity exists to show)."""

    minors_count: int
    recorded_at: datetime
    #: Display name of the staff member who recorded it (None once the account is gone).
    recorded_by: str | None
    note: str


def get_minors_consent(walk: Walk) -> ConsentRecord | None:
    """The walk's record of parental authorisations, if one was made."""
    consent = db.session.get(WalkConsent, walk.id)
    if consent is None:
        return None
    name = None
    if consent.recorded_by_id is not None:
        name = db.session.scalar(select(User.display_name).where(User.id == consent.recorded_by_id))
    return ConsentRecord(
        minors_count=consent.minors_count,
        recorded_at=consent.recorded_at,
        recorded_by=name,
        note=consent.note,
    )


def parse_minors_count(raw: object) -> int:
    """A number of minors typed in a form, or a ValidationError."""
    value = parse_int(raw, minimum=1, maximum=MAX_MINORS)
    if value is None:
        raise ValidationError(
            _l("Indiquez le nombre de mineurs : un nombre entier entre 1 et %(max)s.", max=MAX_MINORS),
            details={"minors_count": "out_of_range"},
        )
    return value


# --- a project's privacy settings ----------------------------------------------------------------


def parse_retention_months(raw: object) -> int:
    """A retention period typed in a form, or a ValidationError."""
    value = parse_int(raw)
    if value is None or not MIN_RETENTION_MONTHS <= value <= MAX_RETENTION_MONTHS:
        raise ValidationError(
            _l(
                "La durée de conservation doit être un nombre entier de mois entre %(min)s et %(max)s.",
                min=MIN_RETENTION_MONTHS,
                max=MAX_RETENTION_MONTHS,
            ),
            details={"retention_months": "out_of_range"},
        )
    return value


def settings_values(project: Project) -> dict[str, Any]:
    """What the settings page shows, field by field (see ``concurrent_edits``)."""
    return {
        "retention_months": project.retention_months,
        "public_map": bool(project.public_map),
        "public_followup": bool(project.public_followup),
    }


def update_settings(
    project: Project, *, retention_months: int, public_map: bool, public_followup: bool
) -> Project:
    """Set a project's retention period and its public opt-ins."""
    retention_months = parse_retention_months(retention_months)
    project.retention_months = retention_months
    project.public_map = bool(public_map)
    project.public_followup = bool(public_followup)
    db.session.flush()
    logger.info(
        "privacy settings project=%s retention_months=%d public_map=%s public_followup=%s",
        project.id,
        retention_months,
        project.public_map,
        project.public_followup,
    )
    return project


# --- a participant's own data --------------------------------------------------------------------


@dataclass(frozen=True)
class ModerationStep:
    """One moderation action on a participant's observation, as shown in their export (no staff name)."""

    action: str
    at: datetime
    reason: str
    changes: dict[str, Any]


@dataclass(frozen=True)
class ParticipantData:
    """Everything stored about one participant: the walk joined, the profile, observations and history."""

    participant: Participant
    walk: Walk
    observations: list[Observation]
    #: Moderation history per observation id.
    history: dict[int, list[ModerationStep]]


def participant_data(participant: Participant) -> ParticipantData:
    """Gather what is stored about a participant (for their export)."""
    observations = list(
        db.session.scalars(
            select(Observation)
            .where(Observation.participant_id == participant.id)
            .order_by(Observation.captured_at, Observation.id)
        )
    )
    history: dict[int, list[ModerationStep]] = {o.id: [] for o in observations}
    if observations:
        for event in db.session.scalars(
            select(ModerationEvent)
            .where(ModerationEvent.observation_id.in_(list(history)))
            .order_by(ModerationEvent.id)
        ):
            history[event.observation_id].append(
                ModerationStep(event.action, event.created_at, event.reason, dict(event.changes or {}))
            )
    return ParticipantData(participant, participant.walk, observations, history)


@dataclass(frozen=True)
class Erasure:
    """What erasing a participant's data removed; ``files``: the stored names of the photos, whose
    bytes went with them (files once the erasure is committed)."""

    observations: int
    photos: int
    profile: bool
    #: Recommendations that lost a piece of evidence (they stay).
    recommendations: int
    files: list[str] = field(default_factory=list)


def _without_fragment(text: str, before: str, after: str) -> str:
    """``text`` without what a merge appended to ``before`` to make ``after`` (if it is still there)."""
    if text == after:
        return before
    fragment = after[len(before) :].strip() if after.startswith(before) else ""
    if fragment and fragment in text:
        return text.replace(fragment, "").strip()
    return text


def _undo_merges(ids: list[int]) -> list[photo_store.Ref]:
    """Undo what moderation merges mixed between these observations and others'; returns the
    participant's photos that had moved to someone else's observation (now deleted).

    A duplicate merged into another observation gave it its text and photos: they are taken back out.
    Another participant's duplicate merged into one of these gave them its photos: they go back to it.
    """
    mine = set(ids)
    walk_ids = select(Observation.walk_id).where(Observation.id.in_(ids)).distinct().scalar_subquery()
    events = db.session.scalars(
        select(ModerationEvent)
        .join(Observation, Observation.id == ModerationEvent.observation_id)
        .where(ModerationEvent.action == "merge", Observation.walk_id.in_(walk_ids))
        .order_by(ModerationEvent.id.desc())
    ).all()
    removed: list[photo_store.Ref] = []
    for event in events:
        changes = dict(event.changes or {})
        source = (changes.get("merged_from") or [None, None])[1]
        if source is None:
            continue  # the duplicate's own record ("merged_into")
        moved = set((changes.get("photos") or [None, []])[1] or [])
        target = db.session.get(Observation, event.observation_id)
        if target is None:
            continue
        if source in mine and target.id not in mine:
            for photo in list(target.photos):
                if photo.id in moved:
                    removed.append(photo_store.Ref(photo.id, photo.stored_name))
                    target.photos.remove(photo)
            for name in ("note", "proposal"):
                if name in changes:
                    before, after = (changes[name] + [None, None])[:2]
                    setattr(target, name, _without_fragment(getattr(target, name), before or "", after or ""))
                    changes[name] = [None, None]
            event.changes = changes
        elif target.id in mine and source not in mine:
            back = db.session.get(Observation, source)
            if back is not None:
                for photo in list(target.photos):
                    if photo.id in moved:
                        photo.observation = back
    return removed


def erase_participant_data(participant: Participant, *, keep_profile: bool = False) -> Erasure:
    """Delete a participant's observations (photos, votes, history, evidence links) and, unless
    ``keep_profile``, their profile and token. Erasing again removes nothing more.
    """
    ids = list(db.session.scalars(select(Observation.id).where(Observation.participant_id == participant.id)))
    gone: list[photo_store.Ref] = []
    recommendations = 0
    if ids:
        gone = _undo_merges(ids)
        db.session.flush()
        rows = db.session.execute(select(Photo.id, Photo.stored_name).where(Photo.observation_id.in_(ids)))
        gone += [photo_store.Ref(photo_id, name) for photo_id, name in rows]
        photo_files.discard(gone)  # before the rows go: the database store deletes the bytes first
        link = recommendation_observations.c
        recommendations = (
            db.session.scalar(
                select(func.count(func.distinct(link.recommendation_id))).where(link.observation_id.in_(ids))
            )
            or 0
        )
        # Explicit deletes, so the result does not depend on the database's cascade settings.
        db.session.execute(delete(recommendation_observations).where(link.observation_id.in_(ids)))
        db.session.execute(delete(Vote).where(Vote.observation_id.in_(ids)))
        db.session.execute(delete(ModerationEvent).where(ModerationEvent.observation_id.in_(ids)))
        db.session.execute(delete(Photo).where(Photo.observation_id.in_(ids)))
        db.session.execute(delete(Observation).where(Observation.id.in_(ids)))
        data_stamps.bump(walk_ids=[participant.walk_id])
    walk_id = participant.walk_id
    if not keep_profile:
        db.session.delete(participant)
    db.session.flush()
    db.session.expire_all()
    names = [ref.stored_name for ref in gone]
    logger.info(
        "participant data erased walk=%s observations=%d photos=%d recommendations=%d profile=%s",
        walk_id,
        len(ids),
        len(names),
        recommendations,
        "deleted" if not keep_profile else "kept",
    )
    return Erasure(len(ids), len(names), not keep_profile, recommendations, names)
