"""Site administrators' pages: the national map of every project's observations."""

from webapp.administration.blueprint import bp

__all__ = ["bp"]
