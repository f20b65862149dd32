"""Staff sessions: cookie settings, starting a session, checking it on every request, the two-factor step.

A session names its user as ``<id>:<stamp>`` (``staff_sessions.session_id``): when the password changes or
two-factor login is turned on or off, the stamp no longer matches and every other session ends. A
session also ends ``SESSION_HOURS`` after sign-in, when the browser closes (no persistent cookie), and
when the account is deactivated. Each sign-in is also recorded on the server (``staff_sessions``, the
cookie keeps a random token): signing out ends it there, so a copy of the cookie taken before stops
working too.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, g, session
from flask_login import login_user

from webapp.models import User
from webapp.services import accounts, staff_sessions

#: Session key of the sign-in time (seconds since the epoch).
LOGIN_AT = "_login_at"
#: Session key of the server-side sign-in token (``staff_sessions.open_staff_session``).
SIGN_IN = "_sid"
#: Session key of a sign-in waiting for its two-factor code.
PENDING = "_2fa_pending"
#: The code must be typed within this time after the password.
PENDING_SECONDS = 300
_LOGIN_KEYS = ("_user_id", "_fresh", "_id", "_remember", LOGIN_AT, SIGN_IN)


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in {"", "0", "false", "no", "off"}
    return bool(value)


def configure(app: Flask) -> None:
    """Cookie flags and lifetimes from ``SECURE_COOKIES`` and ``SESSION_HOURS``."""
    from webapp.extensions import login_manager

    secure = _flag(app.config["SECURE_COOKIES"])
    lifetime = timedelta(hours=float(app.config["SESSION_HOURS"]))
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        # Signed cookies older than this are refused by the server, whatever the browser keeps.
        PERMANENT_SESSION_LIFETIME=lifetime,
        # "Remember me" is not offered; should a remember cookie ever be set, it gets the same flags.
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_DURATION=lifetime,
    )
    # "basic", not "strong": strong mode empties the session when the client address changes, and
    # staff on mobile networks change address often (carrier NAT). Sensitive changes ask for the
    # password again instead.
    login_manager.session_protection = "basic"


def _fresh_session() -> None:
    # Nothing survives a sign-in or sign-out, the CSRF token included (a token planted before
    # sign-in must not stay valid); the copy Flask-WTF caches for this request goes with it.
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def start_session(user: User) -> None:
    """Sign ``user`` in: a fresh session (nothing kept from before) naming them with their stamp."""
    _fresh_session()
    login_user(user)
    session["_user_id"] = staff_sessions.session_id(user)
    session[LOGIN_AT] = int(time.time())
    session[SIGN_IN] = staff_sessions.open_staff_session(user)
    staff_sessions.record_login(user)


def refresh_stamp(user: User) -> None:
    """Keep this session after the user changed their own password or two-factor setting."""
    session["_user_id"] = staff_sessions.session_id(user)


def end_session() -> None:
    """Sign out: end the sign-in on the server, then forget everything about the visitor."""
    staff_sessions.end_staff_session(session.get(SIGN_IN))
    _fresh_session()


def load_session_user(user_id: str) -> User | None:
    """The user a session names, if the stamp still matches, the account is active and time is left."""
    user = staff_sessions.user_for_session_id(user_id)
    started = session.get(LOGIN_AT)
    hours = float(current_app.config["SESSION_HOURS"])
    if user is not None and isinstance(started, int | float) and time.time() - started > hours * 3600:
        user = None
    if user is not None and not staff_sessions.staff_session_is_open(session.get(SIGN_IN), user):
        user = None
    if user is None:
        for key in _LOGIN_KEYS:
            session.pop(key, None)
    return user


def begin_second_step(user: User, next_url: str) -> None:
    """Remember who typed the right password; they are not signed in until the code is right."""
    _fresh_session()
    session[PENDING] = {
        "u": user.id,
        "s": accounts.session_stamp(user),
        "t": int(time.time()),
        "n": next_url or "",
    }


def pending_second_step() -> tuple[User, str] | None:
    """The user waiting for their code and where they were going, if the wait is recent and valid."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - float(pending.get("t", 0)) > PENDING_SECONDS:
        return None
    user = staff_sessions.user_for_session_id(f"{pending.get('u')}:{pending.get('s')}")
    if user is None or not user.totp_secret:
        return None
    return user, str(pending.get("n", ""))


def cancel_second_step() -> None:
    """Drop a waiting sign-in."""
    session.pop(PENDING, None)
