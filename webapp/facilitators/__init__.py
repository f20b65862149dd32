"""Facilitators' pages: project and walk maps, summaries, moderation, debrief, exports and the report."""

from webapp.facilitators.blueprint import bp

__all__ = ["bp"]
