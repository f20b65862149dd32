"""What partners and the public see of a project: public shapes only, so a view cannot leak.

Every function here returns plain dataclasses or GeoJSON dicts built for people outside the team:

- only **validated** observations (never pending or hidden ones; purged ones are fine, they already
  lost their text, photos and exact point);
- never a participant token, id or individual profile: group statistics hide any group of fewer
  than :data:`MIN_GROUP` (shown as "moins de 3");
- reports of a sensitive theme (marked ``sensitive`` in the forms the project uses: street
  harassment in the default grid; :func:`webapp.services.forms.project_sensitive_themes`) never
  appear at their place, nor with their note, proposal, photo or time: they are counted per
  Lambert-93 grid cell (:func:`geodata.privacy.aggregate`, cells of fewer than three hidden) and per
  zone. Those counts always cover the whole project, whatever the filters, so comparing two
  filtered views cannot single out one report;
- notes, proposals and photos of the other validated observations; photos through URLs the view
  makes (:func:`photo_for`, which checks the same rules again);
- timelines name organisations, never people (no names, no emails).

It only reads: what partners and staff write from these pages (an answer, an assignment) goes
through :mod:`webapp.services.partner_answers`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from geodata.map_style import CellSet, ThemeStyle, bounds_of, point_layer_kind
from geodata.privacy import DEFAULT_CELL_M, DEFAULT_MIN_COUNT, masked_cells
from geodata.privacy import sensitive_cells_geojson as _cells_geojson
from webapp.errors import NotFound
from webapp.extensions import db
from webapp.local_time import local_today
from webapp.models import (
    Observation,
    ObservationFacts,
    Organisation,
    Photo,
    Project,
    Recommendation,
    RecommendationEvent,
    User,
    Walk,
    Zone,
)
from webapp.models.enums import (
    FACILITATION_TEAM,
    OUTSIDE_ZONE,
    SENSITIVE_REPORTS,
    UNASSIGNED,
    WHOLE_PROJECT,
    ComparisonKind,
    ModerationStatus,
    Polarity,
    Priority,
    Role,
)
from webapp.models.enums import RecommendationStatus as S
from webapp.services import (
    data_stamps,
    debriefs,
    followup,
    forms,
    map_data,
    observation_filter,
    photos,
    projects,
    rewalks,
    summaries,
    teams,
    themes,
    walks,
)
from webapp.services.observation_filter import ObservationFilter

T = TypeVar("T")

#: Smallest group whose count a partner or the public sees (smaller ones read "moins de 3").
MIN_GROUP = DEFAULT_MIN_COUNT
#: Filters a partner may use: no profile (age, gender, status) and no dates, which could isolate a person.
FILTER_KEYS = ("walk_id", "zone_id", "theme", "polarity", "time_slot")
#: Comparisons by personal profile (``ComparisonKind`` codes): never filtered.
PROFILE_COMPARISONS = frozenset({ComparisonKind.GENDER, ComparisonKind.AGE_GROUP})
#: Roles that see the partner pages of a project (admins always do).
VIEWER_ROLES = (Role.PARTNER, Role.FACILITATOR)

PhotoUrl = Callable[[str], str]


# --- projects ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectLink:
    """A project in someone's list, with their role and the public pages it opened."""

    slug: str
    name: str
    description: str
    role: str
    public_map: bool
    public_followup: bool


def list_my_projects(user: User) -> list[ProjectLink]:
    """The projects this person has a role in (every project for an administrator), by name."""
    from webapp.services import teams

    return [
        ProjectLink(p.slug, p.name, p.description, role, p.public_map, p.public_followup)
        for p, role in teams.projects_with_role(user)
    ]


def public_pages() -> dict[str, tuple[bool, bool]]:
    """``{slug: (public map, public follow-up)}`` for the projects that opened at least one."""
    rows = db.session.execute(
        select(Project.slug, Project.public_map, Project.public_followup).where(
            Project.public_map.is_(True) | Project.public_followup.is_(True)
        )
    ).all()
    return {slug: (bool(m), bool(f)) for slug, m, f in rows}


def get_public_project(slug: str, *, page: str) -> Project:
    """A project whose public ``page`` ("map" or "followup") is open; NotFound otherwise (not a 403)."""
    project = db.session.scalar(select(Project).where(Project.slug == slug))
    if project is None or not (project.public_map if page == "map" else project.public_followup):
        raise NotFound(_l("Cette page n'existe pas ou n'est pas publique."), details={"project": slug})
    return project


