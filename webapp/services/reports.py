"""Restitution report of a walk or a project: what it contains (:func:`build_report`) and its PDF.

The report goes outside the team (partners, residents, the city), so reports of a sensitive theme
(marked so in the project's forms: street harassment in the default grid) are only counted: no
point on the map, no quote, no photo, no line stop by stop, no quote in a recommendation's evidence.

The HTML page and the PDF come from the same template (``reports/report.html``); the PDF is made
by WeasyPrint, which may only read our own static files and ``data:`` URIs (photos come as
``data:`` URIs from the photo store, files or database alike; :func:`render_pdf` refuses anything
else, so a report never calls an outside host). The map is a
static drawing (zones, routes, stops, points; no tiles) that prints sharply on paper.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from geodata.privacy import DEFAULT_CELL_M, DEFAULT_MIN_COUNT, masked_cells, sensitive_cells_geojson
from geodata.static_map import render_static_map
from webapp.errors import NotFound, ValidationError
from webapp.extensions import db
from webapp.local_time import local_today
from webapp.models import Observation, ObservationFacts, Photo, Project, Recommendation, Walk, Zone
from webapp.models.enums import ModerationStatus, Polarity, ProfileField, WalkStatus
from webapp.services import charts, data_stamps, forms, map_data, observation_filter, summaries, themes
from webapp.services.debriefs import ReplayStep, list_recommendations, replay
from webapp.services.observation_filter import ObservationFilter
from webapp.services.summaries import Summary

#: Photos shown in a report, at most.
MAX_PHOTOS = 24
#: Longest side of a photo in the PDF, in pixels. The report prints photos at most half the text
#: width (84 mm) and 60 mm high: about 300 dpi for a landscape photo, 230 for a portrait one, cropped.
PRINT_SIDE = 1000
#: JPEG quality of those print copies.
PRINT_QUALITY = 80
#: How the report names observations outside every zone.
OUTSIDE = "Hors zone"


def static_map_text() -> dict[str, str]:
    """The words of a printed map's legend (the report's, the walk kit's), in the page's language."""
    return {
        "zones": str(_l("Zones")),
        "routes": str(_l("Itinéraire")),
        "stops": str(_l("Arrêt (numéro)")),
        "cells": str(_l("Signalements sensibles : carreau de 200 m (3 au moins)")),
        **{polarity.value: str(polarity.label) for polarity in Polarity},
    }


@dataclass
class ReportPhoto:
    observation: Observation
    photo: Photo


@dataclass
class Report:
    """Everything the report template shows."""

    title: str
    project: Project
    walks: list[Walk]
    walk: Walk | None
    zones: list[Zone]
    composition: dict[str, dict[str, int]]
    participant_count: int
    summary: Summary
    theme_chart: str
    comparison_charts: list[str]
    map_svg: str
    photos: list[ReportPhoto]
    recommendations: list[Recommendation]
    #: each recommendation's evidence the report may cite: its validated observations (by id)
    evidence: dict[int, list[Observation]] = field(default_factory=dict)
    #: lines of the « Sources et crédits » section (lazy: in the page's language)
    credits: list[Any] = field(default_factory=list)
    #: a walk's findings stop by stop (validated observations only); empty for a project report
    steps: list[ReplayStep] = field(default_factory=list)
    generated_on: date = field(default_factory=local_today)
    #: theme keys only ever counted (marked ``sensitive`` in the forms the project uses)
    sensitive: frozenset[str] = frozenset()
    #: validated sensitive reports covered, and how they are named
    sensitive_count: int = 0
    sensitive_label: str = ""
    #: squares of at least 3 sensitive reports drawn on the map, and how many reports they hold
    sensitive_cells: int = 0
    sensitive_in_cells: int = 0
    #: (zone name, count or None when masked) of the sensitive reports
    sensitive_by_zone: list[tuple[str, int | None]] = field(default_factory=list)


def svg_data_uri(svg: str) -> str:
    """An SVG as a ``data:`` URI for an ``<img>`` (works in browsers and WeasyPrint)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def photo_data_uri(photo: Photo) -> str:
    """A stored photo as a ``data:`` URI for the PDF, as a print copy (:data:`PRINT_SIDE`); an empty
    one if its bytes are gone.

    The stored photo (up to 1,600 pixels) would print at 480 dpi: its print copy weighs about a
    quarter as much, so a report of many photos stays small enough to send by e-mail.
    """
    from webapp.services import photos  # photos imports the observation services

    try:
        data = photos.read(photo)
    except NotFound:
        return "data:,"
    copy = photos.resized(data, PRINT_SIDE, PRINT_QUALITY)
    content_type = "image/jpeg" if copy is not data else photo.content_type or "image/jpeg"
    return f"data:{content_type};base64," + base64.b64encode(copy).decode()


