"""Invitations to a project's team: a link that works once, for one address, for INVITATION_DAYS.

Only the SHA-256 of the link's token is stored. Accepting claims the invitation with one conditional
UPDATE, so two simultaneous uses cannot both succeed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import aliased

from webapp.errors import Conflict, Forbidden, Gone, NotFound, ValidationError
from webapp.extensions import db
from webapp.models import Invitation, Membership, Organisation, Project, User
from webapp.models.base import utcnow
from webapp.models.enums import OrganisationKind, Role
from webapp.services.accounts import (
    check_password_rules,
    create_user,
    get_user_by_email,
    hash_token,
    valid_email,
)
from webapp.services.teams import (
    ROLE_RANK,
    add_membership,
    find_or_create_organisation,
    link_partner_organisation,
    list_project_organisations,
)

#: Roles an invitation may give (site administrators are made from the command line).
INVITABLE_ROLES = (Role.FACILITATOR, Role.PARTNER)


@dataclass(frozen=True)
class PendingInvitation:
    """An invitation not used, withdrawn nor expired yet."""

    id: int
    email: str
    role: str
    organisation: str | None
    invited_by: str | None
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class InvitationDetails:
    """What the person holding an invitation link is told."""

    email: str
    project_slug: str
    project_name: str
    role: str
    organisation: str | None
    expires_at: datetime
    #: An account already uses this email: its owner signs in to accept.
    account_exists: bool


def create_invitation(
    project: Project,
    *,
    email: str,
    role: str,
    invited_by: User,
    organisation_id: int | None = None,
    organisation_name: str = "",
    organisation_kind: str = OrganisationKind.OTHER,
    now: datetime | None = None,
) -> tuple[Invitation, str]:
    """Invite someone into a project's team; returns the invitation and its token (shown once).

    Partners need an organisation: one of the project's, or a new one by name. Inviting the same
    address again withdraws the previous pending link.
    """
    now = now or utcnow()
    email = valid_email(email)
    if role not in INVITABLE_ROLES:
        raise ValidationError(_l("Rôle inconnu : animation ou partenaire."), details={"role": role})
    organisation: Organisation | None = None
    if role == Role.PARTNER:
        if organisation_id:
            organisation = next(
                (o for o in list_project_organisations(project.id) if o.id == organisation_id), None
            )
            if organisation is None:
                raise ValidationError(
                    _l("Organisation inconnue pour ce projet."), details={"organisation_id": organisation_id}
                )
        elif (organisation_name or "").strip():
            organisation = find_or_create_organisation(organisation_name, organisation_kind)
            link_partner_organisation(project.id, organisation.id)
        else:
            raise ValidationError(
                _l("Indiquez l'organisation de la ou du partenaire."), details={"organisation": "missing"}
            )
    member = db.session.scalar(
        select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(User.email == email, Membership.project_id == project.id)
    )
    if member is not None:
        raise Conflict(_l("Cette personne fait déjà partie de l'équipe du projet."), details={"email": email})
    db.session.execute(
        update(Invitation)
        .where(
            Invitation.project_id == project.id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    token = secrets.token_urlsafe(32)
    days = float(current_app.config["INVITATION_DAYS"])
    invitation = Invitation(
        token_hash=hash_token(token),
        email=email,
        project_id=project.id,
        role=role,
        organisation_id=organisation.id if organisation else None,
        created_by_id=invited_by.id,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation, token


def invitation_for_token(token: str, *, now: datetime | None = None) -> Invitation:
    """The usable invitation behind a link; NotFound if unknown, Gone if used, withdrawn or expired."""
    now = now or utcnow()
    invitation = None
    if token and len(token) <= 200:
        invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))
    if invitation is None or invitation.project_id is None:
        raise NotFound(_l("Cette invitation n'existe pas : vérifiez que le lien est complet."))
    if invitation.accepted_at is not None:
        raise Gone(_l("Cette invitation a déjà servi. Connectez-vous avec votre compte."))
    if invitation.revoked_at is not None:
        raise Gone(_l("Cette invitation a été retirée. Demandez-en une nouvelle à l'équipe du projet."))
    if invitation.expires_at <= now:
        raise Gone(_l("Cette invitation a expiré. Demandez-en une nouvelle à l'équipe du projet."))
    return invitation


def describe_invitation(token: str) -> InvitationDetails:
    """What an invitation link offers (errors as ``invitation_for_token``)."""
    invitation = invitation_for_token(token)
    project = db.session.get(Project, invitation.project_id)
    organisation = (
        db.session.get(Organisation, invitation.organisation_id) if invitation.organisation_id else None
    )
    if project is None:
        raise NotFound(_l("Cette invitation n'existe pas : vérifiez que le lien est complet."))
    return InvitationDetails(
        email=invitation.email,
        project_slug=project.slug,
        project_name=project.name,
        role=invitation.role,
        organisation=organisation.name if organisation else None,
        expires_at=invitation.expires_at,
        account_exists=get_user_by_email(invitation.email) is not None,
    )


def accept_invitation(
    token: str,
    *,
    user: User | None = None,
    display_name: str = "",
    password: str = "",
    now: datetime | None = None,
) -> User:
    """Use an invitation: the signed-in ``user`` (same email) or a new account joins the project.

    The link is claimed with one conditional UPDATE, so two simultaneous uses cannot both succeed.
    """
    now = now or utcnow()
    invitation = invitation_for_token(token, now=now)
    existing = get_user_by_email(invitation.email)
    if user is not None:
        if user.email != invitation.email:
            raise Forbidden(
                _l("Cette invitation est destinée à une autre adresse : déconnectez-vous pour l'utiliser.")
            )
        target = user
    elif existing is not None:
        raise Conflict(
            _l("Un compte existe déjà avec cette adresse : connectez-vous pour accepter l'invitation.")
        )
    else:
        if not (display_name or "").strip():
            raise ValidationError(_l("Indiquez votre nom."), details={"display_name": "missing"})
        check_password_rules(password, email=invitation.email)
        target = None
    claimed = db.session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(accepted_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise Gone(_l("Cette invitation a déjà servi. Connectez-vous avec votre compte."))
    db.session.expire(invitation, ["accepted_at"])  # the UPDATE went round the session
    if target is None:
        target = create_user(
            email=invitation.email,
            password=password,
            display_name=display_name,
            organisation_id=invitation.organisation_id,
        )
    elif target.organisation_id is None and invitation.organisation_id is not None:
        target.organisation_id = invitation.organisation_id
    current = db.session.scalar(
        select(Membership.role).where(
            Membership.user_id == target.id, Membership.project_id == invitation.project_id
        )
    )
    if current is None or ROLE_RANK[Role(invitation.role)] > ROLE_RANK[Role(current)]:
        add_membership(target, invitation.project_id, invitation.role)
    db.session.flush()
    return target


def revoke_invitation(project: Project, invitation_id: int, *, now: datetime | None = None) -> None:
    """Withdraw a pending invitation of this project (its link stops working)."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.project_id != project.id:
        raise NotFound(_l("Invitation introuvable."), details={"invitation": invitation_id})
    if invitation.accepted_at is not None:
        raise Conflict(_l("Cette invitation a déjà servi : retirez plutôt la personne de l'équipe."))
    if invitation.revoked_at is None:
        invitation.revoked_at = now or utcnow()
        db.session.flush()


def list_pending_invitations(project_id: int, *, now: datetime | None = None) -> list[PendingInvitation]:
    """Invitations of a project that can still be used, newest first."""
    now = now or utcnow()
    inviter = aliased(User)
    rows = db.session.execute(
        select(Invitation, Organisation.name, inviter.display_name)
        .outerjoin(Organisation, Organisation.id == Invitation.organisation_id)
        .outerjoin(inviter, inviter.id == Invitation.created_by_id)
        .where(
            Invitation.project_id == project_id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    ).all()
    return [
        PendingInvitation(i.id, i.email, i.role, org, by, i.created_at, i.expires_at) for i, org, by in rows
    ]