# --- filters, map and summary --------------------------------------------------------------------


def parse_filter(args: Mapping[str, str], project: Project) -> tuple[ObservationFilter, list[str]]:
    """The filter of a partner page: :data:`FILTER_KEYS` only, validated observations only."""
    allowed = {k: args[k] for k in FILTER_KEYS if args.get(k)}
    f, problems = observation_filter.parse_filter(allowed, project=project, allow_pending=False)
    return replace(f, statuses=(ModerationStatus.VALIDATED,)), problems


def _validated(project: Project) -> ObservationFilter:
    return ObservationFilter(project_id=project.id, statuses=(ModerationStatus.VALIDATED,))


@dataclass(frozen=True)
class PublicMap:
    """Everything a partner or public map draws; the map builder gets nothing else."""

    #: validated, non-sensitive observations: theme, polarity, feeling, note, proposal, photo_url; beyond
    #: the cluster threshold, their counts per cell (a ``CellSet`` the database counted, no point fetched)
    observations: dict[str, Any] | CellSet
    #: squares of sensitive reports with their count (``geodata.privacy.cells_geojson``)
    sensitive_cells: dict[str, Any]
    routes: dict[str, Any]
    #: zones with their observation count and share of problems
    zones: dict[str, Any]
    #: sensitive reports of the project, and how many lie in cells too sparse to be shown
    sensitive_total: int
    sensitive_hidden: int
    cell_m: int = DEFAULT_CELL_M

    @property
    def point_count(self) -> int:
        if isinstance(self.observations, CellSet):
            return self.observations.total
        return len(self.observations["features"])


#: Properties of a non-sensitive observation a partner may see (no id, participant or time).
_POINT_KEYS = ("theme", "polarity", "feeling", "note", "proposal", "photo_url")


def kept_map(
    project: Project,
    f: ObservationFilter,
    *,
    photo_url: PhotoUrl | None,
    page_key: Hashable,
    render: Callable[[PublicMap], T],
) -> tuple[PublicMap, T]:
    """:func:`build_map` and what ``render`` makes of it, kept per project data stamp and filter
    (:func:`map_data.cached_map`, as the team's map is).

    The stamp moves with every change of what the map shows — observations, their moderation and
    photos, zones, forms, erasures (``services.data_stamps``) —; the key holds the rest: the zones'
    version, the routes (as stored) and titles of the walks drawn, the language, the photos' URLs and
    ``page_key`` (what the caller writes into the page: tiles, asset URLs). The value is shared between
    requests: callers must not change it, nor put a request's nonce in it.
    """
    shown = replace(f, project_id=project.id, statuses=(ModerationStatus.VALIDATED,))
    route_walks = (
        walks.list_walks(project, routes=False) if f.walk_id is None else [walks.get_walk(f.walk_id)]
    )
    routes = walks.route_stamps([w.id for w in route_walks])
    key = (
        "public-map",
        project.slug,
        project.zones_version,
        tuple((w.id, w.title, routes.get(w.id)) for w in route_walks),
        themes.page_language(),
        photo_url("{name}") if photo_url is not None else None,
        page_key,
    )

    def build() -> tuple[PublicMap, T]:
        data = build_map(project, f, photo_url=photo_url)
        return data, render(data)

    return map_data.cached_map(shown, key, build)


def sensitive_points(project: Project) -> list[tuple[float, float]]:
    """Exact points of the project's validated sensitive reports: for aggregation here, never for a view."""
    out: list[tuple[float, float]] = []
    for theme in sorted(forms.project_sensitive_themes(project.id)):
        fc = map_data.observations_geojson(replace(_validated(project), theme=theme), with_text=False)
        for feat in fc["features"]:
            lon, lat = feat["geometry"]["coordinates"][:2]
            out.append((lon, lat))
    return out