def build_report(project: Project, walk: Walk | None = None, *, for_pdf: bool = False) -> Report:
    """Collect the content of the report of one walk, or of the whole project (validated data only);
    ``for_pdf``: its map and charts keep their text as text (``geodata.static_map.svg_of``)."""
    walks = (
        [walk]
        if walk is not None
        else [
            w
            for w in db.session.scalars(
                select(Walk).where(Walk.project_id == project.id).order_by(Walk.walk_date)
            )
            if w.status != WalkStatus.PLANNED
        ]
    )
    f = ObservationFilter(project_id=project.id, walk_id=walk.id if walk else None)
    summary = summaries.summarise(f)
    theme_styles = themes.theme_styles(project)
    styles = list(theme_styles.values())
    sensitive = forms.project_sensitive_themes(project.id)
    summary.quotes = {theme: quotes for theme, quotes in summary.quotes.items() if theme not in sensitive}
    # The points are read only to be drawn: under the project's data stamp, a report seen again (its
    # drawing kept) reads none of them, and its sensitive squares come from a small cache.
    points_key = (project.id, data_stamps.current(project.id), f.walk_id, tuple(sorted(sensitive)))
    read: list[tuple[dict[str, Any], dict[str, Any], int]] = []

    def points() -> tuple[dict[str, Any], dict[str, Any], int]:
        if not read:
            read.append(_report_points(f, sensitive))
        return read[0]

    cells, sensitive_count = _sensitive_kept.get_or_compute(points_key, lambda: points()[1:])
    zone_features = map_data.zones_geojson(project, f)
    # Only the zones the walks went through, or all when none has observations yet.
    used_zone_ids = {
        z
        for z in db.session.scalars(
            select(ObservationFacts.zone_id)
            .where(*observation_filter.conditions_without_joins(f, ObservationFacts))
            .distinct()
        )
        if z is not None
    }
    zone_features["features"] = [
        z for z in zone_features["features"] if not used_zone_ids or z["properties"]["id"] in used_zone_ids
    ]
    map_svg = render_static_map(
        observations=lambda: points()[0],
        observations_key=repr(points_key),
        themes=styles,
        routes=map_data.routes_geojson(walks),
        zones=zone_features,
        stops=map_data.stops_geojson(walk) if walk else None,
        sensitive_cells=cells,
        labels=static_map_text(),
        for_pdf=for_pdf,
    )
    zones = list(db.session.scalars(select(Zone).where(Zone.id.in_(used_zone_ids)).order_by(Zone.name)))
    photos = [
        ReportPhoto(observation=o, photo=p)
        for o, p in db.session.execute(
            observation_filter.apply_filter(select(Observation, Photo), f)
            .join(Photo, Photo.observation_id == Observation.id)
            .where(Observation.theme.not_in(sorted(sensitive)))
            .order_by(Observation.captured_at, Photo.id)
            .limit(MAX_PHOTOS)
        ).all()
    ]
    composition = summaries.group_composition([w.id for w in walks])
    participant_count = sum(composition.get(ProfileField.GENDER, {}).values())
    credits = []
    if any(z.kind == "qpv" for z in zones) or not zones:
        sources = sorted({z.source for z in zones if z.kind == "qpv" and z.source}) or [
            f"ANCT, {project.qpv_year}"
        ]
        credits.append(
            _l(
                "Périmètres des quartiers prioritaires de la politique de la ville : %(sources)s"
                " (Licence Ouverte 2.0).",
                sources=", ".join(sources),
            )
        )
    credits.append(_l("Fond de carte : aucun (dessin des périmètres, itinéraires et observations)."))
    title = f"Restitution — {walk.title}" if walk else f"Restitution — {project.name}"
    steps = replay(walk, statuses=(ModerationStatus.VALIDATED,)) if walk else []
    recommendations = list_recommendations(project, walk) if walk else list_recommendations(project)
    for step in steps:
        step.observations[:] = [o for o in step.observations if o.theme not in sensitive]
    return Report(
        title=title,
        project=project,
        walks=walks,
        walk=walk,
        zones=zones,
        composition=composition,
        participant_count=participant_count,
        summary=summary,
        theme_chart=charts.chart_theme_polarity(summary, for_pdf=for_pdf),
        comparison_charts=[
            chart for c in summary.comparisons if (chart := _public_chart(c, for_pdf=for_pdf))
        ],
        map_svg=map_svg,
        photos=photos,
        recommendations=recommendations,
        # a recommendation made in the team's preparation, or before a moderator hid one of its
        # observations, may hold some that were never validated: never counted nor quoted here
        evidence={
            r.id: [o for o in r.observations if o.moderation_status == ModerationStatus.VALIDATED]
            for r in recommendations
        },
        credits=credits,
        steps=steps,
        sensitive=sensitive,
        sensitive_count=sensitive_count,
        sensitive_label=" / ".join(sorted(s.label for s in styles if s.sensitive)),
        sensitive_cells=len(cells["features"]),
        sensitive_in_cells=sum(c["properties"]["count"] for c in cells["features"]),
        sensitive_by_zone=_sensitive_by_zone(f, sensitive),
    )


