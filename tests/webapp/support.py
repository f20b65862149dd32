"""Helpers shared by the web tests: paths are built by the app (``url_for``), never written by hand."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for


def url(endpoint: str, **values: Any) -> str:
    """The path of ``endpoint`` as the app builds it (extra values become the query string)."""
    with current_app.test_request_context():
        return url_for(endpoint, **values)
