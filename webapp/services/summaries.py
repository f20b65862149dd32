"""Thematic summaries: filters, counts by theme × polarity, comparisons, quotes, map data and SVG charts.

Every number comes from one SQL aggregate over the same filtered selection (:func:`_filtered`),
so the pages, the report and the exports agree with a direct ``COUNT(*)``; the tests check it on
SpatiaLite and PostGIS. Partners only ever get validated observations (``statuses`` defaults to them).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy import Select, and_, case, func, literal, select

from geodata.convert import shape_to_geojson
from geodata.maps import ThemeStyle
from webapp.extensions import db
from webapp.ids import parse_id
from webapp.models import Observation, Participant, Photo, Project, Walk, Zone
from webapp.models.enums import (
    OUTSIDE_ZONE,
    AgeBand,
    AgeGroup,
    ComparisonKind,
    FilterProblem,
    Gender,
    ModerationStatus,
    ParticipantStatus,
    Polarity,
    ProfileField,
    TimeSlot,
)
from webapp.services import forms
from webapp.services import zones as zones_service


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
        if theme in theme_styles(project) or theme in _used_themes(project.id):
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


def _lang() -> str:
    from flask import g, has_request_context

    return str(g.get("lang", "fr")) if has_request_context() else "fr"


def theme_styles(project: Project | int | None = None, *, lang: str | None = None) -> dict[str, ThemeStyle]:
    """Label, colour and sensitive flag of each theme of the forms the project uses, in form order.

    A project may have walks with different forms: every theme of each form used appears once (the
    default grid first, then by key; a key in several forms keeps the first form's look). Without a
    project: the default grid's newest version. Labels are in the page's language, or in ``lang``.
    """
    project_id = project.id if isinstance(project, Project) else project
    if project_id is None:
        definitions = [forms.parsed(forms.latest_form())]
        sensitive = forms.sensitive_themes({forms.DEFAULT_FORM_KEY})
    else:
        definitions = forms.project_definitions(project_id)
        sensitive = forms.project_sensitive_themes(project_id)
    lang = lang or _lang()
    styles: dict[str, ThemeStyle] = {}
    for definition in definitions:
        for theme in definition.themes:
            if theme.key not in styles:
                styles[theme.key] = ThemeStyle(
                    key=theme.key,
                    label=theme.label.get(lang),
                    color=theme.color,
                    sensitive=theme.key in sensitive,
                )
    return styles


def label_of(key: str | None, styles: Mapping[str, ThemeStyle]) -> str:
    """The label of theme ``key`` among ``styles`` (the key itself for a theme no form has)."""
    if key is None:
        return "—"
    style = styles.get(key)
    return style.label if style else key


def theme_labeller(project: Project | int | None) -> Callable[[str | None], str]:
    """``theme_label(key)`` for the templates of one project (its forms looked up once)."""
    styles = theme_styles(project)
    return lambda key: label_of(key, styles)


def theme_label(key: str | None, project: Project | int | None = None) -> str:
    """The label of one theme in the forms of ``project`` (several labels: :func:`theme_labeller`)."""
    return label_of(key, theme_styles(project))


def _used_themes(project_id: int) -> set[str]:
    return set(
        db.session.scalars(
            select(Observation.theme).join(Observation.walk).where(Walk.project_id == project_id).distinct()
        )
    )


def _conditions(f: ObservationFilter) -> list[Any]:
    cond: list[Any] = [Observation.moderation_status.in_(list(f.statuses))]
    if f.project_id is not None:
        cond.append(Walk.project_id == f.project_id)
    if f.walk_id is not None:
        cond.append(Observation.walk_id == f.walk_id)
    if f.zone_id is not None:
        cond.append(Observation.zone_id.is_(None) if f.zone_id == 0 else Observation.zone_id == f.zone_id)
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


def _filtered(stmt: Select[Any], f: ObservationFilter) -> Select[Any]:
    """Join what the filter needs and apply it."""
    return (
        stmt.select_from(Observation)
        .join(Walk, Walk.id == Observation.walk_id)
        .outerjoin(Participant, Participant.id == Observation.participant_id)
        .where(and_(*_conditions(f)))
    )


def filtered_observations(f: ObservationFilter) -> Select[Any]:
    """A select of the observations matching ``f`` (for exports and lists), oldest first."""
    return _filtered(select(Observation), f).order_by(Observation.captured_at, Observation.id)


def count(f: ObservationFilter) -> int:
    """How many observations match."""
    return db.session.scalar(_filtered(select(func.count(Observation.id)), f)) or 0


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
        _filtered(select(Observation.theme, Observation.polarity, func.count(Observation.id)), f).group_by(
            Observation.theme, Observation.polarity
        )
    ).all()
    return {(theme, polarity): n for theme, polarity, n in rows}


def _theme_rows(f: ObservationFilter) -> list[ThemeRow]:
    counts = count_by_theme_polarity(f)
    feelings = dict(
        db.session.execute(
            _filtered(select(Observation.theme, func.avg(Observation.feeling)), f).group_by(Observation.theme)
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
        _filtered(
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
    zone_ids = [z for z in db.session.scalars(_filtered(select(zone_key).distinct(), f)) if z is not None]
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
    ranked = _filtered(
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
    avg = db.session.scalar(_filtered(select(func.avg(Observation.feeling)), f))
    return Summary(
        filter=f,
        total=total,
        avg_feeling=_avg(avg),
        themes=_theme_rows(f),
        comparisons=_comparisons(f),
        quotes=_quotes(f) if quotes else {},
    )


# --- map data ----------------------------------------------------------------------------------


def observations_geojson(
    f: ObservationFilter, *, photo_url: Any = None, limit: int | None = None, with_text: bool = True
) -> dict[str, Any]:
    """Matching observations as a FeatureCollection for ``geodata.maps`` (text is escaped there).

    ``with_text=False`` leaves notes and proposals out (for maps that aggregate points anyway).
    """
    text = (Observation.note, Observation.proposal) if with_text else (literal(""), literal(""))
    stmt = _filtered(
        select(
            Observation.id,
            Observation.theme,
            Observation.polarity,
            Observation.feeling,
            *text,
            func.ST_X(Observation.location),
            func.ST_Y(Observation.location),
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
                },
            }
            for obs_id, theme, polarity, feeling, note, proposal, x, y in rows
        ],
    }


def zones_geojson(project: Project, f: ObservationFilter | None = None) -> dict[str, Any]:
    """The project's zones with, when ``f`` is given, observation counts and the share of problems."""
    stats: dict[int, tuple[int, int]] = {}
    if f is not None:
        negative = func.sum(case((Observation.polarity == Polarity.NEGATIVE, 1), else_=0))
        for zone_id, n, neg in db.session.execute(
            _filtered(
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


def list_filter_choices(project: Project) -> dict[str, list[tuple[str, str]]]:
    """Options of the filter form."""
    used = _used_themes(project.id)
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


# --- charts ------------------------------------------------------------------------------------


def _svg(fig: Any) -> str:
    from matplotlib import pyplot as plt

    out = io.StringIO()
    try:
        fig.savefig(out, format="svg", bbox_inches="tight")
    finally:
        plt.close(fig)
    text = out.getvalue()
    # Drop the XML prolog and DOCTYPE (so the SVG can sit inline in HTML) and the RDF metadata.
    text = text[text.index("<svg") :]
    return re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.DOTALL)


def _pyplot():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    plt.rcParams.update({"font.size": 9, "svg.fonttype": "path", "svg.hashsalt": "arpenteur"})
    return plt


@dataclass(frozen=True)
class ChartWords:
    """The words a chart shows, in the page's language (part of the cache key of a chart)."""

    negative: str
    positive: str
    neutral: str
    count_axis: str
    no_observation: str
    share_axis: str
    no_data: str
    #: ``{share}``, ``{count}``; and ``{feeling}`` appended when there is a mean feeling
    bar: str
    feeling: str


def _chart_words() -> ChartWords:
    from flask_babel import gettext as _

    return ChartWords(
        negative=Polarity.NEGATIVE.group_label,
        positive=Polarity.POSITIVE.group_label,
        neutral=Polarity.NEUTRAL.group_label,
        count_axis=_("Nombre d'observations"),
        no_observation=_("Aucune observation"),
        share_axis=_("Part de problèmes (%)"),
        no_data=_("Aucune donnée"),
        bar=_("{share} % (sur {count})"),
        feeling=_(", ressenti {feeling}/5"),
    )


def chart_theme_polarity(summary: Summary) -> str:
    """Horizontal stacked bars: problems, assets and neutral observations per theme (SVG)."""
    return _theme_chart(tuple(summary.themes), _chart_words())


# Charts depend only on a few numbers and take tens of milliseconds each: the same numbers give
# the same SVG, so recent ones are kept (a debrief reloads the same page many times).
@lru_cache(maxsize=256)
def _theme_chart(themes: tuple[ThemeRow, ...], words: ChartWords) -> str:
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    rows = list(reversed(themes))
    fig, ax = plt.subplots(figsize=(6.5, max(1.6, 0.32 * len(rows) + 0.8)))
    labels = [r.label for r in rows]
    left = [0] * len(rows)
    for attr, label, color in (
        ("negative", words.negative, "#C62828"),
        ("positive", words.positive, "#2E7D32"),
        ("neutral", words.neutral, "#9E9E9E"),
    ):
        values = [getattr(r, attr) for r in rows]
        ax.barh(labels, values, left=left, color=color, label=label)
        left = [a + b for a, b in zip(left, values, strict=True)]
    for y, total in enumerate(left):
        ax.text(total + 0.2, y, str(total), va="center", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, max(left, default=0) * 1.12 + 1)
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    ax.set_xlabel(words.count_axis)
    if not rows:
        ax.text(0.5, 0.5, words.no_observation, ha="center", va="center", transform=ax.transAxes)
    return _svg(fig)


def chart_comparison(comparison: GroupComparison) -> str:
    """Bars of the share of problems per group, with the counts written on them (SVG)."""
    return _comparison_chart(comparison.title, tuple(comparison.groups), _chart_words())


@lru_cache(maxsize=256)
def _comparison_chart(title: str, all_groups: tuple[GroupStat, ...], words: ChartWords) -> str:
    plt = _pyplot()
    groups = [g for g in all_groups if g.count]
    fig, ax = plt.subplots(figsize=(4.5, max(1.4, 0.4 * len(groups) + 0.7)))
    labels = [g.label for g in groups]
    values = [g.negative_share or 0 for g in groups]
    ax.barh(labels, values, color="#C62828")
    for y, g in enumerate(groups):
        feeling = words.feeling.format(feeling=f"{g.avg_feeling:.1f}") if g.avg_feeling is not None else ""
        ax.text(
            (g.negative_share or 0) + 1,
            y,
            words.bar.format(share=f"{g.negative_share or 0:.0f}", count=g.count) + feeling,
            va="center",
            fontsize=8,
        )
    ax.set_xlim(0, 140)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel(words.share_axis)
    ax.invert_yaxis()
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title, fontsize=9, loc="left")
    if not groups:
        ax.text(0.5, 0.5, words.no_data, ha="center", va="center", transform=ax.transAxes)
    return _svg(fig)


__all__ = [
    "GroupComparison",
    "GroupStat",
    "ObservationFilter",
    "Quote",
    "Summary",
    "ThemeRow",
    "chart_comparison",
    "chart_theme_polarity",
    "count",
    "count_by_theme_polarity",
    "filtered_observations",
    "group_composition",
    "label_of",
    "list_filter_choices",
    "observations_geojson",
    "parse_filter",
    "routes_geojson",
    "stops_geojson",
    "summarise",
    "theme_label",
    "theme_labeller",
    "theme_styles",
    "zones_geojson",
]
