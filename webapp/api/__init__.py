"""JSON API under ``/api/v1``: joining a walk and submitting observations and photos from phones."""

from webapp.api.blueprint import bp

__all__ = ["bp"]
