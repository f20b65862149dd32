"""Facilitators' pages: project and walk maps, summaries, moderation, debrief, exports and the report."""

from webapp.facilitators import entry  # noqa: E402,F401  (registers the entry pages on bp)
from webapp.facilitators.blueprint import bp

__all__ = ["bp"]
