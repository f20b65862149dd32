"""Thematic summaries: counts by theme × polarity, comparisons between groups, quotes, group composition.

Every number comes from one SQL aggregate over the observations the shared filter selects
(:func:`webapp.services.observation_filter.apply_filter`), so the pages, the report and the exports
agree with a direct ``COUNT(*)``; the tests check it on SpatiaLite and PostGIS. Map data is in
:mod:`webapp.services.map_data`, the charts in :mod:`webapp.services.charts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select, union_all

from geodata.map_style import ThemeStyle
from webapp.extensions import db
from webapp.models import Observation, ObservationFacts, Participant, Project, Walk, Zone
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
from webapp.services import data_stamps
from webapp.services import zones as zones_service
from webapp.services.observation_filter import ObservationFilter, conditions_without_joins, used_themes
from webapp.services.themes import page_language, theme_styles


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


def _mean(total: int, counted: int) -> float | None:
    """A mean feeling from its sum and the number of answers (None when nobody answered)."""
    return round(total / counted, 2) if counted else None


def count_by_theme_polarity(f: ObservationFilter) -> dict[tuple[str, str], int]:
    """``{(theme, polarity): count}``."""
    facts = ObservationFacts
    rows = db.session.execute(
        select(facts.theme, facts.polarity, func.count())
        .where(*conditions_without_joins(f, facts))
        .group_by(facts.theme, facts.polarity)
    ).all()
    return {(theme, polarity): n for theme, polarity, n in rows}


@dataclass
class _Tally:
    """Counts and feeling of a group, added up from grouped rows."""

    count: int = 0
    negative: int = 0
    feeling_sum: int = 0
    feeling_count: int = 0

    def add(self, count: int, negative: int, feeling_sum: int | None, feeling_count: int) -> None:
        self.count += count
        self.negative += negative
        self.feeling_sum += int(feeling_sum or 0)
        self.feeling_count += feeling_count

    def stat(self, label: str) -> GroupStat:
        return GroupStat(
            label=label,
            count=self.count,
            negative=self.negative,
            avg_feeling=_mean(self.feeling_sum, self.feeling_count),
        )


@dataclass
class _Pass:
    """What the one grouped pass over the observations gives: by (theme, polarity), walk, zone and
    participant."""

    total: _Tally = field(default_factory=_Tally)
    by_theme_polarity: dict[tuple[str, str], int] = field(default_factory=dict)
    by_theme: dict[str, _Tally] = field(default_factory=dict)
    by_walk: dict[int, _Tally] = field(default_factory=dict)
    by_zone: dict[int, _Tally] = field(default_factory=dict)
    by_participant: dict[int | None, _Tally] = field(default_factory=dict)


def _grouped_pass(f: ObservationFilter) -> _Pass:
    """One statement over the summaries' own table (``ObservationFacts``: no join, and on SQLite no
    table row read, ``ix_observation_facts_summary`` covers it), grouped finely enough for the totals,
    the theme table and all four comparisons: by walk (day/night), zone and participant (gender, age:
    the few participants are read apart)."""
    facts = ObservationFacts
    rows = db.session.execute(
        select(
            facts.walk_id,
            facts.theme,
            facts.polarity,
            facts.zone_id,
            facts.participant_id,
            func.count(),
            func.sum(facts.feeling),
            func.count(facts.feeling),
        )
        .where(*conditions_without_joins(f, facts))
        .group_by(facts.walk_id, facts.theme, facts.polarity, facts.zone_id, facts.participant_id)
    ).all()
    out = _Pass()
    for walk_id, theme, polarity, zone_id, participant_id, n, feeling_sum, feeling_count in rows:
        negative = n if polarity == Polarity.NEGATIVE else 0
        out.total.add(n, negative, feeling_sum, feeling_count)
        key = (theme, polarity)
        out.by_theme_polarity[key] = out.by_theme_polarity.get(key, 0) + n
        for bucket, name in (
            (out.by_theme, theme),
            (out.by_walk, walk_id),
            (out.by_zone, zone_id or 0),
            (out.by_participant, participant_id),
        ):
            bucket.setdefault(name, _Tally()).add(n, negative, feeling_sum, feeling_count)  # type: ignore[attr-defined]
    return out


def _theme_rows(f: ObservationFilter, grouped: _Pass) -> list[ThemeRow]:
    counts = grouped.by_theme_polarity
    styles = theme_styles(f.project_id)
    keys = [k for k in styles if any(t == k for t, _ in counts)] + sorted(
        {t for t, _ in counts} - set(styles)
    )
    rows = []
    for key in keys:
        style = styles.get(key, ThemeStyle(key, key, "#555555"))
        tally = grouped.by_theme.get(key, _Tally())
        rows.append(
            ThemeRow(
                theme=key,
                label=style.label,
                color=style.color,
                negative=counts.get((key, "negative"), 0),
                positive=counts.get((key, "positive"), 0),
                neutral=counts.get((key, "neutral"), 0),
                avg_feeling=_mean(tally.feeling_sum, tally.feeling_count),
            )
        )
    return rows


def _people(grouped: _Pass) -> dict[tuple[str | None, str | None], _Tally]:
    """Tallies by (gender, age band), from the grouped pass's tallies by participant and one small
    read of those participants' profiles (no join row per observation)."""
    ids = {p for p in grouped.by_participant if p is not None}
    profiles: dict[int, tuple[str | None, str | None]] = {}
    if ids:
        # the walks' participants (a few hundred), then any other one by id (none, normally)
        profile = select(Participant.id, Participant.gender, Participant.age_band)
        rows = db.session.execute(profile.where(Participant.walk_id.in_(list(grouped.by_walk)))).all()
        profiles = {pid: (gender, age_band) for pid, gender, age_band in rows}
        missing = sorted(ids - set(profiles))
        if missing:
            rows = db.session.execute(profile.where(Participant.id.in_(missing))).all()
            profiles.update({pid: (gender, age_band) for pid, gender, age_band in rows})
    out: dict[tuple[str | None, str | None], _Tally] = {}
    for participant_id, tally in grouped.by_participant.items():
        key = profiles.get(participant_id, (None, None)) if participant_id is not None else (None, None)
        out.setdefault(key, _Tally()).add(tally.count, tally.negative, tally.feeling_sum, tally.feeling_count)
    return out


