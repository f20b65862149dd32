"""Staff sign-ins recorded on the server: opened at sign-in, ended at sign-out, named in the cookie.

The session cookie keeps ``<user id>:<stamp>`` (:func:`session_id`) and a token whose hash is stored
here; a password or two-factor change alters the stamp (``accounts.session_stamp``), so every other
session ends; signing out ends the stored sign-in for every copy of the cookie.
"""

from __future__ import annotations

import hmac
import secrets

from sqlalchemy import exists, select

from webapp.extensions import db
from webapp.models import Membership, StaffSession, User
from webapp.models.base import utcnow
from webapp.models.enums import Role
from webapp.services.accounts import hash_token, session_stamp

#: True for an account with a partner role somewhere and no other role anywhere.
_PARTNER_ONLY = exists().where(
    Membership.user_id == User.id, Membership.role == Role.PARTNER.value
) & ~exists().where(Membership.user_id == User.id, Membership.role != Role.PARTNER.value)


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


def session_id(user: User) -> str:
    """What a session stores to name its user: ``<id>:<stamp>``."""
    return f"{user.id}:{session_stamp(user)}"


def user_for_session_id(value: str) -> User | None:
    """The active user named by a session's ``<id>:<stamp>``, or None when the stamp no longer matches."""
    user_id, _, stamp = str(value).partition(":")
    if not user_id.isdigit() or not stamp:
        return None
    # the active account and whether it is only a partner (:attr:`User.partner_only`), in one statement
    row = db.session.execute(
        select(User, _PARTNER_ONLY).where(User.id == int(user_id), User.is_active.is_(True))
    ).first()
    if row is None:
        return None
    user, partner_only = row
    if not hmac.compare_digest(stamp, session_stamp(user)):
        return None
    user.partner_only = bool(partner_only) and not user.is_admin
    return user
