"""Staff accounts: sign-in (optional two-factor codes), passwords, teams, invitations, role check."""

from webapp.auth.access import role_required
from webapp.auth.blueprint import bp

__all__ = ["bp", "role_required"]
