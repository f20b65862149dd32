"""Re-walks: a later walk of a project linked to an earlier one, and what changed at each stop.

A re-walk goes over the stops of an earlier walk (its *original*) to see whether the problems raised
were fixed. Linking refuses a walk of another project, the walk itself, a walk that is not earlier,
and anything that would make a loop; a re-walk without stops (or route) gets the original's.

The comparison looks at *validated* observations near each stop of the original (nearest stop
within :data:`RADIUS_M` metres, measured in the local metric projection): counts per theme and
polarity, the mean feeling and a few photos, before (original) and after (re-walk), with the
recommendations whose evidence lies near that stop. The shapes returned carry no participant data
(no profile, no note, no observation point), and observations of a sensitive theme (street harassment
in the default grid: the forms mark which) are only counted, never placed or illustrated; in the
public shape a count of fewer than three of them is withheld.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from geoalchemy2.shape import to_shape
from sqlalchemy import func, select

from geodata.crs import metric_srid_for, transformer
from geodata.privacy import DEFAULT_MIN_COUNT
from webapp.errors import Conflict, ValidationError
from webapp.extensions import db
from webapp.models import (
    Observation,
    Photo,
    Recommendation,
    Rewalk,
    Stop,
    User,
    Walk,
    recommendation_observations,
)
from webapp.models.enums import ModerationStatus, Polarity
from webapp.services import forms

#: An observation belongs to its nearest stop when it is at most this far from it (metres).
RADIUS_M = 75.0
#: Photos shown per stop and per side.
PHOTOS_PER_SIDE = 4
#: In public shapes, fewer harassment reports than this at a stop are withheld.
MIN_PUBLIC_COUNT = DEFAULT_MIN_COUNT


# --- linking -----------------------------------------------------------------------------------


def get_original(walk: Walk) -> Walk | None:
    """The walk this one re-walks, if any."""
    link = db.session.get(Rewalk, walk.id)
    return db.session.get(Walk, link.original_walk_id) if link is not None else None


def list_rewalks_of(walk: Walk) -> list[Walk]:
    """The later walks linked as re-walks of this one, by date."""
    return list(
        db.session.scalars(
            select(Walk)
            .join(Rewalk, Rewalk.walk_id == Walk.id)
            .where(Rewalk.original_walk_id == walk.id)
            .order_by(Walk.walk_date, Walk.id)
        )
    )


def _chain(walk_id: int) -> list[int]:
    """The ids of the originals above a walk (its original, that one's original, …)."""
    seen: list[int] = []
    current: int | None = walk_id
    while current is not None and current not in seen:
        seen.append(current)
        current = db.session.scalar(select(Rewalk.original_walk_id).where(Rewalk.walk_id == current))
    return seen[1:]


def list_candidates(walk: Walk) -> list[Walk]:
    """Walks of the same project this one may be linked to: earlier ones that would not make a loop."""
    earlier = db.session.scalars(
        select(Walk)
        .where(Walk.project_id == walk.project_id, Walk.id != walk.id, Walk.walk_date < walk.walk_date)
        .order_by(Walk.walk_date.desc(), Walk.id)
    ).all()
    return [w for w in earlier if walk.id not in _chain(w.id)]


def link_rewalk(walk: Walk, original: Walk, *, actor: User | None = None) -> Rewalk:
    """Record ``walk`` as a re-walk of ``original``; copies the original's stops (and route) when it has
    none. Linking again to the same original changes nothing; flushes.
    """
    if walk.id == original.id:
        raise ValidationError(
            _l("Une marche ne peut pas être la re-marche d'elle-même."), details={"original_walk_id": "self"}
        )
    if walk.project_id != original.project_id:
        raise ValidationError(
            _l("La marche d'origine doit appartenir au même projet."),
            details={"original_walk_id": "other_project"},
        )
    if walk.id in _chain(original.id):
        raise ValidationError(
            _l(
                "« %(title)s » est elle-même une re-marche de cette marche : le lien ferait une boucle.",
                title=original.title,
            ),
            details={"original_walk_id": "cycle"},
        )
    if original.walk_date >= walk.walk_date:
        raise ValidationError(
            _l(
                "La marche d'origine doit avoir eu lieu avant celle-ci (le %(date)s).",
                date=f"{walk.walk_date:%d/%m/%Y}",
            ),
            details={"original_walk_id": "not_earlier"},
        )
    existing = db.session.get(Rewalk, walk.id)
    if existing is not None:
        if existing.original_walk_id == original.id:
            return existing
        current = db.session.get(Walk, existing.original_walk_id)
        raise Conflict(
            _l(
                "Cette marche est déjà la re-marche de « %(title)s » : retirez d'abord ce lien.",
                title=current.title if current else "?",
            ),
            details={"original_walk_id": "already_linked"},
        )
    link = Rewalk(walk_id=walk.id, original_walk_id=original.id, linked_by_id=actor.id if actor else None)
    db.session.add(link)
    if not walk.stops:
        for stop in original.stops:
            walk.stops.append(Stop(position=stop.position, name=stop.name, location=stop.location))
    if walk.route is None and original.route is not None:
        walk.route = original.route
    db.session.flush()
    return link


def unlink_rewalk(walk: Walk) -> bool:
    """Remove the re-walk link (stops copied from the original stay); False when there was none."""
    link = db.session.get(Rewalk, walk.id)
    if link is None:
        return False
    db.session.delete(link)
    db.session.flush()
    return True


# --- before / after ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WalkRef:
    """A walk as comparisons name it."""

    id: int
    title: str
    walk_date: date
    time_slot: str


@dataclass(frozen=True)
class SideStats:
    """Validated observations of one walk near one stop. No text, no point, no participant."""

    total: int
    #: theme -> {"negative": n, "positive": n, "neutral": n}; ``None`` when withheld (public shape)
    counts: dict[str, dict[str, int] | None]
    avg_feeling: float | None
    #: Stored file names of photos (never of harassment reports), oldest first.
    photos: list[str] = field(default_factory=list)

    def polarity_total(self, polarity: str) -> int:
        return sum(c[polarity] for c in self.counts.values() if c is not None)


@dataclass(frozen=True)
class RecommendationRef:
    """A recommendation whose evidence lies near a stop."""

    id: int
    title: str
    status: str
    theme: str | None


@dataclass(frozen=True)
class StopComparison:
    """One stop of the original walk, before and after."""

    position: int
    name: str
    #: The planned stop (a public place); None for the "whole walk" row of a walk without stops.
    lon: float | None
    lat: float | None
    before: SideStats
    after: SideStats
    recommendations: list[RecommendationRef]


@dataclass(frozen=True)
class RewalkComparison:
    """A re-walk compared with its original, stop by stop."""

    original: WalkRef
    rewalk: WalkRef
    radius_m: float
    stops: list[StopComparison]


def _ref(walk: Walk) -> WalkRef:
    return WalkRef(walk.id, walk.title, walk.walk_date, walk.time_slot)


def _stops(walk: Walk) -> list[tuple[int, str, float | None, float | None]]:
    stops = []
    for stop in walk.stops:
        point = to_shape(stop.location)
        stops.append((stop.position, stop.name, point.x, point.y))
    return stops or [(0, gettext("Toute la marche"), None, None)]


def _projector(stops: list[tuple[int, str, float | None, float | None]]) -> Any:
    first = next(((lon, lat) for _, _, lon, lat in stops if lon is not None), (2.35, 48.85))
    return transformer(4326, metric_srid_for(*first))


def _nearest_stop(
    metric_stops: list[tuple[float, float] | None], x: float, y: float, radius_m: float
) -> int | None:
    """Index of the nearest stop within the radius (a stop-less walk has one row taking everything)."""
    if metric_stops == [None]:
        return 0
    best, best_d = None, radius_m
    for index, stop in enumerate(metric_stops):
        if stop is None:
            continue
        d = ((stop[0] - x) ** 2 + (stop[1] - y) ** 2) ** 0.5
        if d <= best_d:
            best, best_d = index, d
    return best


def _side(
    walk: Walk,
    metric_stops: list[tuple[float, float] | None],
    project: Any,
    radius_m: float,
    *,
    public: bool,
) -> list[SideStats]:
    sensitive = forms.project_sensitive_themes(walk.project_id)
    rows = db.session.execute(
        select(
            Observation.id,
            Observation.theme,
            Observation.polarity,
            Observation.feeling,
            func.ST_X(Observation.location),
            func.ST_Y(Observation.location),
        )
        .where(Observation.walk_id == walk.id, Observation.moderation_status == ModerationStatus.VALIDATED)
        .order_by(Observation.id)
    ).all()
    buckets: list[list[Any]] = [[] for _ in metric_stops]
    if rows:
        xs, ys = project.transform([r[4] for r in rows], [r[5] for r in rows])
        for row, x, y in zip(rows, xs, ys, strict=True):
            index = _nearest_stop(metric_stops, x, y, radius_m)
            if index is not None:
                buckets[index].append(row)
    shown = {
        r[0]
        for bucket in buckets
        for r in bucket
        if r[1] not in sensitive  # a photo would place the report
    }
    photos: dict[int, list[str]] = defaultdict(list)
    if shown:
        for obs_id, name in db.session.execute(
            select(Photo.observation_id, Photo.stored_name)
            .where(Photo.observation_id.in_(sorted(shown)))
            .order_by(Photo.id)
        ):
            photos[obs_id].append(name)
    sides = []
    for bucket in buckets:
        harassment = sum(1 for r in bucket if r[1] in sensitive)
        withheld = public and 0 < harassment < MIN_PUBLIC_COUNT
        kept = [r for r in bucket if not (withheld and r[1] in sensitive)]
        counts: dict[str, dict[str, int] | None] = {}
        for _id, theme, polarity, *_rest in kept:
            entry = counts.setdefault(theme, {p.value: 0 for p in Polarity})
            assert entry is not None
            entry[polarity] = entry.get(polarity, 0) + 1
        if withheld:
            for theme in sorted({r[1] for r in bucket if r[1] in sensitive}):
                counts[theme] = None
        feelings = [r[3] for r in kept if r[3] is not None]
        names = [name for r in bucket if r[0] in shown for name in photos.get(r[0], [])][:PHOTOS_PER_SIDE]
        sides.append(
            SideStats(
                total=len(kept),
                counts=dict(sorted(counts.items())),
                avg_feeling=round(sum(feelings) / len(feelings), 2) if feelings else None,
                photos=names,
            )
        )
    return sides


def _recommendations_near(
    project_id: int, metric_stops: list[tuple[float, float] | None], project: Any, radius_m: float
) -> list[list[RecommendationRef]]:
    link = recommendation_observations.c
    rows = db.session.execute(
        select(
            Recommendation.id,
            Recommendation.title,
            Recommendation.status,
            Recommendation.theme,
            func.ST_X(Observation.location),
            func.ST_Y(Observation.location),
        )
        .join(recommendation_observations, link.recommendation_id == Recommendation.id)
        .join(Observation, Observation.id == link.observation_id)
        .where(Recommendation.project_id == project_id)
        .order_by(Recommendation.id)
    ).all()
    near: list[dict[int, RecommendationRef]] = [{} for _ in metric_stops]
    if rows:
        xs, ys = project.transform([r[4] for r in rows], [r[5] for r in rows])
        for row, x, y in zip(rows, xs, ys, strict=True):
            for index, stop in enumerate(metric_stops):
                close = stop is None or ((stop[0] - x) ** 2 + (stop[1] - y) ** 2) ** 0.5 <= radius_m
                if close:
                    near[index].setdefault(row[0], RecommendationRef(row[0], row[1], row[2], row[3]))
    return [list(found.values()) for found in near]


def compare_walks(
    original: Walk, rewalk: Walk, *, radius_m: float = RADIUS_M, public: bool = False
) -> RewalkComparison:
    """Before (``original``) and after (``rewalk``) at each stop of the original."""
    stops = _stops(original)
    project = _projector(stops)
    metric_stops: list[tuple[float, float] | None] = [
        project.transform(lon, lat) if lon is not None else None for _, _, lon, lat in stops
    ]
    before = _side(original, metric_stops, project, radius_m, public=public)
    after = _side(rewalk, metric_stops, project, radius_m, public=public)
    recommendations = _recommendations_near(original.project_id, metric_stops, project, radius_m)
    return RewalkComparison(
        original=_ref(original),
        rewalk=_ref(rewalk),
        radius_m=radius_m,
        stops=[
            StopComparison(position, name, lon, lat, b, a, r)
            for (position, name, lon, lat), b, a, r in zip(stops, before, after, recommendations, strict=True)
        ],
    )


def compare(rewalk: Walk, *, radius_m: float = RADIUS_M, public: bool = False) -> RewalkComparison | None:
    """The before/after comparison of a re-walk with its original; None when it is not a re-walk."""
    original = get_original(rewalk)
    if original is None:
        return None
    return compare_walks(original, rewalk, radius_m=radius_m, public=public)


def _descendants(walk_id: int) -> list[int]:
    """Re-walks of a walk, their re-walks, and so on (ids, each once)."""
    found: list[int] = []
    frontier = [walk_id]
    while frontier:
        children = db.session.scalars(
            select(Rewalk.walk_id).where(Rewalk.original_walk_id.in_(frontier)).order_by(Rewalk.walk_id)
        ).all()
        frontier = [c for c in children if c not in found and c != walk_id]
        found.extend(frontier)
    return found


def before_after_for_recommendation(
    recommendation: Recommendation, *, radius_m: float = RADIUS_M
) -> list[RewalkComparison]:
    """For partner and public pages: each re-walk of a walk the recommendation's evidence comes from,
    compared with it at the stops near that evidence. Public shape: no participant data, harassment
    counted only and withheld under three. Empty when no re-walk was made yet.
    """
    link = recommendation_observations.c
    evidence = db.session.execute(
        select(Observation.walk_id, func.ST_X(Observation.location), func.ST_Y(Observation.location))
        .join(recommendation_observations, link.observation_id == Observation.id)
        .where(link.recommendation_id == recommendation.id)
    ).all()
    by_walk: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for walk_id, lon, lat in evidence:
        by_walk[walk_id].append((lon, lat))
    comparisons = []
    for walk_id in sorted(by_walk):
        original = db.session.get(Walk, walk_id)
        if original is None:
            continue
        for later_id in _descendants(walk_id):
            later = db.session.get(Walk, later_id)
            if later is None:
                continue
            full = compare_walks(original, later, radius_m=radius_m, public=True)
            project = _projector(_stops(original))
            points = [project.transform(lon, lat) for lon, lat in by_walk[walk_id]]
            stops = [
                s
                for s in full.stops
                if s.lon is None
                or any(
                    ((px - sx) ** 2 + (py - sy) ** 2) ** 0.5 <= radius_m
                    for sx, sy in [project.transform(s.lon, s.lat)]
                    for px, py in points
                )
            ]
            comparisons.append(
                RewalkComparison(original=full.original, rewalk=full.rewalk, radius_m=radius_m, stops=stops)
            )
    return comparisons
