"""Public pages: the landing page with the list of projects."""

from webapp.public.blueprint import bp

__all__ = ["bp"]
