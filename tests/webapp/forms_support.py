"""Helpers shared by the forms tests: URLs built with ``url_for`` (tests name no path)."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for


def url(endpoint: str, **values: Any) -> str:
    """The path of ``endpoint``, as the app builds it."""
    with current_app.test_request_context():
        return url_for(endpoint, **values)
