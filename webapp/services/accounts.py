"""Staff accounts: passwords, session stamps, reset links, two-factor codes, invitations and project teams.

Secrets are never stored in clear: passwords are scrypt hashes, invitation links keep only a SHA-256
of their token, reset links are signed (itsdangerous) rather than stored. Sessions and reset links
carry a *stamp* — an HMAC of the password hash, its change time and the two-factor secret — so a
password change (or turning two-factor login on or off) ends every other session and every reset
link issued before it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import aliased
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.errors import Conflict, Forbidden, Gone, NotFound, ValidationError
from webapp.extensions import db
from webapp.models import Invitation, Membership, Organisation, Project, ProjectPartner, StaffSession, User
from webapp.models.base import utcnow
from webapp.models.enums import OrganisationKind, Role
from webapp.services import ratelimit

#: Shortest and longest password accepted (the upper bound keeps hashing cheap).
PASSWORD_MIN = 10
PASSWORD_MAX = 200
#: Roles an invitation may give (site administrators are made from the command line).
INVITABLE_ROLES = (Role.FACILITATOR, Role.PARTNER)
#: Which role wins when a person already has one in the project.
ROLE_RANK = {Role.PARTNER: 1, Role.FACILITATOR: 2, Role.ADMIN: 3}
#: A password hash of the usual shape that matches no password (for :func:`stand_in_user`).
_STAND_IN_HASH = "scrypt:32768:8:1$" + "0" * 16 + "$" + "0" * 128
#: Name shown by authenticator apps next to the account.
TOTP_ISSUER = "Arpenteur"
#: A two-factor set-up (secret shown as a QR code) must be confirmed within this time.
TOTP_SETUP_SECONDS = 1800
#: A code is accepted one time step (30 s) early or late, for clocks that drift.
TOTP_DRIFT_STEPS = 1

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
#: Checked against when no account matches, so failures take as long as a real check.
_DUMMY_HASH = "scrypt:32768:8:1$x$" + "0" * 128


# --- users, passwords, sessions -----------------------------------------------------------------


def normalise_email(email: str | None) -> str:
    """The stored form of an email address (trimmed, lower-case)."""
    return (email or "").strip().lower()


def _valid_email(email: str | None) -> str:
    email = normalise_email(email)
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        raise ValidationError("Adresse électronique invalide.", details={"email": "invalid"})
    return email


def check_password_rules(password: str | None, *, email: str = "") -> None:
    """Refuse a password that is too short, too long or the email itself."""
    password = password or ""
    if len(password) < PASSWORD_MIN:
        raise ValidationError(
            f"Le mot de passe doit faire au moins {PASSWORD_MIN} caractères.",
            details={"password": "too_short"},
        )
    if len(password) > PASSWORD_MAX:
        raise ValidationError(
            f"Le mot de passe doit faire au plus {PASSWORD_MAX} caractères.", details={"password": "too_long"}
        )
    if email and password.strip().lower() == normalise_email(email):
        raise ValidationError(
            "Le mot de passe ne peut pas être l'adresse électronique.", details={"password": "same_as_email"}
        )


def load_user(user_id: int) -> User | None:
    """The active user with this id."""
    user = db.session.get(User, user_id)
    return user if user is not None and user.is_active else None


def get_user_by_email(email: str) -> User | None:
    """The account with this email (active or not), if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    *,
    email: str,
    password: str,
    display_name: str = "",
    is_admin: bool = False,
    organisation_id: int | None = None,
) -> User:
    """Create a staff account with a scrypt-hashed password; the email must be new."""
    email = _valid_email(email)
    check_password_rules(password, email=email)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("Un compte existe déjà avec cette adresse.", details={"email": email})
    user = User(
        email=email,
        display_name=(display_name or "").strip()[:120] or email.split("@")[0],
        password_hash=generate_password_hash(password, method="scrypt"),
        password_changed_at=utcnow(),
        is_admin=is_admin,
        organisation_id=organisation_id,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same answer and work for any failure)."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.is_active or not user.password_hash:
        # Same work as a real check, so the answer time does not reveal which emails exist.
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    return user