def build_map(project: Project, f: ObservationFilter, *, photo_url: PhotoUrl | None) -> PublicMap:
    """The public shapes of a project's map for the filter ``f`` (validated observations only)."""
    f = replace(f, project_id=project.id, statuses=(ModerationStatus.VALIDATED,))
    sensitive = forms.project_sensitive_themes(project.id)
    points: list[dict[str, Any]] = []
    route_walks = walks.list_walks(project) if f.walk_id is None else [walks.get_walk(f.walk_id)]
    routes = map_data.routes_geojson(route_walks)
    zones = map_data.zones_geojson(project, f)
    observations: dict[str, Any] | CellSet = {"type": "FeatureCollection", "features": points}
    if f.theme not in sensitive and point_layer_kind(observation_filter.count(f)) == "cells":
        # As on the facilitators' map: beyond the cluster threshold the database counts cells, no
        # point is fetched (sensitive themes are not counted: they have their own squares below).
        area = bounds_of([zones, routes])
        lat0 = (area[1] + area[3]) / 2 if area else 46.5
        keys = [t.key for t in theme_styles(project)]
        observations = map_data.cell_rows(f, keys, lat0=lat0, leave_out=sensitive)
    elif f.theme not in sensitive:
        raw = map_data.observations_geojson(f, photo_url=photo_url, with_text=True)
        for feat in raw["features"]:
            p = feat["properties"]
            if p.get("theme") in sensitive:
                continue
            lon, lat = feat["geometry"]["coordinates"][:2]
            points.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                    "properties": {k: p.get(k) for k in _POINT_KEYS},
                }
            )
    exact = sensitive_points(project)
    cells = _cells_geojson(exact, size_m=DEFAULT_CELL_M, min_count=DEFAULT_MIN_COUNT)
    shown = sum(c["properties"]["count"] for c in cells["features"])
    if f.theme is not None and f.theme not in sensitive:
        cells = {"type": "FeatureCollection", "features": []}
    return PublicMap(
        observations=observations,
        sensitive_cells=cells,
        routes=routes,
        zones=zones,
        sensitive_total=len(exact),
        sensitive_hidden=len(exact) - shown,
    )


@dataclass(frozen=True)
class PublicGroup:
    """One group of a comparison; ``count`` is None when the group is smaller than :data:`MIN_GROUP`."""

    label: str
    count: int | None
    negative_share: float | None
    avg_feeling: float | None


@dataclass(frozen=True)
class PublicComparison:
    """A comparison as partners see it (``kind``: a ``ComparisonKind`` code)."""

    kind: str
    groups: list[PublicGroup]
    #: a profile comparison shown unfiltered while the page has filters
    whole_project: bool = False

    @property
    def title(self) -> str:
        """What the comparison is (and that it covers the whole project), in the current language."""
        title = ComparisonKind.label_of(self.kind)
        return str(WHOLE_PROJECT) % {"title": title} if self.whole_project else title


@dataclass(frozen=True)
class PublicQuotes:
    """A few notes and proposals of one (non-sensitive) theme: ``items`` are (kind, text)."""

    label: str
    items: list[tuple[str, str]]


@dataclass
class PublicSummary:
    """The thematic summary partners and the public read."""

    total: int
    avg_feeling: float | None
    polarity_totals: dict[str, int]
    themes: list[summaries.ThemeRow]
    top_issues: list[summaries.ThemeRow]
    top_assets: list[summaries.ThemeRow]
    comparisons: list[PublicComparison]
    quotes: list[PublicQuotes] = field(default_factory=list)


def public_comparison(
    c: summaries.GroupComparison, *, whole_project: bool = False
) -> PublicComparison | None:
    """A comparison with its small groups masked so that none can be worked out by subtraction.

    Groups under :data:`MIN_GROUP`, and more when needed (``geodata.privacy.masked_cells``), show no
    count, share or feeling; None when no masking is safe (then the comparison is not shown at all).
    """
    groups = [g for g in c.groups if g.count]
    masked = masked_cells([g.count for g in groups], min_count=MIN_GROUP)
    if masked is None:
        return None
    return PublicComparison(
        c.kind,
        [
            PublicGroup(g.label, None, None, None)
            if i in masked
            else PublicGroup(g.label, g.count, g.negative_share, g.avg_feeling)
            for i, g in enumerate(groups)
        ],
        whole_project,
    )