def _age_group(age_band: str | None) -> str:
    for group in AgeGroup:
        if age_band in group.bands:
            return group.value
    return "unknown"


def _stats(tallies: dict[Any, _Tally], labels: Sequence[tuple[Any, str]]) -> list[GroupStat]:
    return [tallies.get(value, _Tally()).stat(label) for value, label in labels]


def _comparisons(f: ObservationFilter, grouped: _Pass) -> list[GroupComparison]:
    slots = dict(
        db.session.execute(select(Walk.id, Walk.time_slot).where(Walk.id.in_(list(grouped.by_walk)))).all()
    )
    by_slot: dict[str, _Tally] = {}
    for walk_id, tally in grouped.by_walk.items():
        by_slot.setdefault(slots.get(walk_id, ""), _Tally()).add(
            tally.count, tally.negative, tally.feeling_sum, tally.feeling_count
        )
    by_gender: dict[str | None, _Tally] = {}
    by_age: dict[str, _Tally] = {}
    for (gender, age_band), tally in _people(grouped).items():
        for bucket, name in ((by_gender, gender), (by_age, _age_group(age_band))):
            bucket.setdefault(name, _Tally()).add(  # type: ignore[attr-defined]
                tally.count, tally.negative, tally.feeling_sum, tally.feeling_count
            )
    zone_ids = list(grouped.by_zone)
    names = dict(db.session.execute(select(Zone.id, Zone.name).where(Zone.id.in_(zone_ids))).all())
    outside = str(OUTSIDE_ZONE)
    zone_labels = sorted(
        [(z, names.get(z, outside) if z else outside) for z in zone_ids],
        key=lambda item: (item[0] == 0, item[1]),
    )
    genders = [(g.value, g.group_label) for g in (Gender.WOMAN, Gender.MAN)]
    return [
        GroupComparison(ComparisonKind.TIME_SLOT, _stats(by_slot, TimeSlot.choices())),
        GroupComparison(ComparisonKind.GENDER, _stats(by_gender, genders)),
        GroupComparison(ComparisonKind.AGE_GROUP, _stats(by_age, AgeGroup.choices())),
        GroupComparison(ComparisonKind.ZONE, _stats(grouped.by_zone, zone_labels)),
    ]


