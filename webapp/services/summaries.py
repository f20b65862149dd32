"""Thematic summaries: counts by theme × polarity, comparisons between groups, quotes, group composition.

Every number comes from one SQL aggregate over the observations the shared filter selects
(:func:`webapp.services.observation_filter.apply_filter`), so the pages, the report and the exports
agree with a direct ``COUNT(*)``; the tests check it on SpatiaLite and PostGIS. Map data is in
:mod:`webapp.services.map_data`, the charts in :mod:`webapp.services.charts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, literal, select

from geodata.map_style import ThemeStyle
from webapp.extensions import db
from webapp.models import Observation, Participant, Project, Walk, Zone
from webapp.models.enums import (
    OUTSIDE_ZONE,
    AgeBand,
    AgeGroup,
    ComparisonKind,
    Gender,
    ParticipantStatus,
    Polarity,
    ProfileField,
    TimeSlot,
)
from webapp.services import zones as zones_service
from webapp.services.observation_filter import ObservationFilter, apply_filter, count, used_themes
from webapp.services.themes import theme_styles


@dataclass(frozen=True)
class ThemeRow:
    """One line of the theme × polarity table."""

    theme: str
    label: str
    color: str
    negative: int
    positive: int
    neutral: int
    avg_feeling: float | None

    @property
    def total(self) -> int:
        return self.negative + self.positive + self.neutral


@dataclass(frozen=True)
class GroupStat:
    """One group in a comparison (e.g. "Nuit" in day vs night)."""

    label: str
    count: int
    negative: int
    avg_feeling: float | None

    @property
    def negative_share(self) -> float | None:
        return round(100 * self.negative / self.count, 1) if self.count else None


@dataclass(frozen=True)
class GroupComparison:
    """Observations split into groups (day / evening / night, women / men…): one ``ComparisonKind``."""

    #: a ``ComparisonKind`` code
    kind: str
    groups: list[GroupStat]

    @property
    def title(self) -> str:
        """What the comparison is, in the current language."""
        return ComparisonKind.label_of(self.kind)


@dataclass(frozen=True)
class Quote:
    observation_id: int
    theme: str
    kind: str  # "note" or "proposal"
    text: str


@dataclass
class Summary:
    """Everything a summary page, a debrief or a report shows."""

    filter: ObservationFilter
    total: int
    avg_feeling: float | None
    themes: list[ThemeRow]
    comparisons: list[GroupComparison]
    quotes: dict[str, list[Quote]] = field(default_factory=dict)

    @property
    def top_issues(self) -> list[ThemeRow]:
        return sorted((r for r in self.themes if r.negative), key=lambda r: (-r.negative, r.label))[:5]

    @property
    def top_assets(self) -> list[ThemeRow]:
        return sorted((r for r in self.themes if r.positive), key=lambda r: (-r.positive, r.label))[:5]

    @property
    def polarity_totals(self) -> dict[str, int]:
        return {
            "negative": sum(r.negative for r in self.themes),
            "positive": sum(r.positive for r in self.themes),
            "neutral": sum(r.neutral for r in self.themes),
        }


def _avg(value: Any) -> float | None:
    return round(float(value), 2) if value is not None else None


def count_by_theme_polarity(f: ObservationFilter) -> dict[tuple[str, str], int]:
    """``{(theme, polarity): count}``."""
    rows = db.session.execute(
        apply_filter(select(Observation.theme, Observation.polarity, func.count(Observation.id)), f).group_by(
            Observation.theme, Observation.polarity
        )
    ).all()
    return {(theme, polarity): n for theme, polarity, n in rows}


def _theme_rows(f: ObservationFilter) -> list[ThemeRow]:
    counts = count_by_theme_polarity(f)
    feelings = dict(
        db.session.execute(
            apply_filter(select(Observation.theme, func.avg(Observation.feeling)), f).group_by(
                Observation.theme
            )
        ).all()
    )
    styles = theme_styles(f.project_id)
    keys = [k for k in styles if any(t == k for t, _ in counts)] + sorted(
        {t for t, _ in counts} - set(styles)
    )
    rows = []
    for key in keys:
        style = styles.get(key, ThemeStyle(key, key, "#555555"))
        rows.append(
            ThemeRow(
                theme=key,
                label=style.label,
                color=style.color,
                negative=counts.get((key, "negative"), 0),
                positive=counts.get((key, "positive"), 0),
                neutral=counts.get((key, "neutral"), 0),
                avg_feeling=_avg(feelings.get(key)),
            )
        )
    return rows


def _group_stats(f: ObservationFilter, key: Any, labels: Sequence[tuple[Any, str]]) -> list[GroupStat]:
    negative = func.sum(case((Observation.polarity == Polarity.NEGATIVE, 1), else_=0))
    rows = db.session.execute(
        apply_filter(
            select(key, func.count(Observation.id), negative, func.avg(Observation.feeling)), f
        ).group_by(key)
    ).all()
    found = {r[0]: r for r in rows}
    return [
        GroupStat(
            label=label,
            count=found[value][1],
            negative=int(found[value][2] or 0),
            avg_feeling=_avg(found[value][3]),
        )
        if value in found
        else GroupStat(label=label, count=0, negative=0, avg_feeling=None)
        for value, label in labels
    ]


def _comparisons(f: ObservationFilter) -> list[GroupComparison]:
    age_group = case(
        *((Participant.age_band.in_(group.bands), literal(group.value)) for group in AgeGroup),
        else_=literal("unknown"),
    )
    zone_key = func.coalesce(Observation.zone_id, 0)
    zone_ids = [z for z in db.session.scalars(apply_filter(select(zone_key).distinct(), f)) if z is not None]
    names = dict(db.session.execute(select(Zone.id, Zone.name).where(Zone.id.in_(zone_ids))).all())
    outside = str(OUTSIDE_ZONE)
    zone_labels = sorted(
        [(z, names.get(z, outside) if z else outside) for z in zone_ids],
        key=lambda item: (item[0] == 0, item[1]),
    )
    genders = [(g.value, g.group_label) for g in (Gender.WOMAN, Gender.MAN)]
    return [
        GroupComparison(ComparisonKind.TIME_SLOT, _group_stats(f, Walk.time_slot, TimeSlot.choices())),
        GroupComparison(ComparisonKind.GENDER, _group_stats(f, Participant.gender, genders)),
        GroupComparison(ComparisonKind.AGE_GROUP, _group_stats(f, age_group, AgeGroup.choices())),
        GroupComparison(ComparisonKind.ZONE, _group_stats(f, zone_key, zone_labels)),
    ]


def _quotes(f: ObservationFilter, per_theme: int = 3) -> dict[str, list[Quote]]:
    """A few notes and proposals per theme: the longest ones, which usually say the most."""
    # Rank inside the database, per theme, so only a few rows per theme come back even for 100,000.
    rank = (
        func.row_number()
        .over(partition_by=Observation.theme, order_by=(func.length(Observation.note).desc(), Observation.id))
        .label("rank")
    )
    ranked = apply_filter(
        select(Observation.id, Observation.theme, Observation.note, Observation.proposal, rank), f
    ).subquery()
    rows = db.session.execute(
        select(ranked.c.id, ranked.c.theme, ranked.c.note, ranked.c.proposal)
        .where(ranked.c.rank <= per_theme * 3)
        .order_by(ranked.c.theme, ranked.c.rank)
    ).all()
    quotes: dict[str, list[Quote]] = {}
    for obs_id, theme, note, proposal in rows:
        bucket = quotes.setdefault(theme, [])
        if note and sum(q.kind == "note" for q in bucket) < per_theme and all(q.text != note for q in bucket):
            bucket.append(Quote(obs_id, theme, "note", note))
        if (
            proposal
            and sum(q.kind == "proposal" for q in bucket) < per_theme
            and all(q.text != proposal for q in bucket)
        ):
            bucket.append(Quote(obs_id, theme, "proposal", proposal))
    return quotes


def summarise(f: ObservationFilter, *, quotes: bool = True) -> Summary:
    """The whole summary of the observations matching ``f``."""
    total = count(f)
    avg = db.session.scalar(apply_filter(select(func.avg(Observation.feeling)), f))
    return Summary(
        filter=f,
        total=total,
        avg_feeling=_avg(avg),
        themes=_theme_rows(f),
        comparisons=_comparisons(f),
        quotes=_quotes(f) if quotes else {},
    )


def list_filter_choices(project: Project) -> dict[str, list[tuple[str, str]]]:
    """Options of the filter form."""
    used = used_themes(project.id)
    styles = theme_styles(project)
    theme_choices = [(k, s.label) for k, s in styles.items()] + [(k, k) for k in sorted(used - set(styles))]
    walks = db.session.scalars(
        select(Walk).where(Walk.project_id == project.id).order_by(Walk.walk_date, Walk.id)
    )
    return {
        "walk_id": [(str(w.id), f"{w.walk_date:%d/%m/%Y} · {w.title}") for w in walks],
        "zone_id": [(str(z.id), z.name) for z in zones_service.list_zones(project)]
        + [("0", str(OUTSIDE_ZONE))],
        "theme": theme_choices,
        "polarity": Polarity.choices(),
        "time_slot": TimeSlot.choices(),
        "age_band": AgeBand.choices(),
        "gender": Gender.choices(),
        "status": ParticipantStatus.choices(),
    }


def group_composition(walk_ids: Sequence[int]) -> dict[str, dict[str, int]]:
    """Counts of participants by gender, age band and status (never identities).

    ``{ProfileField code: {answer code: count}}``, answers in their vocabulary's order, zeros left out.
    """
    out: dict[str, dict[str, int]] = {}
    for name, column in (
        (ProfileField.GENDER, Participant.gender),
        (ProfileField.AGE_BAND, Participant.age_band),
        (ProfileField.STATUS, Participant.status),
    ):
        rows = db.session.execute(
            select(column, func.count(Participant.id))
            .where(Participant.walk_id.in_(list(walk_ids)))
            .group_by(column)
        ).all()
        found = dict(rows)
        out[name.value] = {code.value: found[code] for code in name.vocabulary if found.get(code)}
    return out
