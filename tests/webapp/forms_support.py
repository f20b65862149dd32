"""Helpers shared by the forms tests: URLs built with ``url_for`` (tests name no path)."""

from __future__ import annotations

from tests.webapp.support import url

__all__ = ["url"]