def _quotes(f: ObservationFilter, themes: Sequence[str], per_theme: int = 3) -> dict[str, list[Quote]]:
    """A few notes and proposals per theme: the longest notes, which usually say the most.

    One statement, one branch per theme present: each reads ``ix_observations_quotes`` in order of
    stored note length (longest first, then oldest) and stops after ``3 × per_theme`` rows matching
    the filter, so only those rows' texts are read from the table.
    """
    if not themes:
        return {}
    conditions = conditions_without_joins(f)
    branches = [
        select(
            Observation.id, Observation.theme, Observation.note_length, Observation.note, Observation.proposal
        )
        .where(Observation.theme == theme, *conditions)
        .order_by(Observation.note_length.desc(), Observation.id)
        .limit(per_theme * 3)
        .subquery()
        .select()
        for theme in sorted(themes)
    ]
    rows = db.session.execute(union_all(*branches) if len(branches) > 1 else branches[0]).all()
    rows.sort(key=lambda r: (r[1], -r[2], r[0]))
    quotes: dict[str, list[Quote]] = {}
    for obs_id, theme, _length, note, proposal in rows:
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


#: Summaries already computed in this process, by (project, data stamp, language, filter, quotes).
_summaries = data_stamps.StampedCache(size=256)


def _copy(summary: Summary) -> Summary:
    """A copy a caller may change without changing the cached one (rows and groups are frozen)."""
    return replace(
        summary,
        themes=list(summary.themes),
        comparisons=[GroupComparison(c.kind, list(c.groups)) for c in summary.comparisons],
        quotes={theme: list(items) for theme, items in summary.quotes.items()},
    )


def _compute(f: ObservationFilter, quotes: bool) -> Summary:
    grouped = _grouped_pass(f)
    return Summary(
        filter=f,
        total=grouped.total.count,
        avg_feeling=_mean(grouped.total.feeling_sum, grouped.total.feeling_count),
        themes=_theme_rows(f, grouped),
        comparisons=_comparisons(f, grouped),
        quotes=_quotes(f, [t for t, tally in grouped.by_theme.items() if tally.count]) if quotes else {},
    )


def summarise(f: ObservationFilter, *, quotes: bool = True) -> Summary:
    """The whole summary of the observations matching ``f``.

    Computed once per project data stamp (:mod:`webapp.services.data_stamps`), filter and language,
    in each server process; a call then costs one primary-key read of the stamp. Computing it: one
    grouped pass over the observations (a covering index answers it), small reads of the walks',
    participants' and zones' labels, and one statement for the quotes.
    """
    if f.project_id is None:
        return _compute(f, quotes)
    stamp = data_stamps.current(f.project_id)
    key = (f.project_id, stamp, page_language(), f, quotes)
    return _copy(_summaries.get_or_compute(key, lambda: _compute(f, quotes)))


def list_filter_choices(project: Project) -> dict[str, list[tuple[str, str]]]:
    """Options of the filter form."""
    used = used_themes(project.id)
    styles = theme_styles(project)
    theme_choices = [(k, s.label) for k, s in styles.items()] + [(k, k) for k in sorted(used - set(styles))]
    # Labels only: no route or perimeter is read (a route drawn in the field has hundreds of points).
    walks = db.session.execute(
        select(Walk.id, Walk.walk_date, Walk.title)
        .where(Walk.project_id == project.id)
        .order_by(Walk.walk_date, Walk.id)
    )
    return {
        "walk_id": [(str(walk_id), f"{day:%d/%m/%Y} · {title}") for walk_id, day, title in walks],
        "zone_id": [(str(zone_id), name) for zone_id, name in zones_service.list_zone_names(project)]
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
