"""Staff accounts: creating them, passwords and their rules, session stamps, reset links, shared tokens.

Secrets are never stored in clear: passwords are scrypt hashes, tokens keep only a SHA-256
(:func:`hash_token`), reset links are signed (itsdangerous) rather than stored. Sessions and reset
links carry a *stamp* — an HMAC of the password hash, its change time and the two-factor secret — so
a password change (or turning two-factor login on or off) ends every other session and every reset
link issued before it. The rest of what staff accounts do lives beside this module:
:mod:`~webapp.services.staff_sessions` (sign-ins on the server), :mod:`~webapp.services.two_factor`,
:mod:`~webapp.services.teams` (roles, organisations, team lists) and
:mod:`~webapp.services.invitations`.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.errors import Conflict, Gone, NotFound, ValidationError
from webapp.extensions import db
from webapp.models import User
from webapp.models.base import utcnow

#: Shortest and longest password accepted (the upper bound keeps hashing cheap).
PASSWORD_MIN = 10
PASSWORD_MAX = 200
#: How passwords are hashed: scrypt with N = 2**15, r = 8, p = 1 (werkzeug's own default, about
#: 0.1 s and 32 MiB per hash). Not a setting: only a test app (``TESTING``) may ask for a cheaper
#: cost with ``TEST_PASSWORD_HASH``, as Django's documentation advises for test suites.
PASSWORD_HASH = "scrypt:32768:8:1"  # noqa: S105 (the method and its cost, not a password)
#: A password hash of the usual shape that matches no password (for :func:`stand_in_user`).
_STAND_IN_HASH = f"{PASSWORD_HASH}$" + "0" * 16 + "$" + "0" * 128

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


# --- users, passwords, session stamps -----------------------------------------------------------------


def _hash_method() -> str:
    """:data:`PASSWORD_HASH`, or in a test app the cheaper cost it asks for."""
    if current_app.testing:
        return str(current_app.config.get("TEST_PASSWORD_HASH") or PASSWORD_HASH)
    return PASSWORD_HASH


def _hash_password(password: str) -> str:
    return generate_password_hash(password, method=_hash_method())


def _dummy_hash() -> str:
    """Checked against when no account matches, so failures take as long as a real check."""
    return f"{_hash_method()}$x$" + "0" * 128


def normalise_email(email: str | None) -> str:
    """The stored form of an email address (trimmed, lower-case)."""
    return (email or "").strip().lower()


def valid_email(email: str | None) -> str:
    """The normalised address; ValidationError when it does not look like one."""
    email = normalise_email(email)
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        raise ValidationError(_l("Adresse électronique invalide."), details={"email": "invalid"})
    return email


def check_password_rules(password: str | None, *, email: str = "") -> None:
    """Refuse a password that is too short, too long or the email itself."""
    password = password or ""
    if len(password) < PASSWORD_MIN:
        raise ValidationError(
            _l("Le mot de passe doit faire au moins %(num)s caractères.", num=PASSWORD_MIN),
            details={"password": "too_short"},
        )
    if len(password) > PASSWORD_MAX:
        raise ValidationError(
            _l("Le mot de passe doit faire au plus %(num)s caractères.", num=PASSWORD_MAX),
            details={"password": "too_long"},
        )
    if email and password.strip().lower() == normalise_email(email):
        raise ValidationError(
            _l("Le mot de passe ne peut pas être l'adresse électronique."),
            details={"password": "same_as_email"},
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
    email = valid_email(email)
    check_password_rules(password, email=email)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(_l("Un compte existe déjà avec cette adresse."), details={"email": email})
    user = User(
        email=email,
        display_name=(display_name or "").strip()[:120] or email.split("@")[0],
        password_hash=_hash_password(password),
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
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    return user


def session_stamp(user: User) -> str:
    """An HMAC of what must not change during a session: password hash, its change time, two-factor secret."""
    changed = user.password_changed_at.isoformat() if user.password_changed_at else ""
    material = f"{user.id}|{user.password_hash or ''}|{changed}|{user.totp_secret or ''}"
    key = str(current_app.secret_key or "").encode()
    return hmac.new(key, material.encode(), hashlib.sha256).hexdigest()[:32]


def set_password(user: User, password: str) -> None:
    """Give ``user`` a new password; sessions and reset links issued before stop working."""
    check_password_rules(password, email=user.email)
    user.password_hash = _hash_password(password)
    user.password_changed_at = utcnow()
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change one's own password; the current one is required."""
    if not user.password_hash or not check_password_hash(user.password_hash, current_password or ""):
        raise ValidationError(
            _l("Le mot de passe actuel est incorrect."), details={"current_password": "wrong"}
        )
    set_password(user, new_password)


def set_active(email: str, active: bool) -> User:
    """Deactivate (or reactivate) an account; a deactivated user is signed out at the next request."""
    user = get_user_by_email(email)
    if user is None:
        raise NotFound(_l("Aucun compte avec cette adresse."), details={"email": normalise_email(email)})
    user.is_active = active
    db.session.flush()
    return user


# --- password reset links -----------------------------------------------------------------------


def signer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.secret_key), salt=salt)


def stand_in_user(email: str) -> User:
    """An account that is never stored, to do for an unknown address the work done for a real one."""
    return User(id=0, email=email, display_name=email, password_hash=_STAND_IN_HASH)


def make_reset_token(user: User) -> str:
    """A signed, timed token for a reset link; it stops working once the password changes."""
    return str(signer("arpenteur.password-reset").dumps({"u": user.id, "s": session_stamp(user)}))


def user_for_reset_token(token: str) -> User:
    """The user a reset token was made for; NotFound if it is not ours, Gone if expired or used."""
    max_age = int(float(current_app.config["PASSWORD_RESET_HOURS"]) * 3600)
    try:
        payload = signer("arpenteur.password-reset").loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise Gone(_l("Ce lien a expiré : demandez-en un nouveau.")) from error
    except BadSignature as error:
        raise NotFound(_l("Ce lien n'est pas valide : vérifiez qu'il est complet.")) from error
    user = (
        load_user(payload.get("u"))
        if isinstance(payload, dict) and isinstance(payload.get("u"), int)
        else None
    )
    if user is None or not hmac.compare_digest(str(payload.get("s", "")), session_stamp(user)):
        raise Gone(_l("Ce lien a déjà servi ou n'est plus valide : demandez-en un nouveau."))
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


# --- tokens --------------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    """The stored form of a token (invitation, staff sign-in): its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()