def build_summary(f: ObservationFilter, *, quotes: bool = True) -> PublicSummary:
    """The summary of the validated observations matching ``f``: counts, masked comparisons, quotes.

    Comparisons by personal profile (:data:`PROFILE_COMPARISONS`) always cover the whole project:
    were they filtered, subtracting two filtered views could tell the gender or age of the one
    person behind a report. Quotes never come from a sensitive theme.
    """
    f = replace(f, statuses=(ModerationStatus.VALIDATED,))
    sensitive = forms.project_sensitive_themes(f.project_id) if f.project_id is not None else frozenset()
    labels = themes.theme_labeller(f.project_id)
    s = summaries.summarise(f, quotes=quotes)
    whole = ObservationFilter(project_id=f.project_id, statuses=(ModerationStatus.VALIDATED,))
    base = s if f == whole else summaries.summarise(whole, quotes=False)
    profile = {c.kind: c for c in base.comparisons if c.kind in PROFILE_COMPARISONS}
    comparisons = []
    for c in s.comparisons:
        unfiltered = c.kind in profile
        if unfiltered:
            c = profile[c.kind]
        public = public_comparison(c, whole_project=unfiltered and f != whole)
        if public is not None:
            comparisons.append(public)
    return PublicSummary(
        total=s.total,
        avg_feeling=s.avg_feeling,
        polarity_totals=s.polarity_totals,
        themes=s.themes,
        top_issues=s.top_issues,
        top_assets=s.top_assets,
        comparisons=comparisons,
        quotes=[
            PublicQuotes(labels(theme), [(q.kind, q.text) for q in items])
            for theme, items in s.quotes.items()
            if theme not in sensitive
        ],
    )


@dataclass(frozen=True)
class ZoneCount:
    """Sensitive reports in one zone; ``count`` is None below :data:`MIN_GROUP`."""

    name: str
    count: int | None


#: Validated sensitive reports per zone id, by (project, data stamp): the partners' page and the
#: public map count them at each visit (10 ms on PostgreSQL at 100,000 observations).
_sensitive_rows = data_stamps.StampedCache(size=128)


def sensitive_by_zone(project: Project) -> list[ZoneCount]:
    """The project's validated sensitive reports per zone ("Hors zone" last), small counts masked."""
    rows = _sensitive_rows.for_project(project.id, lambda: _count_sensitive_by_zone(project.id))
    names = dict(db.session.execute(select(Zone.id, Zone.name)).all()) if rows else {}
    # The page shows the total too: small zones are masked with enough others that none can be
    # recomputed; when that is impossible the table is not shown (``geodata.privacy.masked_cells``).
    masked = masked_cells([n for _, n in rows], min_count=MIN_GROUP)
    if masked is None:
        return []
    outside = str(OUTSIDE_ZONE)
    out = [
        ZoneCount(names.get(zone_id, outside) if zone_id else outside, None if i in masked else n)
        for i, (zone_id, n) in enumerate(rows)
    ]
    return sorted(out, key=lambda z: (z.name == outside, z.name))


def _count_sensitive_by_zone(project_id: int) -> tuple[tuple[int, int], ...]:
    facts = ObservationFacts
    zone_key = func.coalesce(facts.zone_id, 0)
    rows = db.session.execute(
        select(zone_key, func.count())
        .where(
            facts.walk_id.in_(select(Walk.id).where(Walk.project_id == project_id)),
            facts.moderation_status == ModerationStatus.VALIDATED,
            facts.theme.in_(sorted(forms.project_sensitive_themes(project_id))),
        )
        .group_by(zone_key)
        .order_by(zone_key)
    )
    return tuple((int(zone_id), int(n)) for zone_id, n in rows)


def filter_choices(project: Project) -> dict[str, list[tuple[str, str]]]:
    """Options of the partner filter form (no profile, no dates)."""
    choices = summaries.list_filter_choices(project)
    return {k: v for k, v in choices.items() if k in FILTER_KEYS}


def sensitive_label(project: Project) -> str:
    """How the project's sensitive reports are named on maps and pages (their themes' labels)."""
    labels = sorted(style.label for style in themes.theme_styles(project).values() if style.sensitive)
    return " / ".join(labels) or str(SENSITIVE_REPORTS)


# --- photos --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicPhoto:
    """A photo a partner or the public may see: its row, its stored name and its type."""

    id: int
    stored_name: str
    content_type: str


def photo_for(project: Project, name: str) -> PublicPhoto:
    """A photo a partner or the public may see in ``project``; NotFound otherwise.

    The photo must belong to a validated, non-sensitive observation of this project.
    """
    row = db.session.execute(
        select(Photo.id, Photo.stored_name, Photo.content_type, Observation.theme)
        .join(Observation, Observation.id == Photo.observation_id)
        .join(Walk, Walk.id == Observation.walk_id)
        .where(
            Photo.stored_name == name,
            Walk.project_id == project.id,
            Observation.moderation_status == ModerationStatus.VALIDATED,
        )
    ).first()
    if row is None or row[3] in forms.project_sensitive_themes(project.id):
        raise NotFound(_l("Photo introuvable."))
    return PublicPhoto(int(row[0]), str(row[1]), str(row[2]))