def record_login(user: User) -> None:
    """Note the time of a completed sign-in."""
    user.last_login_at = utcnow()
    db.session.flush()


def open_staff_session(user: User) -> str:
    """Record a new sign-in on the server; returns the token the session cookie keeps."""
    token = secrets.token_urlsafe(32)
    db.session.add(StaffSession(token_hash=hash_token(token), user_id=user.id))
    db.session.flush()
    return token


def staff_session_is_open(token: object, user: User) -> bool:
    """Whether ``token`` names an open sign-in of ``user`` (not signed out)."""
    if not isinstance(token, str) or not token:
        return False
    row = db.session.get(StaffSession, hash_token(token))
    return row is not None and row.user_id == user.id and row.ended_at is None


def end_staff_session(token: object) -> None:
    """Sign-out: the sign-in ``token`` names stops working, for every copy of the cookie."""
    if not isinstance(token, str) or not token:
        return
    row = db.session.get(StaffSession, hash_token(token))
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()
        db.session.flush()


def session_stamp(user: User) -> str:
    """An HMAC of what must not change during a session: password hash, its change time, two-factor secret."""
    changed = user.password_changed_at.isoformat() if user.password_changed_at else ""
    material = f"{user.id}|{user.password_hash or ''}|{changed}|{user.totp_secret or ''}"
    key = str(current_app.secret_key or "").encode()
    return hmac.new(key, material.encode(), hashlib.sha256).hexdigest()[:32]


def session_id(user: User) -> str:
    """What a session stores to name its user: ``<id>:<stamp>``."""
    return f"{user.id}:{session_stamp(user)}"


def user_for_session_id(value: str) -> User | None:
    """The active user named by a session's ``<id>:<stamp>``, or None when the stamp no longer matches."""
    user_id, _, stamp = str(value).partition(":")
    if not user_id.isdigit() or not stamp:
        return None
    user = load_user(int(user_id))
    if user is None or not hmac.compare_digest(stamp, session_stamp(user)):
        return None
    return user


def set_password(user: User, password: str) -> None:
    """Give ``user`` a new password; sessions and reset links issued before stop working."""
    check_password_rules(password, email=user.email)
    user.password_hash = generate_password_hash(password, method="scrypt")
    user.password_changed_at = utcnow()
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change one's own password; the current one is required."""
    if not user.password_hash or not check_password_hash(user.password_hash, current_password or ""):
        raise ValidationError("Le mot de passe actuel est incorrect.", details={"current_password": "wrong"})
    set_password(user, new_password)


def set_active(email: str, active: bool) -> User:
    """Deactivate (or reactivate) an account; a deactivated user is signed out at the next request."""
    user = get_user_by_email(email)
    if user is None:
        raise NotFound("Aucun compte avec cette adresse.", details={"email": normalise_email(email)})
    user.is_active = active
    db.session.flush()
    return user


# --- password reset links -----------------------------------------------------------------------


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.secret_key), salt=salt)


def stand_in_user(email: str) -> User:
    """An account that is never stored, to do for an unknown address the work done for a real one."""
    return User(id=0, email=email, display_name=email, password_hash=_STAND_IN_HASH)


def make_reset_token(user: User) -> str:
    """A signed, timed token for a reset link; it stops working once the password changes."""
    return str(_serializer("arpenteur.password-reset").dumps({"u": user.id, "s": session_stamp(user)}))


def user_for_reset_token(token: str) -> User:
    """The user a reset token was made for; NotFound if it is not ours, Gone if expired or used."""
    max_age = int(float(current_app.config["PASSWORD_RESET_HOURS"]) * 3600)
    try:
        payload = _serializer("arpenteur.password-reset").loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise Gone("Ce lien a expiré : demandez-en un nouveau.") from error
    except BadSignature as error:
        raise NotFound("Ce lien n'est pas valide : vérifiez qu'il est complet.") from error
    user = (
        load_user(payload.get("u"))
        if isinstance(payload, dict) and isinstance(payload.get("u"), int)
        else None
    )
    if user is None or not hmac.compare_digest(str(payload.get("s", "")), session_stamp(user)):
        raise Gone("Ce lien a déjà servi ou n'est plus valide : demandez-en un nouveau.")
    return user


