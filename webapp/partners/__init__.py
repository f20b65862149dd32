"""Partners' pages: read-only maps and summaries of validated observations, and recommendation follow-up."""

from webapp.partners.blueprint import bp

__all__ = ["bp"]
