"""Facilitators' pages: project and walk maps, summaries, moderation, debrief, exports and the report."""

from webapp.facilitators import forms as _forms  # noqa: F401  (registers the forms pages on ``bp``)
from webapp.facilitators.blueprint import bp

__all__ = ["bp"]