#: A report's sensitive squares and how many reports they hold, by (project, data stamp, walk,
#: sensitive themes): small, and needed at each visit (the page gives the figures).
_sensitive_kept = data_stamps.StampedCache(size=64)


def _report_points(
    f: ObservationFilter, sensitive: frozenset[str]
) -> tuple[dict[str, Any], dict[str, Any], int]:
    """The report's validated points outside the sensitive themes (GeoJSON, no text), the squares of
    the sensitive ones and how many those are."""
    observations = map_data.observations_geojson(f, with_text=False)
    exact = [
        tuple(o["geometry"]["coordinates"][:2])
        for o in observations["features"]
        if o["properties"]["theme"] in sensitive
    ]
    # As on the partner pages: squares of the fixed grid holding at least 3 reports, never a point.
    cells = sensitive_cells_geojson(exact, size_m=DEFAULT_CELL_M, min_count=DEFAULT_MIN_COUNT)
    observations["features"] = [
        o for o in observations["features"] if o["properties"]["theme"] not in sensitive
    ]
    return observations, cells, len(exact)


def _sensitive_by_zone(f: ObservationFilter, sensitive: frozenset[str]) -> list[tuple[str, int | None]]:
    """Validated sensitive reports per zone (« Hors zone » last), small counts masked as on the
    partner pages; empty when no masking is safe."""
    if not sensitive:
        return []
    facts = ObservationFacts
    zone_key = func.coalesce(facts.zone_id, 0)
    rows = db.session.execute(
        select(zone_key, func.count())
        .where(*observation_filter.conditions_without_joins(f, facts), facts.theme.in_(sorted(sensitive)))
        .group_by(zone_key)
        .order_by(zone_key)
    ).all()
    masked = masked_cells([n for _, n in rows], min_count=DEFAULT_MIN_COUNT)
    if masked is None:
        return []
    names = dict(db.session.execute(select(Zone.id, Zone.name)).all()) if rows else {}
    out = [
        (str(names.get(zone_id, OUTSIDE)) if zone_id else OUTSIDE, None if i in masked else n)
        for i, (zone_id, n) in enumerate(rows)
    ]
    return sorted(out, key=lambda z: (z[0] == OUTSIDE, z[0]))


def _public_chart(comparison: summaries.GroupComparison, *, for_pdf: bool) -> str | None:
    """The comparison's chart as partners may see it: small groups (and as many others as needed so
    that none can be recomputed) left out, and no chart at all when that is not enough."""
    from webapp.services.partner_views import public_comparison

    public = public_comparison(comparison)
    if public is None:
        return None
    shown = {g.label for g in public.groups if g.count is not None}
    groups = [g for g in comparison.groups if g.count and g.label in shown]
    if not groups:
        return None
    from flask_babel import gettext

    title = (
        comparison.title
        if len(groups) == len(public.groups)
        else gettext("%(title)s (petits groupes non détaillés)", title=comparison.title)
    )
    return charts.chart_comparison(
        summaries.GroupComparison(comparison.kind, groups), title=title, for_pdf=for_pdf
    )


def _allowed_fetcher(allowed_dirs: list[Path]):  # type: ignore[no-untyped-def]
    from weasyprint.urls import URLFetcher

    roots = [d.resolve() for d in allowed_dirs]

    class LocalOnly(URLFetcher):
        """Reads data URIs and files under the allowed folders; refuses everything else."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith("data:"):
                parts = urlsplit(url)
                path = Path(unquote(parts.path)).resolve()
                if parts.scheme != "file" or not any(path.is_relative_to(root) for root in roots):
                    raise ValueError(f"refused to fetch {url!r} for a PDF")
            return super().fetch(url, headers)

    return LocalOnly(allowed_protocols=["file", "data"], allow_redirects=False)


def render_pdf(html: str, *, base_dir: Path, allowed_dirs: list[Path]) -> bytes:
    """The PDF of a report page; only files under ``allowed_dirs`` and data URIs may be loaded."""
    from weasyprint import HTML

    if not html.strip():
        raise ValidationError(_l("Rapport vide."))
    return HTML(
        string=html, base_url=base_dir.as_uri() + "/", url_fetcher=_allowed_fetcher(allowed_dirs)
    ).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)


__all__ = [
    "MAX_PHOTOS",
    "Report",
    "ReportPhoto",
    "build_report",
    "photo_data_uri",
    "render_pdf",
    "static_map_text",
    "svg_data_uri",
]
