"""Who may act on a project: a role check based on memberships and the site-administrator flag."""

from __future__ import annotations

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.errors import Forbidden
from webapp.extensions import login_manager
from webapp.models import Project, User
from webapp.services import teams


def role_required(project: Project, *roles: str) -> User:
    """The logged-in user if they hold one of ``roles`` in ``project`` (admins always do).

    Anonymous visitors are sent to the login page; other users get a 403 page.
    """
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    role = teams.project_role(user, project.id)
    if role is None or (role not in roles and role != "admin"):
        raise Forbidden(_l("Vous n'avez pas accès à cette page pour ce projet."))
    return user
