"""Projects: creation and the overviews shown on the landing page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from webapp.errors import Conflict, NotFound, ValidationError
from webapp.extensions import db
from webapp.models import Observation, Project, Walk, Zone
from webapp.models.enums import ZoneKind


@dataclass(frozen=True)
class ProjectOverview:
    """What the landing page shows of a project."""

    slug: str
    name: str
    description: str
    starts_on: date | None
    ends_on: date | None
    walk_count: int
    observation_count: int
    zone_names: list[str]


def create_project(
    *,
    slug: str,
    name: str,
    territory: list[str],
    description: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
    qpv_year: int = 2024,
) -> Project:
    """Create a project; the slug must be new."""
    if qpv_year not in (2015, 2024):
        raise ValidationError(
            "L'année de la liste QPV doit être 2015 ou 2024.", details={"qpv_year": qpv_year}
        )
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError("La date de fin précède la date de début.", details={"ends_on": str(ends_on)})
    if db.session.scalar(select(Project.id).where(Project.slug == slug)) is not None:
        raise Conflict(f"Un projet « {slug} » existe déjà.", details={"slug": slug})
    project = Project(
        slug=slug,
        name=name,
        territory=list(territory),
        description=description,
        starts_on=starts_on,
        ends_on=ends_on,
        qpv_year=qpv_year,
    )
    db.session.add(project)
    db.session.commit()
    return project


def get_project(slug: str) -> Project | None:
    """The project with this slug, if any."""
    return db.session.scalar(select(Project).where(Project.slug == slug))


def get_project_or_404(slug: str) -> Project:
    """The project with this slug, or a NotFound error."""
    project = get_project(slug)
    if project is None:
        raise NotFound(f"Projet « {slug} » introuvable.", details={"project": slug})
    return project


def count_projects() -> int:
    """How many projects exist."""
    return db.session.scalar(select(func.count(Project.id))) or 0


def list_project_overviews() -> list[ProjectOverview]:
    """Every project with its walk and observation counts and the zones it covers."""
    walk_counts = dict(
        db.session.execute(select(Walk.project_id, func.count(Walk.id)).group_by(Walk.project_id)).all()
    )
    obs_counts = dict(
        db.session.execute(
            select(Walk.project_id, func.count(Observation.id))
            .join(Observation.walk)
            .group_by(Walk.project_id)
        ).all()
    )
    overviews = []
    for project in db.session.scalars(select(Project).order_by(Project.created_at, Project.id)):
        zones = db.session.scalars(
            select(Zone.name)
            .where(
                ((Zone.kind == ZoneKind.QPV) & (Zone.list_year == project.qpv_year))
                | (Zone.project_id == project.id)
            )
            .where((Zone.kind == ZoneKind.CUSTOM) | Zone.insee_com.in_(project.territory or [""]))
            .order_by(Zone.kind.desc(), Zone.name)
        ).all()
        overviews.append(
            ProjectOverview(
                slug=project.slug,
                name=project.name,
                description=project.description,
                starts_on=project.starts_on,
                ends_on=project.ends_on,
                walk_count=walk_counts.get(project.id, 0),
                observation_count=obs_counts.get(project.id, 0),
                zone_names=list(zones),
            )
        )
    return overviews