def reset_password(token: str, password: str) -> User:
    """Set a new password through a reset link; the link then stops working."""
    user = user_for_reset_token(token)
    check_password_rules(password, email=user.email)
    # Lock the row (PostgreSQL) and check again, so two uses of one link cannot both pass.
    db.session.refresh(user, with_for_update=True)
    user = user_for_reset_token(token)
    set_password(user, password)
    return user


# --- two-factor login (TOTP, RFC 6238) ----------------------------------------------------------


def new_totp_secret() -> str:
    """A fresh random Base32 secret (160 bits)."""
    return pyotp.random_base32()


def totp_uri(email: str, secret: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)


def totp_setup_token(user: User, secret: str) -> str:
    """The secret being set up, signed for this user, to carry through the confirmation form."""
    return str(_serializer("arpenteur.totp-setup").dumps({"u": user.id, "s": secret}))


def secret_from_setup_token(user: User, token: str) -> str:
    """The secret a set-up form carries; ValidationError if tampered with, for someone else, or stale."""
    try:
        payload = _serializer("arpenteur.totp-setup").loads(token, max_age=TOTP_SETUP_SECONDS)
    except BadSignature as error:
        raise ValidationError(
            "La mise en place a expiré : recommencez avec le nouveau code QR.", details={"setup": "expired"}
        ) from error
    if not isinstance(payload, dict) or payload.get("u") != user.id:
        raise ValidationError("Mise en place invalide : recommencez.", details={"setup": "invalid"})
    return str(payload.get("s", ""))


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_totp(user_id: int, secret: str, code: str, *, now: datetime | None = None) -> bool:
    """Whether ``code`` is valid now for ``secret`` and was not used before by this user.

    A code that worked once is refused for the rest of its window (a counter row per user and time
    step in the shared rate-limit table, so it holds across workers). The use is recorded in a
    transaction of its own (``ratelimit.hit_separately``): it holds even if the request then fails.
    """
    now = now or utcnow()
    step = _matching_step(secret, code, now)
    if step is None:
        return False
    step_start = datetime.fromtimestamp(step * pyotp.TOTP(secret).interval, UTC)
    verdict = ratelimit.hit_separately(
        f"totp-used:{user_id}:{step}", ratelimit.Limit(1, 3600), now=step_start
    )
    return verdict.allowed


def _check_password(user: User, password: str) -> None:
    if not user.password_hash or not check_password_hash(user.password_hash, password or ""):
        raise ValidationError("Mot de passe incorrect.", details={"password": "wrong"})


def enable_totp(user: User, *, secret: str, code: str, password: str) -> None:
    """Turn on two-factor login once the user proved their app shows the right codes."""
    if user.totp_secret:
        raise Conflict("La connexion en deux étapes est déjà activée.")
    if not re.fullmatch(r"[A-Z2-7]{32}", secret or ""):
        raise ValidationError("Mise en place invalide : recommencez.", details={"setup": "invalid"})
    _check_password(user, password)
    if not check_totp(user.id, secret, code):
        raise ValidationError(
            "Code incorrect : vérifiez l'heure du téléphone et saisissez le code affiché.",
            details={"code": "wrong"},
        )
    user.totp_secret = secret
    db.session.flush()


def disable_totp(user: User, *, password: str, code: str) -> None:
    """Turn off two-factor login; needs the password and a current code."""
    if not user.totp_secret:
        raise Conflict("La connexion en deux étapes n'est pas activée.")
    _check_password(user, password)
    if not check_totp(user.id, user.totp_secret, code):
        raise ValidationError("Code incorrect ou déjà utilisé.", details={"code": "wrong"})
    user.totp_secret = None
    db.session.flush()


