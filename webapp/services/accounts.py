"""Staff accounts: loading the logged-in user (login, invitations and roles come with the partners issue)."""

from __future__ import annotations

from webapp.extensions import db
from webapp.models import User


def load_user(user_id: int) -> User | None:
    """The active user with this id, for the session."""
    user = db.session.get(User, user_id)
    return user if user is not None and user.is_active else None


# --- minimal staff login (issue 4; issue 5 hardens accounts) -------------------------------------


def create_user(
    *, email: str, password: str, display_name: str = "", is_admin: bool = False, commit: bool = True
) -> User:
    """Create a staff account with a scrypt-hashed password; the email must be new."""
    from sqlalchemy import select
    from werkzeug.security import generate_password_hash

    from webapp.errors import Conflict, ValidationError

    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise ValidationError("Adresse électronique invalide.", details={"email": "invalid"})
    if len(password or "") < 10:
        raise ValidationError(
            "Le mot de passe doit faire au moins 10 caractères.", details={"password": "too_short"}
        )
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("Un compte existe déjà avec cette adresse.", details={"email": email})
    user = User(
        email=email,
        display_name=display_name.strip() or email.split("@")[0],
        password_hash=generate_password_hash(password, method="scrypt"),
        is_admin=is_admin,
    )
    db.session.add(user)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same answer for any failure)."""
    from sqlalchemy import select
    from werkzeug.security import check_password_hash

    from webapp.models.base import utcnow

    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None or not user.is_active or not user.password_hash:
        # Same work as a real check, so the answer time does not reveal which emails exist.
        check_password_hash("scrypt:32768:8:1$x$" + "0" * 128, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def add_membership(user: User, project_id: int, role: str, *, commit: bool = True) -> None:
    """Give ``user`` a role in a project (replacing the previous one)."""
    from sqlalchemy import select

    from webapp.errors import ValidationError
    from webapp.models import Membership
    from webapp.models.enums import Role

    if role not in set(Role):
        raise ValidationError("Rôle inconnu.", details={"role": role})
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.project_id == project_id)
    )
    if membership is None:
        db.session.add(Membership(user_id=user.id, project_id=project_id, role=role))
    else:
        membership.role = role
    if commit:
        db.session.commit()


def project_role(user: User, project_id: int) -> str | None:
    """The user's role in the project ("admin" for site administrators), or None."""
    from sqlalchemy import select

    from webapp.models import Membership

    if user.is_admin:
        return "admin"
    return db.session.scalar(
        select(Membership.role).where(Membership.user_id == user.id, Membership.project_id == project_id)
    )
