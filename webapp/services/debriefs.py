"""Debrief: a walk replayed stop by stop, the group's dot-votes, recommendations drawn from observations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from geoalchemy2.shape import to_shape
from sqlalchemy import delete, func, select

from geodata.crs import to_metric
from webapp.errors import NotFound, ValidationError
from webapp.extensions import db
from webapp.models import (
    Observation,
    Organisation,
    Project,
    ProjectPartner,
    Recommendation,
    RecommendationEvent,
    User,
    Vote,
    Walk,
    Zone,
)
from webapp.models.enums import ModerationStatus, Priority, RecommendationStatus

#: Recommendations are listed high priority first (labels: ``Priority``).
PRIORITY_RANK = {Priority.HIGH: 0, Priority.MEDIUM: 1, Priority.LOW: 2}


@dataclass
class ReplayStep:
    """One stop of the replay and the observations made nearest to it."""

    position: int
    name: str
    lon: float | None
    lat: float | None
    observations: list[Observation]


def replay(
    walk: Walk, *, statuses: tuple[str, ...] = (ModerationStatus.VALIDATED, ModerationStatus.PENDING)
) -> list[ReplayStep]:
    """The walk stop by stop: each shown observation goes to its nearest stop (in metres)."""
    observations = list(
        db.session.scalars(
            select(Observation)
            .where(Observation.walk_id == walk.id, Observation.moderation_status.in_(list(statuses)))
            .order_by(Observation.captured_at, Observation.id)
        )
    )
    if not walk.stops:
        return [ReplayStep(1, "Toute la marche", None, None, observations)]
    stops = [(stop, to_shape(stop.location)) for stop in walk.stops]
    metric_stops = [to_metric(point) for _, point in stops]
    steps = [ReplayStep(s.position, s.name, p.x, p.y, []) for s, p in stops]
    for observation in observations:
        point = to_metric(to_shape(observation.location))
        nearest = min(range(len(stops)), key=lambda i: metric_stops[i].distance(point))
        steps[nearest].observations.append(observation)
    return steps


# --- dot-voting --------------------------------------------------------------------------------


def add_vote(
    walk: Walk, actor: User | None, *, observation_id: int | None = None, theme: str | None = None
) -> int:
    """Give one dot to an observation of the walk or to a theme; returns its new count."""
    if (observation_id is None) == (not theme):
        raise ValidationError("Un vote porte sur une observation ou sur un thème.")
    if observation_id is not None:
        obs = db.session.get(Observation, observation_id)
        if obs is None or obs.walk_id != walk.id:
            raise NotFound("Observation introuvable.", details={"observation": observation_id})
        theme = None
    db.session.add(
        Vote(
            walk_id=walk.id,
            observation_id=observation_id,
            theme=theme or None,
            created_by_id=actor.id if actor else None,
        )
    )
    db.session.flush()
    return _count(walk, observation_id, theme)


def remove_vote(walk: Walk, *, observation_id: int | None = None, theme: str | None = None) -> int:
    """Take one dot back (the latest); returns the new count."""
    stmt = select(Vote.id).where(Vote.walk_id == walk.id)
    stmt = (
        stmt.where(Vote.observation_id == observation_id)
        if observation_id is not None
        else stmt.where(Vote.theme == theme)
    )
    vote_id = db.session.scalar(stmt.order_by(Vote.id.desc()).limit(1))
    if vote_id is not None:
        db.session.execute(delete(Vote).where(Vote.id == vote_id))
        db.session.flush()
    return _count(walk, observation_id, theme)


def _count(walk: Walk, observation_id: int | None, theme: str | None) -> int:
    stmt = select(func.count(Vote.id)).where(Vote.walk_id == walk.id)
    stmt = (
        stmt.where(Vote.observation_id == observation_id)
        if observation_id is not None
        else stmt.where(Vote.theme == theme)
    )
    return db.session.scalar(stmt) or 0


def vote_counts(walk: Walk) -> tuple[dict[int, int], dict[str, int]]:
    """Dots per observation and per theme for this walk."""
    by_obs = dict(
        db.session.execute(
            select(Vote.observation_id, func.count(Vote.id))
            .where(Vote.walk_id == walk.id, Vote.observation_id.is_not(None))
            .group_by(Vote.observation_id)
        ).all()
    )
    by_theme = dict(
        db.session.execute(
            select(Vote.theme, func.count(Vote.id))
            .where(Vote.walk_id == walk.id, Vote.theme.is_not(None))
            .group_by(Vote.theme)
        ).all()
    )
    return by_obs, by_theme


# --- recommendations ---------------------------------------------------------------------------


def list_partners(project: Project) -> list[Organisation]:
    """Organisations taking part in the project (targets of recommendations)."""
    return list(
        db.session.scalars(
            select(Organisation)
            .join(ProjectPartner, ProjectPartner.organisation_id == Organisation.id)
            .where(ProjectPartner.project_id == project.id)
            .order_by(Organisation.name)
        )
    )


def create_recommendation(
    project: Project,
    actor: User | None,
    *,
    observation_ids: list[int],
    title: str,
    text: str = "",
    theme: str | None = None,
    zone_id: int | None = None,
    organisation_id: int | None = None,
    priority: str = Priority.MEDIUM,
    deadline: date | None = None,
    walk: Walk | None = None,
) -> Recommendation:
    """Turn a selection of observations into a recommendation that keeps them as evidence."""
    problems: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        problems["title"] = "required"
    if priority not in set(Priority):
        problems["priority"] = "unknown_choice"
    ids = sorted(set(observation_ids))
    if not ids:
        problems["observations"] = "required"
    observations = (
        list(
            db.session.scalars(
                select(Observation)
                .join(Observation.walk)
                .where(Observation.id.in_(ids), Walk.project_id == project.id)
            )
        )
        if ids
        else []
    )
    if ids and len(observations) != len(ids):
        problems["observations"] = "unknown"
    if zone_id is not None and db.session.get(Zone, zone_id) is None:
        problems["zone_id"] = "unknown"
    if organisation_id is not None and organisation_id not in {o.id for o in list_partners(project)}:
        problems["organisation_id"] = "unknown"
    if problems:
        raise ValidationError("La préconisation est incomplète ou invalide.", details=problems)
    if theme is None:
        themes = {o.theme for o in observations}
        theme = themes.pop() if len(themes) == 1 else None
    if zone_id is None:
        zone_ids = {o.zone_id for o in observations}
        zone_id = zone_ids.pop() if len(zone_ids) == 1 else None
    recommendation = Recommendation(
        project_id=project.id,
        walk_id=walk.id if walk else None,
        title=title[:200],
        text=(text or "").strip(),
        theme=theme or None,
        zone_id=zone_id,
        organisation_id=organisation_id,
        priority=priority,
        deadline=deadline,
        status=RecommendationStatus.PROPOSED,
        created_by_id=actor.id if actor else None,
        observations=observations,
    )
    recommendation.events.append(
        RecommendationEvent(
            status_to=RecommendationStatus.PROPOSED,
            comment="Issue du débriefing.",
            author_id=actor.id if actor else None,
        )
    )
    db.session.add(recommendation)
    db.session.flush()
    return recommendation


def list_recommendations(project: Project, walk: Walk | None = None) -> list[Recommendation]:
    """Recommendations ranked high, medium, low (then by deadline and creation)."""
    stmt = select(Recommendation).where(Recommendation.project_id == project.id)
    if walk is not None:
        stmt = stmt.where(Recommendation.walk_id == walk.id)
    items = list(db.session.scalars(stmt.order_by(Recommendation.id)))
    return sorted(items, key=lambda r: (PRIORITY_RANK.get(r.priority, 9), r.deadline or date.max, r.id))