def photo_bytes(photo: PublicPhoto) -> bytes:
    """The bytes of a photo :func:`photo_for` let through; NotFound once they are gone (purged)."""
    return photos.read(photo)


# --- recommendations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RecommendationRow:
    """One recommendation in a list: what, where, who answers, by when, and where it stands."""

    id: int
    title: str
    text: str
    theme: str
    zone: str
    priority: str
    organisation: str
    organisation_id: int | None
    status: str
    status_label: str
    deadline: date | None
    overdue: bool
    evidence: int


def _row(r: Recommendation, today: date, theme_label: Callable[[str | None], str]) -> RecommendationRow:
    return RecommendationRow(
        id=r.id,
        title=r.title,
        text=r.text,
        theme=theme_label(r.theme) if r.theme else "—",
        zone=r.zone.name if r.zone else "—",
        priority=Priority.label_of(r.priority),
        organisation=r.organisation.name if r.organisation else str(UNASSIGNED),
        organisation_id=r.organisation_id,
        status=r.status,
        status_label=S.label_of(r.status),
        deadline=r.deadline,
        overdue=r.deadline is not None and r.deadline < today and r.status not in followup.CLOSED,
        evidence=sum(o.moderation_status == ModerationStatus.VALIDATED for o in r.observations),
    )


def list_recommendations(project: Project, *, today: date | None = None) -> list[RecommendationRow]:
    """The project's recommendations, high priority first, with their overdue flag."""
    today = today or local_today()
    labels = themes.theme_labeller(project)
    return [_row(r, today, labels) for r in debriefs.list_recommendations(project)]


@dataclass(frozen=True)
class FollowupItem:
    """A recommendation and its public timeline (for the public follow-up page)."""

    row: RecommendationRow
    timeline: list[TimelineEntry]


def followup_board(project: Project, *, today: date | None = None) -> list[FollowupItem]:
    """Every recommendation of the project with its dated timeline, high priority first."""
    today = today or local_today()
    labels = themes.theme_labeller(project)
    return [FollowupItem(_row(r, today, labels), timeline(r)) for r in debriefs.list_recommendations(project)]


def get_recommendation(project: Project, recommendation_id: int) -> Recommendation:
    """A recommendation of this project; NotFound for any other id (another project's too)."""
    r = db.session.get(Recommendation, recommendation_id)
    if r is None or r.project_id != project.id:
        raise NotFound(_l("Préconisation introuvable."), details={"recommendation": recommendation_id})
    return r


@dataclass(frozen=True)
class TimelineEntry:
    """One dated step: a status change and/or a comment, signed by an organisation (never a person)."""

    at: datetime
    status_from: str | None
    status_to: str | None
    comment: str
    author: str


def timeline(recommendation: Recommendation) -> list[TimelineEntry]:
    """The recommendation's events, oldest first, each signed by its author's organisation."""
    events: list[RecommendationEvent] = list(recommendation.events)
    ids = {e.author_id for e in events if e.author_id is not None}
    orgs: dict[int, str | None] = {}
    if ids:
        orgs = {
            uid: name
            for uid, name in db.session.execute(
                select(User.id, Organisation.name)
                .outerjoin(Organisation, Organisation.id == User.organisation_id)
                .where(User.id.in_(ids))
            ).all()
        }
    return [
        TimelineEntry(
            at=e.created_at,
            status_from=S.label_of(e.status_from) if e.status_from else None,
            status_to=S.label_of(e.status_to) if e.status_to else None,
            comment=e.comment,
            author=(orgs.get(e.author_id) if e.author_id is not None else None) or str(FACILITATION_TEAM),
        )
        for e in sorted(events, key=lambda e: (e.created_at, e.id))
    ]


@dataclass(frozen=True)
class EvidenceItem:
    """A validated, non-sensitive observation a recommendation rests on."""

    theme: str
    polarity: str
    zone: str
    walk_date: date
    note: str
    proposal: str
    photo_urls: tuple[str, ...]


@dataclass(frozen=True)
class RecommendationDetail:
    row: RecommendationRow
    timeline: list[TimelineEntry]
    evidence: list[EvidenceItem]
    #: validated sensitive reports among the evidence, and the zones they are in (no place, no text)
    sensitive_count: int
    sensitive_zones: tuple[str, ...]
    #: statuses the recommendation may move to now, as (value, label)
    next_statuses: list[tuple[str, str]]


