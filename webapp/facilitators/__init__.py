"""Facilitators' pages: project and walk maps, summaries, moderation, debrief, exports and the report."""

from webapp.facilitators import projects as _projects  # noqa: F401  (registers its routes on bp)
from webapp.facilitators.blueprint import bp

__all__ = ["bp"]
