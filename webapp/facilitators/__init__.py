"""Facilitators' pages: project and walk maps, summaries, moderation, debrief, exports and the report."""

from webapp.facilitators import entry  # noqa: E402,F401  (registers the entry pages on bp)
from webapp.facilitators import forms as _forms  # noqa: F401  (registers the forms pages on ``bp``)
from webapp.facilitators import projects as _projects  # noqa: F401  (registers its routes on bp)
from webapp.facilitators import walks as _walks  # noqa: F401,E402  (registers the walk planning pages on bp)
from webapp.facilitators.blueprint import bp

__all__ = ["bp"]
