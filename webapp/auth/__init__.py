"""Staff login (email + password) and the role check used by facilitator pages."""

from webapp.auth.access import role_required
from webapp.auth.blueprint import bp

__all__ = ["bp", "role_required"]
