"""Project teams: roles (memberships), organisations and their link to projects, the team page's list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from webapp.errors import Conflict, Forbidden, NotFound, ValidationError
from webapp.extensions import db
from webapp.models import Membership, Organisation, Project, ProjectPartner, User
from webapp.models.enums import OrganisationKind, Role

#: Which role wins when a person already has one in the project.
ROLE_RANK = {Role.PARTNER: 1, Role.FACILITATOR: 2, Role.ADMIN: 3}


def add_membership(user: User, project_id: int, role: str) -> None:
    """Give ``user`` a role in a project (replacing the previous one)."""
    if role not in set(Role):
        raise ValidationError(_l("Rôle inconnu."), details={"role": role})
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.project_id == project_id)
    )
    if membership is None:
        db.session.add(Membership(user_id=user.id, project_id=project_id, role=role))
    else:
        membership.role = role
    db.session.flush()


def project_role(user: User, project_id: int) -> str | None:
    """The user's role in the project ("admin" for site administrators), or None."""
    if user.is_admin:
        return "admin"
    return db.session.scalar(
        select(Membership.role).where(Membership.user_id == user.id, Membership.project_id == project_id)
    )


@dataclass(frozen=True)
class UserProject:
    """A project someone works on, for their account page."""

    slug: str
    name: str
    role: str
    #: May see and manage the project's team.
    can_manage: bool


def projects_with_role(user: User) -> list[tuple[Project, str]]:
    """(project, role) for every project where ``user`` has a role (all, as admin, for administrators)."""
    if user.is_admin:
        return [(p, Role.ADMIN.value) for p in db.session.scalars(select(Project).order_by(Project.name))]
    return [
        (project, role)
        for project, role in db.session.execute(
            select(Project, Membership.role)
            .join(Membership, Membership.project_id == Project.id)
            .where(Membership.user_id == user.id)
            .order_by(Project.name)
        )
    ]


def list_user_projects(user: User) -> list[UserProject]:
    """The projects where ``user`` has a role (every project for site administrators)."""
    return [
        UserProject(p.slug, p.name, role, role in (Role.ADMIN, Role.FACILITATOR))
        for p, role in projects_with_role(user)
    ]


def find_or_create_organisation(name: str, kind: str = OrganisationKind.OTHER) -> Organisation:
    """The organisation with this name (case does not matter), created when new."""
    name = " ".join((name or "").split())
    if not 2 <= len(name) <= 200:
        raise ValidationError(
            _l("Le nom de l'organisation doit faire de 2 à 200 caractères."),
            details={"organisation": "invalid"},
        )
    if kind not in set(OrganisationKind):
        raise ValidationError(_l("Type d'organisation inconnu."), details={"organisation_kind": kind})
    organisation = db.session.scalar(
        select(Organisation).where(func.lower(Organisation.name) == name.lower())
    )
    if organisation is None:
        organisation = Organisation(name=name, kind=kind)
        db.session.add(organisation)
        db.session.flush()
    return organisation


def link_partner_organisation(project_id: int, organisation_id: int) -> None:
    """Record that an organisation takes part in a project (no commit)."""
    if db.session.get(ProjectPartner, (project_id, organisation_id)) is None:
        db.session.add(ProjectPartner(project_id=project_id, organisation_id=organisation_id))
        db.session.flush()


def list_project_organisations(project_id: int) -> list[Organisation]:
    """The organisations taking part in a project (partners, and those of its members)."""
    linked = select(ProjectPartner.organisation_id).where(ProjectPartner.project_id == project_id)
    of_members = (
        select(User.organisation_id)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.project_id == project_id, User.organisation_id.is_not(None))
    )
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.id.in_(linked) | Organisation.id.in_(of_members))
            .order_by(Organisation.name)
        )
    )


@dataclass(frozen=True)
class TeamMember:
    """One person of a project's team."""

    user_id: int
    display_name: str
    email: str
    role: str
    organisation: str | None
    is_active: bool
    last_login_at: datetime | None


def list_team(project_id: int) -> list[TeamMember]:
    """The members of a project with their role and organisation."""
    rows = db.session.execute(
        select(User, Membership.role, Organisation.name)
        .join(Membership, Membership.user_id == User.id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(Membership.project_id == project_id)
        .order_by(Membership.role, User.display_name, User.id)
    ).all()
    return [
        TeamMember(u.id, u.display_name, u.email, role, org, u.is_active, u.last_login_at)
        for u, role, org in rows
    ]


def remove_member(project: Project, user_id: int, *, acting: User) -> None:
    """Take someone out of a project's team (their account stays)."""
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == user_id, Membership.project_id == project.id)
    )
    if membership is None:
        raise NotFound(_l("Cette personne ne fait pas partie de l'équipe."), details={"user": user_id})
    if user_id == acting.id:
        raise Conflict(_l("Vous ne pouvez pas vous retirer vous-même de l'équipe."))
    if membership.role == Role.ADMIN and project_role(acting, project.id) != Role.ADMIN:
        raise Forbidden(_l("Seule l'administration peut retirer un administrateur ou une administratrice."))
    db.session.delete(membership)
    db.session.flush()