def recommendation_detail(
    recommendation: Recommendation, *, photo_url: PhotoUrl | None, today: date | None = None
) -> RecommendationDetail:
    """A recommendation with its timeline and its privacy-filtered evidence."""
    today = today or local_today()
    labels = themes.theme_labeller(recommendation.project_id)
    sensitive_themes = forms.project_sensitive_themes(recommendation.project_id)
    evidence: list[EvidenceItem] = []
    sensitive = 0
    sensitive_zones: set[str] = set()
    for o in sorted(recommendation.observations, key=lambda o: o.id):
        if o.moderation_status != ModerationStatus.VALIDATED:
            continue
        zone = o.zone.name if o.zone else str(OUTSIDE_ZONE)
        if o.theme in sensitive_themes:
            sensitive += 1
            sensitive_zones.add(zone)
            continue
        evidence.append(
            EvidenceItem(
                theme=labels(o.theme),
                polarity=Polarity.label_of(o.polarity),
                zone=zone,
                walk_date=o.walk.walk_date,
                note=o.note,
                proposal=o.proposal,
                photo_urls=tuple(photo_url(p.stored_name) for p in o.photos) if photo_url else (),
            )
        )
    current = S(recommendation.status)
    return RecommendationDetail(
        row=_row(recommendation, today, labels),
        timeline=timeline(recommendation),
        evidence=evidence,
        sensitive_count=sensitive,
        sensitive_zones=tuple(sorted(sensitive_zones)),
        next_statuses=[(s.value, s.label) for s in S if s in followup.TRANSITIONS[current]],
    )


def list_partners(project: Project) -> list[tuple[int, str]]:
    """The project's partner organisations as (id, name)."""
    return [(o.id, o.name) for o in debriefs.list_partners(project)]


def scorecards(project: Project) -> dict[str, list[followup.Scorecard]]:
    """Scorecards per partner and per zone."""
    return {
        "partner": followup.scorecards(project.id, by="partner"),
        "zone": followup.scorecards(project.id, by="zone"),
    }


# --- the rest of what these pages show: the project, the viewer's role, labels -------------------


def get_project(slug: str) -> Project:
    """The project a partner page names (NotFound otherwise); the page then checks the viewer's role."""
    return projects.get_project_or_404(slug)


def viewer_role(user: User, project: Project) -> str | None:
    """The viewer's role in the project (``admin`` for site administrators), or None."""
    return teams.project_role(user, project.id)


def project_overviews() -> list[projects.ProjectOverview]:
    """The landing page's projects: names, dates, zones and counts (no observation, no person)."""
    return projects.list_project_overviews()


def theme_labeller(project: Project) -> Callable[[str | None], str]:
    """``label(theme_key)`` for the themes of the project's forms, in the page's language."""
    return themes.theme_labeller(project)


def theme_styles(project: Project) -> list[ThemeStyle]:
    """Label, colour and sensitive flag of each theme of the project's forms (for the map's legend)."""
    return list(themes.theme_styles(project).values())


def before_after(recommendation: Recommendation) -> list[rewalks.RewalkComparison]:
    """Re-walks compared with the walks the recommendation's evidence comes from (public shape:
    no participant data, harassment counted only and withheld under three)."""
    return rewalks.before_after_for_recommendation(recommendation)


__all__ = [
    "parse_filter",
    "VIEWER_ROLES",
    "PhotoUrl",
    "ObservationFilter",
    "viewer_role",
    "theme_styles",
    "theme_labeller",
    "project_overviews",
    "get_project",
    "before_after",
    "FILTER_KEYS",
    "MIN_GROUP",
    "EvidenceItem",
    "FollowupItem",
    "ProjectLink",
    "PublicComparison",
    "PublicGroup",
    "PublicMap",
    "PublicPhoto",
    "photo_bytes",
    "PublicSummary",
    "RecommendationDetail",
    "RecommendationRow",
    "TimelineEntry",
    "ZoneCount",
    "build_map",
    "kept_map",
    "build_summary",
    "filter_choices",
    "followup_board",
    "get_public_project",
    "get_recommendation",
    "list_my_projects",
    "list_partners",
    "list_recommendations",
    "photo_for",
    "public_pages",
    "recommendation_detail",
    "scorecards",
    "sensitive_by_zone",
    "sensitive_label",
    "sensitive_points",
    "timeline",
]
