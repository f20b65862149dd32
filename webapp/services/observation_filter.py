"""Which observations a page, summary, map or export covers: the one filter they all share.

:class:`ObservationFilter` says what is wanted; :func:`apply_filter` joins what it needs and applies
it to any select, so every count, list, map and export agrees with a direct ``COUNT(*)``. Partners
only ever get validated observations (``statuses`` defaults to them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, select

from webapp.extensions import db
from webapp.ids import parse_id
from webapp.models import Observation, ObservationFacts, Participant, Project, Walk
from webapp.models.enums import (
    AgeBand,
    FilterProblem,
    Gender,
    ModerationStatus,
    ParticipantStatus,
    Polarity,
    TimeSlot,
)
from webapp.services import data_stamps
from webapp.services.themes import theme_styles


@dataclass(frozen=True)
class ObservationFilter:
    """Which observations a page, summary or export covers. Empty fields mean "all"."""

    project_id: int | None = None
    walk_id: int | None = None
    #: a zone id, or 0 for "hors zone"
    zone_id: int | None = None
    theme: str | None = None
    polarity: str | None = None
    time_slot: str | None = None
    age_band: str | None = None
    gender: str | None = None
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    #: moderation statuses included; partners and reports: validated only
    statuses: tuple[str, ...] = (ModerationStatus.VALIDATED,)

    def as_args(self) -> dict[str, str]:
        """The filter as query-string arguments (for links that keep it)."""
        args: dict[str, str] = {}
        for name in ("walk_id", "zone_id", "theme", "polarity", "time_slot", "age_band", "gender", "status"):
            value = getattr(self, name)
            if value is not None:
                args[name] = str(value)
        if self.date_from:
            args["date_from"] = self.date_from.isoformat()
        if self.date_to:
            args["date_to"] = self.date_to.isoformat()
        if set(self.statuses) != {ModerationStatus.VALIDATED}:
            args["moderation"] = "all"
        return args


def parse_filter(
    args: Mapping[str, str], *, project: Project, allow_pending: bool = False
) -> tuple[ObservationFilter, list[str]]:
    """Read a filter from query arguments; unknown values are dropped and reported (``FilterProblem``)."""
    problems: list[str] = []
    values: dict[str, Any] = {"project_id": project.id}
    choices = {
        "polarity": set(Polarity),
        "time_slot": set(TimeSlot),
        "age_band": set(AgeBand),
        "gender": set(Gender),
        "status": set(ParticipantStatus),
    }
    for name, allowed in choices.items():
        raw = (args.get(name) or "").strip()
        if raw:
            if raw in allowed:
                values[name] = raw
            else:
                problems.append(FilterProblem.UNKNOWN_VALUE.describe(name, raw[:40]))
    theme = (args.get("theme") or "").strip()
    if theme:
        if theme in theme_styles(project) or theme in used_themes(project.id):
            values["theme"] = theme
        else:
            problems.append(FilterProblem.UNKNOWN_THEME.describe(value=theme[:40]))
    for name in ("walk_id", "zone_id"):
        raw = (args.get(name) or "").strip()
        if raw:
            parsed = parse_id(raw)
            if parsed is not None:
                values[name] = parsed
            else:
                problems.append(FilterProblem.UNKNOWN_VALUE.describe(name, raw[:40]))
    if (
        values.get("walk_id") is not None
        and db.session.scalar(
            select(Walk.id).where(Walk.id == values["walk_id"], Walk.project_id == project.id)
        )
        is None
    ):
        problems.append(FilterProblem.UNKNOWN_WALK.describe())
        values.pop("walk_id")
    for name in ("date_from", "date_to"):
        raw = (args.get(name) or "").strip()
        if raw:
            try:
                values[name] = date.fromisoformat(raw)
            except ValueError:
                problems.append(FilterProblem.INVALID_DATE.describe(value=raw[:40]))
    if allow_pending and args.get("moderation") == "all":
        values["statuses"] = (ModerationStatus.VALIDATED, ModerationStatus.PENDING)
    return ObservationFilter(**values), problems


#: The themes a project's observations use, by (project, data stamp): a ``DISTINCT`` over every
#: observation of the project (12 ms on SQLite, 39 ms on PostgreSQL at 100,000), which the project
#: page and the partners' page ran at every visit for their filter forms.
_used_themes = data_stamps.StampedCache(size=256)


def used_themes(project_id: int) -> set[str]:
    """Every theme key an observation of the project has (any moderation status)."""
    return set(_used_themes.for_project(project_id, lambda: _query_used_themes(project_id)))


def _query_used_themes(project_id: int) -> frozenset[str]:
    return frozenset(
        db.session.scalars(
            select(Observation.theme)
            .where(Observation.walk_id.in_(select(Walk.id).where(Walk.project_id == project_id)))
            .distinct()
        )
    )


def _zone_condition(zone_id: int, on: Any = Observation) -> Any:
    """``zone_id`` (0: "hors zone") as a condition on ``on``: the facts rows, where the zone lives, or
    the observations (which of them have such a facts row)."""
    facts_zone = ObservationFacts.zone_id.is_(None) if zone_id == 0 else ObservationFacts.zone_id == zone_id
    if on is ObservationFacts:
        return facts_zone
    return Observation.id.in_(select(ObservationFacts.observation_id).where(facts_zone))


def _conditions(f: ObservationFilter) -> list[Any]:
    cond: list[Any] = [Observation.moderation_status.in_(list(f.statuses))]
    if f.project_id is not None:
        cond.append(Walk.project_id == f.project_id)
    if f.walk_id is not None:
        cond.append(Observation.walk_id == f.walk_id)
    if f.zone_id is not None:
        cond.append(_zone_condition(f.zone_id))
    if f.theme is not None:
        cond.append(Observation.theme == f.theme)
    if f.polarity is not None:
        cond.append(Observation.polarity == f.polarity)
    if f.time_slot is not None:
        cond.append(Walk.time_slot == f.time_slot)
    if f.age_band is not None:
        cond.append(Participant.age_band == f.age_band)
    if f.gender is not None:
        cond.append(Participant.gender == f.gender)
    if f.status is not None:
        cond.append(Participant.status == f.status)
    if f.date_from is not None:
        cond.append(Walk.walk_date >= f.date_from)
    if f.date_to is not None:
        cond.append(Walk.walk_date <= f.date_to)
    return cond


def apply_filter(stmt: Select[Any], f: ObservationFilter) -> Select[Any]:
    """Join what the filter needs and apply it."""
    return (
        stmt.select_from(Observation)
        .join(Walk, Walk.id == Observation.walk_id)
        .outerjoin(Participant, Participant.id == Observation.participant_id)
        .where(and_(*_conditions(f)))
    )


def conditions_without_joins(f: ObservationFilter, on: Any = Observation) -> list[Any]:
    """The filter as conditions on the observations' own columns (walks and participants by ``IN``).

    For aggregates: the same rows as :func:`apply_filter` (an observation without a participant is
    left out as soon as a participant field is asked for, as the outer join does), but nothing is
    joined, so the database may answer from one table alone. ``on``: :class:`Observation`, or
    :class:`ObservationFacts` (the summaries' own table, which has every column filtered here).
    """
    o: Any = on
    cond: list[Any] = [o.moderation_status.in_(list(f.statuses))]
    walk_cond: list[Any] = []
    if f.project_id is not None:
        walk_cond.append(Walk.project_id == f.project_id)
    if f.time_slot is not None:
        walk_cond.append(Walk.time_slot == f.time_slot)
    if f.date_from is not None:
        walk_cond.append(Walk.walk_date >= f.date_from)
    if f.date_to is not None:
        walk_cond.append(Walk.walk_date <= f.date_to)
    if walk_cond:
        cond.append(o.walk_id.in_(select(Walk.id).where(*walk_cond)))
    if f.walk_id is not None:
        cond.append(o.walk_id == f.walk_id)
    if f.zone_id is not None:
        cond.append(_zone_condition(f.zone_id, on))
    if f.theme is not None:
        cond.append(o.theme == f.theme)
    if f.polarity is not None:
        cond.append(o.polarity == f.polarity)
    person_cond: list[Any] = []
    if f.age_band is not None:
        person_cond.append(Participant.age_band == f.age_band)
    if f.gender is not None:
        person_cond.append(Participant.gender == f.gender)
    if f.status is not None:
        person_cond.append(Participant.status == f.status)
    if person_cond:
        cond.append(o.participant_id.in_(select(Participant.id).where(*person_cond)))
    return cond


def filtered_observations(f: ObservationFilter) -> Select[Any]:
    """A select of the observations matching ``f`` (for exports and lists), oldest first."""
    return apply_filter(select(Observation), f).order_by(Observation.captured_at, Observation.id)


def count(f: ObservationFilter) -> int:
    """How many observations match."""
    return db.session.scalar(apply_filter(select(func.count(Observation.id)), f)) or 0
