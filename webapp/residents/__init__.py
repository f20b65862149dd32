"""Residents: join a walk with its code (no account) and record observations from a phone."""

from webapp.residents.blueprint import bp

__all__ = ["bp"]
