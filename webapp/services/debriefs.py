"""Debrief: a walk replayed stop by stop, the group's dot-votes, recommendations drawn from observations."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import shapely
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from geoalchemy2.shape import to_shape
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from geodata.crs import METRIC_SRID, STORAGE_SRID, transformer
from geodata.map_style import round_point
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


#: Order of polarities in a stop's columns: problems first, then assets, then the rest.
POLARITY_ORDER = ("negative", "positive", "neutral")
#: Length of an observation's excerpt quoted as evidence of a recommendation.
EXCERPT_CHARS = 90


@dataclass
class CardGroup:
    """The observations of one stop sharing a theme and a polarity (one column of cards)."""

    theme: str
    polarity: str
    #: the form marks the theme sensitive: the room sees a count, never the text
    sensitive: bool
    observations: list[Observation]


@dataclass
class ReplayStep:
    """One stop of the replay and the observations made nearest to it."""

    position: int
    name: str
    lon: float | None
    lat: float | None
    observations: list[Observation]

    def groups(self, theme_order: Sequence[str], sensitive: Collection[str]) -> list[CardGroup]:
        """The stop's observations by theme (in the form's order) then polarity (problems first)."""
        rank = {key: i for i, key in enumerate(theme_order)}
        buckets: dict[tuple[str, str], list[Observation]] = {}
        for observation in self.observations:
            buckets.setdefault((observation.theme, observation.polarity), []).append(observation)
        keys = sorted(
            buckets,
            key=lambda k: (
                rank.get(k[0], len(rank)),
                k[0],
                POLARITY_ORDER.index(k[1]) if k[1] in POLARITY_ORDER else 9,
            ),
        )
        return [CardGroup(theme, pol, theme in sensitive, buckets[(theme, pol)]) for theme, pol in keys]

    def bounds(
        self, sensitive: Collection[str] = (), coarse: Collection[str] = ()
    ) -> list[list[float]] | None:
        """``[[south, west], [north, east]]`` of the stop and its shown (non-sensitive) observations;
        those of ``coarse`` themes count at their rounded place (``map_style.round_point``), as maps
        show them."""
        points = [(self.lon, self.lat)] if self.lon is not None and self.lat is not None else []
        for observation in self.observations:
            if observation.theme not in sensitive:
                point = to_shape(observation.location)
                points.append(round_point(point.x, point.y, observation.theme in coarse))
        if not points:
            return None
        xs = [float(x) for x, _ in points if x is not None]
        ys = [float(y) for _, y in points if y is not None]
        return [[min(ys), min(xs)], [max(ys), max(xs)]]


def excerpt(text: str | None, limit: int = EXCERPT_CHARS) -> str:
    """The start of a note, cut on a word, with an ellipsis when cut."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(" ,;:.") + "…"


def room_map_points(observations: dict[str, Any], sensitive: Collection[str]) -> dict[str, Any]:
    """The debrief map's points: those of sensitive themes are left out (the room gets counts only)."""
    return {
        "type": "FeatureCollection",
        "features": [
            feat
            for feat in observations.get("features", [])
            if feat.get("properties", {}).get("theme") not in sensitive
        ],
    }


def room_statuses(preparation: bool) -> tuple[str, ...]:
    """What the debrief shows: validated observations in the room, pending ones too when the team prepares."""
    if preparation:
        return (ModerationStatus.VALIDATED, ModerationStatus.PENDING)
    return (ModerationStatus.VALIDATED,)


def replay(
    walk: Walk, *, statuses: tuple[str, ...] = (ModerationStatus.VALIDATED, ModerationStatus.PENDING)
) -> list[ReplayStep]:
    """The walk stop by stop: each shown observation goes to its nearest stop (in metres)."""
    observations = list(
        db.session.scalars(
            select(Observation)
            .options(selectinload(Observation.photos))  # the cards show them: one statement for all
            .where(Observation.walk_id == walk.id, Observation.moderation_status.in_(list(statuses)))
            .order_by(Observation.captured_at, Observation.id)
        )
    )
    if not walk.stops:
        return [ReplayStep(1, gettext("Toute la marche"), None, None, observations)]
    stops = [(stop, to_shape(stop.location)) for stop in walk.stops]
    steps = [ReplayStep(s.position, s.name, p.x, p.y, []) for s, p in stops]
    if not observations:
        return steps
    # All positions projected at once (Lambert-93, as ``to_metric``), then each observation's distances
    # to every stop: the first nearest stop, as a loop over Shapely distances would choose it.
    to_l93 = transformer(STORAGE_SRID, METRIC_SRID)
    sx, sy = to_l93.transform(*np.array([(p.x, p.y) for _, p in stops]).T)
    ox, oy = to_l93.transform(*shapely.get_coordinates([to_shape(o.location) for o in observations]).T)
    dx, dy = np.subtract.outer(sx, ox), np.subtract.outer(sy, oy)
    nearest = np.argmin(np.sqrt(dx * dx + dy * dy), axis=0)
    for observation, index in zip(observations, nearest.tolist(), strict=True):
        steps[index].observations.append(observation)
    return steps


# --- dot-voting --------------------------------------------------------------------------------


def add_vote(
    walk: Walk, actor: User | None, *, observation_id: int | None = None, theme: str | None = None
) -> int:
    """Give one dot to an observation of the walk or to a theme; returns its new count."""
    if (observation_id is None) == (not theme):
        raise ValidationError(_l("Un vote porte sur une observation ou sur un thème."))
    if observation_id is not None:
        obs = db.session.get(Observation, observation_id)
        if obs is None or obs.walk_id != walk.id:
            raise NotFound(_l("Observation introuvable."), details={"observation": observation_id})
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
        raise ValidationError(_l("La préconisation est incomplète ou invalide."), details=problems)
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