def remove_totp(email: str) -> User:
    """Turn off two-factor login without a code (an administrator helping someone who lost their phone)."""
    user = get_user_by_email(email)
    if user is None:
        raise NotFound("Aucun compte avec cette adresse.", details={"email": normalise_email(email)})
    user.totp_secret = None
    db.session.flush()
    return user


# --- roles, organisations ------------------------------------------------------------------------


def add_membership(user: User, project_id: int, role: str) -> None:
    """Give ``user`` a role in a project (replacing the previous one)."""
    if role not in set(Role):
        raise ValidationError("Rôle inconnu.", details={"role": role})
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
            "Le nom de l'organisation doit faire de 2 à 200 caractères.", details={"organisation": "invalid"}
        )
    if kind not in set(OrganisationKind):
        raise ValidationError("Type d'organisation inconnu.", details={"organisation_kind": kind})
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


# --- project teams -------------------------------------------------------------------------------


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
        raise NotFound("Cette personne ne fait pas partie de l'équipe.", details={"user": user_id})
    if user_id == acting.id:
        raise Conflict("Vous ne pouvez pas vous retirer vous-même de l'équipe.")
    if membership.role == Role.ADMIN and project_role(acting, project.id) != Role.ADMIN:
        raise Forbidden("Seule l'administration peut retirer un administrateur ou une administratrice.")
    db.session.delete(membership)
    db.session.flush()


# --- invitations ---------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    """The stored form of a token (invitation, staff sign-in): its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


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
    email = _valid_email(email)
    if role not in INVITABLE_ROLES:
        raise ValidationError("Rôle inconnu : animation ou partenaire.", details={"role": role})
    organisation: Organisation | None = None
    if role == Role.PARTNER:
        if organisation_id:
            organisation = next(
                (o for o in list_project_organisations(project.id) if o.id == organisation_id), None
            )
            if organisation is None:
                raise ValidationError(
                    "Organisation inconnue pour ce projet.", details={"organisation_id": organisation_id}
                )
        elif (organisation_name or "").strip():
            organisation = find_or_create_organisation(organisation_name, organisation_kind)
            link_partner_organisation(project.id, organisation.id)
        else:
            raise ValidationError(
                "Indiquez l'organisation de la ou du partenaire.", details={"organisation": "missing"}
            )
    member = db.session.scalar(
        select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(User.email == email, Membership.project_id == project.id)
    )
    if member is not None:
        raise Conflict("Cette personne fait déjà partie de l'équipe du projet.", details={"email": email})
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
        raise NotFound("Cette invitation n'existe pas : vérifiez que le lien est complet.")
    if invitation.accepted_at is not None:
        raise Gone("Cette invitation a déjà servi. Connectez-vous avec votre compte.")
    if invitation.revoked_at is not None:
        raise Gone("Cette invitation a été retirée. Demandez-en une nouvelle à l'équipe du projet.")
    if invitation.expires_at <= now:
        raise Gone("Cette invitation a expiré. Demandez-en une nouvelle à l'équipe du projet.")
    return invitation


def describe_invitation(token: str) -> InvitationDetails:
    """What an invitation link offers (errors as ``invitation_for_token``)."""
    invitation = invitation_for_token(token)
    project = db.session.get(Project, invitation.project_id)
    organisation = (
        db.session.get(Organisation, invitation.organisation_id) if invitation.organisation_id else None
    )
    if project is None:
        raise NotFound("Cette invitation n'existe pas : vérifiez que le lien est complet.")
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
                "Cette invitation est destinée à une autre adresse : déconnectez-vous pour l'utiliser."
            )
        target = user
    elif existing is not None:
        raise Conflict(
            "Un compte existe déjà avec cette adresse : connectez-vous pour accepter l'invitation."
        )
    else:
        if not (display_name or "").strip():
            raise ValidationError("Indiquez votre nom.", details={"display_name": "missing"})
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
        raise Gone("Cette invitation a déjà servi. Connectez-vous avec votre compte.")
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
        raise NotFound("Invitation introuvable.", details={"invitation": invitation_id})
    if invitation.accepted_at is not None:
        raise Conflict("Cette invitation a déjà servi : retirez plutôt la personne de l'équipe.")
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
