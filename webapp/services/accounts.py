"""Staff accounts: loading the logged-in user (login, invitations and roles come with the partners issue)."""

from __future__ import annotations

from webapp.extensions import db
from webapp.models import User


def load_user(user_id: int) -> User | None:
    """The active user with this id, for the session."""
    user = db.session.get(User, user_id)
    return user if user is not None and user.is_active else None
